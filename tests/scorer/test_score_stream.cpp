// The streaming path of `dbk score`: the ordered, bounded batch pipeline on its own, and
// run_score_job over a table of many row groups, scored on several threads, against the
// whole-table functions.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "batch_pipeline.hpp"
#include "dbk/api_error.hpp"
#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

using namespace scorer_test;
namespace fs = std::filesystem;
using dbk::scorer::detail::PipelineLimits;
using dbk::scorer::detail::run_ordered_pipeline;

namespace {

struct Counting {
  std::size_t count;
  std::size_t made = 0;
};

// Tasks 0..count-1; the work of task i sleeps a little when i is even, so later tasks often
// finish first and the sink's order depends on the pipeline, not on luck.
dbk::Status run_numbers(Counting& c, PipelineLimits limits, std::vector<int>& seen,
                        std::size_t fail_at = SIZE_MAX,
                        std::atomic<std::size_t>* in_flight = nullptr,
                        std::size_t* max_in_flight = nullptr) {
  std::function<dbk::Result<std::optional<int>>()> next = [&]() -> dbk::Result<std::optional<int>> {
    if (c.made == c.count) return std::optional<int>();
    if (in_flight) {
      const std::size_t now = ++*in_flight;
      if (now > *max_in_flight) *max_in_flight = now;
    }
    return std::optional<int>(static_cast<int>(c.made++));
  };
  std::function<dbk::Result<int>(int&)> work = [&](int& task) -> dbk::Result<int> {
    if (task % 2 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (static_cast<std::size_t>(task) == fail_at) {
      return dbk::make_error("INVALID_DATA", "batch " + std::to_string(task) + " is bad");
    }
    return task;
  };
  std::function<dbk::Status(int&)> sink = [&](int& out) -> dbk::Status {
    seen.push_back(out);
    if (in_flight) --*in_flight;
    return {};
  };
  return run_ordered_pipeline<int, int>(next, work, sink, limits);
}

}  // namespace

TEST_CASE("the batch pipeline hands results over in input order on many threads",
          "[score][stream]") {
  Counting c{300};
  std::vector<int> seen;
  REQUIRE(run_numbers(c, PipelineLimits{4, 9}, seen).ok());
  REQUIRE(seen.size() == 300);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == static_cast<int>(i));
}

TEST_CASE("the batch pipeline holds at most its window of batches", "[score][stream]") {
  Counting c{200};
  std::vector<int> seen;
  std::atomic<std::size_t> in_flight{0};
  std::size_t max_in_flight = 0;
  REQUIRE(run_numbers(c, PipelineLimits{4, 3}, seen, SIZE_MAX, &in_flight, &max_in_flight).ok());
  CHECK(seen.size() == 200);
  CHECK(max_in_flight <= 3);
  CHECK(max_in_flight >= 1);
}

TEST_CASE("an error in one batch stops the pipeline with that error", "[score][stream]") {
  Counting c{1000};
  std::vector<int> seen;
  auto st = run_numbers(c, PipelineLimits{3, 5}, seen, 37);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "batch 37 is bad");
  // Nothing at or after the failed batch reached the sink, and production stopped soon after.
  REQUIRE(seen.size() <= 37);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == static_cast<int>(i));
  CHECK(c.made <= 37 + 5 + 1);
}

TEST_CASE("a sink error stops the pipeline", "[score][stream]") {
  std::size_t made = 0;
  std::function<dbk::Result<std::optional<int>>()> next = [&]() -> dbk::Result<std::optional<int>> {
    if (made == 100) return std::optional<int>();
    return std::optional<int>(static_cast<int>(made++));
  };
  std::function<dbk::Result<int>(int&)> work = [](int& t) -> dbk::Result<int> { return t; };
  std::function<dbk::Status(int&)> sink = [](int& t) -> dbk::Status {
    if (t == 5) return dbk::make_error("IO_ERROR", "disk full");
    return {};
  };
  auto st = run_ordered_pipeline<int, int>(next, work, sink, PipelineLimits{2, 4});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "disk full");
  CHECK(made <= 5 + 4 + 1);
}

namespace {

// The seed forest's input rewritten with row groups of 7 rows (80 rows: 12 batches).
struct ManyGroups {
  fs::path dir = temp_dir("stream");
  std::string input = (dir / "input.parquet").string();
  std::string model = fixtures() + "/spark-3.5/rf_seed/model";
  ManyGroups() {
    auto table = dbk::scorer::read_table(fixtures() + "/spark-3.5/scoring_input");
    REQUIRE(table.ok());
    dbk::scorer::ParquetWriteOptions groups;
    groups.row_group_rows = 7;
    REQUIRE(dbk::scorer::write_parquet_file(*table, input, groups).ok());
  }
  ~ManyGroups() { fs::remove_all(dir); }
  dbk::scorer::ScoreJob job(const std::string& output) const {
    dbk::scorer::ScoreJob job;
    job.model = model;
    job.input = input;
    job.output = output;
    job.feature_columns = tree_pipeline_raw_columns();
    job.score.assemble_handle_invalid = "keep";
    return job;
  }
};

struct FailingSink : dbk::scorer::ScoredBatchSink {
  std::size_t batches = 0;
  dbk::Status consume(const dbk::scorer::ScoreResult&) override {
    if (++batches == 3) return dbk::make_error("IO_ERROR", "the consumer failed");
    return {};
  }
};

}  // namespace

TEST_CASE("a streamed score equals the whole-table score, row for row", "[score][stream]") {
  ManyGroups t;
  auto model = dbk::scorer::load_pipeline_model(t.model);
  REQUIRE(model.ok());
  auto whole_input = dbk::scorer::read_table(t.input);
  REQUIRE(whole_input.ok());
  dbk::scorer::ScoreOptions options;
  options.assemble_columns = tree_pipeline_raw_columns();
  options.assemble_handle_invalid = "keep";
  auto whole = dbk::scorer::score_table(*model, *whole_input, options);
  REQUIRE(whole.ok());
  const std::string expected = (t.dir / "whole.jsonl").string();
  REQUIRE(dbk::scorer::write_results(*whole, expected).ok());
  for (unsigned threads : {1u, 3u}) {
    const std::string streamed =
        (t.dir / ("streamed" + std::to_string(threads) + ".jsonl")).string();
    auto job = t.job(streamed);
    job.score.threads = threads;
    job.batches_in_flight = 2;
    job.output_columns = {"*"};  // every column, as write_results writes them
    auto report = dbk::scorer::run_score_job(job, nullptr);
    REQUIRE(report.ok());
    CHECK(report->rows_input == whole_input->num_rows);
    CHECK(report->rows_scored == whole->num_rows());
    CHECK(read_file(streamed) == read_file(expected));
  }
}

TEST_CASE("a failed streamed score leaves no output and no temporary", "[score][stream]") {
  ManyGroups t;
  for (const char* name : {"out.parquet", "out.csv", "out.jsonl"}) {
    const std::string out = (t.dir / name).string();
    auto job = t.job(out);
    job.score.threads = 2;
    FailingSink sink;
    job.sink = &sink;
    auto report = dbk::scorer::run_score_job(job, nullptr);
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().message == "the consumer failed");
    for (const auto& entry : fs::directory_iterator(t.dir)) {
      CHECK(entry.path().filename() == "input.parquet");
    }
  }
}

namespace {

// Rows `order` of `t`, in that order (flat and nested columns).
dbk::scorer::Table take_rows(const dbk::scorer::Table& t, const std::vector<std::size_t>& order) {
  dbk::scorer::Table out;
  for (const auto& c : t.columns) {
    dbk::scorer::Column n;
    n.name = c.name;
    n.type = c.type;
    n.metadata = c.metadata;
    for (auto r : order) {
      n.valid.push_back(c.valid[r]);
      if (!c.ints.empty()) n.ints.push_back(c.ints[r]);
      if (!c.doubles.empty()) n.doubles.push_back(c.doubles[r]);
      if (!c.strings.empty()) n.strings.push_back(c.strings[r]);
      if (!c.nested.empty()) n.nested.push_back(c.nested[r]);
    }
    out.columns.push_back(std::move(n));
  }
  out.num_rows = order.size();
  return out;
}

// Spark's side of a comparison with the seed forest: the streamed scores' key, prediction and
// probability, written as `files` Parquet files of `order`'s rows with `group_rows`-row groups.
struct ResultsTable {
  dbk::scorer::Table scored;  // in input order
  std::string dir;
};

ResultsTable results_table(const ManyGroups& t, const std::vector<std::size_t>& order,
                           std::size_t files, std::size_t group_rows, std::size_t changed_row) {
  auto job = t.job((t.dir / "spark.parquet").string());
  job.key_columns = {"row_id"};
  auto report = dbk::scorer::run_score_job(job, nullptr);
  REQUIRE(report.ok());
  ResultsTable out;
  auto whole = dbk::scorer::read_table(job.output);
  REQUIRE(whole.ok());
  fs::remove(job.output);
  out.scored = *whole;
  // One prediction Spark disagrees on.
  auto rows = take_rows(*whole, order);
  for (std::size_t r = 0; r < rows.num_rows; ++r) {
    if (order[r] == changed_row) rows.find("prediction")->doubles[r] += 1;
  }
  out.dir = (t.dir / "results_output").string();
  fs::create_directories(out.dir);
  dbk::scorer::ParquetWriteOptions groups;
  groups.row_group_rows = group_rows;
  const std::size_t per_file = (order.size() + files - 1) / files;
  for (std::size_t f = 0; f < files; ++f) {
    std::vector<std::size_t> part;
    for (std::size_t r = f * per_file; r < std::min(order.size(), (f + 1) * per_file); ++r) {
      part.push_back(r);
    }
    const auto name = out.dir + "/part-0000" + std::to_string(f) + ".parquet";
    REQUIRE(dbk::scorer::write_parquet_file(take_rows(rows, part), name, groups).ok());
  }
  return out;
}

}  // namespace

TEST_CASE("score --compare-with in another row order and grouping spills and reports exactly",
          "[score][stream][compare]") {
  ManyGroups t;
  // Spark's rows in another order (a fixed shuffle), in row groups of 5 across 3 files; the
  // input is in row groups of 7.
  std::vector<std::size_t> order(80);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = (i * 37 + 11) % 80;
  auto spark = results_table(t, order, 3, 5, 42);
  auto job = t.job("");
  job.compare_with = spark.dir;
  job.key_columns = {"row_id"};
  job.compare.memory_budget_bytes = 2048;  // a few rows: the join must spill
  job.compare.spill_dir = t.dir.string();
  for (unsigned threads : {1u, 3u}) {
    job.score.threads = threads;
    auto report = dbk::scorer::run_score_job(job, nullptr);
    REQUIRE(report.ok());
    REQUIRE(report->comparison);
    const auto& c = *report->comparison;
    CHECK(c.rows_scored == 80);
    CHECK(c.rows_expected == 80);
    CHECK(c.rows_compared == 80);
    CHECK(c.prediction_mismatches == 1);
    CHECK(c.probability_mismatches == 0);
    CHECK(c.max_probability_diff == 0);
    REQUIRE(c.examples.size() == 1);
    CHECK(c.examples[0].rfind("row 42: prediction ", 0) == 0);
    const auto& stats = *report->compare_stats;
    CHECK_FALSE(stats.merged_in_order);
    CHECK(stats.spilled_bytes > 0);
    // The spill folder is gone: only the inputs are left.
    for (const auto& entry : fs::directory_iterator(t.dir)) {
      CHECK((entry.path().filename() == "input.parquet" ||
             entry.path().filename() == "results_output"));
    }
  }
}

TEST_CASE("score --compare-with reads Spark's table a row group at a time",
          "[score][stream][compare]") {
  ManyGroups t;
  // The same order as the input, in row groups of 5 across 2 files.
  std::vector<std::size_t> order(80);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto spark = results_table(t, order, 2, 5, 3);
  auto job = t.job("");
  job.compare_with = spark.dir;
  job.score.threads = 2;
  for (bool keyed : {true, false}) {
    job.key_columns.clear();
    if (keyed) job.key_columns = {"row_id"};
    auto report = dbk::scorer::run_score_job(job, nullptr);
    REQUIRE(report.ok());
    const auto& c = *report->comparison;
    CHECK(c.rows_compared == 80);
    CHECK(c.prediction_mismatches == 1);
    REQUIRE(c.examples.size() == 1);
    CHECK(c.examples[0].rfind("row 3: prediction ", 0) == 0);
    const auto& stats = *report->compare_stats;
    // Never more than one row group of Spark's table (5 rows) handed over at once, and the
    // rows pair as they stream: nothing spilled, a few rows held.
    CHECK(stats.largest_expected_batch_rows <= 5);
    CHECK(stats.expected_batches >= 16);
    CHECK(stats.merged_in_order);
    CHECK(stats.spilled_bytes == 0);
    CHECK(stats.spill_dir.empty());
  }
}

namespace {

// Fails the job at its third batch, once the comparison has spilled.
struct FailAfterSpill : dbk::scorer::ScoredBatchSink {
  fs::path spill_parent;
  bool spilled = false;
  std::size_t batches = 0;
  dbk::Status consume(const dbk::scorer::ScoreResult&) override {
    if (++batches < 3) return {};
    for (const auto& entry : fs::directory_iterator(spill_parent)) {
      if (entry.path().filename().string().rfind("dbk-compare", 0) == 0) spilled = true;
    }
    return dbk::make_error("IO_ERROR", "the consumer failed");
  }
};

}  // namespace

TEST_CASE("score --compare-with removes its spill files when the job fails",
          "[score][stream][compare]") {
  ManyGroups t;
  std::vector<std::size_t> order(80);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = 79 - i;  // descending: hashed
  auto spark = results_table(t, order, 2, 5, 0);
  const fs::path spill = t.dir / "spill";
  fs::create_directories(spill);
  auto job = t.job((t.dir / "out.parquet").string());
  job.compare_with = spark.dir;
  job.key_columns = {"row_id"};
  job.compare.memory_budget_bytes = 1024;
  job.compare.spill_dir = spill.string();
  job.score.threads = 2;
  SECTION("a failing consumer") {
    FailAfterSpill sink;
    sink.spill_parent = spill;
    job.sink = &sink;
    auto report = dbk::scorer::run_score_job(job, nullptr);
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().message == "the consumer failed");
    CHECK(sink.spilled);
  }
  SECTION("a corrupt file of Spark's table") {
    // The second file is read only after the first has been fed (and spilled).
    std::ofstream(spark.dir + "/part-00001.parquet", std::ios::binary | std::ios::trunc)
        << "PAR1 not a parquet file";
    auto report = dbk::scorer::run_score_job(job, nullptr);
    REQUIRE_FALSE(report.ok());
  }
  CHECK(fs::is_empty(spill));
  CHECK_FALSE(fs::exists(job.output));
}
