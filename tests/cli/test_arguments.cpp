// Argument helpers that need no server: durations, JSON flags, exit codes.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "app/exit_codes.hpp"
#include "app/invocation.hpp"
#include "commands/run_wait.hpp"
#include "util/duration.hpp"
#include "util/json_args.hpp"

using namespace dbk::cli;
using std::chrono::milliseconds;

TEST_CASE("durations take Go-style units and bare seconds") {
  CHECK(*parse_duration("90s") == milliseconds(90000));
  CHECK(*parse_duration("20m") == milliseconds(1200000));
  CHECK(*parse_duration("2h") == milliseconds(7200000));
  CHECK(*parse_duration("1h30m") == milliseconds(5400000));
  CHECK(*parse_duration("1.5h") == milliseconds(5400000));
  CHECK(*parse_duration("500ms") == milliseconds(500));
  CHECK(*parse_duration("45") == milliseconds(45000));
  for (const char* bad : {"", "abc", "10x", "m", "-5s", "0s", "5s3"}) {
    INFO(bad);
    auto parsed = parse_duration(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(exit_code_for(parsed.error()) == exit_codes::kUsage);
  }
}

TEST_CASE("elapsed time is short and stable") {
  CHECK(format_elapsed(milliseconds(42999)) == "42s");
  CHECK(format_elapsed(milliseconds(187000)) == "3m07s");
  CHECK(format_elapsed(milliseconds(3723000)) == "1h02m03s");
}

TEST_CASE("notebook params: JSON object, Windows-escaped JSON, KEY=VALUE, @file") {
  auto json = parse_string_map({R"({"FEATURES_TABLE":"testing_data","Start_Date":"2015-11-15"})"},
                               "--notebook-params");
  REQUIRE(json.ok());
  CHECK(json->at("FEATURES_TABLE") == "testing_data");
  CHECK(json->at("Start_Date") == "2015-11-15");

  // The seed README's Windows form, as it arrives when quoted in a POSIX shell.
  auto windows = parse_string_map({R"({\"model\":\"DecisionTree\"})"}, "--notebook-params");
  REQUIRE(windows.ok());
  CHECK(windows->at("model") == "DecisionTree");

  auto pairs =
      parse_string_map({"zEnd_Date=2017-01-01", "expr=a=b", "empty="}, "--notebook-params");
  REQUIRE(pairs.ok());
  CHECK(pairs->at("zEnd_Date") == "2017-01-01");  // keys are case-sensitive widget names
  CHECK(pairs->at("expr") == "a=b");
  CHECK(pairs->at("empty").empty());

  auto numbers = parse_string_map({R"({"age": 35, "ok": true})"}, "--notebook-params");
  REQUIRE(numbers.ok());
  CHECK(numbers->at("age") == "35");
  CHECK(numbers->at("ok") == "true");

  std::string path = "dbk_cli_test_params.json";
  std::ofstream(path) << "{\n  \"a\": \"b\"\n}\n";
  auto file = parse_string_map({"@" + path}, "--notebook-params");
  std::remove(path.c_str());
  REQUIRE(file.ok());
  CHECK(file->at("a") == "b");

  auto bad = parse_string_map({"novalue"}, "--notebook-params");
  REQUIRE_FALSE(bad.ok());
  CHECK(exit_code_for(bad.error()) == exit_codes::kUsage);
}

TEST_CASE("malformed JSON names the line and column, and is a usage error") {
  auto parsed = parse_json_argument("{\n  \"a\": 1,\n  \"b\" 2\n}", "--json");
  REQUIRE_FALSE(parsed.ok());
  CHECK(exit_code_for(parsed.error()) == exit_codes::kUsage);
  INFO(parsed.error().message);
  CHECK(parsed.error().message.find("line 3, column 7") != std::string::npos);
  CHECK(parsed.error().message.find("--json") != std::string::npos);
  // The seed README's line with one backslash missing still reads as intended.
  auto readme = parse_json_argument(
      R"({\"Start_Date\":\"2015-11-15\", \"RESULTS_DATA\":\"scored_data", \"M\":\"D\"})",
      "--notebook-params");
  REQUIRE(readme.ok());
  CHECK((*readme)["RESULTS_DATA"] == "scored_data");
}

TEST_CASE("over-deep JSON is a usage error, not a stack overflow") {
  // 200,000 levels overflowed the recursive parser (exit 139 without a message).
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  auto parsed = parse_json_argument(deep, "--json");
  REQUIRE_FALSE(parsed.ok());
  CHECK(exit_code_for(parsed.error()) == exit_codes::kUsage);
  CHECK(parsed.error().message == "Invalid JSON in --json: nested deeper than 512 levels.");
  // Brackets inside strings are text, not nesting.
  auto text = parse_json_argument("{\"a\": \"" + std::string(100000, '[') + "\"}", "--json");
  REQUIRE(text.ok());
  // The limit itself is accepted.
  auto limit = parse_json_text(std::string(512, '[') + std::string(512, ']'), "f.json");
  CHECK(limit.ok());
}

TEST_CASE("a number too large for a double is a usage error, not an uncaught exception") {
  auto parsed = parse_json_argument(R"({"timeout_seconds": 1e999})", "--json");
  REQUIRE_FALSE(parsed.ok());
  CHECK(exit_code_for(parsed.error()) == exit_codes::kUsage);
  INFO(parsed.error().message);
  CHECK(parsed.error().message.rfind("Invalid JSON in --json: ", 0) == 0);
  CHECK(parsed.error().message.find("1e999") != std::string::npos);
}

TEST_CASE("a request body must be a JSON object") {
  auto array = require_json_object(parse_json_argument("[1, 2]", "--json"), "--json");
  REQUIRE_FALSE(array.ok());
  CHECK(exit_code_for(array.error()) == exit_codes::kUsage);
  CHECK(array.error().message == "Invalid JSON in --json: expected an object, got an array.");
  auto number = require_json_object(parse_json_text("42", "job.json"), "job.json");
  REQUIRE_FALSE(number.ok());
  CHECK(number.error().message == "Invalid JSON in job.json: expected an object, got a number.");
  CHECK(require_json_object(parse_json_text("{}", "job.json"), "job.json").ok());
}

TEST_CASE("reading a directory as a JSON file says it is a directory") {
  auto read = read_text_file(".");
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().message == "'.' is a directory");
  auto at_file = parse_json_argument("@.", "--notebook-params");
  REQUIRE_FALSE(at_file.ok());
  CHECK(exit_code_for(at_file.error()) == exit_codes::kUsage);
  CHECK(at_file.error().message == "Invalid value for --notebook-params: '.' is a directory.");
}

TEST_CASE("list params are JSON arrays of strings") {
  auto list = parse_string_list(R"(["--class", "org.apache.spark.examples.SparkPi", 3])",
                                "--spark-submit-params");
  REQUIRE(list.ok());
  CHECK(*list == std::vector<std::string>{"--class", "org.apache.spark.examples.SparkPi", "3"});
  CHECK_FALSE(parse_string_list(R"({"a": 1})", "--jar-params").ok());
}

TEST_CASE("exit codes: usage 2, timeout 4, interrupt 130, API error 1, run outcome 0/3") {
  CHECK(exit_code_for(usage_error("x")) == 2);
  CHECK(exit_code_for(dbk::make_error(dbk::error_codes::kTimeout, "t")) == 4);
  CHECK(exit_code_for(dbk::make_error(dbk::error_codes::kCancelled, "c")) == 130);
  CHECK(exit_code_for(dbk::make_error(dbk::error_codes::kConnectionError, "c")) == 1);
  dbk::ApiError http;
  http.http_status = 404;
  http.error_code = "RESOURCE_DOES_NOT_EXIST";
  CHECK(exit_code_for(http) == 1);
  dbk::RunOutcome success;
  success.ok = true;
  CHECK(exit_code_for_outcome(success) == 0);
  dbk::RunOutcome failed;
  failed.kind = dbk::RunOutcomeKind::kFailed;
  CHECK(exit_code_for_outcome(failed) == 3);
}
