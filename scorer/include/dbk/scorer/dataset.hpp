#pragma once

#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer {

/// Reads a table stored at a local path:
///  * a single Parquet file;
///  * a folder of part files read as one table (names beginning with `_` or `.` are skipped,
///    files taken in name order);
///  * a Delta table (a folder with `_delta_log/`): only the files live at the latest version
///    (JSON commits after the last Parquet checkpoint) are read. Tables with deletion vectors or
///    column mapping are refused with DELTA_UNSUPPORTED rather than read wrongly.
/// `options.columns` projects top-level columns.
Result<Table> read_table(const std::string& path, const ParquetReadOptions& options = {});

/// The Parquet files `read_table` would read, in order.
Result<std::vector<std::string>> list_table_files(const std::string& path);

/// SCHEMA_MISMATCH naming `part_name` unless `part` has the columns (names and types, in
/// order) of `first`, an earlier file of the same table.
Status check_same_columns(const Table& first, const Table& part, const std::string& part_name);

/// Live data files of a Delta table, relative to the table folder, in commit order.
Result<std::vector<std::string>> delta_live_files(const std::string& table_dir);

}  // namespace dbk::scorer
