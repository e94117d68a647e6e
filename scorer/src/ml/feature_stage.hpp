#pragma once

// What the feature transformers share: the column-mapping stage shapes, their construction from
// a stage's metadata, and reads of a model's data/ table. Each stage honours handleInvalid:
// error → INVALID_DATA naming stage and value, skip → the row is dropped for every later stage,
// keep → Spark's replacement value.

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ml/stages.hpp"

namespace dbk::scorer::detail {

/// "<class without package> <uid>", the name errors give a stage.
std::string stage_name(const StageMeta& meta);

// Stages that map inputCol(s) to outputCol(s), one output per input.
class ColumnsStage : public Stage {
 public:
  std::string name;
  std::vector<std::string> inputs, outputs;
};

// Stages that map one inputCol to one outputCol.
class ColumnStage : public Stage {
 public:
  std::string name, input, output;
};

// How a vector map's output rows are held: dense, sparse where the input's were (a map that
// keeps zeros), or compressed (Vector.compressed picks per row).
enum class Sparsity { kDense, kKeep, kCompressed };

// A stage computing each output vector from one input vector (scalers, Normalizer, PCA, ...).
class VectorMapStage : public ColumnStage {
 public:
  std::function<void(const double*, double*, std::size_t)> fn;  // (in, out, input width)
  std::size_t expected_width = 0;                               // 0: any width
  std::size_t min_width = 0;                                    // shorter vectors are refused
  std::function<std::size_t(std::size_t)> output_width;         // empty: the input's
  Sparsity sparsity = Sparsity::kDense;

  Status transform(Frame& frame) const override;
};

// A new stage of type S with its name and columns read from the metadata; an error when
// the columns are missing or inputs and outputs differ in count.
template <class S>
Result<std::shared_ptr<S>> new_stage(const StageMeta& meta) {
  auto stage = std::make_shared<S>();
  stage->name = stage_name(meta);
  if constexpr (std::is_base_of_v<ColumnsStage, S>) {
    stage->inputs = input_cols(meta);
    stage->outputs = output_cols(meta);
    if (stage->inputs.empty() || stage->inputs.size() != stage->outputs.size()) {
      return model_error(meta, "input and output columns missing or of different counts");
    }
  } else {
    stage->input = meta.string_param("inputCol", "");
    stage->output = meta.string_param("outputCol", "");
    if (stage->input.empty() || stage->output.empty()) {
      return model_error(meta, "no input/output column");
    }
  }
  return stage;
}

// Records the stage's columns for the pipeline's column checks and hands the stage over.
template <class S>
LoadResult loaded(std::shared_ptr<S> stage, StageInfo& info) {
  if constexpr (std::is_base_of_v<ColumnsStage, S>) {
    info.input_columns = stage->inputs;
    info.output_columns = stage->outputs;
  } else {
    info.input_columns = {stage->input};
    info.output_columns = {stage->output};
  }
  return std::shared_ptr<const Stage>(std::move(stage));
}

/// Marks each row of a vector column sparse where Spark's Vector.compressed would store it so:
/// when 1.5 * (non-zeros + 1) < size, sparse takes less space (12 bytes per non-zero plus 20,
/// against 8 per element plus 8). NaN counts as a non-zero. VectorAssembler's output, and from
/// Spark 3.0 MinMaxScaler's, is compressed this way.
void mark_compressed(ScoredColumn& column);

/// The vectors of a model's features column, which must have the model's `width` (a data
/// error naming the stage and the sizes otherwise; any width when the frame has no rows).
Result<const ScoredColumn*> features_of(Frame& frame, const std::string& stage,
                                        const std::string& column, std::size_t width);

/// A linear model's data: its `coefficients` vector and `intercept`.
Status read_linear_terms(const Table& data, const StageMeta& meta,
                         std::vector<double>& coefficients, double& intercept);

/// The first row's value of a model data column; an error naming the stage when absent.
Result<Value> first_row(const Table& t, const std::string& column, const StageMeta& meta);
/// The first row's value of a model data column that holds a Spark ML Vector.
Result<std::vector<double>> vector_field(const Table& t, const std::string& column,
                                         const StageMeta& meta);

}  // namespace dbk::scorer::detail
