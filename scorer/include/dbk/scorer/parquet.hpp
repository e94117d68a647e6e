#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer {

// Error codes of the reader (ApiError::error_code); messages always name the file.
namespace error_codes {
inline constexpr const char* kParquetCorrupt = "PARQUET_CORRUPT";
inline constexpr const char* kParquetUnsupported = "PARQUET_UNSUPPORTED";
inline constexpr const char* kDeltaUnsupported = "DELTA_UNSUPPORTED";
inline constexpr const char* kDeltaCorrupt = "DELTA_CORRUPT";
inline constexpr const char* kSchemaMismatch = "SCHEMA_MISMATCH";
inline constexpr const char* kColumnNotFound = "COLUMN_NOT_FOUND";
inline constexpr const char* kModelCorrupt = "MODEL_CORRUPT";
inline constexpr const char* kUnsupportedStage = "UNSUPPORTED_STAGE";
inline constexpr const char* kInvalidData = "INVALID_DATA";
}  // namespace error_codes

struct ParquetReadOptions {
  /// Top-level column names to read, in this order; empty = every column in file order.
  std::vector<std::string> columns;
  /// With `columns`: leave out the names the file lacks instead of failing (COLUMN_NOT_FOUND).
  bool skip_missing_columns = false;
  /// Check page CRCs when the writer stored them.
  bool verify_crc = true;
};

/// Key/value pairs and facts from a file footer (for diagnostics and Spark schema JSON).
struct ParquetFileInfo {
  std::int64_t num_rows = 0;
  std::string created_by;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  std::vector<std::string> top_level_columns;
};

/// One numeric leaf column with at most one repeated level, decoded without building nested
/// values: the fast path for large model tables (a 200-tree forest has millions of node rows).
struct LeafArray {
  std::size_t rows = 0;
  bool repeated = false;
  std::vector<std::size_t> offsets;   ///< repeated: rows+1 offsets into `values`
  std::vector<std::uint8_t> present;  ///< per row (not repeated) or per element; 0 = null
  std::vector<double> values;         ///< numeric value per slot (0 when absent)
};

/// Reads the leaves named by dotted paths ("nodeData.impurityStats" — single-child groups such
/// as LIST's `list.element` are followed down to the leaf).
Result<std::vector<LeafArray>> read_parquet_leaf_arrays(std::string_view bytes,
                                                        const std::string& name,
                                                        const std::vector<std::string>& paths);

/// Reads a whole Parquet file held in memory. `name` is used in error messages.
Result<Table> read_parquet_bytes(std::string_view bytes, const std::string& name,
                                 const ParquetReadOptions& options = {});
/// Reads a Parquet file from disk.
Result<Table> read_parquet_file(const std::string& path, const ParquetReadOptions& options = {});
/// Parses only the footer.
Result<ParquetFileInfo> read_parquet_info(std::string_view bytes, const std::string& name);

struct ParquetWriteOptions {
  /// Rows per row group (the last one holds the rest); readers parallelise over groups.
  std::size_t row_group_rows = 1000000;
  /// Uncompressed value bytes after which a data page is closed (pages end on a row).
  std::size_t page_bytes = 1048576;
};

/// Writes `table` as one Parquet file (Snappy, PLAIN values, data pages v1) through a
/// temporary sibling renamed into place, so `path` is either whole or untouched. Flat columns
/// keep their types (decimals as DECIMAL, timestamps as INT64 micros adjusted to UTC); nested
/// columns must hold Spark ML vectors or lists of numbers and become LIST<DOUBLE>. Every column
/// is nullable. Errors: INVALID_DATA (another nested value, a decimal outside its precision),
/// IO_ERROR naming `path`.
Status write_parquet_file(const Table& table, const std::string& path,
                          const ParquetWriteOptions& options = {});

}  // namespace dbk::scorer
