#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace dbk::cli {

/// One table cell: missing (printed empty), integer, float or text.
using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;
using TableRow = std::vector<Cell>;

/// `tabulate(rows, tablefmt='plain')` of Python's tabulate (docs/reference/rest-api.md §5.2): no
/// header, columns joined by two spaces, text stripped and left-aligned, integer
/// columns right-aligned, float columns aligned on the decimal point, every line
/// right-stripped, no trailing newline. With `numparse`, text that parses as a
/// number counts as one (tabulate's default); the legacy `jobs list` turns it off.
std::string format_plain_table(const std::vector<TableRow>& rows, bool numparse = true);

/// `tabulate(rows, headers=headers)` (tablefmt 'simple'): a header line aligned as each
/// column, a line of dashes, then the rows as above; every column at least two wider
/// than its header.
std::string format_simple_table(const std::vector<std::string>& headers,
                                const std::vector<TableRow>& rows);
/// `tabulate(rows, headers, tablefmt='plain', numalign='left')` for cells already rendered
/// as text: every column left-aligned and at least two wider than its header, the header
/// line first, every line right-stripped, no trailing newline.
std::string format_headed_table(const std::vector<std::string>& headers,
                                const std::vector<std::vector<std::string>>& rows);

}  // namespace dbk::cli
