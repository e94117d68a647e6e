// The JSON printer must match Python's json.dumps(obj, indent=2) byte for byte
// (docs/reference/rest-api.md §5.2); expectations were produced with CPython 3 json.dumps.
#include <catch2/catch.hpp>

#include "output/json_printer.hpp"

using dbk::cli::python_float_repr;
using dbk::cli::python_repr;
using dbk::cli::to_python_json;
using dbk::cli::to_python_json_compact;
using Json = nlohmann::ordered_json;

TEST_CASE("empty containers print as [] and {} like Python, not on two lines") {
  CHECK(to_python_json(Json::array()) == "[]");
  CHECK(to_python_json(Json::object()) == "{}");
  auto nested = Json::parse(R"({"nested": {"x": [[]], "y": [{}]}})");
  CHECK(
      to_python_json(nested) ==
      "{\n  \"nested\": {\n    \"x\": [\n      []\n    ],\n    \"y\": [\n      {}\n    ]\n  }\n}");
}

TEST_CASE("keys keep server order and nesting uses two spaces") {
  auto value = Json::parse(R"({"b": [], "a": {}, "c": [1, {"d": null}]})");
  CHECK(
      to_python_json(value) ==
      "{\n  \"b\": [],\n  \"a\": {},\n  \"c\": [\n    1,\n    {\n      \"d\": null\n    }\n  ]\n}");
}

TEST_CASE("non-ASCII and control characters are escaped as lower-case \\uXXXX") {
  Json value = "caf\xc3\xa9 \xf0\x9f\x98\x80 \x7f \t\n\"\\/";
  CHECK(to_python_json(value) == R"("caf\u00e9 \ud83d\ude00 \u007f \t\n\"\\/")");
  CHECK(to_python_json(Json("\x01")) == R"("\u0001")");
}

TEST_CASE("floats print as Python repr()") {
  CHECK(python_float_repr(1.0) == "1.0");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(1e15) == "1000000000000000.0");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(0.00001) == "1e-05");
  CHECK(python_float_repr(1.5e-7) == "1.5e-07");
  CHECK(python_float_repr(-2.5) == "-2.5");
  CHECK(python_float_repr(123456789.123) == "123456789.123");
  CHECK(python_float_repr(0.1) == "0.1");
  CHECK(python_float_repr(1e22) == "1e+22");
  CHECK(python_float_repr(5e-324) == "5e-324");
  CHECK(python_float_repr(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(python_float_repr(0.0) == "0.0");
}

TEST_CASE("scalars") {
  CHECK(to_python_json(Json(true)) == "true");
  CHECK(to_python_json(Json(nullptr)) == "null");
  CHECK(to_python_json(Json(-42)) == "-42");
  CHECK(to_python_json(Json(18446744073709551615ull)) == "18446744073709551615");
  CHECK(to_python_json(Json::parse(R"({"job_id": 1})")) == "{\n  \"job_id\": 1\n}");
}

TEST_CASE("python_repr prints what Python prints for the parsed value") {
  // Values as in clusters events details; expected strings checked against CPython 3.11.
  CHECK(python_repr(Json::parse(R"({"user": "a@b.c", "n": 2, "ok": true, "x": null})")) ==
        "{'user': 'a@b.c', 'n': 2, 'ok': True, 'x': None}");
  CHECK(python_repr(Json::parse(R"({"reason": {"code": "USER_REQUEST", "parameters": {}}})")) ==
        "{'reason': {'code': 'USER_REQUEST', 'parameters': {}}}");
  CHECK(python_repr(Json::parse(R"([1.5, [], "it's", "say \"hi\"", "tab\there"])")) ==
        "[1.5, [], \"it's\", 'say \"hi\"', 'tab\\there']");
  CHECK(python_repr(Json::parse(R"("both ' and \"")")) == "'both \\' and \"'");
  CHECK(python_repr(Json::parse(R"("back\\slash \u0001 é")")) == "'back\\\\slash \\x01 é'");
}

TEST_CASE("the compact form is json.dumps() with its default separators") {
  const auto value = Json::parse(R"({"a": [1, {"b": "\u00e9"}], "c": {}, "d": [], "e": 1.5})");
  CHECK(to_python_json_compact(value) ==
        R"({"a": [1, {"b": "\u00e9"}], "c": {}, "d": [], "e": 1.5})");
  CHECK(to_python_json_compact(Json::parse(R"({"type": "fixed", "value": 2})")) ==
        R"({"type": "fixed", "value": 2})");
}
