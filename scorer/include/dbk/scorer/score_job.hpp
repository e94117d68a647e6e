#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/compare.hpp"
#include "dbk/scorer/dbfs_cache.hpp"
#include "dbk/scorer/score.hpp"

namespace dbk {
class DbfsApi;
}

namespace dbk::scorer {

/// Receives the scored batches of run_score_job in input order, one call at a time from one
/// thread, while later batches are being read and scored: the place to plug in a consumer that
/// must see every scored row (a batch-fed comparison, a custom writer). A job scores in passes:
/// one, or more with ScoreJob::match_vector_lanes, each from the first row again.
class ScoredBatchSink {
 public:
  virtual ~ScoredBatchSink() = default;
  /// A pass begins, scoring with `spark_vector_lanes` (see ScoreOptions).
  virtual Status begin_pass(std::size_t spark_vector_lanes) {
    (void)spark_vector_lanes;
    return {};
  }
  /// One batch (a Parquet row group of the input): its rows, their scores. An error stops the
  /// job with that error.
  virtual Status consume(const ScoreResult& batch) = 0;
};

/// How far a scoring pass is, after each batch written (ScoreJob::progress).
struct ScoreProgress {
  std::size_t rows_read = 0;    ///< input rows of the batches done
  std::size_t rows_total = 0;   ///< the input's rows, from the Parquet footers
  std::size_t rows_scored = 0;  ///< rows out of the batches done
  double seconds = 0;           ///< since the pass began
};

/// Everything `dbk score` does, as one call: resolve the model, input and expected table
/// (dbfs:/ paths are fetched into the cache, local paths are used as they are), score, compare
/// and write. Embedders fill this instead of chaining the lower-level functions.
struct ScoreJob {
  std::string model;         ///< PipelineModel folder: dbfs:/... or local
  std::string input;         ///< table to score: dbfs:/... or local (file, part-file folder, Delta)
  std::string compare_with;  ///< optional: the table Spark wrote (e.g. results_output)
  /// Optional: where the scored rows go: a .parquet, .csv or .jsonl file, a local folder
  /// (existing, or named with a trailing `/`) or a dbfs:/ path, which get Parquet part files.
  std::string output;
  /// parquet | csv | jsonl; empty = from `output`'s name (Parquet for folders).
  std::string output_format;
  /// Columns written: empty = the key columns, `prediction` and `probability`; {"*"} = every
  /// kept input column and every column the stages made. Input columns come first.
  std::vector<std::string> output_columns;
  /// Join keys for the comparison (only read with compare_with); empty = compare by row order.
  std::vector<std::string> key_columns;
  /// Columns to assemble into `features` when the model needs a `features` column the input
  /// lacks (a pipeline without its own VectorAssembler); empty = infer_feature_columns() less
  /// the key columns and the columns the pipeline reads itself (e.g. a label's StringIndexer).
  std::vector<std::string> feature_columns;
  FetchOptions fetch;
  ScoreOptions score;
  CompareOptions compare;  ///< key_columns is taken from `key_columns` above
  /// With compare_with and a model saved by Spark 4.x, whose GBT and linear margins depend on
  /// the vector width of the machine Spark ran on (ScoreOptions::spark_vector_lanes): when the
  /// comparison finds mismatches, score again with the other lane counts (4, 8, 2) and keep the
  /// first whose scores match Spark's table exactly: predictions and, where both sides have
  /// them, raw margins (compare.raw_prediction_column) bit for bit, since probabilities agree
  /// within the tolerance even where the margins' last bits differ. Otherwise the first scores
  /// stand.
  bool match_vector_lanes = false;
  /// Optional: sees every scored batch (see ScoredBatchSink); not owned.
  ScoredBatchSink* sink = nullptr;
  /// Batches scored at once (score.threads of them; 0 = the hardware threads) and batches held
  /// between reading and writing: memory is bounded by this many row groups and the model.
  std::size_t batches_in_flight = 0;  ///< 0 = twice the threads, plus one
  /// Optional: called after each batch written, from the writer thread (keep it short).
  std::function<void(const ScoreProgress&)> progress;
};

struct ScoreJobReport {
  FetchReport model_fetch;
  FetchReport input_fetch;
  std::optional<FetchReport> expected_fetch;
  std::size_t stages = 0;
  std::string spark_version;
  std::vector<std::string> assembled_columns;  ///< non-empty when the job assembled `features`
  std::size_t rows_input = 0;
  std::size_t rows_scored = 0;
  double seconds = 0;          ///< wall time of the whole job (fetching included)
  double scoring_seconds = 0;  ///< wall time of the scoring pass(es): read, score, write
  std::vector<std::string> output_columns;  ///< the columns written (with an output)
  std::size_t output_rows = 0;
  std::uint64_t output_bytes = 0;           ///< bytes of the output file(s)
  std::optional<CompareReport> comparison;  ///< set when compare_with was given
  /// How the kept comparison ran: in order or spilled, the memory it held, the most rows of
  /// Spark's table read at once (set with comparison).
  std::optional<CompareStats> compare_stats;
  /// The lanes the scores were summed in for a Spark 4.x model (see match_vector_lanes), else 0.
  std::size_t spark_vector_lanes = 0;
  bool ok() const { return !comparison || comparison->ok(); }
};

/// Runs the job: the input is read a row group at a time (across the files of a folder or a
/// Delta table), each batch scored on one of score.threads workers, and written to `output`
/// in input order as soon as the batches before it are, so memory stays bounded by the batches
/// in flight whatever the table's size. With compare_with each scored batch is fed to a
/// ResultComparer and Spark's table is read a row group at a time alongside it, so neither
/// table is held whole: sides in ascending key order (or compared by row order) join as they
/// stream, others spill key-hashed runs under compare.spill_dir beyond
/// compare.memory_budget_bytes. The output appears whole or not at all.
/// Runs the job. `dbfs` may be nullptr when no path is a dbfs:/ path. Errors (one line each):
/// NOT_FOUND for missing paths, MODEL_CORRUPT / UNSUPPORTED_STAGE for a folder that is not a
/// supported PipelineModel, COLUMN_NOT_FOUND for an unknown key (with compare_with) or feature
/// column (checked before scoring), the scorer's and DBFS's own errors. A comparison with
/// mismatches is not an error: see ScoreJobReport::ok().
Result<ScoreJobReport> run_score_job(const ScoreJob& job, const DbfsApi* dbfs);

}  // namespace dbk::scorer
