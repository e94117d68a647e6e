// Bounded-memory comparison benchmark: feeds ResultComparer N generated scored rows and the
// same N rows as Spark's side (same order, or a fixed permutation of it) in batches, and prints
// JSON with the wall time, peak RSS and how much spilled. Nothing is read from disk: the figures
// are the join's own cost. Usage: dbk_compare_bench ROWS same|shuffled [budget_MiB] [batch_rows]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>

#include "dbk/scorer/compare.hpp"

namespace {

using dbk::scorer::Column;
using dbk::scorer::ColumnType;
using dbk::scorer::ScoredColumn;
using dbk::scorer::Value;

// Row i of a side in the given order: key id(i), prediction id % 2, probability {p, 1 - p}.
double probability_of(std::uint64_t id) {
  return static_cast<double>(id % 1000) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::strcmp(argv[2], "same") != 0 && std::strcmp(argv[2], "shuffled") != 0)) {
    std::fprintf(stderr, "usage: %s ROWS same|shuffled [budget_MiB] [batch_rows]\n", argv[0]);
    return 2;
  }
  const std::uint64_t rows = std::strtoull(argv[1], nullptr, 10);
  const bool shuffled = std::strcmp(argv[2], "shuffled") == 0;
  const std::size_t budget_mib = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 256;
  const std::size_t batch = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 65536;
  if (rows == 0 || batch == 0) return 2;
  // A permutation of [0, rows): i * step mod rows with step coprime to rows.
  std::uint64_t step = 2654435761ULL % rows;
  while (step == 0 || std::gcd(step, rows) != 1) ++step;
  auto expected_id = [&](std::uint64_t i) {
    return shuffled ? static_cast<std::uint64_t>((static_cast<unsigned __int128>(i) * step) % rows)
                    : i;
  };

  dbk::scorer::CompareOptions options;
  options.key_columns = {"row_id"};
  options.memory_budget_bytes = budget_mib << 20;
  options.keys_ascending = !shuffled;
  dbk::scorer::ResultComparer comparer(options);
  auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t start = 0; start < rows; start += batch) {
    const std::uint64_t n = std::min<std::uint64_t>(batch, rows - start);
    dbk::scorer::ScoreResult scored;
    Column id{"row_id", ColumnType::kInt64};
    ScoredColumn pred{"prediction", ScoredColumn::Kind::kDouble};
    ScoredColumn prob{"probability", ScoredColumn::Kind::kVector, 2};
    dbk::scorer::Table expected;
    Column eid{"row_id", ColumnType::kInt64};
    Column epred{"prediction", ColumnType::kDouble};
    Column eprob{"probability", ColumnType::kNested};
    for (std::uint64_t k = 0; k < n; ++k) {
      const std::uint64_t i = start + k;
      id.valid.push_back(1);
      id.ints.push_back(static_cast<std::int64_t>(i));
      pred.valid.push_back(1);
      pred.numbers.push_back(static_cast<double>(i % 2));
      prob.valid.push_back(1);
      prob.numbers.push_back(probability_of(i));
      prob.numbers.push_back(1 - probability_of(i));
      scored.source_rows.push_back(k);
      const std::uint64_t e = expected_id(i);
      eid.valid.push_back(1);
      eid.ints.push_back(static_cast<std::int64_t>(e));
      epred.valid.push_back(1);
      epred.doubles.push_back(static_cast<double>(e % 2));
      eprob.valid.push_back(1);
      Value v;
      v.kind = Value::Kind::kList;
      v.items.resize(2);
      v.items[0].kind = v.items[1].kind = Value::Kind::kDouble;
      v.items[0].d = probability_of(e);
      v.items[1].d = 1 - probability_of(e);
      eprob.nested.push_back(std::move(v));
    }
    scored.passthrough.columns = {std::move(id)};
    scored.passthrough.num_rows = n;
    scored.columns = {std::move(pred), std::move(prob)};
    expected.columns = {std::move(eid), std::move(epred), std::move(eprob)};
    expected.num_rows = n;
    if (auto st = comparer.add_scored(scored, start); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.error().to_string().c_str());
      return 1;
    }
    if (auto st = comparer.add_expected(expected); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.error().to_string().c_str());
      return 1;
    }
  }
  auto report = comparer.finish();
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.error().to_string().c_str());
    return 1;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto& s = comparer.stats();
  std::printf(
      "{\"rows\": %llu, \"order\": \"%s\", \"budget_mib\": %zu, \"wall_s\": %.2f, "
      "\"rows_per_s\": %.0f, \"peak_rss_mib\": %.1f, \"merged_in_order\": %s, "
      "\"spilled_mib\": %.1f, \"spill_partitions\": %zu, \"rows_compared\": %zu, \"ok\": %s}\n",
      static_cast<unsigned long long>(rows), argv[2], budget_mib, wall,
      static_cast<double>(rows) / wall, static_cast<double>(usage.ru_maxrss) / 1024.0,
      s.merged_in_order ? "true" : "false", static_cast<double>(s.spilled_bytes) / 1048576.0,
      s.spill_partitions, report->rows_compared, report->ok() ? "true" : "false");
  return report->ok() && report->rows_compared == rows ? 0 : 1;
}
