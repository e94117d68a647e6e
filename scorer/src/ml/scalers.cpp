// StandardScalerModel, RobustScalerModel, MinMaxScalerModel and MaxAbsScalerModel: element-wise
// vector maps (docs/reference/spark-models.md §1.3).

#include <cmath>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

// StandardScalerModel.getTransformFunc, which RobustScalerModel shares: (x − shift) × scale,
// with scale = 1/spread (0 where the spread is 0). Reproduces Spark bit for bit
// (docs/reference/spark-models.md §1.3).
LoadResult load_shift_scale(const StageMeta& meta, StageInfo& info, const char* spread_field,
                            const char* shift_field, bool with_shift, bool with_scale) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto spread = vector_field(*data, spread_field, meta);
  if (!spread.ok()) return std::move(spread).error();
  auto shift_v = vector_field(*data, shift_field, meta);
  if (!shift_v.ok()) return std::move(shift_v).error();
  if (spread->size() != shift_v->size()) {
    return model_error(meta, std::string(spread_field) + " and " + shift_field + " differ in size");
  }
  // Shifting makes the output dense; scaling alone keeps a sparse input sparse.
  stage->sparsity = with_shift ? Sparsity::kDense : Sparsity::kKeep;
  std::vector<double> scale(spread->size());
  for (std::size_t k = 0; k < scale.size(); ++k)
    scale[k] = (*spread)[k] == 0 ? 0.0 : 1.0 / (*spread)[k];
  std::vector<double> shift = *shift_v;
  stage->expected_width = scale.size();
  stage->fn = [=](const double* x, double* y, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      double v = x[k];
      if (with_shift) v -= shift[k];
      if (with_scale) v *= scale[k];
      y[k] = v;
    }
  };
  return loaded(std::move(stage), info);
}

}  // namespace

LoadResult load_standard_scaler(const StageMeta& meta, StageInfo& info) {
  return load_shift_scale(meta, info, "std", "mean", meta.bool_param("withMean", false),
                          meta.bool_param("withStd", true));
}

// RobustScalerModel (Spark 3.0+): the median and the quantile range in place of mean and std.
LoadResult load_robust_scaler(const StageMeta& meta, StageInfo& info) {
  return load_shift_scale(meta, info, "range", "median", meta.bool_param("withCentering", false),
                          meta.bool_param("withScaling", true));
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
