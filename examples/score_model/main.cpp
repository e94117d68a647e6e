// Embedding the native scorer: load a saved Spark PipelineModel and a Parquet/Delta table from
// local folders, score, optionally compare with the table Spark produced, write the result.
//
//   score_model MODEL_DIR INPUT_DIR [OUTPUT.csv|.jsonl] [EXPECTED_DIR]
//
// With the scenario's model (no VectorAssembler inside the pipeline), the features are
// assembled from the numeric columns first, as the scoring notebook does.

#include <cstdio>

#include "dbk/scorer/scorer.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL_DIR INPUT_DIR [OUTPUT] [EXPECTED_DIR]\n", argv[0]);
    return 2;
  }
  auto model = dbk::scorer::load_pipeline_model(argv[1]);
  if (!model) {
    std::fprintf(stderr, "%s\n", model.error().to_string().c_str());
    return 1;
  }
  auto input = dbk::scorer::read_table(argv[2]);
  if (!input) {
    std::fprintf(stderr, "%s\n", input.error().to_string().c_str());
    return 1;
  }
  dbk::scorer::ScoreOptions options;
  const auto needed = model->required_input_columns();
  for (const auto& column : needed) {
    if (column == "features" && input->find("features") == nullptr) {
      options.assemble_columns = dbk::scorer::infer_feature_columns(*input);
    }
  }
  auto result = dbk::scorer::score_table(*model, *input, options);
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().to_string().c_str());
    return 1;
  }
  std::printf("scored %zu of %zu rows with %zu stages (Spark %s)\n", result->num_rows(),
              result->num_input_rows, model->stages().size(), model->spark_version().c_str());
  if (argc > 3) {
    if (auto st = dbk::scorer::write_results(*result, argv[3]); !st) {
      std::fprintf(stderr, "%s\n", st.error().to_string().c_str());
      return 1;
    }
  }
  if (argc > 4) {
    auto expected = dbk::scorer::read_table(argv[4]);
    if (!expected) {
      std::fprintf(stderr, "%s\n", expected.error().to_string().c_str());
      return 1;
    }
    dbk::scorer::CompareOptions compare;
    compare.key_columns = {"machineID", "dt_truncated"};
    auto report = dbk::scorer::compare_results(*result, *expected, compare);
    if (!report) {
      std::fprintf(stderr, "%s\n", report.error().to_string().c_str());
      return 1;
    }
    std::printf("rows compared %zu, prediction mismatches %zu, max probability difference %.3g\n",
                report->rows_compared, report->prediction_mismatches, report->max_probability_diff);
    return report->ok() ? 0 : 3;
  }
  return 0;
}
