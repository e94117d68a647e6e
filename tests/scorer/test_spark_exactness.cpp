// Pipelines saved and transformed by real Spark (scorer/fixtures/generate_exactness_cases.py)
// whose last bits depend on details of Spark's arithmetic: a scaler's formula, a float's
// string, a float column's rounding, a sparse vector's dot product. Every output the pipeline
// adds must equal Spark's bit for bit (probabilities within 1e-12), in each version folder that
// has the case.

#include <catch2/catch.hpp>
#include <set>

#include "dbk/scorer/scorer.hpp"
#include "spark_cases.hpp"

using namespace scorer_test;

// Spark 3.0+ scales by a precomputed (max - min) / range and puts a constant feature at
// (min + max) / 2; the values differ from 2.x's in the last bit, which a linear regression shows.
TEST_CASE("MinMaxScalerModel scales as the release that saved it", "[spark][exact]") {
  check_bit_exact("minmax_linear");
}

// Spark indexes a float column by Float.toString ("0.1", "1.0E-8", "3.0E38"), not by the digits
// of the widened double; with handleInvalid=keep a wrong string lands on the unknown index.
TEST_CASE("StringIndexerModel indexes a float column by Java's float string", "[spark][exact]") {
  check_bit_exact("float_string_indexer");
}

// Spark's Imputer output keeps the input's type: over a float column the surrogate is rounded to
// float (0.0524132139980793, not the double mean 0.05241321448736921).
TEST_CASE("ImputerModel fills a float column with the float surrogate", "[spark][exact]") {
  check_bit_exact("float_imputer");
}

// VectorAssembler's rows are SparseVectors where that is smaller; Spark's BLAS.dot of a sparse
// row is a plain sum over its non-zeros, not the release's lane order. Sparsity passes through
// OneHotEncoder (always sparse), StandardScaler without mean and MaxAbsScaler (kept) and
// VectorSlicer (kept), and each row must be sparse exactly where Spark's was.
TEST_CASE("linear models sum sparse rows as Spark's sparse BLAS.dot", "[spark][exact]") {
  check_bit_exact("sparse_linear");
  for (const auto& dir : case_dirs("sparse_linear")) {
    INFO(dir);
    const auto result = score_case(dir, "sparse_linear");
    const json meta = case_meta(dir, "sparse_linear");
    std::size_t sparse_rows = 0;
    for (const auto& column : result.columns) {
      if (column.kind == ScoredColumn::Kind::kVector) {
        sparse_rows += check_sparse_rows(result, meta, column);
      }
    }
    CHECK(sparse_rows > 0);
  }
}

// Spark 4.x sums a GBT classifier's trees in as many lanes as the JVM's widest double vector
// holds: eight on the AVX-512 machine that saved this case. Four lanes give the same predictions
// and probabilities within 1e-12 but other raw margins, so `auto` lanes are matched on the raw
// margins, exactly.
TEST_CASE("auto lanes match a Spark 4.x GBT classifier's raw margins", "[spark][exact][lanes]") {
  const auto dirs = case_dirs("gbt_classifier_lanes");
  REQUIRE_FALSE(dirs.empty());
  for (const auto& dir : dirs) {
    INFO(dir);
    const std::string base = dir + "/gbt_classifier_lanes";
    const json meta = case_meta(dir, "gbt_classifier_lanes");
    const auto spark_lanes = meta["spark_vector_lanes"].get<std::size_t>();
    dbk::scorer::ScoreJob job;
    job.model = base + "/model";
    job.input = base + "/input";
    job.compare_with = base + "/results_output";
    job.key_columns = {"row_id"};
    job.match_vector_lanes = true;
    auto report = dbk::scorer::run_score_job(job, nullptr);
    if (!report.ok()) FAIL(report.error().to_string());
    CHECK(report->spark_vector_lanes == spark_lanes);
    CHECK(report->ok());

    // The margins in Spark's lanes equal Spark's; in four lanes some differ while predictions
    // and probabilities still pass the comparison, which is what hid the lanes.
    const auto expected = read_jsonl(base + "/expected.jsonl");
    auto pipeline = dbk::scorer::load_pipeline_model(job.model);
    auto input = dbk::scorer::read_table(job.input);
    REQUIRE(pipeline.ok());
    REQUIRE(input.ok());
    dbk::scorer::ScoreOptions options;
    options.spark_vector_lanes = spark_lanes;
    auto exact = dbk::scorer::score_table(*pipeline, *input, options);
    REQUIRE(exact.ok());
    CHECK(rows_differing(*exact, expected, "rawPrediction") == 0);
    CHECK(rows_differing(*exact, expected, "prediction") == 0);
    CHECK(rows_differing(*exact, expected, "probability", 1e-12) == 0);
    options.spark_vector_lanes = 4;
    auto four = dbk::scorer::score_table(*pipeline, *input, options);
    REQUIRE(four.ok());
    CHECK(rows_differing(*four, expected, "rawPrediction") > 0);
    auto results = dbk::scorer::read_table(job.compare_with);
    REQUIRE(results.ok());
    dbk::scorer::CompareOptions by_row_id;
    by_row_id.key_columns = job.key_columns;
    auto loose = dbk::scorer::compare_results(*four, *results, by_row_id);
    REQUIRE(loose.ok());
    CHECK(loose->ok());
  }
}
