// LinearSVCModel: margin = BLAS.dot(features, coefficients) + intercept, rawPrediction
// [-margin, margin], prediction 1 where margin > threshold (docs/scorer.md, "Supported
// stages").

#include "ml/classifier.hpp"
#include "ml/feature_stage.hpp"
#include "ml/spark_ddot.hpp"

namespace dbk::scorer::detail {

namespace {

class LinearSvcStage : public ClassifierStage {
 public:
  std::vector<double> coefficients;
  double intercept = 0.0;
  double threshold = 0.0;
  Ddot order = Ddot::kInOrder;

 protected:
  // The dot product as LinearRegressionModel's: the release's ddot for a dense row, a plain
  // sum over the non-zeros for a sparse one.
  Status predict_raw(const double* x, bool sparse, std::size_t vector_lanes,
                     double* raw) const override {
    const double dot = row_dot(order, ddot_lanes(order, vector_lanes), x, sparse,
                               coefficients.data(), num_features);
    const double margin = dot + intercept;
    raw[0] = -margin;
    raw[1] = margin;
    return {};
  }
  double raw_to_prediction(const double* raw) const override {
    return raw[1] > threshold ? 1.0 : 0.0;
  }
};

}  // namespace

LoadResult load_linear_svc(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<LinearSvcStage>();
  stage->probabilistic = false;
  stage->read_params(meta);
  stage->threshold = meta.double_param("threshold", 0.0);
  stage->num_classes = 2;
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto terms = read_linear_terms(*data, meta, stage->coefficients, stage->intercept);
  if (!terms.ok()) return terms.error();
  stage->num_features = stage->coefficients.size();
  stage->order = spark_ddot(meta.major, meta.minor);
  return stage->loaded(stage, info);
}

}  // namespace dbk::scorer::detail
