// `configure` with piped stdin (no terminal), as CI scripts drive databricks-cli.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "app/invocation.hpp"
#include "app/runner.hpp"
#include "temp_dir.hpp"

using namespace dbk::cli;
using dbk::test_support::read_file;
using dbk::test_support::TempDir;

namespace {

struct Configured {
  int code = 0;
  std::string out;
  std::string err;
  std::string file;  ///< the profile file written, "" when none
};

// Runs `dbk configure [--token]` with `input` piped on stdin and the profile file
// (and DATABRICKS_HOST, when `env_host` is set) pointed into a temporary folder.
Configured configure(const std::string& input, const char* env_host = nullptr,
                     const std::string& program = "dbk", const std::string& before = "") {
  TempDir dir;
  const std::string path = (dir / "cfg").string();
  if (!before.empty()) std::ofstream(path) << before;
  ::setenv("DATABRICKS_CONFIG_FILE", path.c_str(), 1);
  if (env_host) {
    ::setenv("DATABRICKS_HOST", env_host, 1);
  } else {
    ::unsetenv("DATABRICKS_HOST");
  }
  std::vector<CommandSpec> table;
  add_configure_commands(table);
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  Invocation inv(table.at(0), program, {}, Io{&in, &out, &err});
  inv.set_flag("token", true);
  Configured result;
  result.code = run_command(inv);
  result.out = out.str();
  result.err = err.str();
  std::ifstream written(path);
  if (written) result.file = read_file(path);
  ::unsetenv("DATABRICKS_CONFIG_FILE");
  ::unsetenv("DATABRICKS_HOST");
  return result;
}

}  // namespace

TEST_CASE("configure --token reads the host and then the token from piped stdin") {
  // databricks-cli 0.18's CI pattern; dbk used to exit 2, or (with DATABRICKS_HOST)
  // store the host as the token.
  auto piped = configure("https://x.cloud.databricks.com\ndapi123\n");
  INFO(piped.err);
  REQUIRE(piped.code == 0);
  CHECK(piped.out == "Databricks Host (should begin with https://): ");  // legacy's stdout
  CHECK(piped.file.find("host = https://x.cloud.databricks.com\n") != std::string::npos);
  CHECK(piped.file.find("token = dapi123\n") != std::string::npos);

  auto env_too = configure("https://x.cloud.databricks.com\ndapi456\n", "https://env.example");
  REQUIRE(env_too.code == 0);
  CHECK(env_too.file.find("host = https://x.cloud.databricks.com\n") != std::string::npos);
  CHECK(env_too.file.find("token = dapi456\n") != std::string::npos);
}

TEST_CASE("configure --token with DATABRICKS_HOST takes a token-only stdin") {
  auto token_only = configure("dapi789\n", "https://env.example");
  INFO(token_only.err);
  REQUIRE(token_only.code == 0);
  CHECK(token_only.out.empty());
  CHECK(token_only.file.find("host = https://env.example\n") != std::string::npos);
  CHECK(token_only.file.find("token = dapi789\n") != std::string::npos);
}

TEST_CASE("configure never stores a URL as a token") {
  auto two_hosts = configure("https://a.example\nhttps://b.example\n");
  CHECK(two_hosts.code == exit_codes::kUsage);
  CHECK(two_hosts.file.empty());
  CHECK(two_hosts.err.find("looks like a URL") != std::string::npos);
  CHECK(two_hosts.err.find("b.example") == std::string::npos);

  auto nothing = configure("");
  CHECK(nothing.code == exit_codes::kUsage);
  CHECK(nothing.file.empty());
}

TEST_CASE("configure edits the profile in place and keeps its other keys, as databricks-cli") {
  // dbk used to rewrite the profile from scratch at the end of the file: keys a user had
  // added (cluster_id) were lost, and the file no longer read as legacy's did.
  const std::string before =
      "# team settings\n[DEFAULT]\nhost = https://old.example\ntoken = old\ninsecure = True\n"
      "cluster_id = 0101-abc\n\n[other]\nhost = https://o.example\n";
  auto legacy = configure("https://new.example\ndapiNEW\n", nullptr, "databricks", before);
  INFO(legacy.err);
  REQUIRE(legacy.code == 0);
  // Legacy drops `insecure` without --insecure and stores its Jobs API default.
  CHECK(legacy.file ==
        "# team settings\n[DEFAULT]\nhost = https://new.example\ntoken = dapiNEW\n"
        "cluster_id = 0101-abc\njobs-api-version = 2.0\n\n[other]\nhost = https://o.example\n");

  // `dbk` stores no Jobs API version of its own; a stored one is kept.
  auto own = configure("https://new.example\ndapiNEW\n", nullptr, "dbk",
                       "[DEFAULT]\nhost = https://old.example\njobs-api-version = 2.1\n");
  REQUIRE(own.code == 0);
  CHECK(own.file ==
        "[DEFAULT]\nhost = https://new.example\njobs-api-version = 2.1\n"
        "token = dapiNEW\n");
}
