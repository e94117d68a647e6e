#include "cell_text.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "dbk/scorer/parquet.hpp"

namespace dbk::scorer::detail {
namespace {

std::string format_timestamp(std::int64_t micros) {
  std::int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  std::int64_t frac = micros - secs * 1000000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%06lld", static_cast<long long>(frac));
    s += f;
  }
  return s + "Z";
}

std::string format_date(std::int64_t days) {
  std::time_t t = static_cast<std::time_t>(days * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string cell_text(const Column& c, std::size_t r) {
  switch (c.type) {
    case ColumnType::kBool:
      return c.ints[r] ? "true" : "false";
    case ColumnType::kInt32:
    case ColumnType::kInt64:
      return std::to_string(c.ints[r]);
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return format_double(c.doubles[r]);
    case ColumnType::kDecimal:
    case ColumnType::kString:
    case ColumnType::kBinary:
      return c.strings[r];
    case ColumnType::kDate:
      return format_date(c.ints[r]);
    case ColumnType::kTimestamp:
      return format_timestamp(c.ints[r]);
    case ColumnType::kNested:
      return "<nested>";
  }
  return "";
}

Result<std::vector<std::string>> row_keys(const Table& t, const std::vector<std::string>& keys,
                                          const char* side, std::size_t begin, std::size_t end) {
  std::vector<const Column*> cols;
  for (const auto& k : keys) {
    const Column* c = t.find(k);
    if (c == nullptr) {
      return make_error(error_codes::kColumnNotFound,
                        std::string(side) + " has no key column '" + k + "'");
    }
    cols.push_back(c);
  }
  std::vector<std::string> out(end - begin);
  for (std::size_t r = begin; r < end; ++r) {
    std::string& key = out[r - begin];
    for (std::size_t k = 0; k < cols.size(); ++k) {
      if (k) key += '\x1f';
      key += cols[k]->is_null(r) ? std::string("\x1e") : cell_text(*cols[k], r);
    }
  }
  return out;
}

}  // namespace dbk::scorer::detail
