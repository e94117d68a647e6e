// The output columns Spark's classification models share (ml/classifier.hpp).

#include "ml/classifier.hpp"

#include <cmath>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

void ClassifierStage::read_params(const StageMeta& meta) {
  name = stage_name(meta);
  features_col = meta.string_param("featuresCol", "features");
  raw_col = meta.string_param("rawPredictionCol", "rawPrediction");
  probability_col = probabilistic ? meta.string_param("probabilityCol", "probability") : "";
  prediction_col = meta.string_param("predictionCol", "prediction");
  thresholds = meta.doubles_param("thresholds");
}

LoadResult ClassifierStage::loaded(std::shared_ptr<ClassifierStage> self, StageInfo& info) const {
  info.input_columns = {features_col};
  for (const auto* c : {&raw_col, &probability_col, &prediction_col}) {
    if (!c->empty()) info.output_columns.push_back(*c);
  }
  return std::shared_ptr<const Stage>(std::move(self));
}

void spark_softmax(double* v, std::size_t n) {
  double max = -HUGE_VAL;
  for (std::size_t k = 0; k < n; ++k) max = v[k] > max ? v[k] : max;
  double sum = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    v[k] = std::exp(v[k] - max);
    sum += v[k];
  }
  for (std::size_t k = 0; k < n; ++k) v[k] /= sum;
}

std::size_t first_argmax(const double* v, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t k = 1; k < n; ++k) {
    if (v[k] > v[best]) best = k;
  }
  return best;
}

void ClassifierStage::raw_to_probability(double* p) const {
  spark_softmax(p, num_classes);
}

double ClassifierStage::raw_to_prediction(const double* raw) const {
  return static_cast<double>(first_argmax(raw, num_classes));
}

Status ClassifierStage::transform(Frame& frame) const {
  auto in = features_of(frame, name, features_col, num_features);
  if (!in.ok()) return std::move(in).error();
  const ScoredColumn& x = **in;
  const std::size_t rows = frame.rows();
  const std::size_t n = num_classes;
  auto raw = new_vector_column(raw_col, rows, n);
  auto prob = new_vector_column(probability_col, rows, n);
  auto pred = new_double_column(prediction_col, rows);
  raw.valid = prob.valid = pred.valid = x.valid;
  const bool with_probability = !probability_col.empty();
  for (std::size_t r = 0; r < rows; ++r) {
    if (!frame.alive()[r] || !x.valid[r]) continue;
    double* rv = raw.numbers.data() + r * n;
    auto st = predict_raw(x.vector(r), x.is_sparse(r), frame.spark_vector_lanes(), rv);
    if (!st.ok()) return st;
    double* pv = prob.numbers.data() + r * n;
    if (with_probability || (probabilistic && !thresholds.empty())) {
      std::copy(rv, rv + n, pv);
      raw_to_probability(pv);
    }
    if (probabilistic && !thresholds.empty()) {
      // probability2prediction: the largest p / t (a zero threshold wins unless p is 0 too).
      double top = -HUGE_VAL;
      std::size_t best = 0;
      for (std::size_t c = 0; c < n && c < thresholds.size(); ++c) {
        const double scaled = pv[c] / thresholds[c];
        if (scaled > top) {
          top = scaled;
          best = c;
        }
      }
      pred.numbers[r] = static_cast<double>(best);
    } else if (probabilistic && with_probability) {
      pred.numbers[r] = static_cast<double>(first_argmax(pv, n));
    } else {
      pred.numbers[r] = raw_to_prediction(rv);
    }
  }
  if (!raw_col.empty()) frame.add(std::move(raw));
  if (with_probability) frame.add(std::move(prob));
  if (!prediction_col.empty()) frame.add(std::move(pred));
  return {};
}

}  // namespace dbk::scorer::detail
