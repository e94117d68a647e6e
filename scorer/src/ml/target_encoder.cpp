// TargetEncoderModel (Spark 4.x): each category index replaced by its encoding, the category's
// target statistic blended with the overall one (docs/scorer.md, "How the new stages compute").
// The model keeps, per input column, each category's count and statistic (binary: positives;
// continuous: the mean), the overall ones under category 2^31 − 1 and nulls' under −1; the
// encoding is computed as Spark's transform computes it:
//   weight = count / (count + smoothing)
//   binary:     weight · (stat / count) + (1 − weight) · (overall stat / overall count)
//   continuous: weight · stat + (1 − weight) · overall stat

#include <cmath>
#include <map>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

constexpr double kUnseenCategory = 2147483647.0;
constexpr double kNullCategory = -1.0;

struct Encoding {
  std::map<double, double> categories;  // category index → encoding
  bool has_null = false;
  double null_encoding = 0.0;
  double unseen = 0.0;
};

class TargetEncoderStage : public ColumnsStage {
 public:
  std::vector<Encoding> encodings;  // per input
  bool keep = false;

  Status transform(Frame& frame) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Column* raw = frame.input_column(inputs[i]);
      if (raw != nullptr && raw->type == ColumnType::kBool) {
        return data_error(name, "column '" + inputs[i] + "' is boolean, not numeric");
      }
      auto in = frame.numeric(inputs[i]);
      if (!in.ok()) return std::move(in).error();
      const ScoredColumn& x = **in;
      const Encoding& e = encodings[i];
      auto out = new_double_column(outputs[i], frame.rows());
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        if (!frame.alive()[r]) continue;
        if (!x.valid[r]) {
          if (e.has_null) {
            out.numbers[r] = e.null_encoding;
          } else if (keep) {
            out.numbers[r] = e.unseen;
          } else {
            return data_error(name, "Unseen null value in feature " + inputs[i] + " (row " +
                                        std::to_string(r) +
                                        "). To handle unseen values, set Param handleInvalid "
                                        "to keep.");
          }
          continue;
        }
        // SQL equality: -0.0 matches 0.0; NaN is no category index.
        auto it = e.categories.find(x.numbers[r] == 0.0 ? 0.0 : x.numbers[r]);
        if (it != e.categories.end()) {
          out.numbers[r] = it->second;
        } else if (keep) {
          out.numbers[r] = e.unseen;
        } else {
          return data_error(name, "Unseen value " + java_double_string(x.numbers[r]) +
                                      " in feature " + inputs[i] + " (row " + std::to_string(r) +
                                      "). To handle unseen values, set Param handleInvalid to "
                                      "keep.");
        }
      }
      frame.add(std::move(out));
    }
    return {};
  }
};

Result<std::vector<double>> doubles_of(const Value& v, const StageMeta& meta, const char* what) {
  if (v.kind != Value::Kind::kList) return model_error(meta, std::string(what) + " is not a list");
  std::vector<double> out;
  for (const auto& e : v.items) {
    if (e.kind != Value::Kind::kDouble && e.kind != Value::Kind::kInt) {
      return model_error(meta, std::string(what) + " holds a non-number");
    }
    out.push_back(e.as_double());
  }
  return out;
}

}  // namespace

LoadResult load_target_encoder(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<TargetEncoderStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  const std::string handle_invalid = meta.string_param("handleInvalid", "error");
  if (handle_invalid != "keep" && handle_invalid != "error") {
    return model_error(meta, "unknown handleInvalid '" + handle_invalid + "'");
  }
  stage->keep = handle_invalid == "keep";
  const std::string target = meta.string_param("targetType", "binary");
  if (target != "binary" && target != "continuous") {
    return model_error(meta, "unknown targetType '" + target + "'");
  }
  const bool binary = target == "binary";
  const double smoothing = meta.double_param("smoothing", 0.0);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  const Column* index = data->find("index");
  const Column* categories = data->find("categories");
  const Column* counts = data->find("counts");
  const Column* stats = data->find("stats");
  if (index == nullptr || categories == nullptr || counts == nullptr || stats == nullptr) {
    return model_error(meta,
                       "data/ has no index, categories, counts and stats (the layout of Spark "
                       "4.0-4.2's encodings map is not read)");
  }
  stage->encodings.resize(stage->inputs.size());
  std::vector<bool> seen(stage->inputs.size(), false);
  for (std::size_t r = 0; r < data->num_rows; ++r) {
    const auto feature = static_cast<std::size_t>(index->number(r));
    if (index->is_null(r) || index->number(r) < 0 || feature >= seen.size() || seen[feature]) {
      return model_error(meta, "data/ row " + std::to_string(r) + " names no input column");
    }
    seen[feature] = true;
    auto cats = doubles_of(categories->value(r), meta, "categories");
    if (!cats.ok()) return std::move(cats).error();
    auto n = doubles_of(counts->value(r), meta, "counts");
    if (!n.ok()) return std::move(n).error();
    auto s = doubles_of(stats->value(r), meta, "stats");
    if (!s.ok()) return std::move(s).error();
    if (n->size() != cats->size() || s->size() != cats->size()) {
      return model_error(meta, "categories, counts and stats differ in length");
    }
    std::size_t overall = cats->size();
    for (std::size_t k = 0; k < cats->size(); ++k) {
      if ((*cats)[k] == kUnseenCategory) overall = k;
    }
    if (overall == cats->size()) return model_error(meta, "no overall statistic");
    const double global_count = (*n)[overall];
    const double global_stat = (*s)[overall];
    Encoding& e = stage->encodings[feature];
    for (std::size_t k = 0; k < cats->size(); ++k) {
      const double count = (*n)[k];
      const double stat = (*s)[k];
      const double weight = count / (count + smoothing);
      const double encoded =
          binary ? weight * (stat / count) + (1 - weight) * (global_stat / global_count)
                 : weight * stat + (1 - weight) * global_stat;
      if ((*cats)[k] == kUnseenCategory) {
        e.unseen = encoded;
      } else if ((*cats)[k] == kNullCategory) {
        e.has_null = true;
        e.null_encoding = encoded;
      } else {
        e.categories[(*cats)[k]] = encoded;
      }
    }
  }
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) return model_error(meta, "no encodings for '" + stage->inputs[i] + "'");
  }
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
