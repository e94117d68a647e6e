#include "parquet/column_reader.hpp"

#include <zlib.h>

#include "parquet/decompress.hpp"
#include "parquet/errors.hpp"

namespace dbk::scorer::parquet {
namespace {

Status decode_levels(std::string_view data, int encoding, int max_level, std::size_t count,
                     bool length_prefixed, std::vector<std::int32_t>& out, std::size_t& consumed,
                     const char* what) {
  int width = bit_width_of(max_level);
  std::size_t before = out.size();
  if (encoding == kBitPacked) {
    if (auto st = decode_bit_packed_legacy(data, width, count, out, consumed); !st) return st;
  } else if (encoding == kRle) {
    std::string_view body = data;
    consumed = 0;
    if (length_prefixed) {
      if (data.size() < 4) {
        return malformed(std::string("truncated ") + what + " levels");
      }
      std::uint32_t len = static_cast<std::uint8_t>(data[0]) |
                          (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[1])) << 8) |
                          (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[2])) << 16) |
                          (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[3])) << 24);
      if (len > data.size() - 4) {
        return malformed(std::string(what) + " level length runs past the page");
      }
      body = data.substr(4, len);
      consumed = 4 + len;
    } else {
      consumed = data.size();
    }
    if (auto st = decode_rle_hybrid(body, width, count, out); !st) {
      return within(std::string(what) + " levels: ", std::move(st).error());
    }
  } else {
    return malformed(std::string("unsupported ") + what + " level encoding " +
                     std::to_string(encoding));
  }
  for (std::size_t k = before; k < out.size(); ++k) {
    if (out[k] < 0 || out[k] > max_level) {
      return malformed(std::string(what) + " level " + std::to_string(out[k]) +
                       " above the maximum " + std::to_string(max_level));
    }
  }
  return {};
}

Status decode_values(std::string_view data, int encoding, const SchemaNode& leaf, std::size_t count,
                     const RawValues* dict, std::size_t dict_size, RawValues& out) {
  const int physical = leaf.physical;
  switch (encoding) {
    case kPlain:
      return decode_plain(data, physical, leaf.type_length, count, out);
    case kPlainDictionary:
    case kRleDictionary: {
      if (dict == nullptr) {
        return malformed("dictionary-encoded page without a dictionary page");
      }
      if (count == 0) return {};
      if (data.empty()) {
        return malformed("dictionary page data is empty");
      }
      int width = static_cast<unsigned char>(data[0]);
      std::vector<std::int32_t> ids;
      if (auto st = decode_rle_hybrid(data.substr(1), width, count, ids); !st) {
        return within("dictionary ids: ", std::move(st).error());
      }
      for (std::int32_t id : ids) {
        if (id < 0 || static_cast<std::size_t>(id) >= dict_size) {
          return malformed("dictionary id " + std::to_string(id) + " outside the dictionary of " +
                           std::to_string(dict_size));
        }
        out.append_from(*dict, physical, static_cast<std::size_t>(id));
      }
      return {};
    }
    case kRle: {
      if (physical != kBoolean) break;
      std::vector<std::int32_t> bits;
      std::size_t consumed = 0;
      if (auto st = decode_levels(data, kRle, 1, count, true, bits, consumed, "boolean"); !st) {
        return st;
      }
      for (auto b : bits) out.ints.push_back(b);
      return {};
    }
    case kDeltaBinaryPacked: {
      if (physical != kInt32 && physical != kInt64) break;
      std::size_t consumed = 0;
      std::size_t before = out.ints.size();
      if (auto st = decode_delta_binary_packed(data, count, out.ints, consumed); !st) return st;
      if (physical == kInt32) {
        for (std::size_t k = before; k < out.ints.size(); ++k) {
          out.ints[k] = static_cast<std::int32_t>(static_cast<std::uint32_t>(out.ints[k]));
        }
      }
      return {};
    }
    case kDeltaLengthByteArray:
      if (physical != kByteArray) break;
      return decode_delta_length_byte_array(data, count, out.strs);
    case kDeltaByteArray:
      if (physical != kByteArray && physical != kFixedLenByteArray) break;
      return decode_delta_byte_array(data, count, out.strs);
    case kByteStreamSplit:
      return decode_byte_stream_split(data, physical, leaf.type_length, count, out);
    default:
      break;
  }
  return malformed("unsupported encoding " + std::to_string(encoding) + " for physical type " +
                   std::to_string(physical));
}

// The chunk's bytes, from its dictionary page (when that comes first) for its compressed size,
// checked to lie inside the file and to agree with the schema.
Status chunk_region(std::string_view file, const ColumnChunkMeta& chunk, const SchemaNode& leaf,
                    std::string_view& region) {
  std::int64_t start = chunk.data_page_offset;
  if (chunk.dictionary_page_offset && *chunk.dictionary_page_offset > 0 &&
      *chunk.dictionary_page_offset < start) {
    start = *chunk.dictionary_page_offset;
  }
  const auto file_size = static_cast<std::int64_t>(file.size());
  if (start < 4 || chunk.total_compressed_size < 0 || start >= file_size ||
      chunk.total_compressed_size > file_size - start) {
    return malformed("column chunk byte range [" + std::to_string(start) + ", +" +
                     std::to_string(chunk.total_compressed_size) + ") lies outside the file");
  }
  if (chunk.physical != leaf.physical) {
    return malformed("column chunk type disagrees with the schema");
  }
  if (chunk.num_values < 0) {
    return malformed("negative num_values in column chunk");
  }
  region = file.substr(static_cast<std::size_t>(start),
                       static_cast<std::size_t>(chunk.total_compressed_size));
  return {};
}

// A v1 data page: decompressed whole, then repetition levels, definition levels, values.
Status split_v1_page(const ColumnChunkMeta& chunk, const SchemaNode& leaf, const PageHeaderMeta& h,
                     std::string_view body, std::size_t n, std::string& page, LeafData& out,
                     std::string_view& values) {
  if (auto st = decompress(chunk.codec, body, static_cast<std::size_t>(h.uncompressed_size), page);
      !st) {
    return st;
  }
  std::string_view rest = page;
  std::size_t used = 0;
  if (leaf.max_rep > 0) {
    if (auto st =
            decode_levels(rest, h.rep_encoding, leaf.max_rep, n, true, out.rep, used, "repetition");
        !st) {
      return st;
    }
    rest.remove_prefix(used);
  }
  if (leaf.max_def > 0) {
    if (auto st =
            decode_levels(rest, h.def_encoding, leaf.max_def, n, true, out.def, used, "definition");
        !st) {
      return st;
    }
    rest.remove_prefix(used);
  }
  values = rest;
  return {};
}

// A v2 data page: uncompressed levels of declared lengths, then the (maybe compressed) values.
Status split_v2_page(const ColumnChunkMeta& chunk, const SchemaNode& leaf, const PageHeaderMeta& h,
                     std::string_view body, std::size_t n, std::string& page, LeafData& out,
                     std::string_view& values) {
  std::size_t levels =
      static_cast<std::size_t>(h.rep_length) + static_cast<std::size_t>(h.def_length);
  if (levels > body.size()) {
    return malformed("v2 page level lengths exceed the page");
  }
  std::size_t used = 0;
  if (leaf.max_rep > 0) {
    auto st = decode_levels(body.substr(0, static_cast<std::size_t>(h.rep_length)), kRle,
                            leaf.max_rep, n, false, out.rep, used, "repetition");
    if (!st) return st;
  }
  if (leaf.max_def > 0) {
    auto st = decode_levels(
        body.substr(static_cast<std::size_t>(h.rep_length), static_cast<std::size_t>(h.def_length)),
        kRle, leaf.max_def, n, false, out.def, used, "definition");
    if (!st) return st;
  }
  std::string_view compressed = body.substr(levels);
  if (!h.is_compressed || chunk.codec == kUncompressed) {
    values = compressed;
    return {};
  }
  if (static_cast<std::size_t>(h.uncompressed_size) < levels) {
    return malformed("v2 page uncompressed size below its level lengths");
  }
  if (auto st = decompress(chunk.codec, compressed,
                           static_cast<std::size_t>(h.uncompressed_size) - levels, page);
      !st) {
    return st;
  }
  values = page;
  return {};
}

// Dictionary of the chunk's data pages: a PLAIN-encoded page.
Status read_dictionary_page(const ColumnChunkMeta& chunk, const SchemaNode& leaf,
                            const PageHeaderMeta& h, std::string_view body, std::string& page,
                            RawValues& dict) {
  if (auto st = decompress(chunk.codec, body, static_cast<std::size_t>(h.uncompressed_size), page);
      !st) {
    return st;
  }
  if (auto st = decode_plain(page, leaf.physical, leaf.type_length,
                             static_cast<std::size_t>(h.num_values), dict);
      !st) {
    return within("dictionary page: ", std::move(st).error());
  }
  return {};
}

}  // namespace

Status read_column_chunk(std::string_view file, const ColumnChunkMeta& chunk,
                         const SchemaNode& leaf, bool verify_crc, LeafData& out) {
  out = LeafData{};
  std::string_view region;
  if (auto st = chunk_region(file, chunk, leaf, region); !st) return st;
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
    if (auto st = parse_page_header(region.substr(pos), h, header_len); !st) return st;
    pos += header_len;
    if (static_cast<std::size_t>(h.compressed_size) > region.size() - pos) {
      return malformed("page of " + std::to_string(h.compressed_size) +
                       " bytes runs past its column chunk");
    }
    std::string_view body = region.substr(pos, static_cast<std::size_t>(h.compressed_size));
    pos += body.size();
    if (verify_crc && h.crc) {
      // docs/reference/spark-models.md §4.5: zlib crc32 over the compressed page bytes.
      auto crc = static_cast<std::uint32_t>(
          crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
      if (crc != *h.crc) {
        return malformed("page CRC mismatch");
      }
    }
    if (h.type == kDictionaryPage) {
      if (have_dict) {
        return malformed("second dictionary page in one column chunk");
      }
      if (auto st = read_dictionary_page(chunk, leaf, h, body, page, dict); !st) return st;
      dict_size = static_cast<std::size_t>(h.num_values);
      have_dict = true;
      continue;
    }
    if (h.type != kDataPage && h.type != kDataPageV2) continue;  // index pages: skip
    const auto n = static_cast<std::size_t>(h.num_values);
    if (n > expected - entries) {
      return malformed("pages hold more values than the column chunk declares");
    }
    std::string_view values;
    std::size_t def_before = out.def.size();
    Status split = h.type == kDataPage ? split_v1_page(chunk, leaf, h, body, n, page, out, values)
                                       : split_v2_page(chunk, leaf, h, body, n, page, out, values);
    if (!split) return split;
    std::size_t non_null = n;
    if (leaf.max_def > 0) {
      non_null = 0;
      for (std::size_t k = def_before; k < out.def.size(); ++k) {
        if (out.def[k] == leaf.max_def) ++non_null;
      }
    }
    if (auto st = decode_values(values, h.encoding, leaf, non_null, have_dict ? &dict : nullptr,
                                dict_size, out.values);
        !st) {
      return st;
    }
    entries += n;
  }
  if (entries != expected) {
    return malformed("column chunk declares " + std::to_string(expected) + " values, pages hold " +
                     std::to_string(entries));
  }
  if (leaf.max_rep > 0 && !out.rep.empty() && out.rep.front() != 0) {
    return malformed("first repetition level is not 0");
  }
  out.num_entries = entries;
  return {};
}

}  // namespace dbk::scorer::parquet
