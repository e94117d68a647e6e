#pragma once

#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk {

/// Standard base64 (RFC 4648 §4, with '=' padding), as used by DBFS
/// `contents`/`data` and workspace import/export `content`.
std::string base64_encode(std::string_view bytes);

/// Strict decoder: the length must be a multiple of 4, only the standard
/// alphabet is accepted, '=' only as the last one or two characters, and no
/// whitespace. Anything else is an INVALID_ARGUMENT error naming the offset.
Result<std::string> base64_decode(std::string_view text);

}  // namespace dbk
