// run_score_job: the whole of `dbk score` behind one library call (docs/scorer.md).
#include "dbk/scorer/score_job.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <thread>

#include "batch_pipeline.hpp"
#include "compare/expected_feed.hpp"
#include "dbk/api_error.hpp"
#include "dbk/scorer/compare.hpp"
#include "dbk/scorer/dataset.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/parquet_reader.hpp"
#include "dbk/scorer/pipeline.hpp"
#include "output_target.hpp"
#include "result_writer.hpp"

namespace dbk::scorer {
namespace {

Status check_columns(const Table& table, const std::vector<std::string>& columns,
                     const std::string& what, const std::string& table_name) {
  for (const auto& column : columns) {
    if (table.find(column) == nullptr) {
      std::string have;
      for (const auto& c : table.columns) have += (have.empty() ? "" : ", ") + c.name;
      return make_error(
          error_codes::kColumnNotFound,
          what + " '" + column + "' is not a column of " + table_name + " (columns: " + have + ")");
    }
  }
  return {};
}

// One batch to score: a row group of one of the input's files.
struct InputBatch {
  std::shared_ptr<const ParquetFileReader> file;
  std::size_t group = 0;
};

// One input file as its footer described it when the input was opened.
struct InputFile {
  std::string path;
  std::size_t rows = 0;
  std::size_t row_groups = 0;
};

// The input's files in order, with what the ETA, the batch count and the column check need.
// No file stays open: each is opened again when the stream reaches it, and its mapping goes as
// soon as its last row group is decoded, so memory does not grow with the number of files.
struct InputFiles {
  std::vector<InputFile> files;
  Table schema;  // the first file's columns, without rows
  std::size_t rows() const {
    std::size_t n = 0;
    for (const auto& f : files) n += f.rows;
    return n;
  }
  std::size_t row_groups() const {
    std::size_t n = 0;
    for (const auto& f : files) n += f.row_groups;
    return n;
  }
  // Opens file `i` to stream it; it must still have the columns of the first file.
  Result<std::shared_ptr<const ParquetFileReader>> open(std::size_t i) const {
    auto file = ParquetFileReader::open(files[i].path);
    if (!file) return std::move(file).error();
    if (auto st = check_same_columns(schema, (*file)->schema(), files[i].path); !st) {
      return st.error();
    }
    return file;
  }
};

// Reads every file's footer (the row count for the ETA, the columns checked up front) and lets
// each go before the next is opened.
Result<InputFiles> open_input(const std::string& local_path) {
  auto names = list_table_files(local_path);
  if (!names) return std::move(names).error();
  if (names->empty()) {
    return make_error(dbk::error_codes::kNotFound, local_path + ": no data files in the folder");
  }
  InputFiles input;
  for (const auto& name : *names) {
    auto file = ParquetFileReader::open(name);
    if (!file) return std::move(file).error();
    if (input.files.empty()) {
      input.schema = (*file)->schema();
    } else if (auto st = check_same_columns(input.schema, (*file)->schema(), name); !st) {
      return st.error();
    }
    input.files.push_back({name,
                           static_cast<std::size_t>(std::max<std::int64_t>((*file)->num_rows(), 0)),
                           (*file)->num_row_groups()});
  }
  return input;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct PassCounts {
  std::size_t rows_input = 0;
  std::size_t rows_scored = 0;
};

// One scoring pass over the input: read a row group, score it, hand it to the sinks in input
// order (see detail::run_ordered_pipeline).
Result<PassCounts> score_pass(const PipelineModel& model, const InputFiles& input,
                              const ScoreOptions& options, std::size_t in_flight,
                              const std::vector<ScoredBatchSink*>& sinks,
                              const std::function<void(const ScoreProgress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t batches = input.row_groups();
  // Batches are scored side by side; a table of fewer batches than threads scores each batch
  // on every thread instead.
  ScoreOptions per_batch = options;
  per_batch.threads = batches >= threads ? 1 : threads;
  const unsigned workers = batches >= threads ? threads : 1;
  for (auto* sink : sinks) {
    if (auto st = sink->begin_pass(options.spark_vector_lanes); !st) return st.error();
  }
  // The file being handed out in batches: its batches share it, and the last of them to be
  // decoded closes it (the reader unmaps the file), once `current` has moved on.
  std::size_t file = 0;
  std::size_t group = 0;
  std::shared_ptr<const ParquetFileReader> current;
  bool empty_sent = false;
  std::function<Result<std::optional<InputBatch>>()> next =
      [&]() -> Result<std::optional<InputBatch>> {
    while (file < input.files.size()) {
      if (!current) {
        auto opened = input.open(file);
        if (!opened) return std::move(opened).error();
        current = std::move(*opened);
        group = 0;
      }
      if (group < current->num_row_groups()) {
        InputBatch batch{current, group++};
        if (group >= current->num_row_groups()) {
          current.reset();
          ++file;
        }
        return std::optional<InputBatch>(std::move(batch));
      }
      current.reset();  // a file without row groups
      ++file;
    }
    // A table without rows still has columns: one empty batch gives the output its header.
    if (batches == 0 && !empty_sent) {
      empty_sent = true;
      return std::optional<InputBatch>(InputBatch{nullptr, SIZE_MAX});
    }
    return std::optional<InputBatch>();
  };
  std::function<Result<ScoreResult>(InputBatch&)> work =
      [&](InputBatch& batch) -> Result<ScoreResult> {
    if (batch.group == SIZE_MAX) return score_table(model, input.schema, per_batch);
    auto table = batch.file->read_row_group(batch.group);
    if (!table) return std::move(table).error();
    batch.file.reset();
    return score_table(model, *table, per_batch);
  };
  PassCounts counts;
  std::function<Status(ScoreResult&)> sink = [&](ScoreResult& scored) -> Status {
    counts.rows_input += scored.num_input_rows;
    counts.rows_scored += scored.num_rows();
    for (auto* s : sinks) {
      if (auto st = s->consume(scored); !st) return st;
    }
    if (progress) {
      ScoreProgress p;
      p.rows_read = counts.rows_input;
      p.rows_total = input.rows();
      p.rows_scored = counts.rows_scored;
      p.seconds = seconds_since(start);
      progress(p);
    }
    return {};
  };
  detail::PipelineLimits limits;
  limits.threads = workers;
  limits.window = in_flight != 0 ? in_flight : 2 * std::size_t{workers} + 1;
  if (auto st = detail::run_ordered_pipeline(next, work, sink, limits); !st) return st.error();
  return counts;
}

// Writes the output columns of each batch (see detail::ResultWriter).
class OutputSink : public ScoredBatchSink {
 public:
  OutputSink(std::unique_ptr<detail::ResultWriter> writer, std::vector<std::string> columns)
      : writer_(std::move(writer)), columns_(std::move(columns)) {}
  Status consume(const ScoreResult& batch) override {
    rows_ += batch.num_rows();
    return writer_->write(detail::select_columns(batch, columns_));
  }
  Status commit() { return writer_->commit(); }
  std::size_t rows() const { return rows_; }
  std::uint64_t bytes() const { return writer_->bytes(); }

 private:
  std::unique_ptr<detail::ResultWriter> writer_;
  std::vector<std::string> columns_;
  std::size_t rows_ = 0;
};

// The comparison of one pass: each scored batch goes to the comparers as it comes, and Spark's
// table is read alongside it as far as the rows scored so far, so sides in the same order pair
// as they stream and neither table is ever held whole.
class CompareSink : public ScoredBatchSink {
 public:
  CompareSink(const CompareOptions& options, bool exact_margins,
              const std::vector<std::string>& files, bool with_raw_prediction)
      : feed_(files, detail::compared_columns(options, with_raw_prediction)) {
    CompareOptions main = options;
    if (exact_margins) {
      // Two joins at once share the memory budget.
      main.memory_budget_bytes /= 2;
      // Raw margins where both sides have them, bit for bit: a GBT classifier's probabilities
      // agree within the tolerance in lanes that round its margins differently.
      CompareOptions exact = main;
      exact.probability_column = options.raw_prediction_column;
      exact.probability_tolerance = 0;
      margins_ = std::make_unique<ResultComparer>(exact);
    }
    main_ = std::make_unique<ResultComparer>(main);
    comparers_.push_back(main_.get());
    if (margins_) comparers_.push_back(margins_.get());
  }
  Status consume(const ScoreResult& batch) override {
    for (auto* c : comparers_) {
      if (auto st = c->add_scored(batch, input_rows_); !st) return st;
    }
    input_rows_ += batch.num_input_rows;
    scored_rows_ += batch.num_rows();
    return feed_.feed(comparers_, scored_rows_);
  }
  /// The rest of Spark's table, then the report; `lanes_match` (with exact_margins) whether the
  /// comparison passed and the margins are equal.
  Result<CompareReport> finish(bool* lanes_match) {
    if (auto st = feed_.feed(comparers_, std::numeric_limits<std::size_t>::max()); !st) {
      return st.error();
    }
    auto report = main_->finish();
    if (!report) return report;
    if (margins_) {
      auto margins = margins_->finish();
      if (!margins) return std::move(margins).error();
      *lanes_match = report->ok() && margins->ok();
    }
    return report;
  }
  const CompareStats& stats() const { return main_->stats(); }

 private:
  detail::ExpectedFeed feed_;
  std::unique_ptr<ResultComparer> main_;
  std::unique_ptr<ResultComparer> margins_;
  std::vector<ResultComparer*> comparers_;
  std::size_t input_rows_ = 0;
  std::size_t scored_rows_ = 0;
};

}  // namespace

Result<ScoreJobReport> run_score_job(const ScoreJob& job, const DbfsApi* dbfs) {
  if (job.model.empty() || job.input.empty()) {
    return make_error(dbk::error_codes::kInvalidArgument, "a model and an input are required");
  }
  // A bad output name fails before anything is fetched.
  std::optional<detail::OutputTarget> target;
  if (!job.output.empty()) {
    auto resolved = detail::resolve_output_target(job.output, job.output_format);
    if (!resolved) return std::move(resolved).error();
    target = std::move(*resolved);
  } else if (!job.output_format.empty() || !job.output_columns.empty()) {
    return make_error(dbk::error_codes::kInvalidArgument,
                      "an output format or output columns need an output");
  }
  const auto job_start = std::chrono::steady_clock::now();
  ScoreJobReport report;

  // Model first: a wrong --model fails before any table is downloaded.
  auto model_dir = resolve_local(dbfs, job.model, job.fetch);
  if (!model_dir) return std::move(model_dir).error();
  report.model_fetch = *model_dir;
  auto model = load_pipeline_model(model_dir->local_path);
  if (!model) return std::move(model).error();
  report.stages = model->stages().size();
  report.spark_version = model->spark_version();

  auto input_dir = resolve_local(dbfs, job.input, job.fetch);
  if (!input_dir) return std::move(input_dir).error();
  report.input_fetch = *input_dir;
  auto input = open_input(input_dir->local_path);
  if (!input) return std::move(input).error();
  const Table& schema = input->schema;
  // Spark's table: its files, read a row group at a time while the input is scored.
  std::vector<std::string> expected_files;
  CompareOptions compare = job.compare;
  compare.key_columns = job.key_columns;
  if (!job.compare_with.empty()) {
    // Keys only join the comparison: without one they are not needed at all.
    if (auto st = check_columns(schema, job.key_columns, "key column", job.input); !st) {
      return st.error();
    }
    auto expected_dir = resolve_local(dbfs, job.compare_with, job.fetch);
    if (!expected_dir) return std::move(expected_dir).error();
    report.expected_fetch = *expected_dir;
    auto files = list_table_files(expected_dir->local_path);
    if (!files) return std::move(files).error();
    if (files->empty()) {
      return make_error(dbk::error_codes::kNotFound,
                        expected_dir->local_path + ": no data files in the folder");
    }
    // A key Spark's table lacks fails before any scoring (the first file's footer tells).
    auto first = ParquetFileReader::open(files->front(), detail::compared_columns(compare, false));
    if (!first) return std::move(first).error();
    if (auto st =
            check_columns((*first)->schema(), job.key_columns, "key column", job.compare_with);
        !st) {
      return st.error();
    }
    // Both sides in ascending key order join as they stream; otherwise the comparer spills
    // key-hashed partitions beyond its budget. Only the key columns are read to find out.
    if (!compare.key_columns.empty()) {
      std::vector<std::string> input_files;
      for (const auto& f : input->files) input_files.push_back(f.path);
      auto ascending = detail::keys_ascend(input_files, compare.key_columns, "scored result");
      if (!ascending) return std::move(ascending).error();
      if (*ascending) {
        ascending = detail::keys_ascend(*files, compare.key_columns, "expected table");
        if (!ascending) return std::move(ascending).error();
      }
      compare.keys_ascending = *ascending;
    }
    expected_files = std::move(*files);
  }

  ScoreOptions options = job.score;
  // A pipeline without its own VectorAssembler reads `features`; the seed notebook assembles it
  // outside the pipeline from the numeric columns (docs/reference/pipeline.md §4.1).
  const auto needed = model->required_input_columns();
  const bool needs_features =
      std::find(needed.begin(), needed.end(), options.assemble_output) != needed.end();
  if (needs_features && schema.find(options.assemble_output) == nullptr &&
      options.assemble_columns.empty()) {
    std::vector<std::string> not_features = job.key_columns;
    not_features.insert(not_features.end(), needed.begin(), needed.end());
    options.assemble_columns = job.feature_columns.empty()
                                   ? infer_feature_columns(schema, not_features)
                                   : job.feature_columns;
    if (auto st = check_columns(schema, options.assemble_columns, "feature column", job.input);
        !st) {
      return st.error();
    }
  }
  report.assembled_columns = options.assemble_columns;
  const bool spark4 = model->spark_version().rfind("4.", 0) == 0;
  if (spark4) report.spark_vector_lanes = options.spark_vector_lanes;
  if (target) {
    // The columns a batch will have, from scoring no rows: unknown names fail before any work.
    auto shape = score_table(*model, schema, options);
    if (!shape) return std::move(shape).error();
    auto columns = detail::output_columns(*shape, job.output_columns, job.key_columns);
    if (!columns) return std::move(columns).error();
    report.output_columns = std::move(*columns);
  }

  // With a Spark 4.x model the lanes are matched on exact margins as well (match_vector_lanes).
  const bool match_lanes = spark4 && job.match_vector_lanes;
  // A pass's output is committed only once the scores it holds are known to be the ones kept.
  std::unique_ptr<OutputSink> output;
  std::unique_ptr<CompareSink> comparison;
  auto run_pass = [&](const ScoreOptions& pass_options, bool write,
                      bool compared) -> Result<PassCounts> {
    std::vector<ScoredBatchSink*> sinks;
    if (write && target) {
      auto writer = detail::open_target_writer(*target, dbfs);
      if (!writer) return std::move(writer).error();
      output = std::make_unique<OutputSink>(std::move(*writer), report.output_columns);
      sinks.push_back(output.get());
    }
    comparison.reset();
    if (compared && !expected_files.empty()) {
      comparison = std::make_unique<CompareSink>(compare, match_lanes, expected_files,
                                                 job.match_vector_lanes);
      sinks.push_back(comparison.get());
    }
    if (job.sink != nullptr) sinks.push_back(job.sink);
    const auto pass_start = std::chrono::steady_clock::now();
    auto counts =
        score_pass(*model, *input, pass_options, job.batches_in_flight, sinks, job.progress);
    report.scoring_seconds += seconds_since(pass_start);
    return counts;
  };
  // The comparison of the pass just run; `matched`: whether its lanes match Spark's exactly.
  auto finish_comparison = [&](bool& matched) -> Result<CompareReport> {
    matched = true;
    auto compared = comparison->finish(&matched);
    if (compared) report.compare_stats = comparison->stats();
    comparison.reset();
    return compared;
  };
  auto counts = run_pass(options, true, true);
  if (!counts) return std::move(counts).error();
  report.rows_input = counts->rows_input;
  report.rows_scored = counts->rows_scored;

  if (!expected_files.empty()) {
    bool matched = true;
    auto first = finish_comparison(matched);
    if (!first) return std::move(first).error();
    report.comparison = std::move(*first);
    // Only an exact match switches lanes, so a real difference still shows in the first scores.
    for (std::size_t lanes : {std::size_t{4}, std::size_t{8}, std::size_t{2}}) {
      if (!match_lanes || matched) break;
      if (lanes == options.spark_vector_lanes) continue;
      ScoreOptions other = options;
      other.spark_vector_lanes = lanes;
      // The input and Spark's table are read again: nothing of a pass is held for the next.
      if (auto rescored = run_pass(other, false, true); !rescored)
        return std::move(rescored).error();
      auto recompared = finish_comparison(matched);
      if (!recompared) return std::move(recompared).error();
      if (!matched) continue;
      report.comparison = std::move(*recompared);
      report.spark_vector_lanes = lanes;
      // The output holds the scores that matched.
      if (target) {
        output.reset();  // the first pass's output is dropped unwritten
        if (auto rewritten = run_pass(other, true, false); !rewritten) {
          return std::move(rewritten).error();
        }
      }
    }
  }
  if (output) {
    if (auto st = output->commit(); !st) return st.error();
    report.output_rows = output->rows();
    report.output_bytes = output->bytes();
  }
  report.seconds = seconds_since(job_start);
  return report;
}

}  // namespace dbk::scorer
