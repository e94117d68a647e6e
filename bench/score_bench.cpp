// Native side of the scoring benchmark (bench/score_bench.py runs both sides): loads a saved
// PipelineModel and a Parquet table, scores on one thread, prints JSON with rows/s/core.
// Usage: dbk_score_bench MODEL_DIR DATA_DIR [threads]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dbk/scorer/scorer.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL_DIR DATA_DIR [threads]\n", argv[0]);
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 1u;
  auto t0 = Clock::now();
  auto model = dbk::scorer::load_pipeline_model(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.error().to_string().c_str());
    return 1;
  }
  auto t1 = Clock::now();
  auto table = dbk::scorer::read_table(argv[2]);
  if (!table.ok()) {
    std::fprintf(stderr, "%s\n", table.error().to_string().c_str());
    return 1;
  }
  auto t2 = Clock::now();
  dbk::scorer::ScoreOptions options;
  options.assemble_columns = dbk::scorer::infer_feature_columns(*table);
  options.threads = threads;
  // Best of three: the machine is shared, the minimum is the least disturbed run.
  double best = 1e300;
  std::size_t rows = 0;
  for (int run = 0; run < 3; ++run) {
    auto s0 = Clock::now();
    auto result = dbk::scorer::score_table(*model, *table, options);
    auto s1 = Clock::now();
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", result.error().to_string().c_str());
      return 1;
    }
    rows = result->num_rows();
    best = std::min(best, seconds(s0, s1));
  }
  std::printf(
      "{\"rows\": %zu, \"threads\": %u, \"score_seconds\": %.4f, \"rows_per_second_per_core\": "
      "%.0f, "
      "\"load_seconds\": %.3f, \"read_seconds\": %.3f}\n",
      rows, threads, best, static_cast<double>(rows) / best / threads, seconds(t0, t1),
      seconds(t1, t2));
  return 0;
}
