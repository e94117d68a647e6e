#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "dbk/result.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer {

/// A Parquet file read one row group at a time: the streaming path of `dbk score`. The file is
/// memory-mapped and each row group's pages are released once decoded, so memory is bounded by
/// one row group whatever the file's size. read_row_group may be called from several threads.
class ParquetFileReader {
 public:
  /// Opens `path` and parses its footer; `options.columns` projects as read_parquet_file does.
  static Result<std::shared_ptr<const ParquetFileReader>> open(
      const std::string& path, const ParquetReadOptions& options = {});
  ~ParquetFileReader();
  ParquetFileReader(const ParquetFileReader&) = delete;
  ParquetFileReader& operator=(const ParquetFileReader&) = delete;

  const std::string& path() const;
  std::size_t num_row_groups() const;
  std::int64_t num_rows() const;  ///< from the footer
  /// The selected columns with their types and Spark metadata, without rows.
  const Table& schema() const;
  /// The rows of row group `g` (< num_row_groups()).
  Result<Table> read_row_group(std::size_t g) const;

 private:
  ParquetFileReader();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dbk::scorer
