// Spark's results table fed to ResultComparers a row group at a time, as far as asked.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/compare.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/parquet_reader.hpp"

namespace dbk::scorer::detail {

/// What a comparison reads of Spark's table: the key, prediction and probability columns (and
/// the raw prediction with `with_raw_prediction`); the table's other columns (features, raw
/// vectors) cost far more to decode than these.
ParquetReadOptions compared_columns(const CompareOptions& options, bool with_raw_prediction);

/// Reads the files of a table (list_table_files order) one row group at a time and hands the
/// rows to comparers: only the current row group is held, whatever the table's size.
class ExpectedFeed {
 public:
  ExpectedFeed(std::vector<std::string> files, ParquetReadOptions projection);
  /// Feeds rows until `rows` rows in all have been fed or the table ends (SIZE_MAX: to the
  /// end). Each comparer gets the same rows.
  Status feed(const std::vector<ResultComparer*>& comparers, std::size_t rows);

 private:
  Status next_group();
  std::vector<std::string> files_;
  ParquetReadOptions projection_;
  std::size_t file_ = 0;
  std::size_t group_ = 0;
  std::shared_ptr<const ParquetFileReader> reader_;
  Table batch_;
  std::size_t offset_ = 0;  // rows of batch_ already fed
  std::size_t fed_ = 0;
  bool done_ = false;
};

/// Whether the join keys of a table's files, read row group by row group with only the key
/// columns, never descend (detail::compare_keys). Errors: the reader's, COLUMN_NOT_FOUND.
Result<bool> keys_ascend(const std::vector<std::string>& files,
                         const std::vector<std::string>& keys, const char* side);

}  // namespace dbk::scorer::detail
