#pragma once

#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk::scorer::parquet {

/// Decompresses a page body (docs/reference/spark-models.md §4.7). `expected_size` is the
/// uncompressed size from the page header; a different result size is an error. `out` is
/// the caller's buffer, reused from page to page.
Status decompress(int codec, std::string_view input, std::size_t expected_size, std::string& out);

const char* codec_name(int codec);

}  // namespace dbk::scorer::parquet
