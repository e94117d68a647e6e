#pragma once

// Java's String semantics the text stages depend on, through ICU: UTF-16 code units (a token's
// length), toLowerCase (full case mapping: final sigma, dotted capital I) and its locale rule.

#include <string>

namespace dbk::scorer::detail {

/// UTF-8 → UTF-16; an invalid sequence becomes U+FFFD, as Java decodes Spark's UTF8String.
std::u16string utf16_of(const std::string& s);
/// UTF-16 → UTF-8 (an unpaired surrogate becomes U+FFFD).
std::string utf8_of(const char16_t* s, std::size_t n);
/// String.toLowerCase in the ICU locale `locale` ("" for every language but tr, az and lt).
std::u16string java_lower(const std::u16string& s, const char* locale);
std::string lower_utf8(const std::string& s, const std::string& locale);
/// The ICU locale of Java's toLowerCase(new Locale(param)): `new Locale` takes the whole text
/// as the language (lowercased), and only the languages tr, az and lt lowercase differently,
/// so "tr" is Turkish but "tr_TR" is not.
std::string java_case_locale(const std::string& param);
/// java_regex_to_icu (text_stages.cpp): a java.util.regex pattern rewritten for ICU; false,
/// with `construct` naming it, for a construct whose Java meaning ICU does not reproduce.
bool java_regex_to_icu(const std::string& pattern, std::string& out, std::string& construct);

}  // namespace dbk::scorer::detail
