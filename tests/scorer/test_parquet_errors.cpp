// Malformed input gives an error that names the file and the problem, never a crash.

#include <catch2/catch.hpp>

#include "dbk/scorer/parquet.hpp"
#include "support.hpp"

using namespace scorer_test;

namespace {
const std::string kName = "bad.parquet";
}

TEST_CASE("files that are not Parquet are refused by name", "[parquet][errors]") {
  for (std::string bytes :
       {std::string(), std::string("PAR1"), std::string("hello world, not parquet"),
        std::string("PAR1\0\0\0\0PAR1", 12)}) {
    auto t = dbk::scorer::read_parquet_bytes(bytes, kName);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().error_code == "PARQUET_CORRUPT");
    CHECK(t.error().message.find(kName) != std::string::npos);
  }
}

TEST_CASE("every truncation of a file gives a clean error", "[parquet][errors]") {
  const std::string bytes = read_file(fixtures() + "/parquet/pa_snappy_v2_dict.parquet");
  REQUIRE(dbk::scorer::read_parquet_bytes(bytes, kName).ok());
  for (std::size_t len = 0; len < bytes.size(); len += 97) {
    auto t = dbk::scorer::read_parquet_bytes(bytes.substr(0, len), kName);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().message.rfind(kName, 0) == 0);
  }
}

TEST_CASE("a damaged page is caught by its CRC", "[parquet][errors]") {
  // pyarrow wrote page checksums into the snappy files (write_page_checksum=True).
  std::string bytes = read_file(fixtures() + "/parquet/pa_snappy_v1_plain.parquet");
  REQUIRE(dbk::scorer::read_parquet_bytes(bytes, kName).ok());
  bytes[200] = static_cast<char>(bytes[200] ^ 0x40);  // inside the first column's pages
  auto t = dbk::scorer::read_parquet_bytes(bytes, kName);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("CRC") != std::string::npos);
  dbk::scorer::ParquetReadOptions lenient;
  lenient.verify_crc = false;
  auto unchecked = dbk::scorer::read_parquet_bytes(bytes, kName, lenient);
  // Without the check the damage either decodes to other values or fails elsewhere: no crash.
  (void)unchecked;
}

TEST_CASE("flipped bytes anywhere never crash the reader", "[parquet][errors]") {
  const std::string original = read_file(fixtures() + "/parquet/duckdb_snappy.parquet");
  std::size_t failures = 0;
  for (std::size_t pos = 0; pos < original.size(); pos += 37) {
    std::string bytes = original;
    bytes[pos] = static_cast<char>(~bytes[pos]);
    auto t = dbk::scorer::read_parquet_bytes(bytes, kName);
    if (!t.ok()) {
      ++failures;
      CHECK(t.error().message.find(kName) != std::string::npos);
    }
  }
  CHECK(failures > 0);
}

TEST_CASE("a missing file is an IO error naming it", "[parquet][errors]") {
  auto t = dbk::scorer::read_parquet_file("/nonexistent/x.parquet");
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("/nonexistent/x.parquet") != std::string::npos);
}
