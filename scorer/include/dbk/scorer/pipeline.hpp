#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::scorer {

namespace detail {
class Stage;
}

/// One stage of a loaded pipeline (nested pipelines are flattened in order).
struct StageInfo {
  std::string class_name;  ///< JVM class, e.g. org.apache.spark.ml.feature.StringIndexerModel
  std::string uid;
  std::string spark_version;  ///< the saving Spark version
  std::vector<std::string> input_columns;
  std::vector<std::string> output_columns;
};

/// A Spark ML PipelineModel (or a single saved model) loaded from a local folder saved by
/// Spark 2.0 – 4.x (docs/reference/spark-models.md §1). Immutable and thread-safe once loaded.
class PipelineModel {
 public:
  PipelineModel();
  ~PipelineModel();
  PipelineModel(PipelineModel&&) noexcept;
  PipelineModel& operator=(PipelineModel&&) noexcept;
  PipelineModel(const PipelineModel&);
  PipelineModel& operator=(const PipelineModel&);

  const std::vector<StageInfo>& stages() const { return info_; }
  const std::string& spark_version() const { return spark_version_; }
  /// Columns the pipeline reads that no earlier stage produces.
  std::vector<std::string> required_input_columns() const;

  /// Internal: used by the loader and the scorer.
  const std::vector<std::shared_ptr<const detail::Stage>>& impl() const { return stages_; }
  void add_stage(std::shared_ptr<const detail::Stage> stage, StageInfo info);
  void set_spark_version(std::string v) { spark_version_ = std::move(v); }

 private:
  std::vector<std::shared_ptr<const detail::Stage>> stages_;
  std::vector<StageInfo> info_;
  std::string spark_version_;
};

/// Loads a saved PipelineModel folder (or one saved stage such as a RandomForest model folder).
/// Every stage is checked before returning: an unsupported stage fails the whole load with
/// UNSUPPORTED_STAGE naming its class; malformed files give MODEL_CORRUPT / PARQUET_CORRUPT.
Result<PipelineModel> load_pipeline_model(const std::string& path);

/// Class names of the stages this library can score.
std::vector<std::string> supported_stage_classes();

}  // namespace dbk::scorer
