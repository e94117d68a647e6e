#pragma once

// Value and level encodings of docs/reference/spark-models.md §4.6. Every decoder checks bounds
// and reports malformed input as an error Status (no exceptions, no reads past the buffer).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::scorer::parquet {

/// Decoded values of one column chunk, by physical type: BOOLEAN/INT32/INT64/INT96 → ints
/// (INT96 already converted to microseconds since the epoch), FLOAT/DOUBLE → dbls,
/// BYTE_ARRAY/FIXED_LEN_BYTE_ARRAY → strs.
struct RawValues {
  std::vector<std::int64_t> ints;
  std::vector<double> dbls;
  std::vector<std::string> strs;
  std::size_t size(int physical) const;
  /// Appends values[index] of `dict` (same physical type).
  void append_from(const RawValues& dict, int physical, std::size_t index);
};

/// RLE / bit-packed hybrid, `count` values of `bit_width` bits appended to `out`.
Status decode_rle_hybrid(std::string_view data, int bit_width, std::size_t count,
                         std::vector<std::int32_t>& out);
/// Legacy BIT_PACKED levels (MSB first), `consumed` bytes used.
Status decode_bit_packed_legacy(std::string_view data, int bit_width, std::size_t count,
                                std::vector<std::int32_t>& out, std::size_t& consumed);
Status decode_plain(std::string_view data, int physical, int type_length, std::size_t count,
                    RawValues& out);
Status decode_delta_binary_packed(std::string_view data, std::size_t count,
                                  std::vector<std::int64_t>& out, std::size_t& consumed);
Status decode_delta_length_byte_array(std::string_view data, std::size_t count,
                                      std::vector<std::string>& out);
Status decode_delta_byte_array(std::string_view data, std::size_t count,
                               std::vector<std::string>& out);
Status decode_byte_stream_split(std::string_view data, int physical, int type_length,
                                std::size_t count, RawValues& out);

/// Micros since the Unix epoch of an INT96 timestamp (§4.9); false when the value does not
/// fit in 64-bit microseconds (only a corrupt file has one).
bool int96_to_micros(const unsigned char* p, std::int64_t& micros);

int bit_width_of(std::int64_t max_value);

}  // namespace dbk::scorer::parquet
