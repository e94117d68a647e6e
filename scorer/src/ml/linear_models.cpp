// LogisticRegressionModel (binomial and multinomial) and LinearRegressionModel.

#include <cmath>

#include "ml/spark_ddot.hpp"
#include "ml/stages.hpp"

namespace dbk::scorer::detail {
namespace {

class LinearStage : public Stage {
 public:
  std::string name, features_col, prediction_col, raw_col, probability_col;
  bool logistic = false;
  bool multinomial = false;
  bool scale_softmax_by_reciprocal = false;  // Spark 2.x BLAS.scal(1/sum)
  std::size_t num_classes = 1;
  std::size_t num_features = 0;
  std::vector<double> coef;       // num_classes (or 1) × num_features, row-major
  std::vector<double> intercept;  // per row of coef
  double threshold = 0.5;
  std::vector<double> thresholds;
  // A binomial or linear margin is Spark's BLAS.dot of features and coefficients, rounded as
  // the saving release's BLAS rounds it for a dense row; a sparse row's is a plain sum over its
  // non-zeros. Multinomial margins go through gemv, whose blocked order is not reproduced: they
  // agree to the last bits, within the comparison's tolerance.
  Ddot dot_order = Ddot::kInOrder;
  // Coefficients Spark stored sparse (training compresses them; L1 zeros make them so): every
  // dot product is then the plain sum over the non-zeros too.
  bool sparse_coefficients = false;

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(features_col);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    const std::size_t rows = frame.rows();
    if (rows > 0 && x.width != num_features) {
      return data_error(name, "features column '" + features_col + "' has size " +
                                  std::to_string(x.width) + ", the model expects " +
                                  std::to_string(num_features));
    }
    const std::size_t k = coef.size() / (num_features == 0 ? 1 : num_features);
    const Ddot order = multinomial ? Ddot::kInOrder : dot_order;
    const std::size_t lanes = ddot_lanes(order, frame.spark_vector_lanes());
    auto margin = [&](std::size_t row, std::size_t cls) {
      const double* w = coef.data() + cls * num_features;
      const double dot = x.is_sparse(row) || sparse_coefficients
                             ? sparse_ddot(x.vector(row), w, num_features)
                             : ddot(order, lanes, x.vector(row), w, num_features);
      return dot + intercept[cls];
    };
    auto pred = new_double_column(prediction_col, rows);
    pred.valid = x.valid;
    if (!logistic) {
      for (std::size_t r = 0; r < rows; ++r) {
        if (frame.alive()[r] && x.valid[r]) pred.numbers[r] = margin(r, 0);
      }
      frame.add(std::move(pred));
      return {};
    }
    const std::size_t nc = multinomial ? k : 2;
    auto raw = new_vector_column(raw_col.empty() ? "rawPrediction" : raw_col, rows, nc);
    auto prob =
        new_vector_column(probability_col.empty() ? "probability" : probability_col, rows, nc);
    raw.valid = prob.valid = x.valid;
    for (std::size_t r = 0; r < rows; ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      double* rv = raw.numbers.data() + r * nc;
      double* pv = prob.numbers.data() + r * nc;
      if (!multinomial) {
        const double m = margin(r, 0);
        rv[0] = -m;
        rv[1] = m;
        for (int c = 0; c < 2; ++c) pv[c] = 1.0 / (1.0 + std::exp(-rv[c]));
        // LogisticRegressionModel.raw2prediction (binary): compare the margin to logit(t).
        double t = thresholds.empty() ? threshold : 1.0 / (1.0 + thresholds[0] / thresholds[1]);
        double raw_threshold =
            t == 0.0 ? -HUGE_VAL : (t == 1.0 ? HUGE_VAL : std::log(t / (1.0 - t)));
        pred.numbers[r] = rv[1] > raw_threshold ? 1.0 : 0.0;
        continue;
      }
      std::size_t arg = 0;
      for (std::size_t c = 0; c < nc; ++c) {
        rv[c] = margin(r, c);
        if (rv[c] > rv[arg]) arg = c;
      }
      const double max = rv[arg];
      if (max == HUGE_VAL) {
        for (std::size_t c = 0; c < nc; ++c) pv[c] = c == arg ? 1.0 : 0.0;
      } else if (scale_softmax_by_reciprocal) {
        double sum = 0;
        for (std::size_t c = 0; c < nc; ++c) {
          pv[c] = max > 0 ? std::exp(rv[c] - max) : std::exp(rv[c]);
          sum += pv[c];
        }
        for (std::size_t c = 0; c < nc; ++c) pv[c] *= 1 / sum;
      } else {
        double sum = 0;
        for (std::size_t c = 0; c < nc; ++c) {
          pv[c] = std::exp(rv[c] - max);
          sum += pv[c];
        }
        for (std::size_t c = 0; c < nc; ++c) pv[c] /= sum;
      }
      std::size_t best = arg;
      if (!thresholds.empty()) {
        double top = -HUGE_VAL;
        best = 0;
        for (std::size_t c = 0; c < nc && c < thresholds.size(); ++c) {
          double scaled = pv[c] / thresholds[c];
          if (scaled > top) {
            top = scaled;
            best = c;
          }
        }
      }
      pred.numbers[r] = static_cast<double>(best);
    }
    if (!raw_col.empty()) frame.add(std::move(raw));
    if (!probability_col.empty()) frame.add(std::move(prob));
    if (!prediction_col.empty()) frame.add(std::move(pred));
    return {};
  }
};

// Whether the first row of a model data column holds a SparseVector or SparseMatrix (type 0).
bool stored_sparse(const Table& t, const char* col) {
  const Column* c = t.find(col);
  if (c == nullptr || t.num_rows == 0 || c->is_null(0)) return false;
  const Value v = c->value(0);
  const Value* type = v.field("type");
  return type != nullptr && type->kind == Value::Kind::kInt && type->i == 0;
}

Result<std::vector<double>> data_vector(const Table& t, const char* col, const StageMeta& meta) {
  const Column* c = t.find(col);
  if (c == nullptr || t.num_rows == 0 || c->is_null(0))
    return model_error(meta, std::string("no ") + col);
  std::vector<double> out;
  if (!vector_from_value(c->value(0), out))
    return model_error(meta, std::string(col) + " is not a vector");
  return out;
}

}  // namespace

LoadResult load_logistic_regression(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<LinearStage>();
  stage->name = "LogisticRegressionModel " + meta.uid;
  stage->logistic = true;
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  stage->raw_col = meta.string_param("rawPredictionCol", "rawPrediction");
  stage->probability_col = meta.string_param("probabilityCol", "probability");
  stage->threshold = meta.double_param("threshold", 0.5);
  stage->thresholds = meta.doubles_param("thresholds");
  stage->scale_softmax_by_reciprocal = meta.major < 3;
  stage->dot_order = spark_ddot(meta.major, meta.minor);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  const Column* nf = data->find("numFeatures");
  if (nf == nullptr || data->num_rows == 0) return model_error(meta, "data has no numFeatures");
  double n = nf->number(0);
  if (!(n >= 0) || n > (1 << 24)) return model_error(meta, "bad numFeatures");
  stage->num_features = static_cast<std::size_t>(n);
  if (data->find("coefficientMatrix") != nullptr) {
    const Column* m = data->find("coefficientMatrix");
    stage->sparse_coefficients = stored_sparse(*data, "coefficientMatrix");
    std::size_t rows = 0, cols = 0;
    if (m->is_null(0) || !matrix_from_value(m->value(0), rows, cols, stage->coef)) {
      return model_error(meta, "coefficientMatrix is not a matrix");
    }
    auto iv = data_vector(*data, "interceptVector", meta);
    if (!iv.ok()) return std::move(iv).error();
    stage->intercept = *iv;
    const Column* mult = data->find("isMultinomial");
    stage->multinomial = mult != nullptr && !mult->is_null(0) && mult->ints[0] != 0;
    if (cols != stage->num_features || stage->intercept.size() != rows || rows == 0) {
      return model_error(meta, "coefficient shapes disagree");
    }
  } else {  // Spark 2.0: binomial only
    auto coef = data_vector(*data, "coefficients", meta);
    if (!coef.ok()) return std::move(coef).error();
    stage->coef = *coef;
    stage->sparse_coefficients = stored_sparse(*data, "coefficients");
    const Column* ic = data->find("intercept");
    if (ic == nullptr || ic->is_null(0) || stage->coef.size() != stage->num_features) {
      return model_error(meta, "no intercept");
    }
    stage->intercept = {ic->number(0)};
  }
  info.input_columns = {stage->features_col};
  info.output_columns = {stage->raw_col, stage->probability_col, stage->prediction_col};
  return std::shared_ptr<const Stage>(stage);
}

LoadResult load_linear_regression(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<LinearStage>();
  stage->name = "LinearRegressionModel " + meta.uid;
  stage->dot_order = spark_ddot(meta.major, meta.minor);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto coef = data_vector(*data, "coefficients", meta);
  if (!coef.ok()) return std::move(coef).error();
  const Column* ic = data->find("intercept");
  if (ic == nullptr || ic->is_null(0)) return model_error(meta, "no intercept");
  stage->coef = *coef;
  stage->sparse_coefficients = stored_sparse(*data, "coefficients");
  stage->num_features = stage->coef.size();
  stage->intercept = {ic->number(0)};
  info.input_columns = {stage->features_col};
  info.output_columns = {stage->prediction_col};
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
