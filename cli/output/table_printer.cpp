#include "output/table_printer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "output/terminal_text.hpp"

namespace dbk::cli {
namespace {

enum class ColumnType { kInt, kFloat, kText };

std::string strip(const std::string& text) {
  auto begin = text.find_first_not_of(" \t\n\r\f\v");
  if (begin == std::string::npos) return "";
  auto end = text.find_last_not_of(" \t\n\r\f\v");
  return text.substr(begin, end - begin + 1);
}

bool parse_int(const std::string& text, std::int64_t& out) {
  std::string s = strip(text);
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = v;
  return true;
}

bool parse_float(const std::string& text, double& out) {
  std::string s = strip(text);
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (*end != '\0') return false;
  // Python's float() takes inf/nan spellings but not hex floats.
  if (s.find_first_of("xX") != std::string::npos) return false;
  out = v;
  return true;
}

// Width in terminal columns, counting UTF-8 code points (tabulate without wcwidth).
std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

// Python's format(value, 'g').
std::string format_g(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace

namespace {

// tabulate with tablefmt 'plain' (no headers, or headers without a rule) or 'simple'
// (headers, then dashes).
std::string render_table(const std::vector<TableRow>& rows, bool numparse,
                         const std::vector<std::string>* headers, bool dashes) {
  std::size_t columns = headers ? headers->size() : 0;
  for (const auto& row : rows) columns = std::max(columns, row.size());
  // Column types as tabulate infers them (missing cells do not vote).
  std::vector<ColumnType> types(columns, ColumnType::kInt);
  for (std::size_t c = 0; c < columns; ++c) {
    bool any = false;
    ColumnType type = ColumnType::kInt;
    for (const auto& row : rows) {
      if (c >= row.size() || std::holds_alternative<std::monostate>(row[c])) continue;
      any = true;
      const Cell& cell = row[c];
      if (std::holds_alternative<std::int64_t>(cell)) continue;
      if (std::holds_alternative<double>(cell)) {
        if (type == ColumnType::kInt) type = ColumnType::kFloat;
        continue;
      }
      const auto& text = std::get<std::string>(cell);
      std::int64_t i = 0;
      double f = 0;
      if (numparse && parse_int(text, i)) continue;
      if (numparse && parse_float(text, f)) {
        if (type == ColumnType::kInt) type = ColumnType::kFloat;
        continue;
      }
      type = ColumnType::kText;
      break;
    }
    types[c] = any ? type : ColumnType::kText;
  }
  // Render every cell to text.
  std::vector<std::vector<std::string>> text(rows.size(), std::vector<std::string>(columns));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < columns; ++c) {
      if (c >= rows[r].size()) continue;
      const Cell& cell = rows[r][c];
      std::string& out = text[r][c];
      if (std::holds_alternative<std::monostate>(cell)) continue;
      if (types[c] == ColumnType::kText) {
        if (const auto* s = std::get_if<std::string>(&cell)) {
          out = terminal_safe(strip(*s));  // server names: no escape sequences
        } else if (const auto* i = std::get_if<std::int64_t>(&cell)) {
          out = std::to_string(*i);
        } else {
          out = format_g(std::get<double>(cell));
        }
        continue;
      }
      double f = 0;
      std::int64_t i = 0;
      if (const auto* s = std::get_if<std::string>(&cell)) {
        if (parse_int(*s, i)) {
          out = types[c] == ColumnType::kInt ? std::to_string(i) : format_g(static_cast<double>(i));
        } else {
          parse_float(*s, f);
          out = format_g(f);
        }
      } else if (const auto* iv = std::get_if<std::int64_t>(&cell)) {
        out =
            types[c] == ColumnType::kInt ? std::to_string(*iv) : format_g(static_cast<double>(*iv));
      } else {
        out = format_g(std::get<double>(cell));
      }
    }
  }
  // Decimal alignment for float columns: pad the fraction part on the right.
  for (std::size_t c = 0; c < columns; ++c) {
    if (types[c] != ColumnType::kFloat) continue;
    std::size_t max_fraction = 0;
    for (auto& row : text) {
      if (row[c].empty()) continue;
      auto dot = row[c].find('.');
      max_fraction = std::max(max_fraction, dot == std::string::npos ? 0 : row[c].size() - dot);
    }
    for (auto& row : text) {
      if (row[c].empty()) continue;
      auto dot = row[c].find('.');
      std::size_t fraction = dot == std::string::npos ? 0 : row[c].size() - dot;
      row[c] += std::string(max_fraction - fraction, ' ');
    }
  }
  std::vector<std::size_t> widths(columns, 0);
  for (const auto& row : text) {
    for (std::size_t c = 0; c < columns; ++c) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  std::string out;
  if (headers) {
    // tabulate pads every header by two (MIN_PADDING) and aligns it as its column.
    std::string header_line;
    std::string dash_line;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string header = c < headers->size() ? (*headers)[c] : std::string();
      widths[c] = std::max(widths[c], display_width(header) + 2);
      std::string pad(widths[c] - display_width(header), ' ');
      if (c > 0) {
        header_line += "  ";
        dash_line += "  ";
      }
      header_line += types[c] == ColumnType::kText ? header + pad : pad + header;
      dash_line += std::string(widths[c], '-');
    }
    while (!header_line.empty() && header_line.back() == ' ') header_line.pop_back();
    out = dashes ? header_line + "\n" + dash_line : header_line;
    if (!text.empty()) out += '\n';
  }
  for (std::size_t r = 0; r < text.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < columns; ++c) {
      if (c > 0) line += "  ";
      const std::string& cell = text[r][c];
      std::string pad(widths[c] - display_width(cell), ' ');
      line += types[c] == ColumnType::kText ? cell + pad : pad + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (r > 0) out += '\n';
    out += line;
  }
  return out;
}

}  // namespace

std::string format_plain_table(const std::vector<TableRow>& rows, bool numparse) {
  return render_table(rows, numparse, nullptr, false);
}

std::string format_simple_table(const std::vector<std::string>& headers,
                                const std::vector<TableRow>& rows) {
  return render_table(rows, true, &headers, true);
}

std::string format_headed_table(const std::vector<std::string>& headers,
                                const std::vector<std::vector<std::string>>& rows) {
  // Text cells without number parsing: every column is a text column, so left-aligned.
  std::vector<TableRow> cells;
  cells.reserve(rows.size());
  for (const auto& row : rows) {
    TableRow cell_row(headers.size(), std::string());
    for (std::size_t c = 0; c < headers.size() && c < row.size(); ++c) cell_row[c] = row[c];
    cells.push_back(std::move(cell_row));
  }
  return render_table(cells, false, &headers, false);
}

}  // namespace dbk::cli
