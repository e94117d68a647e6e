// `dbk score`: scores a saved Spark PipelineModel natively and, with --compare-with, checks
// the result against the table a scoring job wrote. Thin: the work is
// dbk::scorer::run_score_job (docs/scorer.md).
#include <chrono>
#include <cmath>
#include <iomanip>
#include <mutex>
#include <sstream>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "app/invocation.hpp"
#include "commands/common.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/internal/text.hpp"
#include "dbk/scorer/scorer.hpp"
#include "output/terminal_text.hpp"
#include "util/duration.hpp"
#include "util/terminal.hpp"

namespace dbk::cli {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, ',')) {
    auto begin = part.find_first_not_of(" \t");
    auto end = part.find_last_not_of(" \t");
    if (begin != std::string::npos) parts.push_back(part.substr(begin, end - begin + 1));
  }
  return parts;
}

std::string format_double(double value) {
  std::ostringstream out;
  out << std::setprecision(6) << value;
  return out.str();
}

nlohmann::ordered_json fetch_json(const std::string& path, const scorer::FetchReport& fetch) {
  nlohmann::ordered_json j;
  j["path"] = path;
  j["local_path"] = fetch.local_path;
  if (scorer::is_dbfs_uri(path)) {
    j["files"] = fetch.files;
    j["downloaded"] = fetch.downloaded;
    j["cached"] = fetch.reused;
  }
  return j;
}

std::string fetch_text(const std::string& path, const scorer::FetchReport& fetch) {
  if (!scorer::is_dbfs_uri(path)) return path;
  return path + " (" + std::to_string(fetch.files) + " files: " + std::to_string(fetch.downloaded) +
         " downloaded, " + std::to_string(fetch.reused) + " from cache)";
}

// Rows per second of the scoring pass(es); 0 before any.
double rows_per_second(const scorer::ScoreJobReport& report) {
  return report.scoring_seconds > 0
             ? static_cast<double>(report.rows_input) / report.scoring_seconds
             : 0;
}

std::string whole(double value) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << value;
  return out.str();
}

// A progress line on a terminal's stderr, rewritten at most four times a second: rows, rows/s
// and, with the total from the Parquet footers, the estimated time left.
class ProgressLine {
 public:
  explicit ProgressLine(Invocation& inv)
      : err_(inv.err()), live_(live_progress_enabled(inv.io())) {}
  ~ProgressLine() { clear(); }
  bool live() const { return live_; }
  void update(const scorer::ScoreProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    if (shown_ && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    shown_ = true;
    const double rate = p.seconds > 0 ? static_cast<double>(p.rows_read) / p.seconds : 0;
    std::string line = "Scoring: " + std::to_string(p.rows_read);
    if (p.rows_total != 0) line += " of " + std::to_string(p.rows_total);
    line += " rows, " + whole(rate) + " rows/s";
    if (p.rows_total > p.rows_read && rate > 0) {
      const auto left = static_cast<double>(p.rows_total - p.rows_read) / rate;
      line +=
          ", ETA " + format_elapsed(std::chrono::milliseconds(static_cast<long long>(left * 1000)));
    }
    err_ << "\r\033[K" << line << std::flush;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shown_) err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  std::ostream& err_;
  bool live_;
  std::mutex mutex_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_;
};

// The job the flags describe; usage errors before anything is fetched.
Result<scorer::ScoreJob> score_job_from(const Invocation& inv) {
  scorer::ScoreJob job;
  job.model = inv.value("model").value_or("");
  job.input = inv.value("input").value_or("");
  if (job.model.empty()) return usage_error("Missing option '--model'.");
  if (job.input.empty()) return usage_error("Missing option '--input'.");
  job.output = inv.value("output").value_or("");
  job.output_format = internal::ascii_lower(inv.value("format").value_or(""));
  if (auto columns = inv.value("columns")) {
    job.output_columns = split_list(*columns);
    if (job.output_columns.empty()) {
      return usage_error("Invalid value for '--columns': no column names.");
    }
  }
  if (job.output.empty() && (inv.value("format") || inv.value("columns"))) {
    return usage_error("'--format' and '--columns' need '--output'.");
  }
  job.compare_with = inv.value("compare-with").value_or("");
  if (auto keys = inv.value("key")) {
    job.key_columns = split_list(*keys);
    if (job.key_columns.empty()) {
      return usage_error("Invalid value for '--key': no column names.");
    }
  }
  if (auto features = inv.value("features")) job.feature_columns = split_list(*features);
  if (auto invalid = inv.value("handle-invalid")) {
    job.score.assemble_handle_invalid = internal::ascii_lower(*invalid);
  }
  if (auto dir = inv.value("cache-dir")) job.fetch.cache_dir = *dir;
  auto concurrency = concurrency_option(inv);
  if (!concurrency) return concurrency.error();
  job.fetch.parallelism = *concurrency;
  auto threads = inv.int_value("threads");
  if (!threads) return threads.error();
  if (*threads) {
    if (**threads < 0 || **threads > 1024) {
      return usage_error("Invalid value for '--threads': must be between 0 and 1024.");
    }
    job.score.threads = static_cast<unsigned>(**threads);
  }
  // The parser has checked the value against the option's choices (auto, 2, 4, 8).
  std::string lanes = internal::ascii_lower(inv.value("spark-vector-lanes").value_or("auto"));
  job.match_vector_lanes = lanes == "auto";
  if (lanes != "auto") job.score.spark_vector_lanes = static_cast<std::size_t>(std::stoul(lanes));
  return job;
}

nlohmann::ordered_json report_json(const scorer::ScoreJob& job,
                                   const scorer::ScoreJobReport& report) {
  nlohmann::ordered_json j;
  j["model"] = fetch_json(job.model, report.model_fetch);
  j["model"]["stages"] = report.stages;
  j["model"]["spark_version"] = report.spark_version;
  j["input"] = fetch_json(job.input, report.input_fetch);
  j["rows_input"] = report.rows_input;
  j["rows_scored"] = report.rows_scored;
  j["seconds"] = report.seconds;
  j["scoring_seconds"] = report.scoring_seconds;
  j["rows_per_second"] = rows_per_second(report);
  if (report.spark_vector_lanes != 0) j["spark_vector_lanes"] = report.spark_vector_lanes;
  if (!report.assembled_columns.empty()) j["assembled_features"] = report.assembled_columns;
  if (!job.output.empty()) {
    j["output"] = job.output;
    j["output_columns"] = report.output_columns;
    j["output_rows"] = report.output_rows;
    j["output_bytes"] = report.output_bytes;
  }
  if (report.comparison) {
    const auto& c = *report.comparison;
    nlohmann::ordered_json cj = fetch_json(job.compare_with, *report.expected_fetch);
    cj["key"] = job.key_columns;
    cj["rows_expected"] = c.rows_expected;
    cj["rows_compared"] = c.rows_compared;
    cj["prediction_mismatches"] = c.prediction_mismatches;
    cj["probability_mismatches"] = c.probability_mismatches;
    cj["max_probability_diff"] = c.max_probability_diff;
    cj["missing_in_expected"] = c.missing_in_expected;
    cj["missing_in_scored"] = c.missing_in_scored;
    cj["duplicate_keys"] = c.duplicate_keys;
    cj["examples"] = c.examples;
    if (report.compare_stats) {
      // How the join ran: in order as the rows streamed, or spilled to disk.
      cj["merged_in_order"] = report.compare_stats->merged_in_order;
      cj["spilled_bytes"] = report.compare_stats->spilled_bytes;
      cj["peak_buffered_bytes"] = report.compare_stats->peak_buffered_bytes;
    }
    j["comparison"] = cj;
  }
  j["ok"] = report.ok();
  return j;
}

void print_report_text(std::ostream& out, const scorer::ScoreJob& job,
                       const scorer::ScoreJobReport& report) {
  out << "Model:  " << fetch_text(job.model, report.model_fetch) << "\n"
      << "        " << report.stages << " stages, Spark " << report.spark_version << "\n"
      << "Input:  " << fetch_text(job.input, report.input_fetch) << "\n";
  if (!report.assembled_columns.empty()) {
    out << "Assembled features from " << report.assembled_columns.size() << " columns\n";
  }
  out << "Rows scored: " << report.rows_scored << " of " << report.rows_input << "\n";

  if (report.spark_vector_lanes != 0) {
    out << "Spark 4.x vector lanes: " << report.spark_vector_lanes << "\n";
  }
  if (!job.output.empty()) {
    std::string columns;
    for (const auto& c : report.output_columns) columns += (columns.empty() ? "" : ", ") + c;
    out << "Wrote " << report.output_rows << " rows (" << columns << ") to " << job.output << "\n";
  }
  if (report.comparison) {
    const auto& c = *report.comparison;
    out << "Compared with: " << fetch_text(job.compare_with, *report.expected_fetch) << "\n";
    std::string keys;
    for (const auto& k : job.key_columns) keys += (keys.empty() ? "" : ",") + k;
    out << "Rows compared: " << c.rows_compared << " ("
        << (keys.empty() ? "by row order" : "key " + keys) << "; " << c.rows_expected
        << " expected)\n"
        << "Prediction mismatches: " << c.prediction_mismatches << "\n"
        << "Probability mismatches: " << c.probability_mismatches << "\n"
        << "Max |probability diff|: " << format_double(c.max_probability_diff) << "\n";
    if (c.missing_in_expected) out << "Missing in expected: " << c.missing_in_expected << "\n";
    if (c.missing_in_scored) out << "Missing in scored: " << c.missing_in_scored << "\n";
    if (c.duplicate_keys) out << "Duplicate keys: " << c.duplicate_keys << "\n";
    // Examples quote the data's keys and values: printed without escape sequences.
    for (const auto& example : c.examples) out << "  " << terminal_safe(example) << "\n";
  }
  out.flush();
}

CommandStatus run_score(Invocation& inv) {
  auto job = score_job_from(inv);
  if (!job) return job.error();
  // A workspace client only when something lives in DBFS: local folders need no profile.
  std::optional<Client> client;
  if (scorer::is_dbfs_uri(job->model) || scorer::is_dbfs_uri(job->input) ||
      scorer::is_dbfs_uri(job->compare_with) || scorer::is_dbfs_uri(job->output)) {
    auto made = inv.client();
    if (!made) return made.error();
    client = *made;
  }
  ProgressLine progress(inv);
  if (progress.live()) job->progress = [&](const scorer::ScoreProgress& p) { progress.update(p); };
  auto report = scorer::run_score_job(*job, client ? &client->dbfs() : nullptr);
  progress.clear();
  if (!report) return report.error();
  if (progress.live()) {
    inv.err() << "Scored " << report->rows_input << " rows in "
              << format_elapsed(std::chrono::milliseconds(
                     static_cast<long long>(report->scoring_seconds * 1000)))
              << " (" << whole(rows_per_second(*report)) << " rows/s)\n";
  }

  const int code = report->ok() ? exit_codes::kOk : exit_codes::kMismatch;
  if (inv.output_format() == OutputFormat::kJson) {
    print_json(inv, report_json(*job, *report));
    return code;
  }
  print_report_text(inv.out(), *job, *report);
  if (code != exit_codes::kOk) {
    inv.err() << "Error: the scored rows differ from " << job->compare_with << ".\n";
  }
  return code;
}

}  // namespace

void add_score_commands(std::vector<CommandSpec>& table) {
  auto spec = command("score", "",
                      "Score a saved Spark PipelineModel natively and compare with Spark's output.",
                      run_score);
  spec.description =
      "--model, --input and --compare-with take dbfs:/ paths (fetched in parallel into a local "
      "cache, reused while size and modification time are unchanged) or local paths. Tables "
      "are Parquet files, folders of part files or Delta tables, read a row group at a time and "
      "scored on --threads cores, so memory stays bounded whatever the table's size; the output "
      "keeps the input's row order and appears whole or not at all. Exit code 3 when "
      "--compare-with finds mismatching or missing rows.";
  spec.options = {
      value("model", 0, "PATH", "Saved PipelineModel folder (dbfs:/... or local). Required."),
      value("input", 0, "PATH", "Table to score (dbfs:/... or local). Required."),
      value("output", 0, "PATH",
            "Write the scored rows to a .parquet, .csv or .jsonl file, or as Parquet part files "
            "to a folder (an existing one or PATH/) or a dbfs:/ path (uploaded, then moved into "
            "place)."),
      value("format", 0, "FORMAT", "Output format, instead of the one --output's name gives.",
            {"parquet", "csv", "jsonl"}),
      value("columns", 0, "COLS",
            "Output columns (default: the --key columns, prediction and probability; * for "
            "every input and scored column)."),
      value("compare-with", 0, "PATH",
            "Table Spark wrote (e.g. results_output): compare predictions and probabilities."),
      value("key", 0, "COLS",
            "Key columns: written to --output, and the join columns of --compare-with "
            "(default: compare by row order)."),
      value("features", 0, "COLS",
            "Columns to assemble into `features` when the model has no VectorAssembler "
            "(default: numeric columns except --key and the columns the model reads)."),
      value("handle-invalid", 0, "MODE",
            "What assembling --features does with NaN/null: error (default), skip or keep.",
            {"error", "skip", "keep"}),
      value("cache-dir", 0, "DIR", "Cache of fetched DBFS files (default ~/.cache/dbk/dbfs)."),
      value("concurrency", 0, "N", "Parallel downloads (default 8)."),
      value("threads", 0, "N", "Scoring threads (default: all cores)."),
      value("spark-vector-lanes", 0, "N",
            "Doubles per vector on the machines that ran Spark 4.x: 4 with AVX2, 8 with AVX-512, "
            "2 with 128-bit vectors. Spark 4.x sums GBT trees and linear models' products in "
            "that many lanes. auto (default): 4, or with --compare-with the first of 4, 8 and 2 "
            "whose scores match Spark's exactly.",
            {"auto", "2", "4", "8"}),
  };
  table.push_back(std::move(spec));
}

}  // namespace dbk::cli
