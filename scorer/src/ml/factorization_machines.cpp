// FMClassificationModel and FMRegressionModel: intercept + features · linear plus, per factor,
// ½((Σ v x)² − Σ (v x)²) over the non-zero features (docs/scorer.md, "Supported stages").

#include <cmath>

#include "ml/classifier.hpp"
#include "ml/feature_stage.hpp"
#include "ml/spark_ddot.hpp"

namespace dbk::scorer::detail {

namespace {

struct FmModel {
  double intercept = 0.0;
  std::vector<double> linear;
  std::vector<double> factors;  // numFeatures × factorSize, row-major
  std::size_t factor_size = 0;
  Ddot order = Ddot::kInOrder;

  // FactorizationMachinesModel.getRawPrediction.
  double raw(const double* x, bool sparse, std::size_t vector_lanes) const {
    const std::size_t n = linear.size();
    double result =
        intercept + row_dot(order, ddot_lanes(order, vector_lanes), x, sparse, linear.data(), n);
    for (std::size_t f = 0; f < factor_size; ++f) {
      double sum_square = 0.0, sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        if (x[i] == 0.0) continue;
        const double vx = factors[i * factor_size + f] * x[i];
        sum_square += vx * vx;
        sum += vx;
      }
      result += 0.5 * (sum * sum - sum_square);
    }
    return result;
  }

  Status load(const StageMeta& meta) {
    auto data = read_stage_table(meta.path, "data");
    if (!data.ok()) return std::move(data).error();
    auto i = first_row(*data, "intercept", meta);
    if (!i.ok()) return std::move(i).error();
    intercept = i->as_double();
    auto l = vector_field(*data, "linear", meta);
    if (!l.ok()) return std::move(l).error();
    linear = *l;
    auto f = first_row(*data, "factors", meta);
    if (!f.ok()) return std::move(f).error();
    std::size_t rows = 0;
    if (!matrix_from_value(*f, rows, factor_size, factors) || rows != linear.size()) {
      return model_error(meta, "factors is not a matrix of one row per feature");
    }
    order = spark_ddot(meta.major, meta.minor);
    return {};
  }
};

class FmClassifierStage : public ClassifierStage {
 public:
  FmModel model;

 protected:
  Status predict_raw(const double* x, bool sparse, std::size_t vector_lanes,
                     double* raw) const override {
    const double r = model.raw(x, sparse, vector_lanes);
    raw[0] = -r;
    raw[1] = r;
    return {};
  }
  void raw_to_probability(double* p) const override {
    p[1] = 1.0 / (1.0 + std::exp(-p[1]));
    p[0] = 1.0 - p[1];
  }
};

class FmRegressorStage : public Stage {
 public:
  std::string name, features_col, prediction_col;
  FmModel model;

  Status transform(Frame& frame) const override {
    auto in = features_of(frame, name, features_col, model.linear.size());
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    auto pred = new_double_column(prediction_col, frame.rows());
    pred.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      pred.numbers[r] = model.raw(x.vector(r), x.is_sparse(r), frame.spark_vector_lanes());
    }
    frame.add(std::move(pred));
    return {};
  }
};

}  // namespace

LoadResult load_fm_classifier(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<FmClassifierStage>();
  stage->read_params(meta);
  auto st = stage->model.load(meta);
  if (!st.ok()) return st.error();
  stage->num_features = stage->model.linear.size();
  stage->num_classes = 2;
  return stage->loaded(stage, info);
}

LoadResult load_fm_regressor(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<FmRegressorStage>();
  stage->name = stage_name(meta);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  auto st = stage->model.load(meta);
  if (!st.ok()) return st.error();
  info.input_columns = {stage->features_col};
  info.output_columns = {stage->prediction_col};
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
