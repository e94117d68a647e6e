// Malformed input gives an error that names the file and the problem, never a crash.

#include <catch2/catch.hpp>

#include "dbk/scorer/parquet.hpp"
#include "parquet/thrift_writer.hpp"
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

namespace {

// A Parquet file with one nullable INT32 column "x", no rows, and `row_metadata` as Spark's
// schema JSON in the footer's key/value metadata.
std::string file_with_row_metadata(const std::string& row_metadata) {
  using dbk::scorer::parquet::ThriftWriter;
  ThriftWriter footer;
  footer.begin_struct();  // FileMetaData
  footer.field_i32(1, 1);
  footer.field_list(2, ThriftWriter::kStruct, 2);
  footer.begin_struct();  // root
  footer.field_binary(4, "spark_schema");
  footer.field_i32(5, 1);
  footer.end_struct();
  footer.begin_struct();  // x: INT32, OPTIONAL
  footer.field_i32(1, 1);
  footer.field_i32(3, 1);
  footer.field_binary(4, "x");
  footer.end_struct();
  footer.field_i64(3, 0);
  footer.field_list(4, ThriftWriter::kStruct, 0);
  footer.field_list(5, ThriftWriter::kStruct, 1);
  footer.begin_struct();  // KeyValue
  footer.field_binary(1, "org.apache.spark.sql.parquet.row.metadata");
  footer.field_binary(2, row_metadata);
  footer.end_struct();
  footer.end_struct();
  std::string file = "PAR1" + footer.bytes();
  const auto size = static_cast<std::uint32_t>(footer.bytes().size());
  for (int shift = 0; shift < 32; shift += 8) file += static_cast<char>((size >> shift) & 0xFF);
  return file + "PAR1";
}

std::string row_metadata_with_field_metadata(const std::string& metadata) {
  return R"({"type":"struct","fields":[{"name":"x","type":"integer","nullable":true,"metadata":)" +
         metadata + "}]}";
}

}  // namespace

TEST_CASE("Spark field metadata nested too deeply is ignored, not dumped until the stack ends",
          "[parquet][errors]") {
  // The reader copies each field's metadata out as text (dump()); 200,000 levels overflowed
  // that recursion. Metadata only annotates columns, so such a footer reads without it.
  const std::string ok_meta = R"({"ml_attr":{"type":"nominal","vals":["a","b"]}})";
  auto plain = dbk::scorer::read_parquet_bytes(
      file_with_row_metadata(row_metadata_with_field_metadata(ok_meta)), kName);
  REQUIRE(plain.ok());
  REQUIRE(plain->columns.size() == 1);
  CHECK(plain->columns[0].metadata == ok_meta);

  const std::size_t depth = 200000;
  const std::string deep = R"({"a":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  auto t = dbk::scorer::read_parquet_bytes(
      file_with_row_metadata(row_metadata_with_field_metadata(deep)), kName);
  REQUIRE(t.ok());
  REQUIRE(t->columns.size() == 1);
  CHECK(t->columns[0].name == "x");
  CHECK(t->columns[0].metadata.empty());
  CHECK(t->num_rows == 0);
}
