// The two-stage parser driven by the command table.
#include <catch2/catch.hpp>

#include "app/command_table.hpp"
#include "app/parser.hpp"

using namespace dbk::cli;

namespace {
ParsedLine parse_ok(const std::vector<std::string>& args) {
  ParsedLine line;
  auto status = parse_command_line(args, line);
  INFO((status.ok() ? std::string("ok") : status.error().message));
  REQUIRE(status.ok());
  return line;
}
std::string parse_error(const std::vector<std::string>& args) {
  ParsedLine line;
  auto status = parse_command_line(args, line);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == kUsageErrorCode);
  return status.error().message;
}
}  // namespace

TEST_CASE("globals are accepted before the group, after it and after the command") {
  auto line = parse_ok({"--profile", "p", "jobs", "--debug", "get", "--job-id", "3", "-o", "JSON"});
  REQUIRE(line.command);
  CHECK(line.command->path() == "jobs get");
  CHECK(line.globals.profile == "p");
  CHECK(line.globals.debug);
  CHECK(line.globals.output == OutputFormat::kJson);
  CHECK(line.values.at("job-id") == std::vector<std::string>{"3"});
}

TEST_CASE("the --profile flag can only be given once") {
  CHECK(parse_error({"--profile", "a", "jobs", "list", "--profile", "b"}).find("once") !=
        std::string::npos);
}

TEST_CASE("the -o flag is --overwrite in workspace import, --output elsewhere") {
  auto import = parse_ok({"workspace", "import", "a.py", "/a", "-l", "python", "-o"});
  CHECK(import.flags.at("overwrite"));
  CHECK_FALSE(import.globals.output.has_value());
  CHECK(import.args.at("SRC") == "a.py");
  CHECK(import.args.at("DST") == "/a");
  auto ls = parse_ok({"workspace", "ls", "-o", "json", "/x"});
  CHECK(ls.globals.output == OutputFormat::kJson);
}

TEST_CASE(
    "the --version flag is the Jobs API version on jobs commands, the dbk version elsewhere") {
  auto get = parse_ok({"jobs", "get", "--job-id", "1", "--version", "2.0"});
  CHECK(get.values.at("version") == std::vector<std::string>{"2.0"});
  CHECK_FALSE(get.globals.version);
  auto top = parse_ok({"jobs", "--version"});
  CHECK(top.globals.version);
  CHECK(parse_error({"jobs", "get", "--version", "3.0"}).find("not one of") != std::string::npos);
}

TEST_CASE("aliases and legacy verbs resolve") {
  CHECK(parse_ok({"workspace", "list"}).command->verb == "ls");
  CHECK(parse_ok({"workspace", "delete", "/x"}).command->verb == "rm");
  CHECK(parse_ok({"fs", "cp", "-r", "a", "dbfs:/b", "--overwrite"}).flags.at("recursive"));
}

TEST_CASE("repeated KEY=VALUE notebook params are collected") {
  auto line = parse_ok({"jobs", "run-now", "--job-id", "1", "--notebook-params", "a=1",
                        "--notebook-params", "b=2", "--wait", "--timeout", "20m"});
  CHECK(line.values.at("notebook-params") == std::vector<std::string>{"a=1", "b=2"});
  CHECK(line.flags.at("wait"));
}

TEST_CASE("usage errors: unknown command, unknown flag, extra argument, bad output") {
  CHECK(parse_error({"jbos"}).find("No such command") != std::string::npos);
  CHECK(parse_error({"jobs", "lst"}).find("No such command") != std::string::npos);
  CHECK(parse_error({"jobs", "list", "--bogus"}).find("bogus") != std::string::npos);
  CHECK(parse_error({"fs", "cat", "a", "b"}).find("extra argument") != std::string::npos);
  CHECK(parse_error({"-o", "yaml", "jobs", "list"}).find("yaml") != std::string::npos);
  CHECK(parse_error({"fs", "mv", "dbfs:/a"}).find("DST") != std::string::npos);
}

TEST_CASE("long options are never guessed from prefixes") {
  CHECK(parse_error({"jobs", "get", "--job", "1"}).find("job") != std::string::npos);
}

TEST_CASE("every command in the table has a handler and a summary") {
  for (const auto& command : command_table()) {
    INFO(command.path());
    CHECK(command.handler);
    CHECK_FALSE(command.summary.empty());
    CHECK(find_group(command.group) != nullptr);
  }
}
