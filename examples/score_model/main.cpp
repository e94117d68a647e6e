// Embedding the native scorer: load a saved Spark PipelineModel and a Parquet/Delta table, from
// local folders or from DBFS, score, optionally compare with the table Spark produced, write the
// result.
//
//   score_model MODEL INPUT [OUTPUT.csv|.jsonl|-] [EXPECTED]
//
// MODEL, INPUT and EXPECTED are local paths or dbfs:/ paths. dbfs:/ paths are fetched through the
// client library (DATABRICKS_HOST / DATABRICKS_TOKEN or ~/.databrickscfg) into the local cache
// (~/.cache/dbk/dbfs, or $DBK_CACHE_DIR), in parallel, and reused while their size and
// modification time in DBFS are unchanged. `dbk score` does the same with
// dbk::scorer::run_score_job; this example shows the steps one by one.
//
// The scenario's model (notebooks/3_model_building) has its VectorAssembler inside the pipeline,
// so its input is the feature table as written. A pipeline saved without one reads a `features`
// column the table lacks: then the numeric columns are assembled first, as the original scoring
// notebook did outside its pipeline.

#include <cstdio>
#include <optional>
#include <string>

#include "dbk/client.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/scorer/scorer.hpp"

namespace {

int fail(const dbk::ApiError& error) {
  std::fprintf(stderr, "%s\n", error.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL INPUT [OUTPUT|-] [EXPECTED]\n", argv[0]);
    return 2;
  }
  const std::string output = argc > 3 ? argv[3] : "-";
  const std::string expected_path = argc > 4 ? argv[4] : "";

  // A workspace client only if something is in DBFS.
  std::optional<dbk::Client> client;
  for (int i = 1; i < argc; ++i) {
    if (dbk::scorer::is_dbfs_uri(argv[i]) && !client) {
      auto made = dbk::make_client();
      if (!made) return fail(made.error());
      client = std::move(*made);
    }
  }
  const dbk::DbfsApi* dbfs = client ? &client->dbfs() : nullptr;
  dbk::scorer::FetchOptions fetch;  // default cache folder, 8 parallel downloads

  // 1. Local folders for the model and the table (fetched and cached when in DBFS).
  auto model_dir = dbk::scorer::resolve_local(dbfs, argv[1], fetch);
  if (!model_dir) return fail(model_dir.error());
  auto input_dir = dbk::scorer::resolve_local(dbfs, argv[2], fetch);
  if (!input_dir) return fail(input_dir.error());
  std::printf("model in %s (%zu downloaded, %zu from cache)\n", model_dir->local_path.c_str(),
              model_dir->downloaded, model_dir->reused);

  // 2. Load and read.
  auto model = dbk::scorer::load_pipeline_model(model_dir->local_path);
  if (!model) return fail(model.error());
  auto input = dbk::scorer::read_table(input_dir->local_path);
  if (!input) return fail(input.error());

  // 3. Score; assemble `features` only for a pipeline without its own VectorAssembler.
  dbk::scorer::ScoreOptions options;
  for (const auto& column : model->required_input_columns()) {
    if (column == "features" && input->find("features") == nullptr) {
      // The scenario's keys and labels are not features.
      options.assemble_columns = dbk::scorer::infer_feature_columns(
          *input, {"machineID", "dt_truncated", "failure", "label_e", "model", "model_encoded"});
    }
  }
  auto result = dbk::scorer::score_table(*model, *input, options);
  if (!result) return fail(result.error());
  std::printf("scored %zu of %zu rows with %zu stages (Spark %s)\n", result->num_rows(),
              result->num_input_rows, model->stages().size(), model->spark_version().c_str());

  // 4. Write.
  if (output != "-") {
    if (auto st = dbk::scorer::write_results(*result, output); !st) return fail(st.error());
  }

  // 5. Compare with the table Spark wrote, joined on the scenario's keys.
  if (!expected_path.empty()) {
    auto expected_dir = dbk::scorer::resolve_local(dbfs, expected_path, fetch);
    if (!expected_dir) return fail(expected_dir.error());
    auto expected = dbk::scorer::read_table(expected_dir->local_path);
    if (!expected) return fail(expected.error());
    dbk::scorer::CompareOptions compare;
    compare.key_columns = {"machineID", "dt_truncated"};
    auto report = dbk::scorer::compare_results(*result, *expected, compare);
    if (!report) return fail(report.error());
    std::printf("rows compared %zu, prediction mismatches %zu, max probability difference %.3g\n",
                report->rows_compared, report->prediction_mismatches, report->max_probability_diff);
    return report->ok() ? 0 : 3;
  }
  return 0;
}
