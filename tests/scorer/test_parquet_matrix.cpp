// Every file of the pyarrow/DuckDB matrix (codecs × page versions × encodings, nested and
// logical types) must decode to exactly the values the writer was given.

#include <catch2/catch.hpp>

#include "dbk/scorer/dataset.hpp"
#include "dbk/scorer/parquet.hpp"
#include "support.hpp"

using dbk::scorer::Column;
using dbk::scorer::ColumnType;
using dbk::scorer::Value;
using nlohmann::json;
using namespace scorer_test;

namespace {

std::string describe(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return v.i ? "true" : "false";
    case Value::Kind::kInt:
      return std::to_string(v.i);
    case Value::Kind::kDouble:
      return std::to_string(v.d);
    case Value::Kind::kString:
      return "\"" + v.s + "\"";
    case Value::Kind::kBinary:
      return "<binary>";
    case Value::Kind::kList:
      return "list[" + std::to_string(v.items.size()) + "]";
    case Value::Kind::kStruct:
      return "struct";
    case Value::Kind::kMap:
      return "map[" + std::to_string(v.items.size() / 2) + "]";
  }
  return "?";
}

std::string to_hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool matches(const Value& v, const json& e) {
  if (e.is_null()) return v.kind == Value::Kind::kNull;
  if (e.is_boolean()) return v.kind == Value::Kind::kBool && (v.i != 0) == e.get<bool>();
  if (e.is_number_integer()) return v.kind == Value::Kind::kInt && v.i == e.get<std::int64_t>();
  if (e.is_number_float()) return v.kind == Value::Kind::kDouble && v.d == e.get<double>();
  if (e.is_string()) {
    if (e == "NaN") return v.kind == Value::Kind::kDouble && std::isnan(v.d);
    return v.kind == Value::Kind::kString && v.s == e.get<std::string>();
  }
  if (e.is_object()) {
    if (e.contains("hex")) return v.kind == Value::Kind::kBinary && to_hex(v.s) == e["hex"];
    if (e.contains("days"))
      return v.kind == Value::Kind::kInt && v.i == e["days"].get<std::int64_t>();
    if (e.contains("micros"))
      return v.kind == Value::Kind::kInt && v.i == e["micros"].get<std::int64_t>();
    if (v.kind != Value::Kind::kStruct || v.items.size() != e.size()) return false;
    for (auto it = e.begin(); it != e.end(); ++it) {
      const Value* f = v.field(it.key());
      if (f == nullptr || !matches(*f, it.value())) return false;
    }
    return true;
  }
  if (e.is_array()) {
    if (v.kind == Value::Kind::kMap) {
      if (v.items.size() != 2 * e.size()) return false;
      for (std::size_t k = 0; k < e.size(); ++k) {
        if (!matches(v.items[2 * k], e[k][0]) || !matches(v.items[2 * k + 1], e[k][1]))
          return false;
      }
      return true;
    }
    if (v.kind != Value::Kind::kList || v.items.size() != e.size()) return false;
    for (std::size_t k = 0; k < e.size(); ++k) {
      if (!matches(v.items[k], e[k])) return false;
    }
    return true;
  }
  return false;
}

void check_table(const dbk::scorer::Table& table, const std::vector<json>& expected,
                 const std::string& file) {
  REQUIRE(table.num_rows == expected.size());
  for (const auto& col : table.columns) {
    INFO(file << " column " << col.name);
    REQUIRE(col.size() == expected.size());
    for (std::size_t r = 0; r < expected.size(); ++r) {
      const json& e = expected[r].at(col.name);
      if (col.type == ColumnType::kDecimal && !e.is_null()) {
        INFO("row " << r);
        REQUIRE(!col.is_null(r));
        CHECK(col.strings[r] == e.get<std::string>());
        continue;
      }
      Value v = col.value(r);
      if (!matches(v, e)) {
        FAIL_CHECK("row " << r << ": got " << describe(v) << ", expected " << e.dump());
        break;
      }
    }
  }
}

}  // namespace

TEST_CASE("every file of the Parquet matrix decodes to the written values", "[parquet]") {
  const std::string dir = fixtures() + "/parquet";
  auto expected = read_jsonl(dir + "/expected.jsonl");
  auto files = json::parse(read_file(dir + "/files.json"));
  REQUIRE(files.size() >= 20);
  for (const auto& f : files) {
    const std::string path = dir + "/" + f.get<std::string>();
    SECTION(f.get<std::string>()) {
      auto table = dbk::scorer::read_parquet_file(path);
      INFO(path);
      if (!table.ok()) FAIL(table.error().to_string());
      REQUIRE(table->columns.size() == expected[0].size());
      check_table(*table, expected, path);
    }
  }
}

TEST_CASE("logical types map to the expected column types", "[parquet]") {
  auto table = dbk::scorer::read_parquet_file(fixtures() + "/parquet/pa_snappy_v1_dict.parquet");
  REQUIRE(table.ok());
  CHECK(table->find("i32")->type == ColumnType::kInt32);
  CHECK(table->find("i64")->type == ColumnType::kInt64);
  CHECK(table->find("f32")->type == ColumnType::kFloat);
  CHECK(table->find("s")->type == ColumnType::kString);
  CHECK(table->find("b")->type == ColumnType::kBinary);
  CHECK(table->find("day")->type == ColumnType::kDate);
  CHECK(table->find("ts_ns")->type == ColumnType::kTimestamp);
  CHECK(table->find("d30")->type == ColumnType::kDecimal);
  CHECK(table->find("d30")->decimal_scale == 5);
  CHECK(table->find("mp")->type == ColumnType::kNested);
}

TEST_CASE("INT96 timestamps convert to microseconds", "[parquet]") {
  auto table =
      dbk::scorer::read_parquet_file(fixtures() + "/parquet/pa_int96_legacy_lists.parquet");
  REQUIRE(table.ok());
  CHECK(table->find("ts_us")->type == ColumnType::kTimestamp);
}

TEST_CASE("a folder of part files reads as one table, skipping _ and . files", "[parquet]") {
  auto expected = read_jsonl(fixtures() + "/parquet/expected.jsonl");
  auto table = dbk::scorer::read_table(fixtures() + "/parquet/folder_table");
  if (!table.ok()) FAIL(table.error().to_string());
  check_table(*table, expected, "folder_table");
}

TEST_CASE("projection reads only the named columns, in the requested order", "[parquet]") {
  dbk::scorer::ParquetReadOptions options;
  options.columns = {"s", "i32", "st"};
  auto table =
      dbk::scorer::read_parquet_file(fixtures() + "/parquet/pa_zstd_v2_dict.parquet", options);
  REQUIRE(table.ok());
  REQUIRE(table->columns.size() == 3);
  CHECK(table->columns[0].name == "s");
  CHECK(table->columns[1].name == "i32");
  CHECK(table->columns[2].name == "st");

  options.columns = {"nope"};
  auto missing =
      dbk::scorer::read_parquet_file(fixtures() + "/parquet/pa_zstd_v2_dict.parquet", options);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "COLUMN_NOT_FOUND");
  CHECK(missing.error().message.find("pa_zstd_v2_dict.parquet") != std::string::npos);

  options.columns = {"nope", "i32"};
  options.skip_missing_columns = true;
  auto skipped =
      dbk::scorer::read_parquet_file(fixtures() + "/parquet/pa_zstd_v2_dict.parquet", options);
  REQUIRE(skipped.ok());
  REQUIRE(skipped->columns.size() == 1);
  CHECK(skipped->columns[0].name == "i32");
  CHECK(skipped->num_rows == table->num_rows);
}
