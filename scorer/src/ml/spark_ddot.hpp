#pragma once

// The order in which Spark's BLAS ddot adds its products, which decides the last bit of GBT
// margins and linear models' dot products. Verified bit for bit on the 2.x, 3.5 and 4.x
// fixtures (docs/scorer.md, "Supported stages"):
//  * Spark 2.x, 3.0, 3.1 (netlib-java F2J): left to right, unfused; the unrolling by five adds
//    in the same order.
//  * Spark 3.2-3.5 (dev.ludovic.netlib Java11BLAS): four fused multiply-add lanes over the
//    whole groups of four, `sum = 0; sum += ((s0 + s1) + s2) + s3`, then fma for the rest.
//  * Spark 4.x starts the JVM with jdk.incubator.vector, so the same calls reach VectorBLAS:
//    fma lanes as wide as the JVM's preferred double vector (the machine Spark ran on; the
//    model does not record it), lanes reduced in order, then `sum += x * y` unfused.

#include <cstddef>

namespace dbk::scorer::detail {

enum class Ddot { kInOrder, kJava11Blas, kVectorBlas };

/// The ddot of the Spark release that saved a model.
Ddot spark_ddot(int spark_major, int spark_minor);

/// The lanes `kind` sums in: 0 for plain order, 4 for Java11BLAS, `vector_lanes` (2, 4 or 8,
/// ScoreOptions::spark_vector_lanes) for VectorBLAS.
std::size_t ddot_lanes(Ddot kind, std::size_t vector_lanes);

/// Whether `kind` fuses the products after its lanes (Java11BLAS does, VectorBLAS does not).
inline bool fuses_tail(Ddot kind) {
  return kind == Ddot::kJava11Blas;
}

/// The lanes' sums combined as both BLAS combine them: `sum = 0; sum += ((s0 + s1) + …)`.
inline double combine_lanes(const double* sums, std::size_t lanes) {
  double lane_sum = sums[0];
  for (std::size_t k = 1; k < lanes; ++k) lane_sum += sums[k];
  double sum = 0.0;
  sum += lane_sum;
  return sum;
}

/// x · y over n elements, rounded as `kind` in `lanes` lanes rounds it.
double ddot(Ddot kind, std::size_t lanes, const double* x, const double* y, std::size_t n);

/// BLAS.dot of a row and a model's dense weights, the row held as Spark holds it.
double row_dot(Ddot kind, std::size_t lanes, const double* x, bool sparse, const double* w,
               std::size_t n);

/// x · y where Spark holds x as a SparseVector: BLAS.dot(SparseVector, DenseVector) is the same
/// in every release, a plain sum over x's non-zeros in index order, unfused (x is given dense;
/// its zeros are skipped as Spark never stores them).
double sparse_ddot(const double* x, const double* y, std::size_t n);

}  // namespace dbk::scorer::detail
