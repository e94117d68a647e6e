#pragma once

#include <string>

namespace dbk::cli {

// ASCII case mapping for flag values, API enums and names: locale-independent, so a
// Turkish or other locale cannot change what `--format source` or `--order desc` means.

inline std::string ascii_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

inline std::string ascii_upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

}  // namespace dbk::cli
