// Interaction: the products of every combination of its inputs' features, nominal features
// one-hot encoded by their ML attribute first (docs/scorer.md, "How the new stages compute").
// Spark builds each row from the last input to the first: the running products start at 1.0
// and are multiplied by each input's non-zero outputs in turn, so an earlier input's feature is
// the more significant index and the last factor of each product.

#include <algorithm>
#include <cmath>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

// The vectors the scorer holds densely are refused beyond this many elements (1 GiB).
constexpr std::size_t kMaxElements = std::size_t{1} << 27;

// One input's features: how many outputs each takes (a nominal one its category count, any
// other one) and the names Spark gives those outputs.
struct Encoder {
  const ScoredColumn* column = nullptr;
  bool vector = false;
  std::vector<std::size_t> categories;  // per input feature; 1 = numeric
  std::vector<std::size_t> offsets;     // first output of each input feature
  std::size_t size = 0;
  std::vector<std::string> names;
};

// Names of one input feature's outputs, as Spark's encodedFeatureAttrs forms them:
// `[group_]name[_category]`.
void add_names(const std::string& prefix, const NominalAttribute* nominal,
               std::vector<std::string>& out) {
  if (nominal == nullptr) {
    out.push_back(prefix);
    return;
  }
  for (std::size_t j = 0; j < nominal->size; ++j) {
    out.push_back(prefix + "_" +
                  (nominal->values.empty() ? std::to_string(j) : nominal->values[j]));
  }
}

class InteractionStage : public Stage {
 public:
  std::string name, output;
  std::vector<std::string> inputs;

  Status transform(Frame& frame) const override {
    std::vector<Encoder> encoders;
    std::size_t width = 1;
    for (const auto& in : inputs) {
      auto encoder = encoder_of(frame, in);
      if (!encoder.ok()) return std::move(encoder).error();
      if (encoder->size != 0 && width > kMaxElements / encoder->size) {
        return data_error(name, "the interaction of " + std::to_string(inputs.size()) +
                                    " columns has over 2^27 features");
      }
      width *= encoder->size;
      encoders.push_back(std::move(*encoder));
    }
    if (frame.rows() > 0 && width > kMaxElements / frame.rows()) {
      return data_error(name, "the interaction's vectors would exceed 2^27 elements");
    }
    auto out = new_vector_column(output, frame.rows(), width);
    out.sparse.assign(frame.rows(), 0);
    std::vector<std::size_t> indices, next_indices;
    std::vector<double> values, next_values;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r]) continue;
      indices.assign(1, 0);
      values.assign(1, 1.0);
      std::size_t size = 1;
      for (std::size_t f = encoders.size(); f-- > 0;) {
        const Encoder& e = encoders[f];
        if (!e.column->valid[r]) {
          return data_error(name, "Values to interact cannot be null (column '" + inputs[f] +
                                      "', row " + std::to_string(r) + ")");
        }
        next_indices.clear();
        next_values.clear();
        auto emit = [&](std::size_t i, double a) {
          for (std::size_t j = 0; j < indices.size(); ++j) {
            next_indices.push_back(indices[j] + i * size);
            next_values.push_back(values[j] * a);
          }
        };
        const double* x = e.vector ? e.column->vector(r) : &e.column->numbers[r];
        const std::size_t n = e.vector ? e.column->width : 1;
        const bool sparse = e.vector && e.column->is_sparse(r);
        for (std::size_t k = 0; k < n; ++k) {
          // A SparseVector's foreachActive skips what it does not store, even a nominal 0.
          if (sparse && x[k] == 0.0) continue;
          if (e.categories[k] > 1) {
            const double v = x[k];
            if (!(v >= 0.0 && v == std::trunc(v) && v < static_cast<double>(e.categories[k]))) {
              return data_error(name, "Values from column must be indices, but got " +
                                          java_double_string(v) + " (column '" + inputs[f] +
                                          "', row " + std::to_string(r) + ")");
            }
            emit(e.offsets[k] + static_cast<std::size_t>(v), 1.0);
          } else {
            emit(e.offsets[k], x[k]);
          }
        }
        indices.swap(next_indices);
        values.swap(next_values);
        size *= e.size;
      }
      // Vectors.sparse(...).compressed: sparse when 1.5 * (non-zeros + 1) < size, and then
      // without the zeros (a -0.0 product becomes 0.0); dense keeps every product as it is.
      std::size_t nonzeros = 0;
      for (double v : values) nonzeros += v != 0.0 ? 1 : 0;
      const bool sparse = 1.5 * (static_cast<double>(nonzeros) + 1.0) < static_cast<double>(width);
      out.sparse[r] = sparse ? 1 : 0;
      double* row = out.numbers.data() + r * width;
      for (std::size_t j = 0; j < indices.size(); ++j) {
        row[indices[j]] = sparse && values[j] == 0.0 ? 0.0 : values[j];
      }
    }
    // Output names: the later inputs' names after each earlier one's, joined by ':'.
    std::vector<std::string> names;
    for (std::size_t f = encoders.size(); f-- > 0;) {
      if (names.empty()) {
        names = encoders[f].names;
        continue;
      }
      std::vector<std::string> joined;
      joined.reserve(encoders[f].names.size() * names.size());
      for (const auto& head : encoders[f].names) {
        for (const auto& tail : names) joined.push_back(head + ":" + tail);
      }
      names.swap(joined);
    }
    frame.add(std::move(out));
    frame.set_vector_attributes(output, VectorAttributes{std::move(names), {}});
    return {};
  }

 private:
  Result<Encoder> encoder_of(Frame& frame, const std::string& in) const {
    Encoder e;
    e.vector = frame.is_vector(in);
    if (!e.vector) {
      // Spark casts numeric columns to double but refuses booleans (their attribute check fails).
      const Column* raw = frame.input_column(in);
      if (raw != nullptr && raw->type == ColumnType::kBool) {
        return data_error(name, "column '" + in +
                                    "' is boolean; Interaction takes numbers and "
                                    "vectors (requirement failed)");
      }
      auto col = frame.numeric(in);
      if (!col.ok()) return std::move(col).error();
      e.column = *col;
      const NominalAttribute* nominal = frame.nominal(in);
      if (nominal != nullptr && nominal->binary) nominal = nullptr;
      e.categories = {nominal != nullptr ? std::max<std::size_t>(1, nominal->size) : 1};
      add_names(in, nominal, e.names);
    } else {
      auto col = frame.vectors(in);
      if (!col.ok()) return std::move(col).error();
      e.column = *col;
      const VectorAttributes* attributes = frame.vector_attributes(in);
      if (attributes == nullptr || attributes->names.size() != e.column->width) {
        return data_error(name, "Vector attributes must be defined for interaction (column '" + in +
                                    "' records only its size)");
      }
      for (std::size_t i = 0; i < e.column->width; ++i) {
        const NominalAttribute* nominal =
            attributes->nominal.size() == e.column->width && attributes->nominal[i].size > 0
                ? &attributes->nominal[i]
                : nullptr;
        e.categories.push_back(nominal != nullptr ? nominal->size : 1);
        const std::string& element = attributes->names[i];
        add_names(in + "_" + (element.empty() ? std::to_string(i) : element), nominal, e.names);
      }
    }
    for (std::size_t c : e.categories) {
      e.offsets.push_back(e.size);
      e.size += c;
    }
    return e;
  }
};

}  // namespace

LoadResult load_interaction(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<InteractionStage>();
  stage->name = stage_name(meta);
  stage->inputs = meta.strings_param("inputCols");
  stage->output = meta.string_param("outputCol", "");
  if (stage->inputs.empty() || stage->output.empty()) {
    return model_error(meta, "no input/output columns");
  }
  info.input_columns = stage->inputs;
  info.output_columns = {stage->output};
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
