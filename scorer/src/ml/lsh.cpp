// MinHashLSHModel and BucketedRandomProjectionLSHModel: each row's hashes, one 1-element dense
// vector per hash table, as Spark's array<vector> output (docs/scorer.md, "How the new stages
// compute").

#include <algorithm>
#include <cmath>
#include <limits>

#include "ml/feature_stage.hpp"
#include "ml/spark_ddot.hpp"

namespace dbk::scorer::detail {

namespace {

// MinHashLSH.HASH_PRIME: a prime below sqrt(2^63 - 1).
constexpr std::int64_t kHashPrime = 2038074743;

ScoredColumn new_hash_column(const std::string& name, std::size_t rows, std::size_t tables) {
  ScoredColumn c;
  c.name = name;
  c.kind = ScoredColumn::Kind::kVectorList;
  c.width = 1;
  c.list_size = tables;
  c.numbers.assign(rows * tables, 0.0);
  c.valid.assign(rows, 1);
  return c;
}

// Each table's hash: the least ((1 + i) * a + b) mod HASH_PRIME over the row's non-zero indices
// i (a NaN is non-zero). Spark 2.4+ computes it in longs; 2.1-2.3 in Java ints, which wrap.
class MinHashStage : public ColumnStage {
 public:
  std::vector<std::pair<std::int64_t, std::int64_t>> coefficients;  // (a, b) per table
  bool int_arithmetic = false;

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(input);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    auto out = new_hash_column(output, frame.rows(), coefficients.size());
    out.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      const double* v = x.vector(r);
      bool any = false;
      for (std::size_t k = 0; k < x.width && !any; ++k) any = v[k] != 0.0;
      if (!any) {
        return data_error(name, "Must have at least 1 non zero entry (column '" + input +
                                    "', row " + std::to_string(r) + ")");
      }
      for (std::size_t t = 0; t < coefficients.size(); ++t) {
        const auto [a, b] = coefficients[t];
        std::int64_t least = std::numeric_limits<std::int64_t>::max();
        for (std::size_t k = 0; k < x.width; ++k) {
          if (v[k] == 0.0) continue;
          std::int64_t h;
          if (int_arithmetic) {
            // Java int arithmetic: wraps modulo 2^32; % keeps the dividend's sign.
            const auto i = static_cast<std::uint32_t>(k);
            const auto product = static_cast<std::uint32_t>(
                (i + 1u) * static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
            h = static_cast<std::int64_t>(static_cast<std::int32_t>(product)) % kHashPrime;
          } else {
            h = ((1 + static_cast<std::int64_t>(k)) * a + b) % kHashPrime;
          }
          least = std::min(least, h);
        }
        out.numbers[r * coefficients.size() + t] = static_cast<double>(least);
      }
    }
    frame.add(std::move(out));
    return {};
  }
};

// Each table's hash: floor(x · u / bucketLength) for its random unit vector u. Spark 3.0+
// computes every table at once with BLAS.gemv(1 / bucketLength, U, x): the dot product scaled
// by the reciprocal; 2.x divides each dot product by bucketLength.
class BucketedProjectionStage : public ColumnStage {
 public:
  std::size_t tables = 0, dim = 0;
  std::vector<double> units;  // `tables` rows of `dim`
  double bucket_length = 1.0;
  bool reciprocal = true;
  Ddot order = Ddot::kInOrder;

  Status transform(Frame& frame) const override {
    auto in = features_of(frame, name, input, dim);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    const std::size_t lanes = ddot_lanes(order, frame.spark_vector_lanes());
    auto out = new_hash_column(output, frame.rows(), tables);
    out.valid = x.valid;
    const double scale = 1.0 / bucket_length;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      for (std::size_t t = 0; t < tables; ++t) {
        const double dot =
            row_dot(order, lanes, x.vector(r), x.is_sparse(r), units.data() + t * dim, dim);
        out.numbers[r * tables + t] = std::floor(reciprocal ? scale * dot : dot / bucket_length);
      }
    }
    frame.add(std::move(out));
    return {};
  }
};

}  // namespace

LoadResult load_min_hash_lsh(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<MinHashStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->int_arithmetic = meta.major == 2 && meta.minor < 4;
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto coefficients = first_row(*data, "randCoefficients", meta);
  if (!coefficients.ok()) return std::move(coefficients).error();
  const auto& items = coefficients->items;
  if (coefficients->kind != Value::Kind::kList || items.empty() || items.size() % 2 != 0) {
    return model_error(meta, "randCoefficients is not a list of (a, b) pairs");
  }
  for (std::size_t k = 0; k < items.size(); k += 2) {
    if (items[k].kind != Value::Kind::kInt || items[k + 1].kind != Value::Kind::kInt) {
      return model_error(meta, "randCoefficients holds a non-integer");
    }
    stage->coefficients.emplace_back(items[k].i, items[k + 1].i);
  }
  return loaded(std::move(stage), info);
}

LoadResult load_bucketed_random_projection_lsh(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<BucketedProjectionStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->bucket_length = meta.double_param("bucketLength", std::nan(""));
  if (!(stage->bucket_length > 0.0)) return model_error(meta, "no positive bucketLength");
  stage->reciprocal = meta.major >= 3;
  stage->order = spark_ddot(meta.major, meta.minor);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto units = first_row(*data, "randUnitVectors", meta);
  if (!units.ok()) return std::move(units).error();
  if (!matrix_from_value(*units, stage->tables, stage->dim, stage->units) || stage->tables == 0) {
    return model_error(meta, "randUnitVectors is not a matrix");
  }
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
