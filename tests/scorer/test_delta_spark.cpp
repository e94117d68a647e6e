// Delta tables written by real Spark + delta-spark 3.2 (scorer/fixtures/generate_delta_tables.py):
// a classic Parquet checkpoint after appends, an overwrite, DELETEs and UPDATEs; multi-part
// checkpoints; a V2 checkpoint with sidecars. Every live row read through the log must equal
// what `spark.read.format("delta")` returned, and removed files on disk must not be read.

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "dbk/scorer/dataset.hpp"
#include "support.hpp"

using dbk::scorer::Table;
using dbk::scorer::Value;
using nlohmann::json;
using namespace scorer_test;
namespace fs = std::filesystem;

namespace {

const fs::path kDelta = fs::path(DBK_SCORER_FIXTURES) / "delta";

bool matches(const Value& v, const json& e) {
  if (e.is_null()) return v.is_null();
  if (e.is_boolean()) return v.kind == Value::Kind::kBool && (v.i != 0) == e.get<bool>();
  if (e.is_number_integer()) return v.kind == Value::Kind::kInt && v.i == e.get<std::int64_t>();
  if (e.is_number_float()) return v.kind == Value::Kind::kDouble && v.d == e.get<double>();
  if (e.is_string()) return v.kind == Value::Kind::kString && v.s == e.get<std::string>();
  if (e.contains("days"))
    return v.kind == Value::Kind::kInt && v.i == e["days"].get<std::int64_t>();
  if (e.contains("micros")) {
    return v.kind == Value::Kind::kInt && v.i == e["micros"].get<std::int64_t>();
  }
  return false;
}

// Compares the table with Spark's rows (expected.jsonl is sorted by id), cell by cell.
void check_rows(const Table& table, const fs::path& expected_file) {
  const auto expected = read_jsonl(expected_file.string());
  REQUIRE(!expected.empty());
  REQUIRE(table.num_rows == expected.size());
  const auto* id = table.find("id");
  REQUIRE(id != nullptr);
  std::vector<std::size_t> order(table.num_rows);
  for (std::size_t r = 0; r < order.size(); ++r) order[r] = r;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return id->ints[a] < id->ints[b]; });
  std::size_t mismatches = 0;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto& row = expected[k];
    REQUIRE(table.columns.size() == row.size());
    for (auto it = row.begin(); it != row.end(); ++it) {
      const auto* col = table.find(it.key());
      REQUIRE(col != nullptr);
      if (!matches(col->value(order[k]), it.value())) {
        if (++mismatches <= 5) {
          UNSCOPED_INFO("row id " << row["id"] << " column " << it.key() << ": expected "
                                  << it.value().dump());
        }
      }
    }
  }
  CHECK(mismatches == 0);
}

std::size_t parquet_files_on_disk(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".parquet") ++n;
  }
  return n;
}

fs::path copy_table(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("dbk_delta_spark_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(kDelta / name, dir, fs::copy_options::recursive);
  return dir;
}

std::string commit_name(int version) {
  std::string digits = std::to_string(version);
  return std::string(20 - digits.size(), '0') + digits + ".json";
}

}  // namespace

TEST_CASE("a Spark-written Delta table with a checkpoint reads as Spark reads it", "[delta]") {
  const fs::path table = kDelta / "checkpointed";
  REQUIRE(fs::exists(table / "_delta_log/00000000000000000010.checkpoint.parquet"));
  auto live = dbk::scorer::delta_live_files(table.string());
  if (!live.ok()) FAIL(live.error().to_string());
  // The overwrite, DELETEs and UPDATEs left files on disk that are no longer live.
  CHECK(live->size() < parquet_files_on_disk(table));
  auto read = dbk::scorer::read_table(table.string());
  if (!read.ok()) FAIL(read.error().to_string());
  check_rows(*read, kDelta / "checkpointed.expected.jsonl");

  SECTION("the commits before the checkpoint are not needed (log cleanup)") {
    fs::path copy = copy_table("checkpointed");
    for (int v = 0; v < 10; ++v) REQUIRE(fs::remove(copy / "_delta_log" / commit_name(v)));
    auto again = dbk::scorer::read_table(copy.string());
    if (!again.ok()) FAIL(again.error().to_string());
    check_rows(*again, kDelta / "checkpointed.expected.jsonl");
    fs::remove_all(copy);
  }
}

TEST_CASE("multi-part checkpoints: the newest complete one is used", "[delta]") {
  const fs::path table = kDelta / "multipart";
  REQUIRE(fs::exists(table /
                     "_delta_log/00000000000000000006.checkpoint.0000000004.0000000004.parquet"));
  auto read = dbk::scorer::read_table(table.string());
  if (!read.ok()) FAIL(read.error().to_string());
  check_rows(*read, kDelta / "multipart.expected.jsonl");

  SECTION("a checkpoint with a missing part falls back to the one before it") {
    fs::path copy = copy_table("multipart");
    REQUIRE(fs::remove(copy /
                       "_delta_log/00000000000000000006.checkpoint.0000000003.0000000004.parquet"));
    for (int v = 0; v < 3; ++v) REQUIRE(fs::remove(copy / "_delta_log" / commit_name(v)));
    auto again = dbk::scorer::read_table(copy.string());
    if (!again.ok()) FAIL(again.error().to_string());
    check_rows(*again, kDelta / "multipart.expected.jsonl");
    // Without the commits the older checkpoint needs, the gap is reported, not papered over.
    REQUIRE(fs::remove(copy / "_delta_log" / commit_name(4)));
    auto gap = dbk::scorer::read_table(copy.string());
    REQUIRE_FALSE(gap.ok());
    CHECK(gap.error().error_code == "DELTA_CORRUPT");
    fs::remove_all(copy);
  }
}

TEST_CASE("a V2 checkpoint with sidecar files reads as Spark reads it", "[delta]") {
  const fs::path table = kDelta / "v2checkpoint";
  auto read = dbk::scorer::read_table(table.string());
  if (!read.ok()) FAIL(read.error().to_string());
  check_rows(*read, kDelta / "v2checkpoint.expected.jsonl");

  SECTION("with only the checkpoint and the commits after it") {
    fs::path copy = copy_table("v2checkpoint");
    for (int v = 0; v < 3; ++v) REQUIRE(fs::remove(copy / "_delta_log" / commit_name(v)));
    auto again = dbk::scorer::read_table(copy.string());
    if (!again.ok()) FAIL(again.error().to_string());
    check_rows(*again, kDelta / "v2checkpoint.expected.jsonl");
    // The live files are in the sidecar: without it the table cannot be read.
    fs::remove_all(copy / "_delta_log/_sidecars");
    CHECK_FALSE(dbk::scorer::read_table(copy.string()).ok());
    fs::remove_all(copy);
  }
}

TEST_CASE("an unknown reader feature is refused", "[delta]") {
  fs::path copy = copy_table("checkpointed");
  std::ofstream(copy / "_delta_log" / commit_name(14))
      << R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,)"
      << R"("readerFeatures":["someFutureFeature"],"writerFeatures":["someFutureFeature"]}})"
      << "\n";
  auto read = dbk::scorer::read_table(copy.string());
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().error_code == "DELTA_UNSUPPORTED");
  CHECK(read.error().message.find("someFutureFeature") != std::string::npos);
  fs::remove_all(copy);
}
