// Feature transformers with Spark's exact semantics (reference spark-model-format.md §2.6–§2.8
// and §1.3). Each stage honours handleInvalid: error → INVALID_DATA naming stage and value,
// skip → the row is dropped for every later stage, keep → Spark's replacement value.

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <unordered_map>

#include "ml/stages.hpp"

namespace dbk::scorer::detail {

std::vector<std::string> input_cols(const StageMeta& meta) {
  auto many = meta.strings_param("inputCols");
  if (!many.empty()) return many;
  std::string one = meta.string_param("inputCol", "");
  return one.empty() ? std::vector<std::string>{} : std::vector<std::string>{one};
}

std::vector<std::string> output_cols(const StageMeta& meta) {
  auto many = meta.strings_param("outputCols");
  if (!many.empty()) return many;
  std::string one = meta.string_param("outputCol", "");
  return one.empty() ? std::vector<std::string>{} : std::vector<std::string>{one};
}

ScoredColumn new_double_column(const std::string& name, std::size_t rows) {
  ScoredColumn c;
  c.name = name;
  c.kind = ScoredColumn::Kind::kDouble;
  c.numbers.assign(rows, 0.0);
  c.valid.assign(rows, 1);
  return c;
}

ScoredColumn new_vector_column(const std::string& name, std::size_t rows, std::size_t width) {
  ScoredColumn c;
  c.name = name;
  c.kind = ScoredColumn::Kind::kVector;
  c.width = width;
  c.numbers.assign(rows * width, 0.0);
  c.valid.assign(rows, 1);
  return c;
}

namespace {

std::string stage_name(const StageMeta& meta) {
  auto dot = meta.class_name.rfind('.');
  return (dot == std::string::npos ? meta.class_name : meta.class_name.substr(dot + 1)) + " " +
         meta.uid;
}

// Stages that map inputCol(s) to outputCol(s), one output per input.
class ColumnsStage : public Stage {
 public:
  std::string name;
  std::vector<std::string> inputs, outputs;
};

// Stages that map one inputCol to one outputCol.
class ColumnStage : public Stage {
 public:
  std::string name, input, output;
};

// A new stage of type S with its name and columns read from the metadata; an error when
// the columns are missing or inputs and outputs differ in count.
template <class S>
Result<std::shared_ptr<S>> new_stage(const StageMeta& meta) {
  auto stage = std::make_shared<S>();
  stage->name = stage_name(meta);
  if constexpr (std::is_base_of_v<ColumnsStage, S>) {
    stage->inputs = input_cols(meta);
    stage->outputs = output_cols(meta);
    if (stage->inputs.empty() || stage->inputs.size() != stage->outputs.size()) {
      return model_error(meta, "input and output columns missing or of different counts");
    }
  } else {
    stage->input = meta.string_param("inputCol", "");
    stage->output = meta.string_param("outputCol", "");
    if (stage->input.empty() || stage->output.empty()) {
      return model_error(meta, "no input/output column");
    }
  }
  return stage;
}

// Records the stage's columns for the pipeline's column checks and hands the stage over.
template <class S>
LoadResult loaded(std::shared_ptr<S> stage, StageInfo& info) {
  if constexpr (std::is_base_of_v<ColumnsStage, S>) {
    info.input_columns = stage->inputs;
    info.output_columns = stage->outputs;
  } else {
    info.input_columns = {stage->input};
    info.output_columns = {stage->output};
  }
  return std::shared_ptr<const Stage>(std::move(stage));
}

Result<Value> first_row(const Table& t, const std::string& column, const StageMeta& meta) {
  const Column* c = t.find(column);
  if (c == nullptr || t.num_rows == 0 || c->is_null(0)) {
    return model_error(meta, "data has no '" + column + "' value");
  }
  return c->value(0);
}

Result<std::vector<double>> vector_field(const Table& t, const std::string& column,
                                         const StageMeta& meta) {
  auto v = first_row(t, column, meta);
  if (!v.ok()) return std::move(v).error();
  std::vector<double> out;
  if (!vector_from_value(*v, out)) return model_error(meta, "'" + column + "' is not a vector");
  return out;
}

// ---------------------------------------------------------------------------------------------
class StringIndexerStage : public ColumnsStage {
 public:
  std::vector<std::unordered_map<std::string, double>> maps;
  std::vector<std::vector<std::string>> labels;  // per input, in index order
  std::string handle_invalid;

  Status transform(Frame& frame) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      // reference §2.6: a missing input column (label at prediction time) skips the stage.
      if (!frame.has(inputs[i])) continue;
      auto in = frame.strings(inputs[i]);
      if (!in.ok()) return std::move(in).error();
      const ScoredColumn& col = **in;
      auto out = new_double_column(outputs[i], frame.rows());
      auto& alive = frame.alive();
      const double keep_index = static_cast<double>(maps[i].size());
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        if (!alive[r]) continue;
        if (col.valid[r]) {
          auto it = maps[i].find(col.strings[r]);
          if (it != maps[i].end()) {
            out.numbers[r] = it->second;
            continue;
          }
        }
        if (handle_invalid == "skip") {
          alive[r] = 0;
        } else if (handle_invalid == "keep") {
          out.numbers[r] = keep_index;
        } else {
          return data_error(name, col.valid[r] ? "unseen label '" + col.strings[r] +
                                                     "' in column '" + inputs[i] + "' (row " +
                                                     std::to_string(r) + "; handleInvalid=error)"
                                               : "null in column '" + inputs[i] + "' (row " +
                                                     std::to_string(r) + "; handleInvalid=error)");
        }
      }
      frame.add(std::move(out));
      // StringIndexerModel's output attribute: its labels, plus "__unknown" with keep.
      NominalAttribute attribute{0, labels[i]};
      if (handle_invalid == "keep") attribute.values.emplace_back("__unknown");
      attribute.size = attribute.values.size();
      frame.set_nominal(outputs[i], std::move(attribute));
    }
    return {};
  }
};

std::vector<std::string> string_list(const Value& v) {
  std::vector<std::string> out;
  for (const auto& e : v.items) out.push_back(e.s);
  return out;
}

}  // namespace

LoadResult load_string_indexer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<StringIndexerStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->handle_invalid = meta.string_param("handleInvalid", "error");
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  // Spark < 3: `labels`; 3.0+: `labelsArray` (one array per input column) — accept either (§1.3).
  std::vector<std::vector<std::string>> labels;
  if (data->find("labelsArray") != nullptr) {
    auto v = first_row(*data, "labelsArray", meta);
    if (!v.ok()) return std::move(v).error();
    for (const auto& inner : v->items) labels.push_back(string_list(inner));
  } else {
    auto v = first_row(*data, "labels", meta);
    if (!v.ok()) return std::move(v).error();
    labels.push_back(string_list(*v));
  }
  if (labels.size() != stage->inputs.size()) {
    return model_error(meta, "has " + std::to_string(labels.size()) + " label arrays for " +
                                 std::to_string(stage->inputs.size()) + " input columns");
  }
  for (const auto& l : labels) {
    std::unordered_map<std::string, double> m;
    for (std::size_t k = 0; k < l.size(); ++k) m.emplace(l[k], static_cast<double>(k));
    stage->maps.push_back(std::move(m));
  }
  stage->labels = std::move(labels);
  return loaded(std::move(stage), info);
}

namespace {

// Without a `labels` param, Spark names indices by the input column's nominal attribute, which
// a StringIndexerModel (or Bucketizer) earlier in the pipeline sets.
class IndexToStringStage : public ColumnStage {
 public:
  std::vector<std::string> labels;  // empty: the input's attribute values
  Status transform(Frame& frame) const override {
    auto in = frame.numeric(input);
    if (!in.ok()) return std::move(in).error();
    const std::vector<std::string>* names = &labels;
    if (labels.empty()) {
      const NominalAttribute* attribute = frame.nominal(input);
      if (attribute == nullptr || attribute->values.empty()) {
        return data_error(name, "no `labels` param, and column '" + input +
                                    "' carries no label names (a StringIndexerModel's output "
                                    "does)");
      }
      names = &attribute->values;
    }
    ScoredColumn out;
    out.name = output;
    out.kind = ScoredColumn::Kind::kString;
    out.strings.resize(frame.rows());
    out.valid = (*in)->valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !out.valid[r]) continue;
      double v = (*in)->numbers[r];
      // Scala's Double.toInt truncates (NaN → 0).
      long long idx = std::isnan(v)
                          ? 0
                          : static_cast<long long>(std::trunc(std::max(-1e18, std::min(1e18, v))));
      if (idx < 0 || static_cast<std::size_t>(idx) >= names->size()) {
        return data_error(
            name, "Unseen index: " + java_double_string(v) + " (row " + std::to_string(r) + ")");
      }
      out.strings[r] = (*names)[static_cast<std::size_t>(idx)];
    }
    frame.add(std::move(out));
    return {};
  }
};

}  // namespace

LoadResult load_index_to_string(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<IndexToStringStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->labels = meta.strings_param("labels");
  return loaded(std::move(stage), info);
}

namespace {

class VectorIndexerStage : public ColumnStage {
 public:
  std::string handle_invalid;
  std::size_t num_features = 0;
  // feature index → sorted (raw value, category) pairs.
  std::vector<std::pair<std::size_t, std::vector<std::pair<double, double>>>> maps;

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(input);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& col = **in;
    if (col.width != num_features && frame.rows() > 0) {
      return data_error(name, "expected vectors of size " + std::to_string(num_features) +
                                  ", column '" + input + "' has " + std::to_string(col.width));
    }
    ScoredColumn out;  // a copy of the input, indexed in place below
    out.name = output;
    out.kind = ScoredColumn::Kind::kVector;
    out.width = num_features;
    out.valid = col.valid;
    out.numbers = col.numbers;
    out.numbers.resize(frame.rows() * num_features);
    auto& alive = frame.alive();
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!alive[r] || !col.valid[r]) continue;
      double* row = out.numbers.data() + r * num_features;
      for (const auto& [feature, table] : maps) {
        double v = row[feature];
        // Exact double equality, as Scala's Map[Double, Int] lookup (NaN never matches) §2.7.
        auto it = std::lower_bound(table.begin(), table.end(), v,
                                   [](const auto& p, double x) { return p.first < x; });
        if (it != table.end() && it->first == v) {
          row[feature] = it->second;
        } else if (handle_invalid == "keep") {
          row[feature] = static_cast<double>(table.size());
        } else if (handle_invalid == "skip") {
          alive[r] = 0;
          break;
        } else {
          return data_error(name, "VectorIndexer encountered invalid value " +
                                      java_double_string(v) + " on feature index " +
                                      std::to_string(feature) + " (row " + std::to_string(r) +
                                      "; handleInvalid=error)");
        }
      }
    }
    // Spark keeps the input's attribute names; without input attributes the elements have
    // attributes but no names.
    const VectorAttributes* named = frame.vector_attributes(input);
    VectorAttributes attributes = named != nullptr && named->names.size() == num_features
                                      ? *named
                                      : VectorAttributes{std::vector<std::string>(num_features)};
    frame.add(std::move(out));
    frame.set_vector_attributes(output, std::move(attributes));
    return {};
  }
};

}  // namespace

LoadResult load_vector_indexer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorIndexerStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->handle_invalid = meta.string_param("handleInvalid", "error");
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  const Column* nf = data->find("numFeatures");
  if (nf == nullptr || data->num_rows == 0 || nf->is_null(0))
    return model_error(meta, "no numFeatures");
  std::int64_t n = static_cast<std::int64_t>(nf->number(0));
  if (n < 0 || n > (1 << 24)) return model_error(meta, "bad numFeatures");
  stage->num_features = static_cast<std::size_t>(n);
  auto maps = first_row(*data, "categoryMaps", meta);
  if (!maps.ok()) return std::move(maps).error();
  if (maps->kind != Value::Kind::kMap) return model_error(meta, "categoryMaps is not a map");
  for (std::size_t k = 0; k + 1 < maps->items.size(); k += 2) {
    std::int64_t feature = maps->items[k].i;
    const Value& inner = maps->items[k + 1];
    if (feature < 0 || feature >= n || inner.kind != Value::Kind::kMap) {
      return model_error(meta, "bad category map entry");
    }
    std::vector<std::pair<double, double>> table;
    for (std::size_t j = 0; j + 1 < inner.items.size(); j += 2) {
      table.emplace_back(inner.items[j].as_double(), inner.items[j + 1].as_double());
    }
    std::sort(table.begin(), table.end());
    stage->maps.emplace_back(static_cast<std::size_t>(feature), std::move(table));
  }
  std::sort(stage->maps.begin(), stage->maps.end());
  return loaded(std::move(stage), info);
}

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
    }
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
      frame.set_vector_attributes(outputs[i], VectorAttributes{std::move(names)});
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
    frame.set_vector_attributes(output, VectorAttributes{std::move(names)});
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

namespace {

// Element-wise vector map shared by the scalers.
class VectorMapStage : public ColumnStage {
 public:
  std::function<void(const double*, double*, std::size_t)> fn;
  std::size_t expected_width = 0;

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(input);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& col = **in;
    if (frame.rows() > 0 && col.width != expected_width) {
      return data_error(name, "vector size " + std::to_string(col.width) +
                                  " does not match the model's " + std::to_string(expected_width));
    }
    auto out = new_vector_column(output, frame.rows(), col.width);
    out.valid = col.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !col.valid[r]) continue;
      fn(col.vector(r), out.numbers.data() + r * col.width, col.width);
    }
    frame.add(std::move(out));
    return {};
  }
};

}  // namespace

LoadResult load_standard_scaler(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto std_v = vector_field(*data, "std", meta);
  if (!std_v.ok()) return std::move(std_v).error();
  auto mean_v = vector_field(*data, "mean", meta);
  if (!mean_v.ok()) return std::move(mean_v).error();
  if (std_v->size() != mean_v->size()) return model_error(meta, "std and mean differ in size");
  bool with_mean = meta.bool_param("withMean", false);
  bool with_std = meta.bool_param("withStd", true);
  std::vector<double> scale(std_v->size());
  for (std::size_t k = 0; k < scale.size(); ++k)
    scale[k] = (*std_v)[k] == 0 ? 0.0 : 1.0 / (*std_v)[k];
  std::vector<double> mean = *mean_v;
  stage->expected_width = scale.size();
  // reference §1.3: (x − mean) × (1/std) reproduces Spark bit for bit.
  stage->fn = [=](const double* x, double* y, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      double v = x[k];
      if (with_mean) v -= mean[k];
      if (with_std) v *= scale[k];
      y[k] = v;
    }
  };
  return loaded(std::move(stage), info);
}

LoadResult load_min_max_scaler(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto lo = vector_field(*data, "originalMin", meta);
  if (!lo.ok()) return std::move(lo).error();
  auto hi = vector_field(*data, "originalMax", meta);
  if (!hi.ok()) return std::move(hi).error();
  if (lo->size() != hi->size())
    return model_error(meta, "originalMin and originalMax differ in size");
  double min = meta.double_param("min", 0.0);
  double max = meta.double_param("max", 1.0);
  std::vector<double> range(lo->size());
  for (std::size_t k = 0; k < range.size(); ++k) range[k] = (*hi)[k] - (*lo)[k];
  std::vector<double> orig_min = *lo;
  stage->expected_width = range.size();
  const double scale = max - min;
  stage->fn = [=](const double* x, double* y, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      if (std::isnan(x[k])) {
        y[k] = x[k];
        continue;
      }
      double raw = range[k] != 0 ? (x[k] - orig_min[k]) / range[k] : 0.5;
      y[k] = raw * scale + min;
    }
  };
  return loaded(std::move(stage), info);
}

LoadResult load_max_abs_scaler(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto max_abs = vector_field(*data, "maxAbs", meta);
  if (!max_abs.ok()) return std::move(max_abs).error();
  std::vector<double> m = *max_abs;
  stage->expected_width = m.size();
  if (meta.major >= 3) {  // 3.x multiplies by 1/maxAbs; 2.x divided
    std::vector<double> scale(m.size());
    for (std::size_t k = 0; k < m.size(); ++k) scale[k] = m[k] == 0 ? 1.0 : 1.0 / m[k];
    stage->fn = [=](const double* x, double* y, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k) y[k] = x[k] * scale[k];
    };
  } else {
    stage->fn = [=](const double* x, double* y, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k) y[k] = x[k] / (m[k] == 0 ? 1.0 : m[k]);
    };
  }
  return loaded(std::move(stage), info);
}

namespace {

class ImputerStage : public ColumnsStage {
 public:
  std::vector<double> surrogates;
  double missing = std::nan("");

  Status transform(Frame& frame) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      auto in = frame.numeric(inputs[i]);
      if (!in.ok()) return std::move(in).error();
      const Column* src = frame.input_column(inputs[i]);
      bool integral =
          src != nullptr && (src->type == ColumnType::kInt32 || src->type == ColumnType::kInt64);
      auto out = new_double_column(outputs[i], frame.rows());
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        double v = (*in)->numbers[r];
        // Spark SQL's `===` treats NaN as equal to NaN, so NaN works as missingValue.
        bool replace = !(*in)->valid[r] || v == missing || (std::isnan(missing) && std::isnan(v));
        double x = replace ? surrogates[i] : v;
        out.numbers[r] = integral ? std::trunc(x) : x;  // cast back to the input type
      }
      frame.add(std::move(out));
    }
    return {};
  }
};

}  // namespace

LoadResult load_imputer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<ImputerStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->missing = meta.double_param("missingValue", std::nan(""));
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  for (const auto& in : stage->inputs) {
    const Column* c = data->find(in);
    if (c == nullptr || data->num_rows == 0 || c->is_null(0)) {
      return model_error(meta, "no surrogate for '" + in + "'");
    }
    stage->surrogates.push_back(c->number(0));
  }
  return loaded(std::move(stage), info);
}

namespace {

class BucketizerStage : public ColumnsStage {
 public:
  std::string handle_invalid;
  std::vector<std::vector<double>> splits;

  Status transform(Frame& frame) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      auto in = frame.numeric(inputs[i]);
      if (!in.ok()) return std::move(in).error();
      const auto& s = splits[i];
      auto out = new_double_column(outputs[i], frame.rows());
      out.valid = (*in)->valid;
      auto& alive = frame.alive();
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        if (!alive[r]) continue;
        double x = (*in)->numbers[r];
        if (!(*in)->valid[r] || std::isnan(x)) {
          // skip filters null and NaN rows first; keep puts NaN in the extra bucket.
          if (handle_invalid == "skip") {
            alive[r] = 0;
          } else if (!(*in)->valid[r]) {
            continue;  // a null input gives a null bucket
          } else if (handle_invalid == "keep") {
            out.numbers[r] = static_cast<double>(s.size() - 1);
          } else {
            return data_error(name, "Bucketizer encountered NaN value in column '" + inputs[i] +
                                        "' (row " + std::to_string(r) + "; handleInvalid=error)");
          }
          continue;
        }
        if (x == s.back()) {
          out.numbers[r] = static_cast<double>(s.size() - 2);
          continue;
        }
        auto it = std::lower_bound(s.begin(), s.end(), x);
        if (it != s.end() && *it == x) {
          out.numbers[r] = static_cast<double>(it - s.begin());
          continue;
        }
        auto pos = it - s.begin();
        if (pos == 0 || it == s.end()) {
          return data_error(name, "Feature value " + java_double_string(x) +
                                      " out of Bucketizer bounds (column '" + inputs[i] + "')");
        }
        out.numbers[r] = static_cast<double>(pos - 1);
      }
      frame.add(std::move(out));
      // Bucketizer's output attribute: one nominal value per bucket, named by its bounds (none
      // for keep's extra bucket).
      NominalAttribute attribute{s.size() - 1, {}};
      for (std::size_t b = 0; b + 1 < s.size(); ++b)
        attribute.values.push_back(java_double_string(s[b]) + ", " + java_double_string(s[b + 1]));
      frame.set_nominal(outputs[i], std::move(attribute));
    }
    return {};
  }
};

}  // namespace

LoadResult load_bucketizer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<BucketizerStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->handle_invalid = meta.string_param("handleInvalid", "error");
  if (const auto* arr = meta.param("splitsArray");
      arr != nullptr && arr->is_array() && !arr->empty()) {
    for (const auto& a : *arr) {
      std::vector<double> s;
      for (const auto& e : a) {
        auto d = json_double(e);
        s.push_back(d ? *d : std::nan(""));
      }
      stage->splits.push_back(std::move(s));
    }
  } else {
    stage->splits.push_back(meta.doubles_param("splits"));
  }
  if (stage->splits.size() != stage->inputs.size())
    return model_error(meta, "splits do not match the inputs");
  for (const auto& s : stage->splits) {
    if (s.size() < 3 && s.size() != 2) return model_error(meta, "fewer than two splits");
    if (!std::is_sorted(s.begin(), s.end())) return model_error(meta, "splits are not increasing");
  }
  return loaded(std::move(stage), info);
}

namespace {

class BinarizerStage : public ColumnsStage {
 public:
  std::vector<double> thresholds;

  Status transform(Frame& frame) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const double t = thresholds[i];
      if (frame.is_vector(inputs[i])) {
        auto in = frame.vectors(inputs[i]);
        if (!in.ok()) return std::move(in).error();
        auto out = new_vector_column(outputs[i], frame.rows(), (*in)->width);
        out.valid = (*in)->valid;
        for (std::size_t k = 0; k < out.numbers.size(); ++k)
          out.numbers[k] = (*in)->numbers[k] > t ? 1.0 : 0.0;
        frame.add(std::move(out));
      } else {
        auto in = frame.numeric(inputs[i]);
        if (!in.ok()) return std::move(in).error();
        auto out = new_double_column(outputs[i], frame.rows());
        out.valid = (*in)->valid;
        for (std::size_t r = 0; r < frame.rows(); ++r)
          out.numbers[r] = (*in)->numbers[r] > t ? 1.0 : 0.0;
        frame.add(std::move(out));
        frame.set_nominal(outputs[i], {2, {}});  // a binary attribute: two unnamed values
      }
    }
    return {};
  }
};

}  // namespace

LoadResult load_binarizer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<BinarizerStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->thresholds = meta.doubles_param("thresholds");
  if (stage->thresholds.empty())
    stage->thresholds.assign(stage->inputs.size(), meta.double_param("threshold", 0.0));
  if (stage->thresholds.size() != stage->inputs.size())
    return model_error(meta, "thresholds do not match the inputs");
  return loaded(std::move(stage), info);
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
