#pragma once

#include <string>

#include "dbk/result.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/score.hpp"

namespace dbk::scorer::detail {

/// write_results for a .parquet path: the columns the CSV and JSON lines writers write, in
/// the same order, with Parquet types (vectors as LIST<DOUBLE>).
Status write_results_parquet(const ScoreResult& result, const std::string& path,
                             const ParquetWriteOptions& options);

}  // namespace dbk::scorer::detail
