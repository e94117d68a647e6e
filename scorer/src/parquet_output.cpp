// Parquet output of tables and scoring results: maps columns onto the writer's sources and
// puts the file in place atomically (no half-written file where a user expects a whole one).
#include "parquet_output.hpp"

#include <deque>
#include <vector>

#include "dbk/api_error.hpp"
#include "dbk/transfer.hpp"
#include "ml/stage.hpp"
#include "parquet/writer.hpp"

namespace dbk::scorer {
using detail::OwnedList;

namespace {

// vector_from_value also takes array<double>; elements that are not numbers (nulls, nested
// lists) would turn into NaN there, so they are refused here.
bool numeric_items(const Value& v) {
  if (v.kind != Value::Kind::kList) return true;
  for (const auto& e : v.items) {
    if (e.kind != Value::Kind::kInt && e.kind != Value::Kind::kDouble) return false;
  }
  return true;
}

// What an empty batch's list-of-strings source points at (it must not be null).
const StringList kNoList;

// A nested input column holding lists of strings (array<string>, read from Parquet), to be
// written as such: a row with a string element says so.
bool holds_string_lists(const Column& c) {
  for (std::size_t r = 0; r < c.size(); ++r) {
    if (c.is_null(r) || c.nested[r].kind != Value::Kind::kList) continue;
    for (const auto& e : c.nested[r].items) {
      if (e.kind == Value::Kind::kString) return true;
    }
  }
  return false;
}

Status string_list_source(const Column& c, const std::string& path, OwnedList& list,
                          parquet::ColumnSource& s) {
  list.strings.resize(c.size());
  for (std::size_t r = 0; r < c.size(); ++r) {
    if (c.is_null(r)) continue;
    for (const auto& e : c.nested[r].items) {
      if (e.kind != Value::Kind::kString && e.kind != Value::Kind::kNull) {
        return make_error(error_codes::kInvalidData,
                          path + ": column '" + c.name + "' row " + std::to_string(r) +
                              " mixes strings with other values in a list");
      }
      list.strings[r].push_back(e.kind == Value::Kind::kString ? std::optional<std::string>(e.s)
                                                               : std::nullopt);
    }
  }
  s.string_lists = list.strings.empty() ? &kNoList : list.strings.data();
  return {};
}

Result<parquet::ColumnSource> source_of(const Column& c, std::size_t rows,
                                        std::deque<OwnedList>& owned, const std::string& path) {
  if (c.size() != rows) {
    return make_error(dbk::error_codes::kInvalidArgument,
                      path + ": column '" + c.name + "' has " + std::to_string(c.size()) +
                          " rows, the table " + std::to_string(rows));
  }
  parquet::ColumnSource s;
  s.name = c.name;
  s.type = c.type;
  s.decimal_precision = c.decimal_precision;
  s.decimal_scale = c.decimal_scale;
  s.valid = c.valid.data();
  s.ints = c.ints.data();
  s.doubles = c.doubles.data();
  s.strings = c.strings.data();
  if (c.type != ColumnType::kNested) return s;
  OwnedList& list = owned.emplace_back();
  if (holds_string_lists(c)) {
    if (auto st = string_list_source(c, path, list, s); !st) return st.error();
    return s;
  }
  list.offsets.reserve(rows + 1);
  list.offsets.push_back(0);
  std::vector<double> row;
  for (std::size_t r = 0; r < rows; ++r) {
    if (!c.is_null(r)) {
      if (!numeric_items(c.nested[r]) || !detail::vector_from_value(c.nested[r], row)) {
        return make_error(error_codes::kInvalidData,
                          path + ": column '" + c.name + "' row " + std::to_string(r) +
                              " is neither a Spark ML vector nor a list of numbers or strings "
                              "(Parquet output writes nested columns only when they hold those)");
      }
      list.values.insert(list.values.end(), row.begin(), row.end());
    }
    list.offsets.push_back(list.values.size());
  }
  s.doubles = list.values.data();
  s.offsets = list.offsets.data();
  return s;
}

parquet::ColumnSource source_of(const ScoredColumn& c, std::deque<OwnedList>& owned) {
  parquet::ColumnSource s;
  s.name = c.name;
  s.valid = c.valid.data();
  s.doubles = c.numbers.data();
  s.strings = c.strings.data();
  switch (c.kind) {
    case ScoredColumn::Kind::kDouble:
      s.type = ColumnType::kDouble;
      if (c.integer) {  // Spark's IntegerType: INT32; LongType: INT64
        OwnedList& list = owned.emplace_back();
        list.ints.reserve(c.numbers.size());
        for (double v : c.numbers) list.ints.push_back(static_cast<std::int64_t>(v));
        s.type = c.long_integer ? ColumnType::kInt64 : ColumnType::kInt32;
        s.ints = list.ints.data();
      }
      break;
    case ScoredColumn::Kind::kString:
      s.type = ColumnType::kString;
      break;
    case ScoredColumn::Kind::kVector:
      s.type = ColumnType::kNested;
      s.width = c.width;
      break;
    case ScoredColumn::Kind::kVectorList:  // LIST of LIST<DOUBLE>, each vector as vectors are
      s.type = ColumnType::kNested;
      s.width = c.width * c.list_size;
      s.inner_width = c.width;
      break;
    case ScoredColumn::Kind::kStringList:
      s.type = ColumnType::kNested;
      s.string_lists = c.string_lists.empty() ? &kNoList : c.string_lists.data();
      break;
  }
  return s;
}

Status write_file(const std::vector<parquet::ColumnSource>& sources, std::size_t rows,
                  const std::string& path, const ParquetWriteOptions& options) {
  auto bytes = parquet::write_parquet(sources, rows, path, options);
  if (!bytes) return std::move(bytes).error();
  if (auto st = write_local_file_atomically(path, *bytes); !st) {
    ApiError error = st.error();
    error.message = path + ": " + error.message;
    return error;
  }
  return {};
}

// Appends a source for every column of `table`, which must have `rows` rows.
Status add_sources(const Table& table, std::size_t rows, const std::string& path,
                   std::deque<OwnedList>& owned, std::vector<parquet::ColumnSource>& sources) {
  for (const auto& c : table.columns) {
    auto s = source_of(c, rows, owned, path);
    if (!s) return std::move(s).error();
    sources.push_back(std::move(*s));
  }
  return {};
}

}  // namespace

Status write_parquet_file(const Table& table, const std::string& path,
                          const ParquetWriteOptions& options) {
  std::deque<OwnedList> owned;
  std::vector<parquet::ColumnSource> sources;
  if (auto st = add_sources(table, table.num_rows, path, owned, sources); !st) return st;
  return write_file(sources, table.num_rows, path, options);
}

namespace detail {

Result<std::vector<parquet::ColumnSource>> result_sources(const ScoreResult& result,
                                                          const std::string& path,
                                                          std::deque<OwnedList>& owned) {
  std::vector<parquet::ColumnSource> sources;
  if (auto st = add_sources(result.passthrough, result.num_rows(), path, owned, sources); !st)
    return st.error();
  for (const auto& c : result.columns) sources.push_back(source_of(c, owned));
  return sources;
}

}  // namespace detail
}  // namespace dbk::scorer
