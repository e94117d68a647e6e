#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/pipeline.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer {

/// One row of a list-of-strings column (Spark `array<string>`); a null element is nullopt.
using StringList = std::vector<std::optional<std::string>>;

/// A column produced while scoring (or an input column converted for a stage).
struct ScoredColumn {
  enum class Kind {
    kDouble,
    kString,
    kVector,
    kVectorList,  ///< array<vector>: `list_size` vectors of `width` per row (LSH hashes)
    kStringList,  ///< array<string>: one list of strings per row (tokens, n-grams)
  };
  std::string name;
  Kind kind = Kind::kDouble;
  std::size_t width = 0;             ///< kVector: values per row
  std::vector<double> numbers;       ///< kDouble: one per row; kVector: `width` per row
  std::vector<std::string> strings;  ///< kString
  std::vector<std::uint8_t> valid;   ///< 0 = null
  /// kVector: 1 where Spark holds the row's vector as a SparseVector (its dot products then sum
  /// over the non-zeros in order); empty = every row dense.
  std::vector<std::uint8_t> sparse;
  /// kDouble: the values are Spark IntegerType (a clustering model's `prediction`): written as
  /// integer text and Parquet INT32, cast to strings without ".0".
  bool integer = false;
  /// With `integer`: Spark LongType (a SQL BIGINT), written as Parquet INT64. Held as doubles,
  /// so values beyond 2^53 lose their last bits (docs/scorer.md, SQLTransformer).
  bool long_integer = false;
  /// kVectorList: vectors per row (numbers then hold list_size × width per row).
  std::size_t list_size = 0;
  /// kStringList: one list of strings per row (tokens, n-grams).
  std::vector<StringList> string_lists;
  std::size_t size() const { return valid.size(); }
  double number(std::size_t row) const { return numbers[row]; }
  const double* vector(std::size_t row) const { return numbers.data() + row * width; }
  bool is_sparse(std::size_t row) const { return !sparse.empty() && sparse[row] != 0; }
};

struct ScoreOptions {
  /// Optional VectorAssembler applied before the pipeline, as the seed scoring notebook does
  /// outside its pipeline (docs/reference/pipeline.md §4.1). Empty = none.
  std::vector<std::string> assemble_columns;
  std::string assemble_output = "features";
  std::string assemble_handle_invalid = "error";  ///< error | skip | keep (Spark semantics)
  /// Worker threads for tree scoring; 0 = hardware concurrency.
  unsigned threads = 0;
  /// Rows per block in tree-major traversal: each tree's nodes are read once per block, so
  /// large blocks amortise them (smaller blocks are used when a table has too few rows to give
  /// every thread several blocks).
  std::size_t block_rows = 16384;
  /// Walk tree models over per-feature bins where the model allows it (the same comparisons,
  /// made once per row and feature, so the same results); false compares doubles at every node,
  /// to cross-check the two.
  bool binned_trees = true;
  /// Doubles in the widest vector of the JVM that ran Spark 4.x: 4 with AVX2, 8 with AVX-512,
  /// 2 with 128-bit vectors (NEON). Spark 4.x sums GBT trees, and linear and binomial logistic
  /// models' products, with that many fused lanes (docs/scorer.md), so the last bit of their
  /// margins depends on it. Ignored for other versions.
  std::size_t spark_vector_lanes = 4;
  /// Input columns copied to the result (for keys); empty = every flat input column.
  std::vector<std::string> keep_columns;
};

/// Output of scoring: the kept input columns and every column the stages added, for the rows
/// that survive (handleInvalid=skip drops rows as Spark does). Row order = input order.
struct ScoreResult {
  Table passthrough;                     ///< kept input columns, surviving rows only
  std::vector<ScoredColumn> columns;     ///< stage outputs in creation order
  std::vector<std::size_t> source_rows;  ///< input row of each output row
  std::size_t num_input_rows = 0;
  std::size_t num_rows() const { return source_rows.size(); }
  const ScoredColumn* find(const std::string& name) const;
};

/// Scores `input` with `model`. Errors: INVALID_DATA (e.g. unseen label with
/// handleInvalid=error — the message names the stage, column and value), COLUMN_NOT_FOUND.
Result<ScoreResult> score_table(const PipelineModel& model, const Table& input,
                                const ScoreOptions& options = {});

/// Default feature columns for a table scored by a pipeline that reads an assembled `features`
/// column: every numeric column except the excluded names (keys, labels: the caller knows them).
std::vector<std::string> infer_feature_columns(const Table& input,
                                               const std::vector<std::string>& exclude = {});

struct CompareOptions {
  std::vector<std::string> key_columns;  ///< join keys present in both; empty = by row order
  std::string prediction_column = "prediction";
  std::string probability_column = "probability";  ///< skipped when absent on either side
  /// Raw margins, compared exactly only when ScoreJob::match_vector_lanes picks the lanes.
  std::string raw_prediction_column = "rawPrediction";
  double probability_tolerance = 1e-12;
  std::size_t max_examples = 10;
  /// Memory the join may hold (rows buffered, one spilled partition at a time); beyond it the
  /// rows are hash-partitioned by key into files under `spill_dir` (docs/scorer.md).
  std::size_t memory_budget_bytes = std::size_t{256} << 20;
  /// Parent of the private spill folder; empty = $TMPDIR, else /tmp.
  std::string spill_dir;
  /// Both sides arrive in ascending key order (ResultComparer compares them as they stream);
  /// compare_results finds this out itself. Without key columns rows pair by position, which
  /// is always in order.
  bool keys_ascending = false;
};

struct CompareReport {
  std::size_t rows_scored = 0;
  std::size_t rows_expected = 0;
  std::size_t rows_compared = 0;
  std::size_t missing_in_expected = 0;  ///< scored rows whose key is absent in `expected`
  std::size_t missing_in_scored = 0;    ///< expected rows whose key is absent in the result
  std::size_t duplicate_keys = 0;
  std::size_t prediction_mismatches = 0;
  std::size_t probability_mismatches = 0;  ///< beyond the tolerance
  double max_probability_diff = 0;
  std::vector<std::string> examples;  ///< human-readable first mismatches
  bool ok() const {
    return prediction_mismatches == 0 && probability_mismatches == 0 && missing_in_expected == 0 &&
           missing_in_scored == 0 && duplicate_keys == 0;
  }
};

/// Joins the scored rows with a table Spark produced (e.g. the scoring job's results_output)
/// on the key columns and compares prediction exactly and probability within the tolerance.
/// Runs through ResultComparer (dbk/scorer/compare.hpp), so tables larger than the memory
/// budget spill to disk.
Result<CompareReport> compare_results(const ScoreResult& scored, const Table& expected,
                                      const CompareOptions& options);

enum class OutputFormat { kCsv, kJsonLines, kParquet };

/// The format a result file is written in, from its extension (case-insensitive): `.csv`,
/// `.jsonl` or `.json` (JSON lines), `.parquet`. Errors: INVALID_ARGUMENT for any other name.
Result<OutputFormat> output_format(const std::string& path);

/// Writes the result in output_format(path): `.csv`, `.jsonl` or `.parquet`. In CSV and
/// JSON lines vectors are JSON arrays (quoted in CSV) and doubles are printed with 17
/// significant digits (round-trip exact). Parquet holds the same columns with their types
/// (vectors as LIST<DOUBLE>) and is written through a temporary file renamed into place.
Status write_results(const ScoreResult& result, const std::string& path,
                     const ParquetWriteOptions& parquet = {});

}  // namespace dbk::scorer
