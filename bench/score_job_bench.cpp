// `dbk score` without the CLI around it, for bench/score_scale_bench.py where a Release build of
// the whole CLI (the emulator included) is not at hand: the same run_score_job call the CLI
// makes, with the CLI's defaults, printing the -o json figures the script reads.
// Usage: dbk_score_job_bench MODEL INPUT OUTPUT THREADS [COMPARE_WITH]

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dbk/scorer/scorer.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s MODEL INPUT OUTPUT THREADS [COMPARE_WITH]\n", argv[0]);
    return 2;
  }
  dbk::scorer::ScoreJob job;
  job.model = argv[1];
  job.input = argv[2];
  job.output = argv[3];
  job.score.threads = static_cast<unsigned>(std::atoi(argv[4]));
  if (argc > 5) job.compare_with = argv[5];
  job.match_vector_lanes = true;  // the CLI's --spark-vector-lanes auto
  auto report = dbk::scorer::run_score_job(job, nullptr);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.error().to_string().c_str());
    return 1;
  }
  nlohmann::ordered_json j;
  j["rows_input"] = report->rows_input;
  j["rows_scored"] = report->rows_scored;
  j["seconds"] = report->seconds;
  j["scoring_seconds"] = report->scoring_seconds;
  j["output_rows"] = report->output_rows;
  j["output_bytes"] = report->output_bytes;
  if (report->comparison) {
    const auto& c = *report->comparison;
    const auto& s = *report->compare_stats;
    j["comparison"] = {{"rows_compared", c.rows_compared},
                       {"prediction_mismatches", c.prediction_mismatches},
                       {"probability_mismatches", c.probability_mismatches},
                       {"max_probability_diff", c.max_probability_diff},
                       {"merged_in_order", s.merged_in_order},
                       {"spilled_bytes", s.spilled_bytes},
                       {"peak_buffered_bytes", s.peak_buffered_bytes}};
  }
  std::cout << j.dump() << "\n";
  return report->ok() ? 0 : 3;
}
