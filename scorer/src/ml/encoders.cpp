// OneHotEncoderModel and Spark 2.x's OneHotEncoder transformer: category indices to one-hot
// vectors.

#include <algorithm>
#include <cmath>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

// The names OneHotEncoder gives categories: the input attribute's values, else their indices
// ("0", "1", …) for the attribute's size, or for `size` without an attribute.
std::vector<std::string> category_names(const NominalAttribute* attribute, std::size_t size) {
  if (attribute != nullptr && !attribute->values.empty()) return attribute->values;
  const std::size_t count = attribute != nullptr ? attribute->size : size;
  std::vector<std::string> names;
  names.reserve(count);
  for (std::size_t i = 0; i < count; ++i) names.push_back(std::to_string(i));
  return names;
}

// Its slot names: dropLast drops the last category unless invalid values are kept (they take
// the dropped slot); keeping them without dropLast adds a slot "invalidValues".
std::vector<std::string> one_hot_slot_names(std::vector<std::string> names, bool drop_last,
                                            bool keep_invalid) {
  if (drop_last && !keep_invalid && !names.empty()) names.pop_back();
  if (!drop_last && keep_invalid) names.emplace_back("invalidValues");
  return names;
}

class OneHotEncoderStage : public ColumnsStage {
 public:
  std::string handle_invalid;
  std::vector<std::int64_t> sizes;
  bool drop_last = true;

  Status transform(Frame& frame) const override {
    const bool keep = handle_invalid == "keep";
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      auto in = frame.numeric(inputs[i]);
      if (!in.ok()) return std::move(in).error();
      const std::int64_t orig = sizes[i];
      // OneHotEncoderModel.getConfigedCategorySizes
      std::int64_t size = orig;
      if (drop_last && !keep) size = orig - 1;
      if (!drop_last && keep) size = orig + 1;
      if (size < 0) size = 0;
      // Slots are named after the input's categories when it has a nominal or binary
      // attribute, which must then agree with the model; else after the indices.
      const NominalAttribute* categories = frame.nominal(inputs[i]);
      auto names = one_hot_slot_names(
          category_names(categories, static_cast<std::size_t>(std::max<std::int64_t>(orig, 0))),
          drop_last, keep);
      if (categories != nullptr && names.size() != static_cast<std::size_t>(size)) {
        return data_error(name, "OneHotEncoderModel expected " + std::to_string(size) +
                                    " categorical values for input column " + inputs[i] +
                                    ", but the input column had metadata specifying " +
                                    std::to_string(names.size()) + " values.");
      }
      auto out = new_vector_column(outputs[i], frame.rows(), static_cast<std::size_t>(size));
      out.sparse.assign(frame.rows(), 1);  // Spark's one-hot vectors are SparseVectors
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        if (!frame.alive()[r]) continue;
        if (!(*in)->valid[r]) {
          return data_error(name,
                            "null in column '" + inputs[i] + "' (row " + std::to_string(r) + ")");
        }
        double label = (*in)->numbers[r];
        double idx;
        if (label >= 0 && label < static_cast<double>(orig)) {
          idx = label;
        } else if (keep) {
          idx = static_cast<double>(orig);
        } else {
          return data_error(name, (label < 0 ? "Negative value: " : "Unseen value: ") +
                                      java_double_string(label) + " in column '" + inputs[i] +
                                      "' (row " + std::to_string(r) + ")");
        }
        if (idx < static_cast<double>(size)) {
          out.numbers[r * static_cast<std::size_t>(size) + static_cast<std::size_t>(idx)] = 1.0;
        }
      }
      frame.add(std::move(out));
      frame.set_vector_attributes(outputs[i], VectorAttributes{std::move(names), {}});
    }
    return {};
  }
};

}  // namespace

LoadResult load_one_hot_encoder(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<OneHotEncoderStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->drop_last = meta.bool_param("dropLast", true);
  stage->handle_invalid = meta.string_param("handleInvalid", "error");
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto sizes = first_row(*data, "categorySizes", meta);
  if (!sizes.ok()) return std::move(sizes).error();
  for (const auto& e : sizes->items) stage->sizes.push_back(e.i);
  if (stage->sizes.size() != stage->inputs.size())
    return model_error(meta, "categorySizes size mismatch");
  return loaded(std::move(stage), info);
}

namespace {

// Spark 2.x's OneHotEncoder, a transformer (OneHotEncoderEstimator replaced it in 2.3; 3.0
// removed it). It knows no categories of its own: their count is the input's nominal or binary
// attribute (StringIndexerModel's labels, Bucketizer's buckets, Binarizer's two values), or else
// the largest value in the column being transformed, plus one.
// The last category is dropped by default; a value at or past the size gives zeros.
class LegacyOneHotEncoderStage : public ColumnStage {
 public:
  bool drop_last = true;

  Status transform(Frame& frame) const override {
    auto in = frame.numeric(input);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& col = **in;
    const auto& alive = frame.alive();
    std::size_t categories = 0;
    const NominalAttribute* nominal = frame.nominal(input);
    if (nominal != nullptr) {
      categories = nominal->size;
    } else {
      double largest = 0;
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        if (!alive[r]) continue;
        const double x = col.numbers[r];
        if (!col.valid[r]) {
          return data_error(name, "null in column '" + input + "' (row " + std::to_string(r) +
                                      "), which has no category count to go by");
        }
        if (!(x >= 0 && x == std::floor(x) && x <= 2147483647.0)) {
          return data_error(name, "Values from column " + input + " must be indices, but got " +
                                      java_double_string(x) + " (row " + std::to_string(r) + ")");
        }
        largest = std::max(largest, x);
      }
      categories = static_cast<std::size_t>(largest) + 1;
    }
    const std::size_t size = drop_last && categories > 0 ? categories - 1 : categories;
    auto names = one_hot_slot_names(category_names(nominal, categories), drop_last, false);
    auto out = new_vector_column(output, frame.rows(), size);
    out.valid = col.valid;
    out.sparse.assign(frame.rows(), 1);  // Spark's one-hot vectors are SparseVectors
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!alive[r] || !col.valid[r]) continue;
      const double x = col.numbers[r];
      if (x < 0) {
        return data_error(name, "negative index " + java_double_string(x) + " in column '" + input +
                                    "' (row " + std::to_string(r) + ")");
      }
      if (x < static_cast<double>(size)) out.numbers[r * size + static_cast<std::size_t>(x)] = 1.0;
    }
    frame.add(std::move(out));
    frame.set_vector_attributes(output, VectorAttributes{std::move(names), {}});
    return {};
  }
};

}  // namespace

LoadResult load_legacy_one_hot_encoder(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<LegacyOneHotEncoderStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->drop_last = meta.bool_param("dropLast", true);
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
