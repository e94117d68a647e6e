// The Parquet writer, read back with dbk's own reader: every flat type of the reader's matrix,
// scored results (vectors, nulls, NaN, empty strings) over several row groups and pages, and
// the failures that must leave no file behind. tests/scorer/parquet_output_check.py reads
// `dbk score --output x.parquet` with pyarrow.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

using namespace scorer_test;
using dbk::scorer::Column;
using dbk::scorer::ColumnType;
using dbk::scorer::ScoredColumn;
using dbk::scorer::Value;
namespace fs = std::filesystem;

namespace {

// Bit-exact for doubles, so NaN equals NaN and -0.0 differs from 0.0.
bool same_double(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

void check_same_column(const Column& want, const Column& got) {
  INFO("column " << want.name);
  REQUIRE(got.name == want.name);
  REQUIRE(got.type == want.type);
  REQUIRE(got.size() == want.size());
  CHECK(got.decimal_precision == want.decimal_precision);
  CHECK(got.decimal_scale == want.decimal_scale);
  for (std::size_t r = 0; r < want.size(); ++r) {
    INFO("row " << r);
    REQUIRE(got.is_null(r) == want.is_null(r));
    if (want.is_null(r)) continue;
    switch (want.type) {
      case ColumnType::kFloat:
      case ColumnType::kDouble:
        CHECK(same_double(got.doubles[r], want.doubles[r]));
        break;
      case ColumnType::kString:
      case ColumnType::kBinary:
      case ColumnType::kDecimal:
        CHECK(got.strings[r] == want.strings[r]);
        break;
      default:
        CHECK(got.ints[r] == want.ints[r]);
        break;
    }
  }
}

// The vector of `row` as the reader returns a LIST<DOUBLE>.
void check_vector(const Value& got, const double* want, std::size_t width) {
  REQUIRE(got.kind == Value::Kind::kList);
  REQUIRE(got.items.size() == width);
  for (std::size_t k = 0; k < width; ++k) CHECK(same_double(got.items[k].d, want[k]));
}

// Every column write_results writes, compared with what the reader gives back.
void check_result_file(const dbk::scorer::ScoreResult& result, const std::string& path) {
  auto table = dbk::scorer::read_table(path);
  REQUIRE(table.ok());
  REQUIRE(table->num_rows == result.num_rows());
  REQUIRE(table->columns.size() == result.passthrough.columns.size() + result.columns.size());
  std::size_t i = 0;
  for (const auto& want : result.passthrough.columns) check_same_column(want, table->columns[i++]);
  for (const auto& want : result.columns) {
    const Column& got = table->columns[i++];
    INFO("column " << want.name);
    REQUIRE(got.name == want.name);
    for (std::size_t r = 0; r < result.num_rows(); ++r) {
      INFO("row " << r);
      REQUIRE(got.is_null(r) == !want.valid[r]);
      if (!want.valid[r]) continue;
      switch (want.kind) {
        case ScoredColumn::Kind::kDouble:
          REQUIRE(got.type == ColumnType::kDouble);
          CHECK(same_double(got.doubles[r], want.numbers[r]));
          break;
        case ScoredColumn::Kind::kString:
          REQUIRE(got.type == ColumnType::kString);
          CHECK(got.strings[r] == want.strings[r]);
          break;
        case ScoredColumn::Kind::kVector:
          REQUIRE(got.type == ColumnType::kNested);
          check_vector(got.nested[r], want.vector(r), want.width);
          break;
        case ScoredColumn::Kind::kStringList: {
          REQUIRE(got.type == ColumnType::kNested);
          const Value& list = got.nested[r];
          REQUIRE(list.kind == Value::Kind::kList);
          REQUIRE(list.items.size() == want.string_lists[r].size());
          for (std::size_t k = 0; k < list.items.size(); ++k) {
            const auto& e = want.string_lists[r][k];
            CHECK(list.items[k].kind == (e ? Value::Kind::kString : Value::Kind::kNull));
            if (e) CHECK(list.items[k].s == *e);
          }
          break;
        }
        default:
          FAIL("no check for column " << want.name);
      }
    }
  }
}

ScoredColumn scored(const std::string& name, ScoredColumn::Kind kind, std::size_t rows,
                    std::size_t width = 0) {
  ScoredColumn c;
  c.name = name;
  c.kind = kind;
  c.width = width;
  c.valid.assign(rows, 1);
  if (kind == ScoredColumn::Kind::kString) c.strings.resize(rows);
  if (kind == ScoredColumn::Kind::kStringList) c.string_lists.resize(rows);
  if (kind == ScoredColumn::Kind::kDouble || kind == ScoredColumn::Kind::kVector) {
    c.numbers.assign(kind == ScoredColumn::Kind::kVector ? rows * width : rows, 0.0);
  }
  return c;
}

// A result with the awkward values: nulls in mixed patterns (runs shorter and longer than the
// 8 values of a bit-packed group), NaN, infinities, -0.0, empty and non-ASCII strings, null and
// empty vectors, lists of strings (null, empty, with null and empty elements).
dbk::scorer::ScoreResult awkward_result(std::size_t rows) {
  dbk::scorer::ScoreResult result;
  result.num_input_rows = rows;
  for (std::size_t r = 0; r < rows; ++r) result.source_rows.push_back(r);
  Column id{"id", ColumnType::kInt64};
  Column flag{"flag", ColumnType::kBool};
  Column day{"day", ColumnType::kDate};
  Column ts{"ts", ColumnType::kTimestamp};
  Column small{"small", ColumnType::kInt32};
  for (std::size_t r = 0; r < rows; ++r) {
    const auto i = static_cast<std::int64_t>(r);
    id.valid.push_back(1);
    id.ints.push_back(i * 1000003 - 50000000000LL);
    flag.valid.push_back(r % 5 != 2);
    flag.ints.push_back(r % 3 == 0);
    day.valid.push_back(r % 20 < 12);
    day.ints.push_back(i - 400);
    ts.valid.push_back(r % 7 != 6);
    ts.ints.push_back(1451606400000000LL + i * 3600000001LL - 86400000000000LL);
    small.valid.push_back((r / 9) % 2);
    small.ints.push_back(r % 2 ? std::numeric_limits<std::int32_t>::min() : -i);
  }
  result.passthrough.columns = {id, flag, day, ts, small};
  result.passthrough.num_rows = rows;

  auto prediction = scored("prediction", ScoredColumn::Kind::kDouble, rows);
  auto label = scored("predictedLabel", ScoredColumn::Kind::kString, rows);
  auto probability = scored("probability", ScoredColumn::Kind::kVector, rows, 3);
  auto empty = scored("emptyVector", ScoredColumn::Kind::kVector, rows, 0);
  auto tokens = scored("tokens", ScoredColumn::Kind::kStringList, rows);
  const double specials[] = {std::nan(""), HUGE_VAL, -HUGE_VAL, -0.0, 0.0, 1e-310, 0.1};
  for (std::size_t r = 0; r < rows; ++r) {
    prediction.numbers[r] = r % 11 < 7 ? specials[r % 11] : static_cast<double>(r) / 3.0;
    prediction.valid[r] = r % 13 != 4;
    label.strings[r] = r % 4 == 0 ? "" : (r % 4 == 1 ? "tr\xc3\xa8s \"q\",\n" : "label");
    label.valid[r] = r % 6 != 5;
    for (std::size_t k = 0; k < 3; ++k) {
      probability.numbers[r * 3 + k] = r % 17 == 3 ? std::nan("") : 1.0 / (1.0 + r + k);
    }
    probability.valid[r] = r < 40 || r % 10 != 0;
    empty.valid[r] = r % 2;
    tokens.valid[r] = r % 9 != 7;
    for (std::size_t k = 0; k < r % 5; ++k) {
      tokens.string_lists[r].push_back(
          (r + k) % 4 == 0
              ? std::nullopt
              : std::optional<std::string>((r + k) % 4 == 1 ? "" : "caf\xc3\xa9 \"t\""));
    }
  }
  result.columns = {prediction, label, probability, empty, tokens};
  return result;
}

}  // namespace

TEST_CASE("every flat type of the matrix survives a write and a read", "[parquet][writer]") {
  const std::string source = fixtures() + "/parquet/pa_snappy_v1_plain.parquet";
  dbk::scorer::ParquetReadOptions flat;
  flat.columns = {"i32", "i64",   "f32",   "f64",   "s",  "b",   "flag",
                  "day", "ts_ms", "ts_us", "ts_ns", "d9", "d18", "d30"};
  auto table = dbk::scorer::read_parquet_file(source, flat);
  REQUIRE(table.ok());
  fs::path dir = temp_dir("matrix");
  // Tiny groups and pages: a file of many row groups and pages each.
  dbk::scorer::ParquetWriteOptions options;
  options.row_group_rows = 37;
  options.page_bytes = 64;
  for (const auto& [name, opts] :
       {std::pair{"small.parquet", options},
        std::pair{"default.parquet", dbk::scorer::ParquetWriteOptions{}}}) {
    const std::string path = (dir / name).string();
    REQUIRE(dbk::scorer::write_parquet_file(*table, path, opts).ok());
    auto back = dbk::scorer::read_parquet_file(path);
    REQUIRE(back.ok());
    REQUIRE(back->num_rows == table->num_rows);
    REQUIRE(back->columns.size() == table->columns.size());
    for (std::size_t c = 0; c < table->columns.size(); ++c) {
      check_same_column(table->columns[c], back->columns[c]);
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("lists of numbers are written as LIST<DOUBLE>; other nested values are refused",
          "[parquet][writer]") {
  const std::string source = fixtures() + "/parquet/pa_snappy_v1_plain.parquet";
  dbk::scorer::ParquetReadOptions lists;
  lists.columns = {"lst", "st"};
  auto table = dbk::scorer::read_parquet_file(source, lists);
  REQUIRE(table.ok());
  fs::path dir = temp_dir("nested");
  dbk::scorer::Table only_list;
  only_list.columns = {table->columns[0]};
  only_list.num_rows = table->num_rows;
  REQUIRE(dbk::scorer::write_parquet_file(only_list, (dir / "lst.parquet").string()).ok());
  auto back = dbk::scorer::read_parquet_file((dir / "lst.parquet").string());
  REQUIRE(back.ok());
  const Column& want = table->columns[0];
  const Column& got = back->columns[0];
  for (std::size_t r = 0; r < want.size(); ++r) {
    INFO("row " << r);
    REQUIRE(got.is_null(r) == want.is_null(r));
    if (want.is_null(r)) continue;
    REQUIRE(got.nested[r].items.size() == want.nested[r].items.size());
    for (std::size_t k = 0; k < want.nested[r].items.size(); ++k) {
      CHECK(got.nested[r].items[k].d == want.nested[r].items[k].as_double());
    }
  }
  auto refused = dbk::scorer::write_parquet_file(*table, (dir / "st.parquet").string());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("'st'") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "st.parquet"));
  fs::remove_all(dir);
}

TEST_CASE("awkward values round-trip over many row groups and pages", "[parquet][writer]") {
  const auto result = awkward_result(250);
  fs::path dir = temp_dir("awkward");
  for (std::size_t group_rows :
       {std::size_t{1}, std::size_t{8}, std::size_t{100}, std::size_t{1000}}) {
    INFO("row groups of " << group_rows);
    dbk::scorer::ParquetWriteOptions options;
    options.row_group_rows = group_rows;
    options.page_bytes = group_rows == 100 ? 48 : 1 << 20;
    const std::string path = (dir / "awkward.parquet").string();
    REQUIRE(dbk::scorer::write_results(result, path, options).ok());
    check_result_file(result, path);
  }
  SECTION("an empty result is a valid file with the schema and no rows") {
    const auto none = awkward_result(0);
    const std::string path = (dir / "empty.PARQUET").string();
    REQUIRE(dbk::scorer::write_results(none, path).ok());
    auto back = dbk::scorer::read_table(path);
    REQUIRE(back.ok());
    CHECK(back->num_rows == 0);
    CHECK(back->columns.size() == 10);
  }
  fs::remove_all(dir);
}

TEST_CASE("a scored Spark model round-trips through Parquet as written", "[parquet][writer]") {
  auto model = dbk::scorer::load_pipeline_model(fixtures() + "/spark-3.5/rf_seed/model");
  REQUIRE(model.ok());
  auto input = dbk::scorer::read_table(fixtures() + "/spark-3.5/scoring_input");
  REQUIRE(input.ok());
  dbk::scorer::ScoreOptions options;
  options.assemble_columns = {"f_cont1", "f_cont2", "f_cont3", "f_cat1", "f_cat2", "age"};
  options.assemble_handle_invalid = "keep";
  auto result = dbk::scorer::score_table(*model, *input, options);
  REQUIRE(result.ok());
  REQUIRE(result->find("probability") != nullptr);
  fs::path dir = temp_dir("rf_seed");
  dbk::scorer::ParquetWriteOptions parquet;
  parquet.row_group_rows = 30;  // 80 rows: three row groups
  const std::string path = (dir / "scored.parquet").string();
  REQUIRE(dbk::scorer::write_results(*result, path, parquet).ok());
  check_result_file(*result, path);
  fs::remove_all(dir);
}

TEST_CASE("a failed Parquet write leaves no file and names the path", "[parquet][writer]") {
  const auto result = awkward_result(20);
  fs::path dir = temp_dir("fail");
  SECTION("missing folder") {
    const std::string path = (dir / "no" / "such" / "out.parquet").string();
    auto st = dbk::scorer::write_results(result, path);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().error_code == "IO_ERROR");
    CHECK(st.error().message.find(path) != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "no"));
  }
  SECTION("the target is a folder") {
    fs::create_directories(dir / "taken.parquet" / "part");
    auto st = dbk::scorer::write_results(result, (dir / "taken.parquet").string());
    REQUIRE_FALSE(st.ok());
    CHECK(fs::is_directory(dir / "taken.parquet" / "part"));
  }
  SECTION("a value Parquet cannot hold keeps the old file whole") {
    const std::string path = (dir / "keep.parquet").string();
    REQUIRE(dbk::scorer::write_results(result, path).ok());
    const std::string before = read_file(path);
    auto bad = result;
    Column dec{"amount", ColumnType::kDecimal};
    dec.decimal_precision = 5;
    dec.decimal_scale = 2;
    dec.valid.assign(20, 1);
    dec.doubles.assign(20, 0.0);
    dec.strings.assign(20, "12.50");
    dec.strings[7] = "1234.5";  // needs precision 6
    bad.passthrough.columns.push_back(dec);
    auto st = dbk::scorer::write_results(bad, path);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().error_code == "INVALID_DATA");
    CHECK(st.error().message.find("1234.5") != std::string::npos);
    CHECK(read_file(path) == before);
  }
  // Nothing but what the sections made: no temporary file is left behind.
  for (const auto& entry : fs::directory_iterator(dir)) {
    CHECK(entry.path().filename().string().find("dbk-tmp") == std::string::npos);
  }
  fs::remove_all(dir);
}
