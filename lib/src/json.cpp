#include "dbk/json.hpp"

#include <string>

namespace dbk {

std::size_t json_nesting_depth(std::string_view text, std::size_t limit) noexcept {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > limit) return deepest;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

namespace {

template <typename Json>
Result<Json> parse_bounded(std::string_view text, std::size_t max_depth) {
  if (json_nesting_depth(text, max_depth) > max_depth) {
    return make_error(error_codes::kInvalidArgument,
                      "JSON nested deeper than " + std::to_string(max_depth) + " levels");
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number too large for a double ("1e999") is out_of_range.
    // nlohmann's text reads "[json.exception.parse_error.101] parse error at line 1, ...";
    // keep the part after the bracketed id.
    std::string what = e.what();
    auto bracket = what.find("] ");
    return make_error(
        error_codes::kInvalidArgument,
        "invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text, std::size_t max_depth) {
  return parse_bounded<nlohmann::json>(text, max_depth);
}

Result<nlohmann::ordered_json> parse_ordered_json(std::string_view text, std::size_t max_depth) {
  return parse_bounded<nlohmann::ordered_json>(text, max_depth);
}

}  // namespace dbk
