// Normalizer, ElementwiseProduct, PolynomialExpansion and DCT: transformers that map one vector
// to another with no fitted data, each computed in Spark's order of operations (docs/scorer.md,
// "Supported stages").

#include <cmath>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

// A Vector param as Spark writes it in metadata: {"type":1,"values":[...]} (dense) or
// {"type":0,"size":n,"indices":[...],"values":[...]} (sparse).
bool vector_param(const StageMeta& meta, const std::string& name, std::vector<double>& out) {
  const nlohmann::json* v = meta.param(name);
  if (v == nullptr || !v->is_object() || !v->contains("values") || !(*v)["values"].is_array()) {
    return false;
  }
  std::vector<double> values;
  for (const auto& e : (*v)["values"]) {
    auto d = json_double(e);
    if (!d) return false;
    values.push_back(*d);
  }
  if (v->value("type", 1) == 1) {
    out = std::move(values);
    return true;
  }
  const auto& size = (*v)["size"];
  const auto& indices = (*v)["indices"];
  if (!size.is_number_unsigned() || !indices.is_array() || indices.size() != values.size()) {
    return false;
  }
  out.assign(size.get<std::size_t>(), 0.0);
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!indices[k].is_number_unsigned() || indices[k].get<std::size_t>() >= out.size()) {
      return false;
    }
    out[indices[k].get<std::size_t>()] = values[k];
  }
  return true;
}

// C(n + k, k) as PolynomialExpansion sizes its output (one more than the output's width: the
// constant term is dropped); 0 when it does not fit an int, which Spark would refuse.
std::size_t poly_size(std::size_t features, int degree) {
  double c = 1;
  for (int k = 1; k <= degree; ++k) {
    c = c * static_cast<double>(features + static_cast<std::size_t>(k)) / k;
    if (c > 2147483647.0) return 0;
  }
  return static_cast<std::size_t>(std::llround(c));
}

// PolynomialExpansion.expandDense: the terms of x[0..last] up to `degree`, each the product
// of its factors taken from the last feature down, written from `index` on; returns the index
// after them. A zero factor ends its branch, as in Spark (its terms stay 0).
long expand(const double* x, long last, int degree, double multiplier, double* out, long index) {
  if (multiplier == 0.0) {
    // nothing: every term of this branch is 0
  } else if (degree == 0 || last < 0) {
    if (index >= 0) out[index] = multiplier;  // index -1 is the dropped constant term
  } else {
    const double v = x[last];
    double alpha = multiplier;
    long start = index;
    for (int i = 0; i <= degree && alpha != 0.0; ++i) {
      start = expand(x, last - 1, degree - i, alpha, out, start);
      alpha *= v;
    }
  }
  return index + static_cast<long>(poly_size(static_cast<std::size_t>(last + 1), degree));
}

constexpr double kPi = 3.14159265358979323846264338327950288;

}  // namespace

// Normalizer: x / ‖x‖p (Vectors.norm: Σ|x|, sqrt(Σx²), max|x| or (Σ|x|^p)^(1/p)); a zero norm
// leaves the vector as it is. A sparse vector stays sparse.
LoadResult load_normalizer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  const double p = meta.double_param("p", 2.0);
  if (!(p >= 1.0)) return model_error(meta, "p must be at least 1");
  stage->sparsity = Sparsity::kKeep;
  stage->fn = [p](const double* x, double* y, std::size_t n) {
    double norm = 0.0;
    if (p == 1.0) {
      for (std::size_t k = 0; k < n; ++k) norm += std::fabs(x[k]);
    } else if (p == 2.0) {
      for (std::size_t k = 0; k < n; ++k) norm += x[k] * x[k];
      norm = std::sqrt(norm);
    } else if (std::isinf(p)) {
      for (std::size_t k = 0; k < n; ++k) norm = std::fabs(x[k]) > norm ? std::fabs(x[k]) : norm;
    } else {
      for (std::size_t k = 0; k < n; ++k) norm += std::pow(std::fabs(x[k]), p);
      norm = std::pow(norm, 1.0 / p);
    }
    for (std::size_t k = 0; k < n; ++k) y[k] = norm != 0.0 ? x[k] / norm : x[k];
  };
  return loaded(std::move(stage), info);
}

// ElementwiseProduct: x ⊙ scalingVec; a sparse vector stays sparse.
LoadResult load_elementwise_product(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  std::vector<double> scaling;
  if (!vector_param(meta, "scalingVec", scaling)) {
    return model_error(meta, "no scalingVec vector");
  }
  stage->expected_width = scaling.size();
  stage->sparsity = Sparsity::kKeep;
  stage->fn = [scaling](const double* x, double* y, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) y[k] = x[k] * scaling[k];
  };
  return loaded(std::move(stage), info);
}

// PolynomialExpansion: every product of up to `degree` features, in Spark's term order (the
// recursion over features from the last down); a sparse vector stays sparse.
LoadResult load_polynomial_expansion(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  const double degree_param = meta.double_param("degree", 2.0);
  if (!(degree_param >= 1.0 && degree_param <= 64.0)) {
    return model_error(meta, "degree must be between 1 and 64");
  }
  const int degree = static_cast<int>(degree_param);
  stage->sparsity = Sparsity::kKeep;
  stage->output_width = [degree](std::size_t n) {
    const std::size_t size = poly_size(n, degree);
    return size == 0 ? 0 : size - 1;
  };
  stage->fn = [degree](const double* x, double* y, std::size_t n) {
    if (poly_size(n, degree) == 0) return;
    expand(x, static_cast<long>(n) - 1, degree, 1.0, y, -1);
  };
  return loaded(std::move(stage), info);
}

// DCT: JTransforms' DoubleDCT_1D with scaling, i.e. the orthonormal DCT-II (or, with
// `inverse`, DCT-III), output dense. JTransforms computes it through an FFT whose rounding is
// not followed: the direct sum, in long double, agrees within 1e-12.
LoadResult load_dct(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  const bool inverse = meta.bool_param("inverse", false);
  stage->fn = [inverse](const double* x, double* y, std::size_t n) {
    const long double first = std::sqrt(1.0L / static_cast<long double>(n));
    const long double rest = std::sqrt(2.0L / static_cast<long double>(n));
    for (std::size_t o = 0; o < n; ++o) {
      long double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = inverse ? i : o;  // frequency
        const std::size_t t = inverse ? o : i;  // sample
        const long double c = std::cos(static_cast<long double>(kPi) * k * (2 * t + 1) /
                                       (2.0L * static_cast<long double>(n)));
        sum += (inverse ? (k == 0 ? first : rest) : 1.0L) * x[i] * c;
      }
      y[o] = static_cast<double>(inverse ? sum : sum * (o == 0 ? first : rest));
    }
  };
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
