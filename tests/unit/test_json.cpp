#include <catch2/catch.hpp>
#include <string>

#include "dbk/json.hpp"

namespace {
std::string nested(std::size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}
}  // namespace

TEST_CASE("json_nesting_depth counts arrays and objects but not brackets in strings") {
  CHECK(dbk::json_nesting_depth("") == 0);
  CHECK(dbk::json_nesting_depth("42") == 0);
  CHECK(dbk::json_nesting_depth("[]") == 1);
  CHECK(dbk::json_nesting_depth(R"({"a":[1,{"b":[]}]})") == 4);
  CHECK(dbk::json_nesting_depth(R"(["[[[[", "\"[[[", {}])") == 2);
  CHECK(dbk::json_nesting_depth(R"("\\" [ [)") == 2);
  CHECK(dbk::json_nesting_depth(nested(100000), 10) == 11);
}

TEST_CASE("parse_json accepts JSON up to the depth limit") {
  auto parsed = dbk::parse_json(nested(dbk::kMaxJsonDepth));
  REQUIRE(parsed.ok());
  CHECK(parsed->is_array());
  auto object = dbk::parse_ordered_json(R"({"b":1,"a":2})");
  REQUIRE(object.ok());
  CHECK(object->dump() == R"({"b":1,"a":2})");
}

TEST_CASE("parse_json refuses over-deep JSON before building it, however deep") {
  for (std::size_t depth : {dbk::kMaxJsonDepth + 1, std::size_t{200000}}) {
    auto parsed = dbk::parse_json(nested(depth, '{', '}'));
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().error_code == dbk::error_codes::kInvalidArgument);
    CHECK(parsed.error().message.find("nested deeper than 512") != std::string::npos);
  }
  // A truncated over-deep text is refused for its depth too, never parsed.
  CHECK_FALSE(dbk::parse_ordered_json(std::string(300000, '[')).ok());
}

TEST_CASE("parse_json refuses a number too large for a double instead of throwing") {
  // nlohmann reports this as out_of_range, not parse_error: it must not escape as an exception.
  for (const char* text : {"[1e999]", R"({"a": -1e400})"}) {
    auto parsed = dbk::parse_json(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find("number overflow") != std::string::npos);
    CHECK_FALSE(dbk::parse_ordered_json(text).ok());
  }
}

TEST_CASE("parse_json names the syntax error") {
  auto parsed = dbk::parse_json(R"({"a": )");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message.rfind("invalid JSON: parse error", 0) == 0);
}
