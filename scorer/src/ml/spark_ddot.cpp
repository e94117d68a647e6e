#include "ml/spark_ddot.hpp"

#include <array>
#include <cmath>

namespace dbk::scorer::detail {

Ddot spark_ddot(int spark_major, int spark_minor) {
  if (spark_major >= 4) return Ddot::kVectorBlas;
  if (spark_major == 3 && spark_minor >= 2) return Ddot::kJava11Blas;
  return Ddot::kInOrder;
}

std::size_t ddot_lanes(Ddot kind, std::size_t vector_lanes) {
  switch (kind) {
    case Ddot::kJava11Blas:
      return 4;
    case Ddot::kVectorBlas:
      return vector_lanes;
    case Ddot::kInOrder:
      break;
  }
  return 0;
}

double ddot(Ddot kind, std::size_t lanes, const double* x, const double* y, std::size_t n) {
  double sum = 0.0;
  std::size_t i = 0;
  if (lanes != 0) {
    constexpr std::size_t kMaxLanes = 8;
    std::array<double, kMaxLanes> acc{};
    lanes = lanes > kMaxLanes ? kMaxLanes : lanes;
    for (; i + lanes <= n; i += lanes) {
      for (std::size_t k = 0; k < lanes; ++k) acc[k] = std::fma(x[i + k], y[i + k], acc[k]);
    }
    sum = combine_lanes(acc.data(), lanes);
  }
  const bool fused = fuses_tail(kind);
  for (; i < n; ++i) sum = fused ? std::fma(x[i], y[i], sum) : sum + x[i] * y[i];
  return sum;
}

double row_dot(Ddot kind, std::size_t lanes, const double* x, bool sparse, const double* w,
               std::size_t n) {
  return sparse ? sparse_ddot(x, w, n) : ddot(kind, lanes, x, w, n);
}

double sparse_ddot(const double* x, const double* y, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] != 0.0) sum += x[i] * y[i];
  }
  return sum;
}

}  // namespace dbk::scorer::detail
