// Bucketizer and Binarizer: numbers to buckets and to 0/1.

#include <algorithm>
#include <cmath>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

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
        frame.set_nominal(outputs[i], {2, {}, true});  // a binary attribute: two unnamed values
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

}  // namespace dbk::scorer::detail
