// AFTSurvivalRegressionModel: prediction exp(coefficients · x + intercept), the Weibull scale;
// with quantilesCol, its quantiles at quantileProbabilities (docs/scorer.md, "Supported
// stages").

#include <cmath>

#include "ml/feature_stage.hpp"
#include "ml/spark_ddot.hpp"

namespace dbk::scorer::detail {

namespace {

class AftStage : public Stage {
 public:
  std::string name, features_col, prediction_col, quantiles_col;
  std::vector<double> coefficients;
  double intercept = 0.0;
  std::vector<double> quantile_factors;  // per probability: the quantile of lambda = 1
  Ddot order = Ddot::kInOrder;

  Status transform(Frame& frame) const override {
    auto in = features_of(frame, name, features_col, coefficients.size());
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    const std::size_t n = coefficients.size();
    const std::size_t lanes = ddot_lanes(order, frame.spark_vector_lanes());
    const std::size_t nq = quantile_factors.size();
    auto pred = new_double_column(prediction_col, frame.rows());
    auto quantiles = new_vector_column(quantiles_col, frame.rows(), nq);
    pred.valid = quantiles.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      const double dot = row_dot(order, lanes, x.vector(r), x.is_sparse(r), coefficients.data(), n);
      const double lambda = std::exp(dot + intercept);
      pred.numbers[r] = lambda;
      for (std::size_t q = 0; q < nq; ++q) {
        quantiles.numbers[r * nq + q] = lambda * quantile_factors[q];
      }
    }
    if (!prediction_col.empty()) frame.add(std::move(pred));
    if (!quantiles_col.empty()) frame.add(std::move(quantiles));
    return {};
  }
};

}  // namespace

LoadResult load_aft_survival_regression(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<AftStage>();
  stage->name = stage_name(meta);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  stage->quantiles_col = meta.string_param("quantilesCol", "");
  stage->order = spark_ddot(meta.major, meta.minor);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto terms = read_linear_terms(*data, meta, stage->coefficients, stage->intercept);
  if (!terms.ok()) return terms.error();
  auto scale = first_row(*data, "scale", meta);
  if (!scale.ok()) return std::move(scale).error();
  const double sigma = scale->as_double();
  auto probabilities = meta.doubles_param("quantileProbabilities");
  if (!meta.has_param("quantileProbabilities")) {
    probabilities = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
  }
  // Spark 3.1 precomputes exp(log(−log1p(−q)) · scale) and scales it by lambda; 3.0 computes
  // lambda · exp(log(−log1p(−q)) / (1 / scale)) per row. The two round alike but for the last
  // bit of 1 / (1 / scale). 2.x does as 3.0 with log(1 − q) for log1p(−q).
  const bool precomputed = meta.major > 3 || (meta.major == 3 && meta.minor >= 1);
  for (double q : probabilities) {
    const double base = std::log(-(meta.major < 3 ? std::log(1 - q) : std::log1p(-q)));
    stage->quantile_factors.push_back(precomputed ? std::exp(base * sigma)
                                                  : std::exp(base / (1 / sigma)));
  }
  info.input_columns = {stage->features_col};
  for (const auto* c : {&stage->prediction_col, &stage->quantiles_col}) {
    if (!c->empty()) info.output_columns.push_back(*c);
  }
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
