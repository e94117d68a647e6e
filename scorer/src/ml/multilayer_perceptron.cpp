// MultilayerPerceptronClassificationModel: affine layers with sigmoid between them; the last
// affine layer's output is the rawPrediction, its softmax the probability (docs/scorer.md,
// "Supported stages").

#include <cmath>

#include "ml/classifier.hpp"
#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

class MlpStage : public ClassifierStage {
 public:
  std::vector<std::size_t> layers;
  std::vector<double> weights;

 protected:
  // AffineLayerModel: out = b + W x (W column-major numOut × numIn, then b, per layer), summed
  // as gemm's column loop (b, then each input's column in order); SigmoidFunction 1/(1+e^-x)
  // between layers.
  Status predict_raw(const double* x, bool /*sparse*/, std::size_t /*vector_lanes*/,
                     double* raw) const override {
    std::vector<double> in(x, x + layers[0]);
    std::vector<double> out;
    std::size_t offset = 0;
    for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
      const std::size_t n_in = layers[l], n_out = layers[l + 1];
      const double* w = weights.data() + offset;
      const double* b = w + n_in * n_out;
      out.assign(b, b + n_out);
      for (std::size_t k = 0; k < n_in; ++k) {
        for (std::size_t i = 0; i < n_out; ++i) out[i] += w[k * n_out + i] * in[k];
      }
      offset += n_in * n_out + n_out;
      if (l + 2 < layers.size()) {
        for (double& v : out) v = 1.0 / (1 + std::exp(-v));
      }
      in.swap(out);
    }
    std::copy(in.begin(), in.end(), raw);
    return {};
  }
};

}  // namespace

LoadResult load_multilayer_perceptron(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<MlpStage>();
  stage->read_params(meta);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  std::vector<double> layers = meta.doubles_param("layers");
  if (layers.empty()) {  // Spark 2.x keeps the layers beside the weights
    auto v = first_row(*data, "layers", meta);
    if (!v.ok()) return std::move(v).error();
    for (const auto& e : v->items) layers.push_back(e.as_double());
  }
  std::size_t expected = 0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (!(layers[l] >= 1 && layers[l] <= (1 << 20))) return model_error(meta, "bad layers");
    stage->layers.push_back(static_cast<std::size_t>(layers[l]));
    if (l > 0) expected += stage->layers[l - 1] * stage->layers[l] + stage->layers[l];
  }
  if (stage->layers.size() < 2) return model_error(meta, "fewer than two layers");
  auto weights = vector_field(*data, "weights", meta);
  if (!weights.ok()) return std::move(weights).error();
  stage->weights = *weights;
  if (stage->weights.size() != expected) {
    return model_error(meta, "weights do not match the layers");
  }
  stage->num_features = stage->layers.front();
  stage->num_classes = stage->layers.back();
  return stage->loaded(stage, info);
}

}  // namespace dbk::scorer::detail
