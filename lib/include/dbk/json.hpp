#pragma once

#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk {

/// The deepest nesting of arrays and objects that dbk accepts in a JSON text. Far above
/// any document the Databricks API takes, and far below the depth at which recursive
/// copies, comparisons and `dump()` of a parsed value run out of stack.
inline constexpr std::size_t kMaxJsonDepth = 512;

/// The longest chain of nested arrays and objects in `text`, counted byte by byte
/// without building anything (brackets inside strings do not count). Counting stops
/// once the depth exceeds `limit`, so the result is at most `limit + 1`.
std::size_t json_nesting_depth(std::string_view text,
                               std::size_t limit = std::numeric_limits<std::size_t>::max() -
                                                   1) noexcept;

/// Parses `text`, refusing before any value is built a text nested deeper than
/// `max_depth`. Every JSON text that crosses a trust boundary (a request body, a
/// server's response, a state file, a user's `--json`) goes through these, so no
/// parsed value is ever too deep to copy or print. Errors are INVALID_ARGUMENT with
/// a message that says what is wrong; callers rewrap them with their own code.
Result<nlohmann::json> parse_json(std::string_view text, std::size_t max_depth = kMaxJsonDepth);
Result<nlohmann::ordered_json> parse_ordered_json(std::string_view text,
                                                  std::size_t max_depth = kMaxJsonDepth);

}  // namespace dbk
