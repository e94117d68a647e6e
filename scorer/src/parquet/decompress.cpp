#include "parquet/decompress.hpp"

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet/errors.hpp"
#include "parquet/metadata.hpp"

namespace dbk::scorer::parquet {

const char* codec_name(int codec) {
  switch (codec) {
    case kUncompressed:
      return "UNCOMPRESSED";
    case kSnappy:
      return "SNAPPY";
    case kGzip:
      return "GZIP";
    case kLzo:
      return "LZO";
    case kBrotli:
      return "BROTLI";
    case kLz4:
      return "LZ4";
    case kZstd:
      return "ZSTD";
    case kLz4Raw:
      return "LZ4_RAW";
    default:
      return "unknown";
  }
}

Status decompress(int codec, std::string_view input, std::size_t expected_size, std::string& out) {
  // Page sizes are i32 in the header; refuse absurd ones before allocating.
  if (expected_size > (1u << 31)) {
    return malformed("page claims an uncompressed size of " + std::to_string(expected_size));
  }
  out.assign(expected_size, '\0');
  switch (codec) {
    case kUncompressed:
      if (input.size() != expected_size) {
        return malformed("uncompressed page size mismatch");
      }
      out.assign(input.data(), input.size());
      return {};
    case kSnappy: {
      size_t length = 0;
      if (snappy_uncompressed_length(input.data(), input.size(), &length) != SNAPPY_OK ||
          length != expected_size) {
        return malformed("bad SNAPPY page (length header does not match the page header)");
      }
      size_t out_len = out.size();
      if (snappy_uncompress(input.data(), input.size(), out.data(), &out_len) != SNAPPY_OK ||
          out_len != expected_size) {
        return malformed("bad SNAPPY page data");
      }
      return {};
    }
    case kGzip: {
      z_stream zs{};
      if (inflateInit2(&zs, 32 + 15) != Z_OK) {
        return malformed("zlib init failed");
      }
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
      zs.avail_in = static_cast<uInt>(input.size());
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      int rc = inflate(&zs, Z_FINISH);
      std::size_t produced = zs.total_out;
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || produced != expected_size) {
        return malformed("bad GZIP page data");
      }
      return {};
    }
    case kZstd: {
      size_t n = ZSTD_decompress(out.data(), out.size(), input.data(), input.size());
      if (ZSTD_isError(n) || n != expected_size) {
        return malformed(
            std::string("bad ZSTD page data") +
            (ZSTD_isError(n) ? std::string(": ") + ZSTD_getErrorName(n) : std::string()));
      }
      return {};
    }
    default:
      return malformed(std::string("compression codec ") + codec_name(codec) + " is not supported");
  }
}

}  // namespace dbk::scorer::parquet
