// Canonical text of values: join keys of a comparison and the CSV/JSON result files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer::detail {

/// 17 significant digits (round-trip exact); NaN, Infinity, -Infinity as Spark prints them.
std::string format_double(double v);
/// Text of a flat value (nested columns give "<nested>").
std::string cell_text(const Column& c, std::size_t r);
/// Join key of rows [begin, end) of `t`: the key columns' texts joined by \x1f, a null as \x1e.
/// Errors: COLUMN_NOT_FOUND "<side> has no key column '<k>'".
Result<std::vector<std::string>> row_keys(const Table& t, const std::vector<std::string>& keys,
                                          const char* side, std::size_t begin, std::size_t end);

}  // namespace dbk::scorer::detail
