// ChiSqSelectorModel, UnivariateFeatureSelectorModel and VarianceThresholdSelectorModel: the
// features a selector chose when fitted (data/selectedFeatures), in ascending index order; a
// sparse vector stays sparse (docs/scorer.md, "Supported stages").

#include <algorithm>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

LoadResult load_feature_selector(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<VectorMapStage>();
  stage->name = stage_name(meta);
  stage->input = meta.string_param("featuresCol", "features");
  stage->output = meta.string_param("outputCol", "");
  if (stage->output.empty()) return model_error(meta, "no outputCol");
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto selected = first_row(*data, "selectedFeatures", meta);
  if (!selected.ok()) return std::move(selected).error();
  if (selected->kind != Value::Kind::kList)
    return model_error(meta, "selectedFeatures is not a list");
  std::vector<std::size_t> indices;
  for (const auto& v : selected->items) {
    if (v.kind != Value::Kind::kInt || v.i < 0 || v.i > (1 << 28)) {
      return model_error(meta, "bad selected feature index");
    }
    indices.push_back(static_cast<std::size_t>(v.i));
  }
  std::sort(indices.begin(), indices.end());
  if (std::adjacent_find(indices.begin(), indices.end()) != indices.end()) {
    return model_error(meta, "a feature is selected twice");
  }
  const std::size_t largest = indices.empty() ? 0 : indices.back();
  stage->sparsity = Sparsity::kKeep;
  stage->output_width = [n = indices.size()](std::size_t) { return n; };
  stage->fn = [indices](const double* x, double* y, std::size_t) {
    for (std::size_t k = 0; k < indices.size(); ++k) y[k] = x[indices[k]];
  };
  stage->min_width = indices.empty() ? 0 : largest + 1;
  info.input_columns = {stage->input};
  info.output_columns = {stage->output};
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
