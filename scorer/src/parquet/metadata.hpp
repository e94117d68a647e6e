#pragma once

// Parquet footer and page-header structures, decoded from the generic Thrift tree with the
// field ids of docs/reference/spark-models.md §4.4.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::scorer::parquet {

enum PhysicalType {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7
};
enum Repetition { kRequired = 0, kOptional = 1, kRepeated = 2 };
enum Encoding {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9
};
enum Codec {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7
};
enum PageType { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };
enum ConvertedType {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32Conv = 17,
  kInt64Conv = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21
};

/// What the logical annotation asks for, merged from ConvertedType and LogicalType.
enum class Logical {
  kNone,
  kString,
  kMap,
  kList,
  kDecimal,
  kDate,
  kTimestampMillis,
  kTimestampMicros,
  kTimestampNanos,
  kUnsigned,
  kOther
};

struct SchemaNode {
  std::string name;
  bool is_leaf = false;
  int physical = -1;
  int type_length = 0;
  Repetition repetition = kRequired;
  Logical logical = Logical::kNone;
  bool map_key_value = false;  // legacy MAP_KEY_VALUE annotation
  int scale = 0;
  int precision = 0;
  std::vector<std::unique_ptr<SchemaNode>> children;
  // Leaves only: index among the leaves, and levels (§4.8).
  int leaf_index = -1;
  int max_def = 0;
  int max_rep = 0;
};

struct ColumnChunkMeta {
  int physical = 0;
  int codec = 0;
  std::int64_t num_values = 0;
  std::int64_t total_compressed_size = 0;
  std::int64_t data_page_offset = 0;
  std::optional<std::int64_t> dictionary_page_offset;
  std::vector<std::string> path;
};

struct RowGroupMeta {
  std::int64_t num_rows = 0;
  std::vector<ColumnChunkMeta> columns;
};

struct FileMeta {
  std::int64_t num_rows = 0;
  std::string created_by;
  std::vector<std::pair<std::string, std::string>> key_value;
  std::unique_ptr<SchemaNode> root;
  std::vector<const SchemaNode*> leaves;  // in column-chunk order
  std::vector<RowGroupMeta> row_groups;
};

struct PageHeaderMeta {
  int type = 0;
  std::int32_t uncompressed_size = 0;
  std::int32_t compressed_size = 0;
  std::optional<std::uint32_t> crc;
  // v1 / v2 / dictionary
  std::int32_t num_values = 0;
  int encoding = 0;
  int def_encoding = kRle;
  int rep_encoding = kRle;
  std::int32_t num_nulls = 0;
  std::int32_t num_rows = 0;
  std::int32_t def_length = 0;
  std::int32_t rep_length = 0;
  bool is_compressed = true;
};

/// Decodes the footer bytes (between the file's data and the 8-byte tail).
Status parse_file_meta(std::string_view footer, FileMeta& out);
/// Decodes one page header; `consumed` is its length in bytes.
Status parse_page_header(std::string_view data, PageHeaderMeta& out, std::size_t& consumed);

}  // namespace dbk::scorer::parquet
