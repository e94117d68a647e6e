// StringIndexerModel, IndexToString and VectorIndexerModel: values to category indices and
// back (docs/reference/spark-models.md §2.6–§2.7 and §1.3).

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

class StringIndexerStage : public ColumnsStage {
 public:
  std::vector<std::unordered_map<std::string, double>> maps;
  std::vector<std::vector<std::string>> labels;  // per input, in index order
  std::string handle_invalid;

  Status transform(Frame& frame) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      // docs/reference/spark-models.md §2.6: a missing input column (label at prediction time)
      // skips the stage.
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
    out.sparse = col.sparse;  // indexed in place, sparse or dense as it came
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
    VectorAttributes attributes =
        named != nullptr && named->names.size() == num_features
            ? *named
            : VectorAttributes{std::vector<std::string>(num_features), {}};
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

}  // namespace dbk::scorer::detail
