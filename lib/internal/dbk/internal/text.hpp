// ASCII text helpers shared by libdbk, the emulator and the scorer. Internal: the dbk_internal
// CMake target hands this folder to those targets only; it is never installed, so nothing here
// is public API. ASCII only on purpose: HTTP tokens, config keys and file suffixes are ASCII,
// and the C locale's tolower would depend on the process's locale.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace dbk::internal {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

/// Case-insensitive (ASCII) equality, for header names and other protocol tokens.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

/// Case-insensitive (ASCII) substring test.
inline bool icontains(std::string_view haystack, std::string_view needle) noexcept {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) { return ascii_lower(x) == ascii_lower(y); }) !=
         haystack.end();
}

inline bool starts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.substr(0, prefix.size()) == prefix;
}

inline bool ends_with(std::string_view text, std::string_view suffix) noexcept {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

constexpr bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// `text` without leading and trailing ASCII white space (a view into `text`).
inline std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_ascii_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ascii_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace dbk::internal
