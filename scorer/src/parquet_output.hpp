#pragma once

#include <deque>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/score.hpp"
#include "parquet/writer.hpp"

namespace dbk::scorer::detail {

/// Vectors (or lists of strings) decoded from nested values, kept alive while they are written.
struct OwnedList {
  std::vector<std::size_t> offsets;
  std::vector<double> values;
  std::vector<std::int64_t> ints;  // integer scored columns, as the writer reads them
  std::vector<StringList> strings;
};

/// The writer's sources for the columns of `result` (the kept input columns, then the scored
/// ones: the CSV and JSON lines writers' order), with Parquet types (vectors as LIST<DOUBLE>).
/// Nested input columns are decoded into `owned`, which must outlive the sources.
Result<std::vector<parquet::ColumnSource>> result_sources(const ScoreResult& result,
                                                          const std::string& path,
                                                          std::deque<OwnedList>& owned);

}  // namespace dbk::scorer::detail
