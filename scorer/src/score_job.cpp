// run_score_job: the whole of `dbk score` behind one library call (docs/scorer.md).
#include "dbk/scorer/score_job.hpp"

#include <algorithm>

#include "dbk/api_error.hpp"
#include "dbk/scorer/dataset.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/pipeline.hpp"

namespace dbk::scorer {
namespace {

Status check_columns(const Table& table, const std::vector<std::string>& columns,
                     const std::string& what, const std::string& table_name) {
  for (const auto& column : columns) {
    if (table.find(column) == nullptr) {
      std::string have;
      for (const auto& c : table.columns) have += (have.empty() ? "" : ", ") + c.name;
      return make_error(
          error_codes::kColumnNotFound,
          what + " '" + column + "' is not a column of " + table_name + " (columns: " + have + ")");
    }
  }
  return {};
}

}  // namespace

Result<ScoreJobReport> run_score_job(const ScoreJob& job, const DbfsApi* dbfs) {
  if (job.model.empty() || job.input.empty()) {
    return make_error(dbk::error_codes::kInvalidArgument, "a model and an input are required");
  }
  // A bad output name fails before anything is fetched.
  if (!job.output.empty()) {
    if (auto format = output_format(job.output); !format) return std::move(format).error();
  }
  ScoreJobReport report;

  // Model first: a wrong --model fails before any table is downloaded.
  auto model_dir = resolve_local(dbfs, job.model, job.fetch);
  if (!model_dir) return std::move(model_dir).error();
  report.model_fetch = *model_dir;
  auto model = load_pipeline_model(model_dir->local_path);
  if (!model) return std::move(model).error();
  report.stages = model->stages().size();
  report.spark_version = model->spark_version();

  auto input_dir = resolve_local(dbfs, job.input, job.fetch);
  if (!input_dir) return std::move(input_dir).error();
  report.input_fetch = *input_dir;
  auto input = read_table(input_dir->local_path);
  if (!input) return std::move(input).error();
  std::optional<Table> expected;
  if (!job.compare_with.empty()) {
    // Keys only join the comparison: without one they are not needed at all.
    if (auto st = check_columns(*input, job.key_columns, "key column", job.input); !st) {
      return st.error();
    }
    auto expected_dir = resolve_local(dbfs, job.compare_with, job.fetch);
    if (!expected_dir) return std::move(expected_dir).error();
    report.expected_fetch = *expected_dir;
    // Only what the comparison reads: Spark's results tables also hold the features and raw
    // predictions, vector columns that cost far more to read than the rest.
    ParquetReadOptions projection;
    projection.skip_missing_columns = true;
    for (const auto& c : job.key_columns) projection.columns.push_back(c);
    std::vector<const std::string*> compared = {&job.compare.prediction_column,
                                                &job.compare.probability_column};
    if (job.match_vector_lanes) compared.push_back(&job.compare.raw_prediction_column);
    for (const auto* c : compared) {
      if (std::find(projection.columns.begin(), projection.columns.end(), *c) ==
          projection.columns.end()) {
        projection.columns.push_back(*c);
      }
    }
    auto table = read_table(expected_dir->local_path, projection);
    if (!table) return std::move(table).error();
    if (auto st = check_columns(*table, job.key_columns, "key column", job.compare_with); !st) {
      return st.error();
    }
    expected = std::move(*table);
  }

  ScoreOptions options = job.score;
  // A pipeline without its own VectorAssembler reads `features`; the seed notebook assembles it
  // outside the pipeline from the numeric columns (docs/reference/pipeline.md §4.1).
  const auto needed = model->required_input_columns();
  const bool needs_features =
      std::find(needed.begin(), needed.end(), options.assemble_output) != needed.end();
  if (needs_features && input->find(options.assemble_output) == nullptr &&
      options.assemble_columns.empty()) {
    std::vector<std::string> not_features = job.key_columns;
    not_features.insert(not_features.end(), needed.begin(), needed.end());
    options.assemble_columns = job.feature_columns.empty()
                                   ? infer_feature_columns(*input, not_features)
                                   : job.feature_columns;
    if (auto st = check_columns(*input, options.assemble_columns, "feature column", job.input);
        !st) {
      return st.error();
    }
  }
  report.assembled_columns = options.assemble_columns;

  auto scored = score_table(*model, *input, options);
  if (!scored) return std::move(scored).error();
  report.rows_input = scored->num_input_rows;
  report.rows_scored = scored->num_rows();
  const bool spark4 = model->spark_version().rfind("4.", 0) == 0;
  if (spark4) report.spark_vector_lanes = options.spark_vector_lanes;

  if (expected) {
    CompareOptions compare = job.compare;
    compare.key_columns = job.key_columns;
    auto compared = compare_results(*scored, *expected, compare);
    if (!compared) return std::move(compared).error();
    report.comparison = std::move(*compared);
    // Lanes match when the comparison passes and the raw margins, where both sides have them,
    // are equal bit for bit: a GBT classifier's probabilities agree within the tolerance in
    // lanes that round its margins differently.
    CompareOptions exact = compare;
    exact.probability_column = compare.raw_prediction_column;
    exact.probability_tolerance = 0;
    auto lanes_match = [&](const ScoreResult& result,
                           const CompareReport& comparison) -> Result<bool> {
      if (!comparison.ok()) return false;
      auto margins = compare_results(result, *expected, exact);
      if (!margins) return std::move(margins).error();
      return margins->ok();
    };
    bool matched = true;
    if (spark4 && job.match_vector_lanes) {
      auto first = lanes_match(*scored, *report.comparison);
      if (!first) return std::move(first).error();
      matched = *first;
    }
    // Only an exact match switches lanes, so a real difference still shows in the first scores.
    for (std::size_t lanes : {std::size_t{4}, std::size_t{8}, std::size_t{2}}) {
      if (matched) break;
      if (lanes == options.spark_vector_lanes) continue;
      ScoreOptions other = options;
      other.spark_vector_lanes = lanes;
      auto rescored = score_table(*model, *input, other);
      if (!rescored) return std::move(rescored).error();
      auto recompared = compare_results(*rescored, *expected, compare);
      if (!recompared) return std::move(recompared).error();
      auto same = lanes_match(*rescored, *recompared);
      if (!same) return std::move(same).error();
      if (!*same) continue;
      scored = std::move(rescored);
      report.comparison = std::move(*recompared);
      report.spark_vector_lanes = lanes;
      matched = true;
    }
  }
  if (!job.output.empty()) {
    if (auto st = write_results(*scored, job.output); !st) return st.error();
  }
  return report;
}

}  // namespace dbk::scorer
