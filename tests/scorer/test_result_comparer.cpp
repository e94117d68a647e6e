// ResultComparer: the batch-fed, bounded-memory join behind compare_results. Every report is
// checked against a plain in-memory hash join (the rules compare_results has always applied).
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <random>
#include <unordered_map>

#include "cell_text.hpp"
#include "compare/compare_row.hpp"
#include "dbk/scorer/compare.hpp"
#include "ml/stage.hpp"

namespace fs = std::filesystem;
using dbk::scorer::Column;
using dbk::scorer::ColumnType;
using dbk::scorer::CompareOptions;
using dbk::scorer::CompareReport;
using dbk::scorer::ResultComparer;
using dbk::scorer::ScoredColumn;
using dbk::scorer::ScoreResult;
using dbk::scorer::Table;
using dbk::scorer::Value;

namespace {

// One row of a synthetic side: key (id, tag; -1 / "" = null), prediction and probability.
struct Row {
  std::int64_t id = 0;
  std::string tag = "a";
  bool pred_null = false;
  double pred = 0;
  int prob_kind = 1;  // 0 null, 1 values, 2 unreadable (expected side only)
  std::vector<double> prob{0.25, 0.75};
};

ScoreResult scored_of(const std::vector<Row>& rows) {
  ScoreResult r;
  Column id{"id", ColumnType::kInt64};
  Column tag{"tag", ColumnType::kString};
  ScoredColumn pred{"prediction", ScoredColumn::Kind::kDouble};
  ScoredColumn prob{"probability", ScoredColumn::Kind::kVector, 2};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& x = rows[i];
    id.valid.push_back(x.id >= 0);
    id.ints.push_back(x.id);
    tag.valid.push_back(!x.tag.empty());
    tag.strings.push_back(x.tag);
    pred.valid.push_back(!x.pred_null);
    pred.numbers.push_back(x.pred);
    prob.valid.push_back(x.prob_kind == 1);
    for (std::size_t k = 0; k < 2; ++k) prob.numbers.push_back(x.prob[k % x.prob.size()]);
    r.source_rows.push_back(i * 3 + 1);  // examples name these
  }
  r.passthrough.columns = {id, tag};
  r.passthrough.num_rows = rows.size();
  r.columns = {pred, prob};
  r.num_input_rows = rows.size() * 3;
  return r;
}

Table expected_of(const std::vector<Row>& rows) {
  Table t;
  Column id{"id", ColumnType::kInt64};
  Column tag{"tag", ColumnType::kString};
  Column pred{"prediction", ColumnType::kDouble};
  Column prob{"probability", ColumnType::kNested};
  for (const auto& x : rows) {
    id.valid.push_back(x.id >= 0);
    id.ints.push_back(x.id);
    tag.valid.push_back(!x.tag.empty());
    tag.strings.push_back(x.tag);
    pred.valid.push_back(!x.pred_null);
    pred.doubles.push_back(x.pred);
    prob.valid.push_back(x.prob_kind != 0);
    Value v;
    if (x.prob_kind == 1) {
      v.kind = Value::Kind::kList;
      for (double d : x.prob) {
        Value e;
        e.kind = Value::Kind::kDouble;
        e.d = d;
        v.items.push_back(e);
      }
    } else if (x.prob_kind == 2) {
      v.kind = Value::Kind::kString;
      v.s = "not a vector";
    }
    prob.nested.push_back(v);
  }
  t.columns = {id, tag, pred, prob};
  t.num_rows = rows.size();
  return t;
}

// The in-memory hash join: expected keys indexed by their first row, scored rows looked up in
// order. Kept here as the oracle the streamed and spilled joins must reproduce.
CompareReport hash_join(const ScoreResult& scored, const Table& expected, const CompareOptions& o) {
  namespace d = dbk::scorer::detail;
  CompareReport report;
  report.rows_scored = scored.num_rows();
  report.rows_expected = expected.num_rows;
  const ScoredColumn* pred = scored.find(o.prediction_column);
  const Column* exp_pred = expected.find(o.prediction_column);
  const ScoredColumn* prob = scored.find(o.probability_column);
  const Column* exp_prob = expected.find(o.probability_column);
  std::vector<std::size_t> match(scored.num_rows(), SIZE_MAX);
  if (o.key_columns.empty()) {
    for (std::size_t r = 0; r < scored.num_rows() && r < expected.num_rows; ++r) match[r] = r;
    if (scored.num_rows() > expected.num_rows)
      report.missing_in_expected = scored.num_rows() - expected.num_rows;
    if (expected.num_rows > scored.num_rows())
      report.missing_in_scored = expected.num_rows - scored.num_rows();
  } else {
    auto sk = *d::row_keys(scored.passthrough, o.key_columns, "s", 0, scored.num_rows());
    auto ek = *d::row_keys(expected, o.key_columns, "e", 0, expected.num_rows);
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t r = 0; r < ek.size(); ++r) {
      if (!index.emplace(ek[r], r).second) ++report.duplicate_keys;
    }
    std::vector<std::uint8_t> used(expected.num_rows, 0);
    for (std::size_t r = 0; r < sk.size(); ++r) {
      auto it = index.find(sk[r]);
      if (it == index.end()) {
        ++report.missing_in_expected;
        continue;
      }
      if (used[it->second]) ++report.duplicate_keys;
      used[it->second] = 1;
      match[r] = it->second;
    }
    for (auto u : used) report.missing_in_scored += u ? 0 : 1;
  }
  std::vector<double> ev;
  for (std::size_t r = 0; r < scored.num_rows(); ++r) {
    const std::size_t e = match[r];
    if (e == SIZE_MAX) continue;
    ++report.rows_compared;
    const bool sn = !pred->valid[r];
    const bool en = exp_pred->is_null(e);
    const double a = pred->numbers[r];
    const double b = en ? 0.0 : exp_pred->number(e);
    if (!((sn && en) || (!sn && !en && (a == b || (std::isnan(a) && std::isnan(b)))))) {
      ++report.prediction_mismatches;
      if (report.examples.size() < o.max_examples) {
        report.examples.push_back("row " + std::to_string(scored.source_rows[r]) + ": prediction " +
                                  (sn ? "null" : d::format_double(a)) + ", expected " +
                                  (en ? "null" : d::format_double(b)));
      }
    }
    const bool pn = !prob->valid[r];
    const bool ok = !exp_prob->is_null(e) && d::vector_from_value(exp_prob->nested[e], ev);
    double diff = 0;
    if (pn || !ok || ev.size() != prob->width) {
      diff = (pn && exp_prob->is_null(e)) ? 0 : HUGE_VAL;
    } else {
      for (std::size_t k = 0; k < ev.size(); ++k) {
        double dd = std::fabs(prob->vector(r)[k] - ev[k]);
        if (std::isnan(dd))
          dd = (std::isnan(prob->vector(r)[k]) && std::isnan(ev[k])) ? 0 : HUGE_VAL;
        diff = std::max(diff, dd);
      }
    }
    report.max_probability_diff = std::max(report.max_probability_diff, diff);
    if (diff > o.probability_tolerance) {
      ++report.probability_mismatches;
      if (report.examples.size() < o.max_examples) {
        report.examples.push_back("row " + std::to_string(scored.source_rows[r]) +
                                  ": probability differs by " + d::format_double(diff));
      }
    }
  }
  return report;
}

void check_same(const CompareReport& got, const CompareReport& want) {
  CHECK(got.rows_scored == want.rows_scored);
  CHECK(got.rows_expected == want.rows_expected);
  CHECK(got.rows_compared == want.rows_compared);
  CHECK(got.missing_in_expected == want.missing_in_expected);
  CHECK(got.missing_in_scored == want.missing_in_scored);
  CHECK(got.duplicate_keys == want.duplicate_keys);
  CHECK(got.prediction_mismatches == want.prediction_mismatches);
  CHECK(got.probability_mismatches == want.probability_mismatches);
  CHECK(got.max_probability_diff == want.max_probability_diff);
  CHECK(got.examples == want.examples);
}

// Spark's side and ours with every case the join distinguishes: equal rows, missing and extra
// keys, duplicates on either side, NaN and null predictions, null, unreadable and wrong-width
// probabilities, small probability differences, null key parts.
std::pair<std::vector<Row>, std::vector<Row>> sides(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Row> scored;
  std::vector<Row> expected;
  for (std::size_t i = 0; i < n; ++i) {
    Row r;
    r.id = static_cast<std::int64_t>(i);
    r.tag = i % 50 == 7 ? "" : (i % 2 ? "odd" : "even");
    r.pred = static_cast<double>(i % 3);
    r.prob = {0.1 * static_cast<double>(i % 10), 1 - 0.1 * static_cast<double>(i % 10)};
    Row e = r;
    switch (i % 23) {
      case 1:
        e.pred = 5;
        break;
      case 2:
        r.pred = NAN;
        e.pred = NAN;
        break;
      case 3:
        r.pred = NAN;
        break;
      case 4:
        r.pred_null = true;
        e.pred_null = true;
        break;
      case 5:
        e.pred_null = true;
        break;
      case 6:
        r.prob_kind = 0;
        e.prob_kind = 0;
        break;
      case 7:
        r.prob_kind = 0;
        break;
      case 8:
        e.prob_kind = 2;
        break;
      case 9:
        e.prob = {0.5, 0.25, 0.25};
        break;
      case 10:
        e.prob[0] += 1e-9;
        break;
      case 11:
        e.prob[1] = NAN;
        r.prob[1] = NAN;
        break;
      default:
        break;
    }
    if (i % 17 != 3) scored.push_back(r);    // missing on our side
    if (i % 19 != 5) expected.push_back(e);  // missing on Spark's side
    if (i % 29 == 4) scored.push_back(r);    // duplicate on our side
    if (i % 31 == 6) {                       // duplicate on Spark's side, other values
      e.pred = 9;
      expected.push_back(e);
    }
  }
  std::shuffle(scored.begin(), scored.end(), rng);
  std::shuffle(expected.begin(), expected.end(), rng);
  return {scored, expected};
}

// Feeds both sides in interleaved batches of random sizes; `lockstep`: the same size on both.
CompareReport feed(ResultComparer& c, const ScoreResult& s, const Table& e, std::uint32_t seed,
                   bool lockstep = false) {
  std::mt19937 rng(seed);
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < s.num_rows() || j < e.num_rows) {
    std::size_t n = rng() % 300;
    REQUIRE(c.add_scored(s, 0, i, i + n));
    i = std::min(i + n, s.num_rows());
    if (!lockstep) n = rng() % 300;
    REQUIRE(c.add_expected(e, j, j + n));
    j = std::min(j + n, e.num_rows);
  }
  auto report = c.finish();
  REQUIRE(report.ok());
  return *report;
}

CompareOptions keyed(std::size_t budget, const std::string& spill_dir = "") {
  CompareOptions o;
  o.key_columns = {"id", "tag"};
  o.max_examples = 7;
  o.memory_budget_bytes = budget;
  o.spill_dir = spill_dir;
  return o;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "dbk-cmp-test-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path); }
  bool empty() const { return fs::is_empty(path); }
};

}  // namespace

TEST_CASE("a comparison beyond its memory budget spills and reports as the hash join does",
          "[compare]") {
  auto [s_rows, e_rows] = sides(3000, 1);
  const auto scored = scored_of(s_rows);
  const auto expected = expected_of(e_rows);
  TempDir tmp;
  auto o = keyed(4096, tmp.path.string());
  const auto want = hash_join(scored, expected, o);
  REQUIRE(want.duplicate_keys > 0);
  REQUIRE(want.missing_in_scored > 0);
  REQUIRE(want.missing_in_expected > 0);
  REQUIRE(want.examples.size() == 7);

  ResultComparer c(o);
  check_same(feed(c, scored, expected, 2), want);
  CHECK_FALSE(c.stats().merged_in_order);
  CHECK(c.stats().spilled_bytes > 0);
  CHECK(c.stats().spill_partitions > 64);  // partitions over the budget were split again
  CHECK(tmp.empty());

  // The whole-table entry gives the same report, in memory or spilled.
  auto whole = dbk::scorer::compare_results(scored, expected, keyed(256 << 20));
  REQUIRE(whole.ok());
  check_same(*whole, want);
  auto spilled = dbk::scorer::compare_results(scored, expected, o);
  REQUIRE(spilled.ok());
  check_same(*spilled, want);
  CHECK(tmp.empty());
}

TEST_CASE("sides in the same key order are compared as they stream, without spilling",
          "[compare]") {
  auto [s_rows, e_rows] = sides(3000, 3);
  auto by_key = [](const Row& a, const Row& b) { return a.id < b.id; };
  std::stable_sort(s_rows.begin(), s_rows.end(), by_key);
  std::stable_sort(e_rows.begin(), e_rows.end(), by_key);
  const auto scored = scored_of(s_rows);
  const auto expected = expected_of(e_rows);
  TempDir tmp;
  // Room for a batch or two of rows, not for the tables (about 500 KB).
  const std::size_t budget = 128 << 10;
  auto o = keyed(budget, tmp.path.string());
  o.keys_ascending = true;
  const auto want = hash_join(scored, expected, o);

  ResultComparer c(o);
  check_same(feed(c, scored, expected, 4, true), want);
  CHECK(c.stats().merged_in_order);
  CHECK(c.stats().spilled_bytes == 0);
  CHECK(c.stats().spill_dir.empty());
  CHECK(c.stats().peak_buffered_bytes <= budget);

  // compare_results sees the order itself.
  auto found = keyed(budget, tmp.path.string());
  auto whole = dbk::scorer::compare_results(scored, expected, found);
  REQUIRE(whole.ok());
  check_same(*whole, want);
  CHECK(tmp.empty());
}

TEST_CASE("without keys rows pair by position in bounded memory", "[compare]") {
  auto [s_rows, e_rows] = sides(2000, 5);
  const auto scored = scored_of(s_rows);
  const auto expected = expected_of(e_rows);
  TempDir tmp;
  CompareOptions o;
  o.memory_budget_bytes = 128 << 10;
  o.spill_dir = tmp.path.string();
  const auto want = hash_join(scored, expected, o);
  REQUIRE(want.missing_in_scored + want.missing_in_expected > 0);
  {
    ResultComparer c(o);
    check_same(feed(c, scored, expected, 6, true), want);
    CHECK(c.stats().spilled_bytes == 0);
    CHECK(c.stats().peak_buffered_bytes <= o.memory_budget_bytes);
  }
  {
    // Every scored row before any of Spark's: the held rows pass the budget and spill.
    ResultComparer c(o);
    REQUIRE(c.add_scored(scored));
    REQUIRE(c.add_expected(expected));
    auto report = c.finish();
    REQUIRE(report.ok());
    check_same(*report, want);
    CHECK(c.stats().spilled_bytes > 0);
  }
  CHECK(tmp.empty());
}

TEST_CASE("spill files live in a private folder that is gone after an error", "[compare]") {
  auto [s_rows, e_rows] = sides(2000, 7);
  const auto scored = scored_of(s_rows);
  auto expected = expected_of(e_rows);
  TempDir tmp;
  ResultComparer c(keyed(4096, tmp.path.string()));
  REQUIRE(c.add_scored(scored));
  REQUIRE_FALSE(c.stats().spill_dir.empty());
  struct stat st {};
  REQUIRE(::stat(c.stats().spill_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK_FALSE(tmp.empty());
  expected.columns.erase(expected.columns.begin());  // no "id"
  auto added = c.add_expected(expected);
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().error_code == "COLUMN_NOT_FOUND");
  CHECK(added.error().message == "expected table has no key column 'id'");
  CHECK(tmp.empty());
  CHECK_FALSE(c.finish().ok());  // the error ends the comparison
}

TEST_CASE("a spill folder that cannot be written is an IO_ERROR, not a report", "[compare]") {
  auto [s_rows, e_rows] = sides(2000, 8);
  const auto scored = scored_of(s_rows);
  TempDir tmp;
  SECTION("missing folder") {
    ResultComparer c(keyed(4096, (tmp.path / "absent").string()));
    auto added = c.add_scored(scored);
    REQUIRE_FALSE(added.ok());
    CHECK(added.error().error_code == "IO_ERROR");
    CHECK(added.error().message.find("cannot create a spill folder in") == 0);
  }
  SECTION("full disk") {
    // A file size limit makes write() fail as a full disk does (EFBIG instead of ENOSPC).
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    rlimit small = old;
    small.rlim_cur = 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    ResultComparer c(keyed(4096, tmp.path.string()));
    dbk::Status added = c.add_scored(scored);
    if (added.ok()) added = c.add_expected(expected_of({}));
    dbk::Status flushed = added;
    if (added.ok()) {
      auto report = c.finish();
      flushed = report.ok() ? dbk::Status{} : dbk::Status(report.error());
    }
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    REQUIRE_FALSE(flushed.ok());
    CHECK(flushed.error().error_code == "IO_ERROR");
    CHECK(flushed.error().message.find("cannot write spill file") == 0);
  }
  CHECK(tmp.empty());
}

TEST_CASE("rows out of the promised key order are refused, not joined wrongly", "[compare]") {
  auto [s_rows, e_rows] = sides(200, 9);
  auto by_key = [](const Row& a, const Row& b) { return a.id < b.id; };
  std::stable_sort(s_rows.begin(), s_rows.end(), by_key);
  std::stable_sort(e_rows.begin(), e_rows.end(), by_key);
  const auto scored = scored_of(s_rows);
  const auto expected = expected_of(e_rows);
  auto o = keyed(1 << 20);
  o.keys_ascending = true;
  ResultComparer c(o);
  REQUIRE(c.add_scored(scored, 0, 100, 200));
  REQUIRE(c.add_expected(expected, 100, 200));
  // Keys below the ones already compared cannot join them any more.
  auto late = c.add_scored(scored, 0, 0, 100);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().error_code == "INVALID_ARGUMENT");
}

TEST_CASE("join keys order integers by value and nulls first", "[compare]") {
  using dbk::scorer::detail::compare_keys;
  CHECK(compare_keys("9", "10") < 0);
  CHECK(compare_keys("-10", "-9") < 0);
  CHECK(compare_keys("-1", "0") < 0);
  CHECK(compare_keys("\x1e", "-5") < 0);
  CHECK(compare_keys("5", "a") < 0);
  CHECK(compare_keys("007", "7") != 0);
  CHECK(compare_keys("1\x1f"
                     "b",
                     "1\x1f"
                     "a") > 0);
  CHECK(compare_keys("1",
                     "1\x1f"
                     "a") < 0);
  CHECK(compare_keys("2\x1f"
                     "a",
                     "10") < 0);
  CHECK(compare_keys("abc", "abc") == 0);
}

TEST_CASE("Spark's table is fed file by file with only the compared columns", "[compare]") {
  auto [s_rows, e_rows] = sides(600, 11);
  for (auto& r : e_rows) r.prob_kind = r.prob_kind == 2 ? 1 : r.prob_kind;  // Parquet holds lists
  const auto scored = scored_of(s_rows);
  const auto expected = expected_of(e_rows);
  TempDir tmp;
  const auto table_dir = tmp.path / "results_output";
  fs::create_directories(table_dir);
  const std::size_t half = e_rows.size() / 2;
  REQUIRE(dbk::scorer::write_parquet_file(
      expected_of({e_rows.begin(), e_rows.begin() + static_cast<std::ptrdiff_t>(half)}),
      (table_dir / "part-00000.parquet").string()));
  REQUIRE(dbk::scorer::write_parquet_file(
      expected_of({e_rows.begin() + static_cast<std::ptrdiff_t>(half), e_rows.end()}),
      (table_dir / "part-00001.parquet").string()));
  auto o = keyed(4096, (tmp.path).string());
  ResultComparer c(o);
  REQUIRE(c.add_scored(scored));
  REQUIRE(dbk::scorer::add_expected_table(c, table_dir.string(), o));
  auto report = c.finish();
  REQUIRE(report.ok());
  check_same(*report, hash_join(scored, expected, o));
  CHECK(c.stats().spilled_bytes > 0);

  ResultComparer absent(o);
  auto missing = dbk::scorer::add_expected_table(absent, (tmp.path / "nope").string(), o);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "RESOURCE_DOES_NOT_EXIST");
}
