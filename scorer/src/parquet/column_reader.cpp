#include "parquet/column_reader.hpp"

#include <zlib.h>

#include "parquet/decompress.hpp"

namespace dbk::scorer::parquet {
namespace {

bool decode_levels(std::string_view data, int encoding, int max_level, std::size_t count,
                   bool length_prefixed, std::vector<std::int32_t>& out, std::size_t& consumed,
                   std::string& error, const char* what) {
  int width = bit_width_of(max_level);
  std::size_t before = out.size();
  if (encoding == kBitPacked) {
    if (!decode_bit_packed_legacy(data, width, count, out, consumed, error)) return false;
  } else if (encoding == kRle) {
    std::string_view body = data;
    consumed = 0;
    if (length_prefixed) {
      if (data.size() < 4) {
        error = std::string("truncated ") + what + " levels";
        return false;
      }
      std::uint32_t len = static_cast<std::uint8_t>(data[0]) |
                          (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[1])) << 8) |
                          (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[2])) << 16) |
                          (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[3])) << 24);
      if (len > data.size() - 4) {
        error = std::string(what) + " level length runs past the page";
        return false;
      }
      body = data.substr(4, len);
      consumed = 4 + len;
    } else {
      consumed = data.size();
    }
    if (!decode_rle_hybrid(body, width, count, out, error)) {
      error = std::string(what) + " levels: " + error;
      return false;
    }
  } else {
    error = std::string("unsupported ") + what + " level encoding " + std::to_string(encoding);
    return false;
  }
  for (std::size_t k = before; k < out.size(); ++k) {
    if (out[k] < 0 || out[k] > max_level) {
      error = std::string(what) + " level " + std::to_string(out[k]) + " above the maximum " +
              std::to_string(max_level);
      return false;
    }
  }
  return true;
}

bool decode_values(std::string_view data, int encoding, const SchemaNode& leaf, std::size_t count,
                   const RawValues* dict, std::size_t dict_size, RawValues& out,
                   std::string& error) {
  const int physical = leaf.physical;
  switch (encoding) {
    case kPlain:
      return decode_plain(data, physical, leaf.type_length, count, out, error);
    case kPlainDictionary:
    case kRleDictionary: {
      if (dict == nullptr) {
        error = "dictionary-encoded page without a dictionary page";
        return false;
      }
      if (count == 0) return true;
      if (data.empty()) {
        error = "dictionary page data is empty";
        return false;
      }
      int width = static_cast<unsigned char>(data[0]);
      std::vector<std::int32_t> ids;
      if (!decode_rle_hybrid(data.substr(1), width, count, ids, error)) {
        error = "dictionary ids: " + error;
        return false;
      }
      for (std::int32_t id : ids) {
        if (id < 0 || static_cast<std::size_t>(id) >= dict_size) {
          error = "dictionary id " + std::to_string(id) + " outside the dictionary of " +
                  std::to_string(dict_size);
          return false;
        }
        out.append_from(*dict, physical, static_cast<std::size_t>(id));
      }
      return true;
    }
    case kRle: {
      if (physical != kBoolean) break;
      std::vector<std::int32_t> bits;
      std::size_t consumed = 0;
      if (!decode_levels(data, kRle, 1, count, true, bits, consumed, error, "boolean")) {
        return false;
      }
      for (auto b : bits) out.ints.push_back(b);
      return true;
    }
    case kDeltaBinaryPacked: {
      if (physical != kInt32 && physical != kInt64) break;
      std::size_t consumed = 0;
      std::size_t before = out.ints.size();
      if (!decode_delta_binary_packed(data, count, out.ints, consumed, error)) return false;
      if (physical == kInt32) {
        for (std::size_t k = before; k < out.ints.size(); ++k) {
          out.ints[k] = static_cast<std::int32_t>(static_cast<std::uint32_t>(out.ints[k]));
        }
      }
      return true;
    }
    case kDeltaLengthByteArray:
      if (physical != kByteArray) break;
      return decode_delta_length_byte_array(data, count, out.strs, error);
    case kDeltaByteArray:
      if (physical != kByteArray && physical != kFixedLenByteArray) break;
      return decode_delta_byte_array(data, count, out.strs, error);
    case kByteStreamSplit:
      return decode_byte_stream_split(data, physical, leaf.type_length, count, out, error);
    default:
      break;
  }
  error = "unsupported encoding " + std::to_string(encoding) + " for physical type " +
          std::to_string(physical);
  return false;
}

// The chunk's bytes, from its dictionary page (when that comes first) for its compressed size,
// checked to lie inside the file and to agree with the schema.
bool chunk_region(std::string_view file, const ColumnChunkMeta& chunk, const SchemaNode& leaf,
                  std::string_view& region, std::string& error) {
  std::int64_t start = chunk.data_page_offset;
  if (chunk.dictionary_page_offset && *chunk.dictionary_page_offset > 0 &&
      *chunk.dictionary_page_offset < start) {
    start = *chunk.dictionary_page_offset;
  }
  const auto file_size = static_cast<std::int64_t>(file.size());
  if (start < 4 || chunk.total_compressed_size < 0 || start >= file_size ||
      chunk.total_compressed_size > file_size - start) {
    error = "column chunk byte range [" + std::to_string(start) + ", +" +
            std::to_string(chunk.total_compressed_size) + ") lies outside the file";
    return false;
  }
  if (chunk.physical != leaf.physical) {
    error = "column chunk type disagrees with the schema";
    return false;
  }
  if (chunk.num_values < 0) {
    error = "negative num_values in column chunk";
    return false;
  }
  region = file.substr(static_cast<std::size_t>(start),
                       static_cast<std::size_t>(chunk.total_compressed_size));
  return true;
}

// A v1 data page: decompressed whole, then repetition levels, definition levels, values.
bool split_v1_page(const ColumnChunkMeta& chunk, const SchemaNode& leaf, const PageHeaderMeta& h,
                   std::string_view body, std::size_t n, std::string& page, LeafData& out,
                   std::string_view& values, std::string& error) {
  if (!decompress(chunk.codec, body, static_cast<std::size_t>(h.uncompressed_size), page, error)) {
    return false;
  }
  std::string_view rest = page;
  std::size_t used = 0;
  if (leaf.max_rep > 0) {
    if (!decode_levels(rest, h.rep_encoding, leaf.max_rep, n, true, out.rep, used, error,
                       "repetition")) {
      return false;
    }
    rest.remove_prefix(used);
  }
  if (leaf.max_def > 0) {
    if (!decode_levels(rest, h.def_encoding, leaf.max_def, n, true, out.def, used, error,
                       "definition")) {
      return false;
    }
    rest.remove_prefix(used);
  }
  values = rest;
  return true;
}

// A v2 data page: uncompressed levels of declared lengths, then the (maybe compressed) values.
bool split_v2_page(const ColumnChunkMeta& chunk, const SchemaNode& leaf, const PageHeaderMeta& h,
                   std::string_view body, std::size_t n, std::string& page, LeafData& out,
                   std::string_view& values, std::string& error) {
  std::size_t levels =
      static_cast<std::size_t>(h.rep_length) + static_cast<std::size_t>(h.def_length);
  if (levels > body.size()) {
    error = "v2 page level lengths exceed the page";
    return false;
  }
  std::size_t used = 0;
  if (leaf.max_rep > 0 &&
      !decode_levels(body.substr(0, static_cast<std::size_t>(h.rep_length)), kRle, leaf.max_rep, n,
                     false, out.rep, used, error, "repetition")) {
    return false;
  }
  if (leaf.max_def > 0 &&
      !decode_levels(body.substr(static_cast<std::size_t>(h.rep_length),
                                 static_cast<std::size_t>(h.def_length)),
                     kRle, leaf.max_def, n, false, out.def, used, error, "definition")) {
    return false;
  }
  std::string_view compressed = body.substr(levels);
  if (!h.is_compressed || chunk.codec == kUncompressed) {
    values = compressed;
    return true;
  }
  if (static_cast<std::size_t>(h.uncompressed_size) < levels) {
    error = "v2 page uncompressed size below its level lengths";
    return false;
  }
  if (!decompress(chunk.codec, compressed, static_cast<std::size_t>(h.uncompressed_size) - levels,
                  page, error)) {
    return false;
  }
  values = page;
  return true;
}

// Dictionary of the chunk's data pages: a PLAIN-encoded page.
bool read_dictionary_page(const ColumnChunkMeta& chunk, const SchemaNode& leaf,
                          const PageHeaderMeta& h, std::string_view body, std::string& page,
                          RawValues& dict, std::string& error) {
  if (!decompress(chunk.codec, body, static_cast<std::size_t>(h.uncompressed_size), page, error)) {
    return false;
  }
  if (!decode_plain(page, leaf.physical, leaf.type_length, static_cast<std::size_t>(h.num_values),
                    dict, error)) {
    error = "dictionary page: " + error;
    return false;
  }
  return true;
}

}  // namespace

bool read_column_chunk(std::string_view file, const ColumnChunkMeta& chunk, const SchemaNode& leaf,
                       bool verify_crc, LeafData& out, std::string& error) {
  out = LeafData{};
  std::string_view region;
  if (!chunk_region(file, chunk, leaf, region, error)) return false;
  std::size_t pos = 0;
  RawValues dict;
  std::size_t dict_size = 0;
  bool have_dict = false;
  std::size_t entries = 0;
  const auto expected = static_cast<std::size_t>(chunk.num_values);
  std::string page;
  while (pos < region.size() && entries < expected) {
    PageHeaderMeta h;
    std::size_t header_len = 0;
    if (!parse_page_header(region.substr(pos), h, header_len, error)) return false;
    pos += header_len;
    if (static_cast<std::size_t>(h.compressed_size) > region.size() - pos) {
      error = "page of " + std::to_string(h.compressed_size) + " bytes runs past its column chunk";
      return false;
    }
    std::string_view body = region.substr(pos, static_cast<std::size_t>(h.compressed_size));
    pos += body.size();
    if (verify_crc && h.crc) {
      // docs/reference/spark-models.md §4.5: zlib crc32 over the compressed page bytes.
      auto crc = static_cast<std::uint32_t>(
          crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
      if (crc != *h.crc) {
        error = "page CRC mismatch";
        return false;
      }
    }
    if (h.type == kDictionaryPage) {
      if (have_dict) {
        error = "second dictionary page in one column chunk";
        return false;
      }
      if (!read_dictionary_page(chunk, leaf, h, body, page, dict, error)) return false;
      dict_size = static_cast<std::size_t>(h.num_values);
      have_dict = true;
      continue;
    }
    if (h.type != kDataPage && h.type != kDataPageV2) continue;  // index pages: skip
    const auto n = static_cast<std::size_t>(h.num_values);
    if (n > expected - entries) {
      error = "pages hold more values than the column chunk declares";
      return false;
    }
    std::string_view values;
    std::size_t def_before = out.def.size();
    const bool split = h.type == kDataPage
                           ? split_v1_page(chunk, leaf, h, body, n, page, out, values, error)
                           : split_v2_page(chunk, leaf, h, body, n, page, out, values, error);
    if (!split) return false;
    std::size_t non_null = n;
    if (leaf.max_def > 0) {
      non_null = 0;
      for (std::size_t k = def_before; k < out.def.size(); ++k) {
        if (out.def[k] == leaf.max_def) ++non_null;
      }
    }
    if (!decode_values(values, h.encoding, leaf, non_null, have_dict ? &dict : nullptr, dict_size,
                       out.values, error)) {
      return false;
    }
    entries += n;
  }
  if (entries != expected) {
    error = "column chunk declares " + std::to_string(expected) + " values, pages hold " +
            std::to_string(entries);
    return false;
  }
  if (leaf.max_rep > 0 && !out.rep.empty() && out.rep.front() != 0) {
    error = "first repetition level is not 0";
    return false;
  }
  out.num_entries = entries;
  return true;
}

}  // namespace dbk::scorer::parquet
