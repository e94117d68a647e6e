// Pipelines saved and transformed by real Spark (scorer/fixtures/generate_exactness_cases.py)
// whose last bits depend on details of Spark's arithmetic: a scaler's formula, a float's
// string, a float column's rounding, a sparse vector's dot product. Every output the pipeline
// adds must equal Spark's bit for bit (probabilities within 1e-12), in each version folder that
// has the case.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

using namespace scorer_test;
using dbk::scorer::ScoredColumn;
using nlohmann::json;

namespace {

// The version folders holding `name`; the generator writes it for every Spark it runs on.
std::vector<std::string> case_dirs(const std::string& name) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(fixtures())) {
    if (std::filesystem::exists(e.path() / name / "model")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

json case_meta(const std::string& dir, const std::string& name) {
  return json::parse(read_file(dir + "/" + name + "/expected_meta.json"));
}

// Scores the case's input with the lanes of the JVM that ran Spark (recorded for 4.x).
dbk::scorer::ScoreResult score_case(const std::string& dir, const std::string& name) {
  auto pipeline = dbk::scorer::load_pipeline_model(dir + "/" + name + "/model");
  if (!pipeline.ok()) FAIL(pipeline.error().to_string());
  auto input = dbk::scorer::read_table(dir + "/" + name + "/input");
  if (!input.ok()) FAIL(input.error().to_string());
  dbk::scorer::ScoreOptions options;
  const json meta = case_meta(dir, name);
  if (meta["spark_vector_lanes"].is_number()) {
    options.spark_vector_lanes = meta["spark_vector_lanes"].get<std::size_t>();
  }
  auto result = dbk::scorer::score_table(*pipeline, *input, options);
  if (!result.ok()) FAIL(result.error().to_string());
  return std::move(*result);
}

// Rows whose value of `name` differs from Spark's in any bit (NaN equals NaN), or by more than
// `tolerance` (relative to the larger of 1 and Spark's value) when one is given.
std::size_t rows_differing(const dbk::scorer::ScoreResult& result,
                           const std::vector<json>& expected, const std::string& name,
                           double tolerance = 0) {
  auto close = [tolerance](double got, double want) {
    return same_double(got, want) ||
           std::fabs(got - want) <= tolerance * std::max(1.0, std::fabs(want));
  };
  const ScoredColumn* col = result.find(name);
  REQUIRE(col != nullptr);
  const auto* ids = result.passthrough.find("row_id");
  REQUIRE(ids != nullptr);
  std::map<std::int64_t, std::size_t> by_id;
  for (std::size_t r = 0; r < result.num_rows(); ++r) by_id[ids->ints[r]] = r;
  std::size_t differ = 0;
  for (const auto& row : expected) {
    auto it = by_id.find(row["row_id"].get<std::int64_t>());
    REQUIRE(it != by_id.end());
    const std::size_t r = it->second;
    const json& want = row[name];
    if (want.is_null() || !col->valid[r]) {
      differ += want.is_null() == !col->valid[r] ? 0 : 1;
      continue;
    }
    bool equal = true;
    switch (col->kind) {
      case ScoredColumn::Kind::kString:
        equal = col->strings[r] == want.get<std::string>();
        break;
      case ScoredColumn::Kind::kDouble:
        equal = close(col->numbers[r], json_double(want));
        break;
      case ScoredColumn::Kind::kVector:
        equal = want.size() == col->width;
        for (std::size_t k = 0; equal && k < col->width; ++k) {
          equal = close(col->vector(r)[k], json_double(want[k]));
        }
        break;
    }
    differ += equal ? 0 : 1;
  }
  return differ;
}

void check_bit_exact(const std::string& name) {
  const auto dirs = case_dirs(name);
  REQUIRE(dirs.size() >= 2);  // Spark 3.5 and 4.x
  for (const auto& dir : dirs) {
    INFO(dir << "/" << name);
    const auto result = score_case(dir, name);
    const auto expected = read_jsonl(dir + "/" + name + "/expected.jsonl");
    const json meta = case_meta(dir, name);
    REQUIRE(result.num_rows() == meta["rows"].get<std::size_t>());
    for (const auto& column : meta["added_columns"]) {
      const std::string name = column.get<std::string>();
      INFO("column " << name);
      // Probabilities go through HotSpot's Math.exp, which may differ from the C library's exp
      // in the last bit: they are held to 1e-12, everything else to every bit.
      const double tolerance = name.find("prob") != std::string::npos ? 1e-12 : 0.0;
      CHECK(rows_differing(result, expected, name, tolerance) == 0);
    }
  }
}

}  // namespace

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
    const auto* ids = result.passthrough.find("row_id");
    REQUIRE(ids != nullptr);
    std::size_t sparse_rows = 0;
    for (const auto& column : result.columns) {
      if (column.kind != ScoredColumn::Kind::kVector) continue;
      INFO("column " << column.name);
      std::set<std::int64_t> want;
      if (meta["sparse_rows"].contains(column.name)) {
        for (const auto& id : meta["sparse_rows"][column.name]) want.insert(id.get<std::int64_t>());
      }
      std::set<std::int64_t> got;
      for (std::size_t r = 0; r < result.num_rows(); ++r) {
        if (column.is_sparse(r)) got.insert(ids->ints[r]);
      }
      CHECK(got == want);
      sparse_rows += got.size();
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
