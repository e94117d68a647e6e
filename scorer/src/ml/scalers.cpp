// StandardScalerModel, MinMaxScalerModel and MaxAbsScalerModel: element-wise vector maps
// (docs/reference/spark-models.md §1.3).

#include <cmath>
#include <functional>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

// What a scaler's output vectors are: dense, sparse where the input's were (scaling without
// shifting keeps zeros), or compressed (Vector.compressed picks per row).
enum class Sparsity { kDense, kKeep, kCompressed };

// Element-wise vector map shared by the scalers.
class VectorMapStage : public ColumnStage {
 public:
  std::function<void(const double*, double*, std::size_t)> fn;
  std::size_t expected_width = 0;
  Sparsity sparsity = Sparsity::kDense;

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(input);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& col = **in;
    if (frame.rows() > 0 && col.width != expected_width) {
      return data_error(name, "vector size " + std::to_string(col.width) +
                                  " does not match the model's " + std::to_string(expected_width));
    }
    auto out = new_vector_column(output, frame.rows(), col.width);
    out.valid = col.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !col.valid[r]) continue;
      fn(col.vector(r), out.numbers.data() + r * col.width, col.width);
    }
    if (sparsity == Sparsity::kKeep) out.sparse = col.sparse;
    if (sparsity == Sparsity::kCompressed) mark_compressed(out);
    frame.add(std::move(out));
    return {};
  }
};

}  // namespace

LoadResult load_standard_scaler(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto std_v = vector_field(*data, "std", meta);
  if (!std_v.ok()) return std::move(std_v).error();
  auto mean_v = vector_field(*data, "mean", meta);
  if (!mean_v.ok()) return std::move(mean_v).error();
  if (std_v->size() != mean_v->size()) return model_error(meta, "std and mean differ in size");
  bool with_mean = meta.bool_param("withMean", false);
  bool with_std = meta.bool_param("withStd", true);
  // Shifting by the mean makes the output dense; scaling alone keeps a sparse input sparse.
  stage->sparsity = with_mean ? Sparsity::kDense : Sparsity::kKeep;
  std::vector<double> scale(std_v->size());
  for (std::size_t k = 0; k < scale.size(); ++k)
    scale[k] = (*std_v)[k] == 0 ? 0.0 : 1.0 / (*std_v)[k];
  std::vector<double> mean = *mean_v;
  stage->expected_width = scale.size();
  // docs/reference/spark-models.md §1.3: (x − mean) × (1/std) reproduces Spark bit for bit.
  stage->fn = [=](const double* x, double* y, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      double v = x[k];
      if (with_mean) v -= mean[k];
      if (with_std) v *= scale[k];
      y[k] = v;
    }
  };
  return loaded(std::move(stage), info);
}

LoadResult load_min_max_scaler(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto lo = vector_field(*data, "originalMin", meta);
  if (!lo.ok()) return std::move(lo).error();
  auto hi = vector_field(*data, "originalMax", meta);
  if (!hi.ok()) return std::move(hi).error();
  if (lo->size() != hi->size())
    return model_error(meta, "originalMin and originalMax differ in size");
  const double min = meta.double_param("min", 0.0);
  const double max = meta.double_param("max", 1.0);
  const std::vector<double> orig_min = *lo;
  stage->expected_width = orig_min.size();
  const double scale = max - min;
  if (meta.major >= 3) {
    stage->sparsity = Sparsity::kCompressed;  // 3.x: Vectors.dense(values).compressed
    // Spark 3.0 (SPARK-28499) multiplies by a precomputed scale / range, and gives a constant
    // feature the middle of [min, max].
    std::vector<double> factor(orig_min.size());
    for (std::size_t k = 0; k < factor.size(); ++k) {
      const double range = (*hi)[k] - (*lo)[k];
      factor[k] = range != 0 ? scale / range : 0.0;
    }
    const double constant = (min + max) / 2;
    stage->fn = [=](const double* x, double* y, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k) {
        if (std::isnan(x[k])) {
          y[k] = x[k];
        } else {
          y[k] = factor[k] != 0 ? (x[k] - orig_min[k]) * factor[k] + min : constant;
        }
      }
    };
  } else {
    // Spark 2.x divides by the range, then scales; a constant feature is 0.5 of the way.
    std::vector<double> range(orig_min.size());
    for (std::size_t k = 0; k < range.size(); ++k) range[k] = (*hi)[k] - (*lo)[k];
    stage->fn = [=](const double* x, double* y, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k) {
        if (std::isnan(x[k])) {
          y[k] = x[k];
          continue;
        }
        double raw = range[k] != 0 ? (x[k] - orig_min[k]) / range[k] : 0.5;
        y[k] = raw * scale + min;
      }
    };
  }
  return loaded(std::move(stage), info);
}

LoadResult load_max_abs_scaler(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto max_abs = vector_field(*data, "maxAbs", meta);
  if (!max_abs.ok()) return std::move(max_abs).error();
  std::vector<double> m = *max_abs;
  stage->expected_width = m.size();
  stage->sparsity = Sparsity::kKeep;  // it scales without shifting
  if (meta.major >= 3) {              // 3.x multiplies by 1/maxAbs; 2.x divided
    std::vector<double> scale(m.size());
    for (std::size_t k = 0; k < m.size(); ++k) scale[k] = m[k] == 0 ? 1.0 : 1.0 / m[k];
    stage->fn = [=](const double* x, double* y, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k) y[k] = x[k] * scale[k];
    };
  } else {
    stage->fn = [=](const double* x, double* y, std::size_t n) {
      for (std::size_t k = 0; k < n; ++k) y[k] = x[k] / (m[k] == 0 ? 1.0 : m[k]);
    };
  }
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
