// NaiveBayesModel: multinomial, complement, bernoulli and gaussian (docs/scorer.md, "Supported
// stages"). Raw scores as NaiveBayesModel.predictRaw computes them; probabilities by softmax.

#include <cmath>

#include "ml/classifier.hpp"
#include "ml/feature_stage.hpp"
#include "ml/spark_ddot.hpp"

namespace dbk::scorer::detail {

namespace {

enum class NbType { kMultinomial, kComplement, kBernoulli, kGaussian };

class NaiveBayesStage : public ClassifierStage {
 public:
  NbType type = NbType::kMultinomial;
  std::vector<double> pi;     // log priors
  std::vector<double> theta;  // classes × features, row-major (bernoulli: θ − log(1 − e^θ))
  std::vector<double> sigma;  // gaussian: variances, classes × features
  std::vector<double> base;   // per class: pi (multinomial), pi + Σ log(1 − e^θ) (bernoulli),
                              // Σ log σ² (gaussian)
  std::vector<double> neg_theta_sum;  // bernoulli saved by Spark 2.x: Σ log(1 − e^θ), added last
  Ddot order = Ddot::kInOrder;

 protected:
  // BLAS.gemv(theta, x) + y: per class, y plus the dot product of its row with x (summed as the
  // release's ddot for a dense x, in order over the non-zeros for a sparse one).
  double class_dot(std::size_t c, const double* x, bool sparse, std::size_t lanes) const {
    const double* w = theta.data() + c * num_features;
    return detail::row_dot(order, lanes, x, sparse, w, num_features);
  }

  Status predict_raw(const double* x, bool sparse, std::size_t vector_lanes,
                     double* raw) const override {
    const std::size_t lanes = ddot_lanes(order, vector_lanes);
    const std::size_t n = num_features;
    if (type == NbType::kMultinomial || type == NbType::kComplement) {
      for (std::size_t j = 0; j < n; ++j) {
        if (x[j] != 0.0 && !(x[j] > 0.0)) {
          return data_error(name, "Naive Bayes requires nonnegative feature values but found " +
                                      java_double_string(x[j]));
        }
      }
    }
    if (type == NbType::kBernoulli) {
      for (std::size_t j = 0; j < n; ++j) {
        if (x[j] != 0.0 && x[j] != 1.0) {
          return data_error(name,
                            "Bernoulli naive Bayes requires 0 or 1 feature values but found " +
                                java_double_string(x[j]));
        }
      }
    }
    switch (type) {
      case NbType::kMultinomial:
      case NbType::kBernoulli:
        for (std::size_t c = 0; c < num_classes; ++c) {
          raw[c] = base[c] + class_dot(c, x, sparse, lanes);
          if (!neg_theta_sum.empty()) raw[c] += neg_theta_sum[c];
        }
        break;
      case NbType::kComplement: {
        double max = -HUGE_VAL;
        for (std::size_t c = 0; c < num_classes; ++c) {
          raw[c] = class_dot(c, x, sparse, lanes);
          max = raw[c] > max ? raw[c] : max;
        }
        // log-sum-exp shifted by the maximum, as scipy.special.logsumexp
        double sum_exp = 0.0;
        for (std::size_t c = 0; c < num_classes; ++c) sum_exp += std::exp(raw[c] - max);
        const double lse = std::log(sum_exp) + max;
        for (std::size_t c = 0; c < num_classes; ++c) raw[c] -= lse;
        break;
      }
      case NbType::kGaussian:
        for (std::size_t c = 0; c < num_classes; ++c) {
          double s = 0.0;
          for (std::size_t j = 0; j < n; ++j) {
            const double d = x[j] - theta[c * n + j];
            s += d * d / sigma[c * n + j];
          }
          raw[c] = pi[c] - (s + base[c]) / 2;
        }
        break;
    }
    return {};
  }
};

}  // namespace

LoadResult load_naive_bayes(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<NaiveBayesStage>();
  stage->read_params(meta);
  const std::string model_type = meta.string_param("modelType", "multinomial");
  if (model_type == "multinomial") {
    stage->type = NbType::kMultinomial;
  } else if (model_type == "complement") {
    stage->type = NbType::kComplement;
  } else if (model_type == "bernoulli") {
    stage->type = NbType::kBernoulli;
  } else if (model_type == "gaussian") {
    stage->type = NbType::kGaussian;
  } else {
    return model_error(meta, "unknown modelType '" + model_type + "'");
  }
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto pi = vector_field(*data, "pi", meta);
  if (!pi.ok()) return std::move(pi).error();
  stage->pi = *pi;
  auto theta = first_row(*data, "theta", meta);
  if (!theta.ok()) return std::move(theta).error();
  std::size_t rows = 0, cols = 0;
  if (!matrix_from_value(*theta, rows, cols, stage->theta) || rows != stage->pi.size() ||
      rows == 0) {
    return model_error(meta, "theta is not a matrix of one row per class");
  }
  stage->num_classes = rows;
  stage->num_features = cols;
  stage->order = spark_ddot(meta.major, meta.minor);
  stage->base = stage->pi;
  if (stage->type == NbType::kBernoulli) {
    // thetaMinusNegTheta, and pi + negTheta · ones (gemv: the row summed in order). Spark 2.x
    // takes log(1 − e^θ) without log1p and adds pi, then the row's sum, to the dot product.
    const bool legacy = meta.major < 3;
    if (legacy) stage->neg_theta_sum.assign(rows, 0.0);
    for (std::size_t c = 0; c < rows; ++c) {
      double neg_sum = 0.0;
      for (std::size_t j = 0; j < cols; ++j) {
        double& t = stage->theta[c * cols + j];
        const double neg = legacy ? std::log(1.0 - std::exp(t)) : std::log1p(-std::exp(t));
        neg_sum += neg;
        t -= neg;
      }
      (legacy ? stage->neg_theta_sum[c] : stage->base[c]) += neg_sum;
    }
  }
  if (stage->type == NbType::kGaussian) {
    auto sigma = first_row(*data, "sigma", meta);
    if (!sigma.ok()) return std::move(sigma).error();
    std::size_t srows = 0, scols = 0;
    if (!matrix_from_value(*sigma, srows, scols, stage->sigma) || srows != rows || scols != cols) {
      return model_error(meta, "sigma does not match theta");
    }
    for (std::size_t c = 0; c < rows; ++c) {
      double log_var_sum = 0.0;
      for (std::size_t j = 0; j < cols; ++j) log_var_sum += std::log(stage->sigma[c * cols + j]);
      stage->base[c] = log_var_sum;
    }
  }
  return stage->loaded(stage, info);
}

}  // namespace dbk::scorer::detail
