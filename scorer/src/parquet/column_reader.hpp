#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/encodings.hpp"
#include "parquet/metadata.hpp"

namespace dbk::scorer::parquet {

/// Levels and non-null values of one leaf column chunk. `def`/`rep` are empty when the
/// leaf's max level is 0 (every entry then has that level).
struct LeafData {
  std::vector<std::int32_t> def;
  std::vector<std::int32_t> rep;
  RawValues values;
  std::size_t num_entries = 0;
};

/// Reads every page of a column chunk (dictionary page found by page type, so files whose
/// dictionary_page_offset is unset work too — docs/reference/spark-models.md §4.5).
Status read_column_chunk(std::string_view file, const ColumnChunkMeta& chunk,
                         const SchemaNode& leaf, bool verify_crc, LeafData& out);

}  // namespace dbk::scorer::parquet
