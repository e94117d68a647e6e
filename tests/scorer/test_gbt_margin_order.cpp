// GBT margins must match Spark's bit for bit, not only within the 1e-12 the pipeline test allows:
// Spark sums tree outputs with BLAS ddot, whose order differs between versions (plain order in
// 2.x, Java11BLAS fma lanes in 3.2–3.5, VectorBLAS fma lanes with an unfused tail in 4.x; see
// tree_models.cpp). gbt_binary has 8 trees (two products per lane), gbt_regression 6 (a tail).

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

using namespace scorer_test;

TEST_CASE("GBT margins are bit-exact with Spark's summation order", "[spark][gbt]") {
  std::size_t checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(fixtures())) {
    const std::string dir = e.path().string();
    if (e.path().filename().string().rfind("spark-", 0) != 0) continue;
    for (const auto& [model, column] : std::map<std::string, std::string>{
             {"gbt_binary", "rawPrediction"}, {"gbt_regression", "prediction"}}) {
      if (!std::filesystem::exists(dir + "/" + model + "/model")) continue;
      // GBT classifiers have a rawPrediction column from Spark 2.2 on; 2.0 and 2.1 give only
      // the prediction, which test_spark_models checks.
      const auto meta = nlohmann::json::parse(read_file(dir + "/" + model + "/expected_meta.json"));
      const auto& added = meta.at("added_columns");
      if (std::find(added.begin(), added.end(), column) == added.end()) continue;
      INFO(dir << "/" << model);
      auto pipeline = dbk::scorer::load_pipeline_model(dir + "/" + model + "/model");
      if (!pipeline.ok()) FAIL(pipeline.error().to_string());
      auto input = dbk::scorer::read_table(scoring_input_of(dir, model));
      if (!input.ok()) FAIL(input.error().to_string());
      dbk::scorer::ScoreOptions options;
      options.assemble_columns = tree_pipeline_raw_columns();
      options.assemble_handle_invalid = "keep";
      auto result = dbk::scorer::score_table(*pipeline, *input, options);
      if (!result.ok()) FAIL(result.error().to_string());
      const auto* ids = result->passthrough.find("row_id");
      const auto* col = result->find(column);
      REQUIRE(ids != nullptr);
      REQUIRE(col != nullptr);
      std::map<std::int64_t, std::size_t> by_id;
      for (std::size_t r = 0; r < result->num_rows(); ++r) by_id[ids->ints[r]] = r;
      std::size_t differing = 0;
      for (const auto& row : read_jsonl(dir + "/" + model + "/expected.jsonl")) {
        const auto& want = row[column];
        if (want.is_null()) continue;
        const std::size_t r = by_id.at(row["row_id"].get<std::int64_t>());
        REQUIRE(col->valid[r]);
        const double margin = want.is_array() ? json_double(want[1]) : json_double(want);
        const double got = col->width > 1 ? col->vector(r)[1] : col->numbers[r];
        if (!same_double(got, margin)) ++differing;
      }
      CHECK(differing == 0);
      ++checked;
    }
  }
  CHECK(checked >= 4);
}
