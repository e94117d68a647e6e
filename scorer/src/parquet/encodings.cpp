#include "parquet/encodings.hpp"

#include <cstring>

#include "parquet/errors.hpp"

namespace dbk::scorer::parquet {
namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool read_uleb(std::string_view data, std::size_t& pos, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) return false;
    auto b = static_cast<std::uint8_t>(data[pos++]);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

bool read_zigzag(std::string_view data, std::size_t& pos, std::int64_t& v) {
  std::uint64_t u;
  if (!read_uleb(data, pos, u)) return false;
  v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
  return true;
}

// Reads `width` (≤ 64) bits LSB-first starting at bit `bit` of `p` (caller checked the range).
std::uint64_t read_bits(const unsigned char* p, std::size_t bit, int width) {
  std::uint64_t v = 0;
  int done = 0;
  while (done < width) {
    std::size_t byte = bit >> 3;
    int offset = static_cast<int>(bit & 7);
    int take = 8 - offset;
    if (take > width - done) take = width - done;
    std::uint64_t chunk = (static_cast<std::uint64_t>(p[byte]) >> offset) & ((1u << take) - 1);
    v |= chunk << done;
    done += take;
    bit += static_cast<std::size_t>(take);
  }
  return v;
}

}  // namespace

int bit_width_of(std::int64_t max_value) {
  int w = 0;
  while (max_value > 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

std::size_t RawValues::size(int physical) const {
  switch (physical) {
    case 4:
    case 5:
      return dbls.size();
    case 6:
    case 7:
      return strs.size();
    default:
      return ints.size();
  }
}

void RawValues::append_from(const RawValues& dict, int physical, std::size_t index) {
  switch (physical) {
    case 4:
    case 5:
      dbls.push_back(dict.dbls[index]);
      break;
    case 6:
    case 7:
      strs.push_back(dict.strs[index]);
      break;
    default:
      ints.push_back(dict.ints[index]);
      break;
  }
}

bool int96_to_micros(const unsigned char* p, std::int64_t& micros) {
  std::int64_t nanos;
  std::int32_t julian_day;
  std::memcpy(&nanos, p, 8);
  std::memcpy(&julian_day, p + 8, 4);
  // docs/reference/spark-models.md §4.9: Julian day 2440588 is 1970-01-01.
  std::int64_t day_micros;
  return !__builtin_mul_overflow(static_cast<std::int64_t>(julian_day) - 2440588,
                                 std::int64_t{86400000000}, &day_micros) &&
         !__builtin_add_overflow(day_micros, nanos / 1000, &micros);
}

Status decode_rle_hybrid(std::string_view data, int bit_width, std::size_t count,
                         std::vector<std::int32_t>& out) {
  if (bit_width < 0 || bit_width > 32) {
    return malformed("bad RLE bit width " + std::to_string(bit_width));
  }
  std::size_t pos = 0;
  std::size_t produced = 0;
  out.reserve(out.size() + count);
  const int value_bytes = (bit_width + 7) / 8;
  while (produced < count) {
    std::uint64_t header;
    if (!read_uleb(data, pos, header)) {
      return malformed("RLE data ends after " + std::to_string(produced) + " of " +
                       std::to_string(count) + " values");
    }
    if ((header & 1) == 0) {
      std::uint64_t run = header >> 1;
      if (pos + static_cast<std::size_t>(value_bytes) > data.size()) {
        return malformed("truncated RLE run");
      }
      std::uint32_t value = 0;
      for (int b = 0; b < value_bytes; ++b) {
        value |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[pos + b])) << (8 * b);
      }
      pos += static_cast<std::size_t>(value_bytes);
      if (run == 0) continue;
      std::size_t take = run > count - produced ? count - produced : static_cast<std::size_t>(run);
      out.insert(out.end(), take, static_cast<std::int32_t>(value));
      produced += take;
    } else {
      std::uint64_t groups = header >> 1;
      if (groups > data.size()) {
        return malformed("bit-packed run past the end");
      }
      std::size_t n = static_cast<std::size_t>(groups) * 8;
      std::size_t run_bytes =
          static_cast<std::size_t>(groups) * static_cast<std::size_t>(bit_width);
      // The last run may be cut short by the writer when it holds the final values.
      std::size_t avail = data.size() - pos;
      std::size_t take = n > count - produced ? count - produced : n;
      if ((take * static_cast<std::size_t>(bit_width) + 7) / 8 > avail) {
        return malformed("truncated bit-packed run");
      }
      const unsigned char* p = bytes(data) + pos;
      for (std::size_t k = 0; k < take; ++k) {
        out.push_back(static_cast<std::int32_t>(
            bit_width == 0 ? 0 : read_bits(p, k * static_cast<std::size_t>(bit_width), bit_width)));
      }
      produced += take;
      pos += run_bytes <= avail ? run_bytes : avail;
    }
  }
  return {};
}

Status decode_bit_packed_legacy(std::string_view data, int bit_width, std::size_t count,
                                std::vector<std::int32_t>& out, std::size_t& consumed) {
  std::size_t total_bits = count * static_cast<std::size_t>(bit_width);
  std::size_t need = (total_bits + 7) / 8;
  if (need > data.size()) {
    return malformed("truncated BIT_PACKED levels");
  }
  const unsigned char* p = bytes(data);
  for (std::size_t k = 0; k < count; ++k) {
    std::uint32_t v = 0;
    for (int b = 0; b < bit_width; ++b) {
      std::size_t bit = k * static_cast<std::size_t>(bit_width) + static_cast<std::size_t>(b);
      v = (v << 1) | ((p[bit >> 3] >> (7 - (bit & 7))) & 1u);
    }
    out.push_back(static_cast<std::int32_t>(v));
  }
  consumed = need;
  return {};
}

Status decode_plain(std::string_view data, int physical, int type_length, std::size_t count,
                    RawValues& out) {
  const unsigned char* p = bytes(data);
  auto need = [&](std::size_t n) -> Status {
    if (n > data.size()) {
      return malformed("PLAIN values need " + std::to_string(n) + " bytes, page has " +
                       std::to_string(data.size()));
    }
    return {};
  };
  switch (physical) {
    case 0:  // BOOLEAN, bit-packed LSB first
      if (auto room = need((count + 7) / 8); !room) return room;
      for (std::size_t k = 0; k < count; ++k) out.ints.push_back((p[k >> 3] >> (k & 7)) & 1);
      return {};
    case 1:
      if (auto room = need(count * 4); !room) return room;
      for (std::size_t k = 0; k < count; ++k) {
        std::int32_t v;
        std::memcpy(&v, p + 4 * k, 4);
        out.ints.push_back(v);
      }
      return {};
    case 2:
      if (auto room = need(count * 8); !room) return room;
      {
        std::size_t base = out.ints.size();
        out.ints.resize(base + count);
        // A page of only nulls has no values, and memcpy from/to an empty vector's null data()
        // is undefined even for 0 bytes.
        if (count > 0) std::memcpy(out.ints.data() + base, p, count * 8);
      }
      return {};
    case 3:
      if (auto room = need(count * 12); !room) return room;
      for (std::size_t k = 0; k < count; ++k) {
        std::int64_t micros;
        if (!int96_to_micros(p + 12 * k, micros)) {
          return malformed("INT96 timestamp out of range");
        }
        out.ints.push_back(micros);
      }
      return {};
    case 4:
      if (auto room = need(count * 4); !room) return room;
      for (std::size_t k = 0; k < count; ++k) {
        float v;
        std::memcpy(&v, p + 4 * k, 4);
        out.dbls.push_back(static_cast<double>(v));
      }
      return {};
    case 5:
      if (auto room = need(count * 8); !room) return room;
      {
        std::size_t base = out.dbls.size();
        out.dbls.resize(base + count);
        // A page of only nulls has no values, and memcpy from/to an empty vector's null data()
        // is undefined even for 0 bytes.
        if (count > 0) std::memcpy(out.dbls.data() + base, p, count * 8);
      }
      return {};
    case 6: {
      std::size_t pos = 0;
      for (std::size_t k = 0; k < count; ++k) {
        if (pos + 4 > data.size()) {
          return malformed("truncated BYTE_ARRAY length");
        }
        std::uint32_t len;
        std::memcpy(&len, p + pos, 4);
        pos += 4;
        if (len > data.size() - pos) {
          return malformed("BYTE_ARRAY value runs past the page");
        }
        out.strs.emplace_back(data.data() + pos, len);
        pos += len;
      }
      return {};
    }
    case 7: {
      std::size_t len = static_cast<std::size_t>(type_length);
      if (len == 0) return malformed("FIXED_LEN_BYTE_ARRAY without a length");
      if (auto room = need(count * len); !room) return room;
      for (std::size_t k = 0; k < count; ++k) out.strs.emplace_back(data.data() + k * len, len);
      return {};
    }
    default:
      return malformed("unknown physical type " + std::to_string(physical));
  }
}

Status decode_delta_binary_packed(std::string_view data, std::size_t count,
                                  std::vector<std::int64_t>& out, std::size_t& consumed) {
  std::size_t pos = 0;
  std::uint64_t block_size, miniblocks, total;
  std::int64_t first;
  if (!read_uleb(data, pos, block_size) || !read_uleb(data, pos, miniblocks) ||
      !read_uleb(data, pos, total) || !read_zigzag(data, pos, first)) {
    return malformed("truncated DELTA_BINARY_PACKED header");
  }
  if (block_size == 0 || miniblocks == 0 || block_size % 128 != 0 || block_size > (1u << 20) ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return malformed("bad DELTA_BINARY_PACKED block layout");
  }
  if (total < count) {
    return malformed("DELTA_BINARY_PACKED holds " + std::to_string(total) + " values, page needs " +
                     std::to_string(count));
  }
  std::size_t per_mini = static_cast<std::size_t>(block_size / miniblocks);
  std::size_t produced = 0;
  std::uint64_t value = static_cast<std::uint64_t>(first);
  if (total > 0 && produced < count) {
    out.push_back(first);
    ++produced;
  }
  // The whole encoded stream must be consumed (other data may follow it), even past `count`.
  std::uint64_t remaining = total > 0 ? total - 1 : 0;
  while (remaining > 0) {
    std::int64_t min_delta;
    if (!read_zigzag(data, pos, min_delta)) {
      return malformed("truncated DELTA_BINARY_PACKED block");
    }
    if (pos + miniblocks > data.size()) {
      return malformed("truncated DELTA_BINARY_PACKED bit widths");
    }
    std::size_t widths_pos = pos;
    pos += static_cast<std::size_t>(miniblocks);
    for (std::uint64_t m = 0; m < miniblocks && remaining > 0; ++m) {
      int width = static_cast<unsigned char>(data[widths_pos + m]);
      if (width > 64) {
        return malformed("DELTA_BINARY_PACKED bit width above 64");
      }
      std::size_t mini_bytes = per_mini * static_cast<std::size_t>(width) / 8;
      if (mini_bytes > data.size() - pos) {
        return malformed("truncated DELTA_BINARY_PACKED miniblock");
      }
      const unsigned char* p = bytes(data) + pos;
      std::size_t n = remaining < per_mini ? static_cast<std::size_t>(remaining) : per_mini;
      for (std::size_t k = 0; k < n; ++k) {
        std::uint64_t delta =
            width == 0 ? 0 : read_bits(p, k * static_cast<std::size_t>(width), width);
        // Wrapping arithmetic, as the spec requires.
        value += static_cast<std::uint64_t>(min_delta) + delta;
        if (produced < count) {
          out.push_back(static_cast<std::int64_t>(value));
          ++produced;
        }
      }
      remaining -= n;
      pos += mini_bytes;
    }
  }
  consumed = pos;
  return {};
}

Status decode_delta_length_byte_array(std::string_view data, std::size_t count,
                                      std::vector<std::string>& out) {
  std::vector<std::int64_t> lengths;
  std::size_t pos = 0;
  if (auto st = decode_delta_binary_packed(data, count, lengths, pos); !st) return st;
  for (std::size_t k = 0; k < count; ++k) {
    std::int64_t len = lengths[k];
    if (len < 0 || static_cast<std::uint64_t>(len) > data.size() - pos) {
      return malformed("DELTA_LENGTH_BYTE_ARRAY value runs past the page");
    }
    out.emplace_back(data.data() + pos, static_cast<std::size_t>(len));
    pos += static_cast<std::size_t>(len);
  }
  return {};
}

Status decode_delta_byte_array(std::string_view data, std::size_t count,
                               std::vector<std::string>& out) {
  std::vector<std::int64_t> prefixes;
  std::size_t pos = 0;
  if (auto st = decode_delta_binary_packed(data, count, prefixes, pos); !st) return st;
  std::vector<std::string> suffixes;
  if (auto st = decode_delta_length_byte_array(data.substr(pos), count, suffixes); !st) return st;
  std::string previous;
  for (std::size_t k = 0; k < count; ++k) {
    std::int64_t pre = prefixes[k];
    if (pre < 0 || static_cast<std::uint64_t>(pre) > previous.size()) {
      return malformed("DELTA_BYTE_ARRAY prefix longer than the previous value");
    }
    std::string value = previous.substr(0, static_cast<std::size_t>(pre)) + suffixes[k];
    out.push_back(value);
    previous = std::move(value);
  }
  return {};
}

Status decode_byte_stream_split(std::string_view data, int physical, int type_length,
                                std::size_t count, RawValues& out) {
  std::size_t width;
  switch (physical) {
    case 1:
    case 4:
      width = 4;
      break;
    case 2:
    case 5:
      width = 8;
      break;
    case 7:
      width = static_cast<std::size_t>(type_length);
      break;
    default:
      return malformed("BYTE_STREAM_SPLIT on physical type " + std::to_string(physical));
  }
  if (width == 0 || count * width > data.size()) {
    return malformed("truncated BYTE_STREAM_SPLIT data");
  }
  // Streams span the whole buffer: stream s starts at s * (size / width).
  std::size_t stride = data.size() / width;
  if (stride < count) {
    return malformed("BYTE_STREAM_SPLIT streams shorter than the value count");
  }
  std::string gathered(count * width, '\0');
  for (std::size_t k = 0; k < count; ++k) {
    for (std::size_t b = 0; b < width; ++b) gathered[k * width + b] = data[b * stride + k];
  }
  return decode_plain(gathered, physical, type_length, count, out);
}

}  // namespace dbk::scorer::parquet
