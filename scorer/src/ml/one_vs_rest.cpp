// OneVsRestModel: one binary classifier per class (saved in model_<i>/), rawPrediction[i] the
// i-th classifier's rawPrediction[1], prediction the first maximum (docs/scorer.md, "Supported
// stages").

#include <algorithm>
#include <filesystem>

#include "ml/classifier.hpp"
#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

class OneVsRestStage : public Stage {
 public:
  std::string name, features_col, raw_col, prediction_col;
  std::vector<std::shared_ptr<const Stage>> models;  // each writes temp_raw[i]
  std::vector<std::string> temp_raw;

  Status transform(Frame& frame) const override {
    const std::size_t n = models.size();
    auto raw = new_vector_column(raw_col, frame.rows(), n);
    auto pred = new_double_column(prediction_col, frame.rows());
    for (std::size_t i = 0; i < n; ++i) {
      auto st = models[i]->transform(frame);
      if (!st.ok()) return st;
      auto col = frame.vectors(temp_raw[i]);
      if (!col.ok()) return std::move(col).error();
      const ScoredColumn& c = **col;
      if (c.width < 2)
        return data_error(name, "classifier " + std::to_string(i) + " is not binary");
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        raw.numbers[r * n + i] = c.vector(r)[1];
        if (!c.valid[r]) raw.valid[r] = 0;
      }
      auto& outputs = frame.outputs();
      outputs.erase(std::remove_if(outputs.begin(), outputs.end(),
                                   [&](const ScoredColumn& o) { return o.name == temp_raw[i]; }),
                    outputs.end());
    }
    pred.valid = raw.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (raw.valid[r]) pred.numbers[r] = static_cast<double>(first_argmax(raw.vector(r), n));
    }
    if (!raw_col.empty()) frame.add(std::move(raw));
    if (!prediction_col.empty()) frame.add(std::move(pred));
    return {};
  }
};

}  // namespace

LoadResult load_one_vs_rest(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<OneVsRestStage>();
  stage->name = stage_name(meta);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->raw_col = meta.string_param("rawPredictionCol", "rawPrediction");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  const auto classes = meta.json.find("numClasses");
  if (classes == meta.json.end() || !classes->is_number_unsigned() || *classes == 0 ||
      *classes > 100000) {
    return model_error(meta, "metadata has no numClasses");
  }
  for (std::size_t i = 0; i < classes->get<std::size_t>(); ++i) {
    const std::string dir =
        (std::filesystem::path(meta.path) / ("model_" + std::to_string(i))).string();
    auto sub = read_stage_meta(dir);
    if (!sub.ok()) return std::move(sub).error();
    StageLoader loader = find_stage_loader(sub->class_name);
    if (loader == nullptr) {
      return make_error(error_codes::kUnsupportedStage,
                        meta.path + ": unsupported stage: " + sub->class_name + " (" + dir + ")");
    }
    // OneVsRestModel sets each classifier's featuresCol and reads only its rawPrediction.
    const std::string temp = "__dbk_ovr_" + meta.uid + "_" + std::to_string(i);
    auto& params = sub->json["paramMap"];
    if (!params.is_object()) params = nlohmann::json::object();
    params["featuresCol"] = stage->features_col;
    params["rawPredictionCol"] = temp;
    params["probabilityCol"] = "";
    params["predictionCol"] = "";
    StageInfo sub_info;
    auto model = loader(*sub, sub_info);
    if (!model.ok()) return std::move(model).error();
    stage->models.push_back(std::move(*model));
    stage->temp_raw.push_back(temp);
  }
  info.input_columns = {stage->features_col};
  for (const auto* c : {&stage->raw_col, &stage->prediction_col}) {
    if (!c->empty()) info.output_columns.push_back(*c);
  }
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
