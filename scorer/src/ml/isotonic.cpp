// IsotonicRegressionModel: the piecewise linear function through (boundaries, predictions),
// looked up with java.util.Arrays.binarySearch as mllib does (docs/scorer.md, "Supported
// stages").

#include <cstdint>
#include <cstring>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

std::int64_t double_bits(double v) {  // Double.doubleToLongBits: one NaN
  if (v != v) return 0x7ff8000000000000LL;
  std::int64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

// Arrays.binarySearch(double[], key): the index of a match, else -(insertion point) - 1;
// -0.0 sorts below 0.0 and NaN above everything.
long java_binary_search(const std::vector<double>& a, double key) {
  long low = 0;
  long high = static_cast<long>(a.size()) - 1;
  while (low <= high) {
    const long mid = static_cast<long>(static_cast<unsigned long>(low + high) >> 1);
    const double v = a[static_cast<std::size_t>(mid)];
    if (v < key) {
      low = mid + 1;
    } else if (v > key) {
      high = mid - 1;
    } else {
      const std::int64_t vb = double_bits(v);
      const std::int64_t kb = double_bits(key);
      if (vb == kb) return mid;
      if (vb < kb) {
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
  }
  return -(low + 1);
}

class IsotonicStage : public Stage {
 public:
  std::string name, features_col, prediction_col;
  std::size_t feature_index = 0;
  std::vector<double> boundaries, predictions;

  double predict(double x) const {
    const long found = java_binary_search(boundaries, x);
    const long insert = -found - 1;
    const auto n = static_cast<long>(boundaries.size());
    if (insert == 0) return predictions.front();
    if (insert == n) return predictions.back();
    if (found >= 0) return predictions[static_cast<std::size_t>(found)];
    const auto i = static_cast<std::size_t>(insert);
    const double x1 = boundaries[i - 1], y1 = predictions[i - 1];
    const double x2 = boundaries[i], y2 = predictions[i];
    return y1 + (y2 - y1) * (x - x1) / (x2 - x1);
  }

  Status transform(Frame& frame) const override {
    const bool vector = frame.is_vector(features_col);
    auto in = vector ? frame.vectors(features_col) : frame.numeric(features_col);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    if (vector && frame.rows() > 0 && feature_index >= x.width) {
      return data_error(name, "featureIndex " + std::to_string(feature_index) +
                                  " is outside vectors of size " + std::to_string(x.width));
    }
    auto pred = new_double_column(prediction_col, frame.rows());
    pred.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      pred.numbers[r] = predict(vector ? x.vector(r)[feature_index] : x.numbers[r]);
    }
    frame.add(std::move(pred));
    return {};
  }
};

bool doubles_of(const Value& v, std::vector<double>& out) {
  if (v.kind != Value::Kind::kList) return false;
  for (const auto& e : v.items) out.push_back(e.as_double());
  return true;
}

}  // namespace

LoadResult load_isotonic_regression(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<IsotonicStage>();
  stage->name = stage_name(meta);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  const double index = meta.double_param("featureIndex", 0.0);
  if (!(index >= 0 && index < 1e9)) return model_error(meta, "bad featureIndex");
  stage->feature_index = static_cast<std::size_t>(index);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto boundaries = first_row(*data, "boundaries", meta);
  if (!boundaries.ok()) return std::move(boundaries).error();
  auto predictions = first_row(*data, "predictions", meta);
  if (!predictions.ok()) return std::move(predictions).error();
  if (!doubles_of(*boundaries, stage->boundaries) ||
      !doubles_of(*predictions, stage->predictions) || stage->boundaries.empty() ||
      stage->boundaries.size() != stage->predictions.size()) {
    return model_error(meta, "boundaries and predictions are not arrays of one size");
  }
  info.input_columns = {stage->features_col};
  info.output_columns = {stage->prediction_col};
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
