// PCAModel: the input projected on the principal components (docs/scorer.md, "Supported
// stages").

#include "ml/feature_stage.hpp"
#include "ml/spark_ddot.hpp"

namespace dbk::scorer::detail {

namespace {

class PcaStage : public ColumnStage {
 public:
  std::size_t features = 0, k = 0;
  std::vector<double> components;  // k rows of `features`: pc's columns
  Ddot order = Ddot::kInOrder;

  // pc.transpose.multiply(x): BLAS.gemv of the transposed matrix. Each output is a dot product
  // of one component with x; a sparse x's is the plain sum over its non-zeros.
  Status transform(Frame& frame) const override {
    auto in = features_of(frame, name, input, features);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    const std::size_t lanes = ddot_lanes(order, frame.spark_vector_lanes());
    auto out = new_vector_column(output, frame.rows(), k);
    out.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      for (std::size_t j = 0; j < k; ++j) {
        const double* c = components.data() + j * features;
        out.numbers[r * k + j] = row_dot(order, lanes, x.vector(r), x.is_sparse(r), c, features);
      }
    }
    frame.add(std::move(out));
    return {};
  }
};

}  // namespace

LoadResult load_pca(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<PcaStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto pc = first_row(*data, "pc", meta);
  if (!pc.ok()) return std::move(pc).error();
  std::vector<double> values;
  if (!matrix_from_value(*pc, stage->features, stage->k, values)) {
    return model_error(meta, "'pc' is not a matrix");
  }
  stage->components.resize(values.size());
  for (std::size_t i = 0; i < stage->features; ++i) {
    for (std::size_t j = 0; j < stage->k; ++j) {
      stage->components[j * stage->features + i] = values[i * stage->k + j];
    }
  }
  stage->order = spark_ddot(meta.major, meta.minor);
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
