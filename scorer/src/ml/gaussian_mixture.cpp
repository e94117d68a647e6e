// GaussianMixtureModel: probability[i] = (ε + w_i · pdf_i(x)) / Σ, prediction its first maximum
// (docs/scorer.md, "Supported stages"). Each pdf is MultivariateGaussian's: the covariance's
// eigen-decomposition gives the pseudo-inverse and pseudo-determinant over the eigenvalues above
// ε · max · n. Spark decomposes with LAPACK's dsyev, the scorer with Jacobi rotations: the
// probabilities agree within 1e-12.

#include <cmath>
#include <limits>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// Eigenvalues (d) and eigenvectors (columns of v, row-major n × n) of a symmetric matrix, by
// cyclic Jacobi rotations; `a` is overwritten.
void symmetric_eigen(std::vector<double> a, std::size_t n, std::vector<double>& d,
                     std::vector<double>& v) {
  v.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) v[i * n + i] = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (std::size_t p = 0; p < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) off += a[p * n + q] * a[p * n + q];
    }
    if (off == 0.0) break;
    for (std::size_t p = 0; p < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0.0) continue;
        const double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1.0 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // A ← A·J
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // A ← Jᵀ·A
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (std::size_t k = 0; k < n; ++k) {  // V ← V·J
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  d.resize(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = a[i * n + i];
}

struct Gaussian {
  std::vector<double> mean;
  std::vector<double> root_inverse;  // rows: eigenvector / sqrt(eigenvalue), 0 below tol
  double log_constant = 0.0;         // −½ (n log 2π + log pseudo-determinant)

  double pdf(const double* x, std::size_t n) const {
    double quadratic = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (std::size_t j = 0; j < n; ++j) s += root_inverse[i * n + j] * (x[j] - mean[j]);
      quadratic += s * s;
    }
    return std::exp(log_constant + quadratic * -0.5);
  }
};

class GaussianMixtureStage : public Stage {
 public:
  std::string name, features_col, prediction_col, probability_col;
  std::vector<double> weights;
  std::vector<Gaussian> gaussians;
  std::size_t width = 0;

  Status transform(Frame& frame) const override {
    auto in = features_of(frame, name, features_col, width);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    const std::size_t k = weights.size();
    auto prob = new_vector_column(probability_col, frame.rows(), k);
    auto pred = new_double_column(prediction_col, frame.rows());
    pred.integer = true;  // Spark's prediction column is IntegerType
    prob.valid = pred.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      double* p = prob.numbers.data() + r * k;
      double sum = 0.0;
      for (std::size_t i = 0; i < k; ++i) {
        p[i] = kEpsilon + weights[i] * gaussians[i].pdf(x.vector(r), width);
        sum += p[i];
      }
      std::size_t best = 0;
      for (std::size_t i = 0; i < k; ++i) {
        p[i] /= sum;
        if (p[i] > p[best]) best = i;
      }
      pred.numbers[r] = static_cast<double>(best);
    }
    if (!probability_col.empty()) frame.add(std::move(prob));
    if (!prediction_col.empty()) frame.add(std::move(pred));
    return {};
  }
};

Result<Gaussian> make_gaussian(const StageMeta& meta, std::vector<double> mean,
                               const Value& sigma) {
  Gaussian g;
  const std::size_t n = mean.size();
  std::size_t rows = 0, cols = 0;
  std::vector<double> cov;
  if (!matrix_from_value(sigma, rows, cols, cov) || rows != n || cols != n) {
    return model_error(meta, "a covariance does not match its mean");
  }
  std::vector<double> d, u;
  symmetric_eigen(cov, n, d, u);
  double max = -HUGE_VAL;
  for (double e : d) max = e > max ? e : max;
  const double tol = kEpsilon * max * static_cast<double>(n);
  double log_pdet = 0.0;
  g.root_inverse.assign(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    if (!(d[i] > tol)) continue;
    log_pdet += std::log(d[i]);
    const double scale = std::sqrt(1.0 / d[i]);
    for (std::size_t j = 0; j < n; ++j) g.root_inverse[i * n + j] = scale * u[j * n + i];
  }
  g.log_constant =
      -0.5 * (static_cast<double>(n) * std::log(2.0 * 3.14159265358979323846) + log_pdet);
  g.mean = std::move(mean);
  return g;
}

}  // namespace

LoadResult load_gaussian_mixture(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<GaussianMixtureStage>();
  stage->name = stage_name(meta);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  stage->probability_col = meta.string_param("probabilityCol", "probability");
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto weights = first_row(*data, "weights", meta);
  if (!weights.ok()) return std::move(weights).error();
  auto mus = first_row(*data, "mus", meta);
  if (!mus.ok()) return std::move(mus).error();
  auto sigmas = first_row(*data, "sigmas", meta);
  if (!sigmas.ok()) return std::move(sigmas).error();
  const std::size_t k = weights->items.size();
  if (k == 0 || mus->items.size() != k || sigmas->items.size() != k) {
    return model_error(meta, "weights, mus and sigmas differ in length");
  }
  for (std::size_t i = 0; i < k; ++i) {
    stage->weights.push_back(weights->items[i].as_double());
    std::vector<double> mean;
    if (!vector_from_value(mus->items[i], mean) || (i > 0 && mean.size() != stage->width)) {
      return model_error(meta,
                         "mean " + std::to_string(i) + " is not a vector of the model's size");
    }
    stage->width = mean.size();
    auto g = make_gaussian(meta, std::move(mean), sigmas->items[i]);
    if (!g.ok()) return std::move(g).error();
    stage->gaussians.push_back(std::move(*g));
  }
  info.input_columns = {stage->features_col};
  for (const auto* c : {&stage->probability_col, &stage->prediction_col}) {
    if (!c->empty()) info.output_columns.push_back(*c);
  }
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
