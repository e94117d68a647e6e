// Native side of the scoring benchmark (bench/score_bench.py runs both sides): loads a saved
// PipelineModel and a Parquet table, scores on one thread, prints JSON with rows/s/core.
// Usage: dbk_score_bench MODEL_DIR DATA_DIR [threads] [block_rows]

#include <time.h>

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
  // The scenario's keys and labels are not features.
  options.assemble_columns = dbk::scorer::infer_feature_columns(
      *table, {"machineID", "dt_truncated", "failure", "label_e", "model", "model_encoded"});
  options.threads = threads;
  if (argc > 4) options.block_rows = static_cast<std::size_t>(std::atol(argv[4]));
  // Best of three: the machine is shared, the minimum is the least disturbed run. The process's
  // CPU time is measured too: on a loaded machine wall time mostly measures the wait for a core.
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  double best = 1e300;
  double best_cpu = 1e300;
  std::size_t rows = 0;
  for (int run = 0; run < 3; ++run) {
    auto s0 = Clock::now();
    const double c0 = cpu_now();
    auto result = dbk::scorer::score_table(*model, *table, options);
    const double c1 = cpu_now();
    auto s1 = Clock::now();
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", result.error().to_string().c_str());
      return 1;
    }
    rows = result->num_rows();
    best = std::min(best, seconds(s0, s1));
    best_cpu = std::min(best_cpu, c1 - c0);
  }
  std::printf(
      "{\"rows\": %zu, \"threads\": %u, \"score_seconds\": %.4f, \"rows_per_second_per_core\": "
      "%.0f, "
      "\"cpu_seconds\": %.4f, \"rows_per_cpu_second\": %.0f, "
      "\"load_seconds\": %.3f, \"read_seconds\": %.3f}\n",
      rows, threads, best, static_cast<double>(rows) / best / threads, best_cpu,
      static_cast<double>(rows) / best_cpu, seconds(t0, t1), seconds(t1, t2));
  return 0;
}
