#include "dbk/base64.hpp"

#include <array>
#include <cstdint>

namespace dbk {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr auto kDecode = make_decode_table();

ApiError bad_character(std::string_view text, size_t offset) {
  auto c = static_cast<unsigned char>(text[offset]);
  std::string shown = (c >= 0x21 && c < 0x7F) ? std::string("'") + static_cast<char>(c) + "'"
                                              : "byte " + std::to_string(c);
  return make_error(error_codes::kInvalidArgument,
                    "invalid base64: unexpected " + shown + " at offset " + std::to_string(offset));
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.resize((bytes.size() + 2) / 3 * 4);
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* dst = out.data();
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *dst++ = kAlphabet[(v >> 18) & 0x3F];
    *dst++ = kAlphabet[(v >> 12) & 0x3F];
    *dst++ = kAlphabet[(v >> 6) & 0x3F];
    *dst++ = kAlphabet[v & 0x3F];
  }
  size_t left = bytes.size() - i;
  if (left > 0) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (left == 2) v |= uint32_t{in[i + 1]} << 8;
    *dst++ = kAlphabet[(v >> 18) & 0x3F];
    *dst++ = kAlphabet[(v >> 12) & 0x3F];
    *dst++ = left == 2 ? kAlphabet[(v >> 6) & 0x3F] : '=';
    *dst++ = '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return make_error(
        error_codes::kInvalidArgument,
        "invalid base64: length " + std::to_string(text.size()) + " is not a multiple of 4");
  }
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.resize(text.size() / 4 * 3 - padding);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  char* dst = out.data();
  const size_t full_end = padding > 0 ? text.size() - 4 : text.size();
  for (size_t i = 0; i < full_end; i += 4) {
    uint8_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
            d = kDecode[in[i + 3]];
    if (((a | b | c | d) & 0xC0) != 0) {  // only kInvalid has the top bits set
      for (size_t k = i; k < i + 4; ++k) {
        if (kDecode[in[k]] == kInvalid) return bad_character(text, k);
      }
    }
    uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    *dst++ = static_cast<char>(v >> 16);
    *dst++ = static_cast<char>((v >> 8) & 0xFF);
    *dst++ = static_cast<char>(v & 0xFF);
  }
  if (padding > 0) {
    size_t i = full_end;
    size_t data_chars = 4 - padding;
    uint32_t v = 0;
    for (size_t k = 0; k < data_chars; ++k) {
      uint8_t d = kDecode[in[i + k]];
      if (d == kInvalid) return bad_character(text, i + k);
      v |= uint32_t{d} << (18 - 6 * k);
    }
    *dst++ = static_cast<char>(v >> 16);
    if (padding == 1) *dst++ = static_cast<char>((v >> 8) & 0xFF);
  }
  return out;
}

}  // namespace dbk
