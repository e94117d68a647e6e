#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <string>

#include "dbk/result.hpp"
#include "dbk/scorer/score.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer {

/// Which way a comparison ran, for tests and benchmarks.
struct CompareStats {
  bool merged_in_order = false;      ///< paired rows as they arrived (keys ascending on both sides)
  std::size_t spilled_bytes = 0;     ///< record bytes written to spill files (0 = none)
  std::size_t spill_partitions = 0;  ///< partition files created, re-splits included
  std::size_t peak_buffered_bytes = 0;  ///< most record bytes held in memory at once
  std::string spill_dir;  ///< the private folder spills went to ("" = none); gone after finish
  std::size_t expected_batches = 0;  ///< add_expected calls
  /// Rows of the largest table add_expected was given: the most of Spark's table held at once
  /// when it is fed by row group (add_expected_table, `dbk score --compare-with`).
  std::size_t largest_expected_batch_rows = 0;
};

/// Compares scored rows with the rows Spark wrote, both fed in batches of any size, in bounded
/// memory, and gives the report compare_results gives for the whole tables.
///
/// With options.keys_ascending (or no key columns) rows are paired as they stream and only the
/// rows one side is ahead of the other are held. Otherwise rows are buffered up to
/// options.memory_budget_bytes; beyond that they are hash-partitioned by key into files in a
/// private folder (mode 0700) under options.spill_dir, compared partition by partition at
/// finish() and removed then, on error, and when the comparer is destroyed.
///
/// Errors (each call; an error ends the comparer): COLUMN_NOT_FOUND for a side without the
/// prediction or a key column (the messages compare_results gives), INVALID_DATA for a batch
/// whose probability column differs from the side's first batch, INVALID_ARGUMENT for a row
/// out of key order under keys_ascending that can no longer be joined exactly, IO_ERROR
/// naming the spill file when the disk is full or unwritable.
class ResultComparer {
 public:
  explicit ResultComparer(CompareOptions options);
  ~ResultComparer();
  ResultComparer(const ResultComparer&) = delete;
  ResultComparer& operator=(const ResultComparer&) = delete;

  /// Rows [begin, end) of a scored batch. Examples name input row first_input_row +
  /// batch.source_rows[r] (the batch's first row's index in the whole input when the batch's
  /// source_rows count from 0).
  Status add_scored(const ScoreResult& batch, std::size_t first_input_row = 0,
                    std::size_t begin = 0,
                    std::size_t end = std::numeric_limits<std::size_t>::max());
  /// Rows [begin, end) of a batch of Spark's table (any row group or file of it).
  Status add_expected(const Table& batch, std::size_t begin = 0,
                      std::size_t end = std::numeric_limits<std::size_t>::max());
  /// Compares what is left and returns the report; call once, after the last batch.
  Result<CompareReport> finish();
  const CompareStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Feeds the table at a local path (Parquet file, part-file folder or Delta table, as
/// read_table reads it) to `comparer` one row group at a time, reading only the key, prediction and
/// probability columns (and the raw prediction with `with_raw_prediction`).
Status add_expected_table(ResultComparer& comparer, const std::string& path,
                          const CompareOptions& options, bool with_raw_prediction = false);

}  // namespace dbk::scorer
