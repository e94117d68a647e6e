// VectorAssembler, VectorSlicer and VectorSizeHint: vectors built, sliced and checked
// (docs/reference/spark-models.md §2.8).

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

class VectorAssemblerStage : public Stage {
 public:
  std::string name, output, handle_invalid;
  std::vector<std::string> inputs;
  bool nan_is_invalid = true;  // Spark ≥ 2.4 checks NaN with handleInvalid=error (§2.8)

  Status transform(Frame& frame) const override {
    struct Part {
      const ScoredColumn* col;
      bool vector;
    };
    std::vector<Part> parts;
    std::size_t width = 0;
    VectorAttributes attributes;
    for (const auto& in : inputs) {
      bool vec = frame.is_vector(in);
      auto col = vec ? frame.vectors(in) : frame.numeric(in);
      if (!col.ok()) return std::move(col).error();
      parts.push_back({*col, vec});
      width += vec ? (*col)->width : 1;
      append_names(frame, in, vec ? (*col)->width : 0, vec, attributes.names);
      append_nominal(frame, in, vec ? (*col)->width : 1, vec, attributes);
    }
    if (!attributes.nominal.empty()) attributes.nominal.resize(attributes.names.size());
    auto out = new_vector_column(output, frame.rows(), width);
    auto& alive = frame.alive();
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!alive[r]) continue;
      double* dst = out.numbers.data() + r * width;
      for (std::size_t p = 0; p < parts.size() && alive[r]; ++p) {
        const ScoredColumn& c = *parts[p].col;
        const std::size_t w = parts[p].vector ? c.width : 1;
        bool null = !c.valid[r];
        bool nan = !null && !parts[p].vector && std::isnan(c.numbers[r]);
        if (null || (nan && handle_invalid == "skip")) {
          if (handle_invalid == "skip") {
            alive[r] = 0;
          } else if (handle_invalid == "keep") {
            std::fill(dst, dst + w, std::nan(""));
          } else {
            return data_error(name, "null value in column '" + inputs[p] + "' (row " +
                                        std::to_string(r) + "; handleInvalid=" + handle_invalid +
                                        ")");
          }
        } else if (nan && nan_is_invalid && handle_invalid == "error") {
          return data_error(name,
                            "Encountered NaN while assembling a row with handleInvalid = "
                            "\"error\" (column '" +
                                inputs[p] + "', row " + std::to_string(r) + ")");
        } else if (parts[p].vector) {
          std::copy(c.vector(r), c.vector(r) + w, dst);
        } else {
          *dst = c.numbers[r];
        }
        dst += w;
      }
    }
    mark_compressed(out);
    frame.add(std::move(out));
    frame.set_vector_attributes(output, std::move(attributes));
    return {};
  }

 private:
  // Spark's names for the elements an input contributes: a scalar column is named after
  // itself; a vector's elements are `<column>_<attribute name>`, or `<column>_<i>` where the
  // element has no name or the vector no attributes.
  static void append_names(const Frame& frame, const std::string& column, std::size_t width,
                           bool vector, std::vector<std::string>& names) {
    if (!vector) {
      names.push_back(column);
      return;
    }
    const VectorAttributes* attributes = frame.vector_attributes(column);
    if (attributes != nullptr && attributes->names.size() != width) attributes = nullptr;
    for (std::size_t i = 0; i < width; ++i) {
      const bool named = attributes != nullptr && !attributes->names[i].empty();
      names.push_back(column + "_" + (named ? attributes->names[i] : std::to_string(i)));
    }
  }

  // Spark keeps each element's attribute type: a nominal input column, or a nominal element
  // of a vector input, stays nominal with its values.
  static void append_nominal(const Frame& frame, const std::string& column, std::size_t width,
                             bool vector, VectorAttributes& out) {
    const std::size_t before = out.names.size() - width;
    auto put = [&](std::size_t i, const NominalAttribute& a) {
      out.nominal.resize(out.names.size());
      out.nominal[before + i] = a;
    };
    if (!vector) {
      const NominalAttribute* a = frame.nominal(column);
      if (a != nullptr && !a->binary) put(0, *a);
      return;
    }
    const VectorAttributes* attributes = frame.vector_attributes(column);
    if (attributes == nullptr || attributes->nominal.size() != width) return;
    for (std::size_t i = 0; i < width; ++i) {
      if (attributes->nominal[i].size > 0) put(i, attributes->nominal[i]);
    }
  }
};

}  // namespace

std::shared_ptr<const Stage> make_vector_assembler(std::vector<std::string> inputs,
                                                   std::string output, std::string handle_invalid,
                                                   bool nan_is_invalid) {
  auto stage = std::make_shared<VectorAssemblerStage>();
  stage->name = "VectorAssembler (score options)";
  stage->inputs = std::move(inputs);
  stage->output = std::move(output);
  stage->handle_invalid = std::move(handle_invalid);
  stage->nan_is_invalid = nan_is_invalid;
  return stage;
}

LoadResult load_vector_assembler(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<VectorAssemblerStage>();
  stage->name = stage_name(meta);
  stage->inputs = meta.strings_param("inputCols");
  stage->output = meta.string_param("outputCol", "");
  // handleInvalid exists from 2.4; before that NaN passed through and null failed.
  stage->nan_is_invalid = meta.has_param("handleInvalid");
  stage->handle_invalid = meta.string_param("handleInvalid", "error");
  if (stage->inputs.empty() || stage->output.empty())
    return model_error(meta, "no input/output columns");
  info.input_columns = stage->inputs;
  info.output_columns = {stage->output};
  return std::shared_ptr<const Stage>(stage);
}

namespace {

// Selects the `indices` first, then the features named by `names`, which Spark looks up in the
// input's attribute group (the last element of a name wins, as in Spark's name map).
class VectorSlicerStage : public ColumnStage {
 public:
  std::vector<std::size_t> indices;
  std::vector<std::string> names;

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(input);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& col = **in;
    for (auto idx : indices) {
      if (frame.rows() > 0 && idx >= col.width) {
        return data_error(name, "Selected feature index " + std::to_string(idx) +
                                    " invalid for input vector of size " +
                                    std::to_string(col.width));
      }
    }
    const VectorAttributes* attributes = frame.vector_attributes(input);
    auto selected = selected_indices(attributes);
    if (!selected.ok()) return std::move(selected).error();
    const std::vector<std::size_t>& picks = *selected;
    auto out = new_vector_column(output, frame.rows(), picks.size());
    out.valid = col.valid;
    out.sparse = col.sparse;  // a SparseVector's slice is sparse, a DenseVector's dense
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!col.valid[r]) continue;
      for (std::size_t k = 0; k < picks.size(); ++k) {
        out.numbers[r * picks.size() + k] = col.vector(r)[picks[k]];
      }
    }
    // Adding the output may move `col`; the attributes live elsewhere.
    std::optional<VectorAttributes> kept;
    if (attributes != nullptr && attributes->names.size() == col.width) {
      kept.emplace();
      for (auto idx : picks) kept->names.push_back(attributes->names[idx]);
      if (attributes->nominal.size() == col.width) {
        for (auto idx : picks) kept->nominal.push_back(attributes->nominal[idx]);
      }
    }
    frame.add(std::move(out));
    if (kept) frame.set_vector_attributes(output, std::move(*kept));
    return {};
  }

 private:
  Result<std::vector<std::size_t>> selected_indices(const VectorAttributes* attributes) const {
    std::vector<std::size_t> picks = indices;
    if (names.empty()) return picks;
    std::map<std::string, std::size_t> by_name;
    if (attributes != nullptr) {
      for (std::size_t i = 0; i < attributes->names.size(); ++i) {
        if (!attributes->names[i].empty()) by_name[attributes->names[i]] = i;
      }
    }
    std::string named_picks;
    for (const auto& feature : names) {
      auto it = by_name.find(feature);
      if (it == by_name.end()) {
        return data_error(name,
                          "no feature named '" + feature + "' in column '" + input + "'" +
                              (attributes == nullptr ? " (its attributes name no features)" : ""));
      }
      picks.push_back(it->second);
      named_picks += (named_picks.empty() ? "" : ",") + std::to_string(it->second) + ":" + feature;
    }
    std::vector<std::size_t> sorted = picks;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      std::string listed;
      for (auto idx : indices) listed += (listed.empty() ? "" : ",") + std::to_string(idx);
      return data_error(name,
                        "VectorSlicer requires indices and names to be disjoint sets of "
                        "features, but they overlap. indices: [" +
                            listed + "]. names: [" + named_picks + "]");
    }
    return picks;
  }
};

}  // namespace

LoadResult load_vector_slicer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorSlicerStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  for (double d : meta.doubles_param("indices")) {
    if (!(d >= 0) || d > 1e9) return model_error(meta, "bad slice index");
    stage->indices.push_back(static_cast<std::size_t>(d));
  }
  stage->names = meta.strings_param("names");
  if (stage->indices.empty() && stage->names.empty()) {
    return model_error(meta, "VectorSlicer requires that at least one feature be selected");
  }
  return loaded(std::move(stage), info);
}

namespace {

// VectorSizeHint (Spark 2.3+) declares the size of a vector column, which a VectorAssembler
// with handleInvalid=keep needs, and checks it: a null vector or one of another size is
// INVALID_DATA with `error`, drops the row with `skip`, and passes with `optimistic`. The column
// keeps its values and attributes.
class VectorSizeHintStage : public Stage {
 public:
  std::string name, column, handle_invalid;
  std::size_t size = 0;

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(column);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& col = **in;
    if (const VectorAttributes* attributes = frame.vector_attributes(column);
        attributes != nullptr && attributes->names.size() != size) {
      return data_error(
          name, "Size of vector column " + column +
                    " does not match VectorSizeHint: " + std::to_string(attributes->names.size()) +
                    " in its attributes, " + std::to_string(size) + " hinted");
    }
    if (handle_invalid == "optimistic") return {};
    auto& alive = frame.alive();
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!alive[r] || (col.valid[r] && col.width == size)) continue;
      if (handle_invalid == "skip") {
        alive[r] = 0;
      } else if (!col.valid[r]) {
        return data_error(name, "Got null vector in VectorSizeHint (column '" + column + "', row " +
                                    std::to_string(r) + "; handleInvalid=error)");
      } else {
        return data_error(name, "VectorSizeHint Expecting a vector of size " +
                                    std::to_string(size) + " but got " + std::to_string(col.width) +
                                    " (column '" + column + "', row " + std::to_string(r) + ")");
      }
    }
    return {};
  }
};

}  // namespace

LoadResult load_vector_size_hint(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<VectorSizeHintStage>();
  stage->name = stage_name(meta);
  stage->column = meta.string_param("inputCol", "");
  stage->handle_invalid = meta.string_param("handleInvalid", "error");
  const double size = meta.double_param("size", -1);
  if (stage->column.empty()) return model_error(meta, "no input column");
  if (!(size >= 0) || size > (1 << 24)) return model_error(meta, "no valid size");
  if (stage->handle_invalid != "error" && stage->handle_invalid != "skip" &&
      stage->handle_invalid != "optimistic") {
    return model_error(meta, "unknown handleInvalid '" + stage->handle_invalid + "'");
  }
  stage->size = static_cast<std::size_t>(size);
  info.input_columns = {stage->column};
  return std::shared_ptr<const Stage>(std::move(stage));
}

}  // namespace dbk::scorer::detail
