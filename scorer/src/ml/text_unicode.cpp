#include "ml/text_unicode.hpp"

#include <unicode/ustring.h>

#include <algorithm>
#include <cctype>

namespace dbk::scorer::detail {

std::u16string utf16_of(const std::string& s) {
  std::u16string out(s.size() + 1, u'\0');  // UTF-16 never needs more units than UTF-8 bytes
  std::int32_t length = 0;
  UErrorCode err = U_ZERO_ERROR;
  u_strFromUTF8WithSub(reinterpret_cast<UChar*>(out.data()), static_cast<std::int32_t>(out.size()),
                       &length, s.data(), static_cast<std::int32_t>(s.size()), 0xFFFD, nullptr,
                       &err);
  out.resize(U_SUCCESS(err) ? static_cast<std::size_t>(length) : 0);
  return out;
}

std::string utf8_of(const char16_t* s, std::size_t n) {
  std::string out(n * 3 + 1, '\0');
  std::int32_t length = 0;
  UErrorCode err = U_ZERO_ERROR;
  u_strToUTF8WithSub(out.data(), static_cast<std::int32_t>(out.size()), &length,
                     reinterpret_cast<const UChar*>(s), static_cast<std::int32_t>(n), 0xFFFD,
                     nullptr, &err);
  out.resize(U_SUCCESS(err) ? static_cast<std::size_t>(length) : 0);
  return out;
}

std::u16string java_lower(const std::u16string& s, const char* locale) {
  std::u16string out(s.size() + 8, u'\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode err = U_ZERO_ERROR;
    const std::int32_t n =
        u_strToLower(reinterpret_cast<UChar*>(out.data()), static_cast<std::int32_t>(out.size()),
                     reinterpret_cast<const UChar*>(s.data()), static_cast<std::int32_t>(s.size()),
                     locale, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {  // İ lowercases to two units
      out.assign(static_cast<std::size_t>(n) + 1, u'\0');
      continue;
    }
    out.resize(U_SUCCESS(err) ? static_cast<std::size_t>(n) : 0);
    return out;
  }
  return {};
}

std::string lower_utf8(const std::string& s, const std::string& locale) {
  const std::u16string lower = java_lower(utf16_of(s), locale.c_str());
  return utf8_of(lower.data(), lower.size());
}

std::string java_case_locale(const std::string& param) {
  std::string language = param;
  std::transform(language.begin(), language.end(), language.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return language == "tr" || language == "az" || language == "lt" ? language : "";
}

}  // namespace dbk::scorer::detail
