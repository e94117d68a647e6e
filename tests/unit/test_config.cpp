#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "dbk/config.hpp"
#include "temp_dir.hpp"

namespace {

// The shared test TempDir, with string paths for the config API.
class TempDir {
 public:
  std::string file(const std::string& name, const std::string& content) const {
    return dir_.write(name, content).string();
  }
  std::string path() const { return dir_.path().string(); }

 private:
  dbk::test_support::TempDir dir_;
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

const char* kConfigFile = R"(# comment
[DEFAULT]
host = https://default.cloud.databricks.com/
token = dapi-default

[dev]
host = localhost:8080
token = dapi-dev
jobs-api-version = 2.0
insecure = true

[m2m]
host = https://m2m.example.com
client_id = id-1
client_secret = secret-1
rate_limit = 15
http_timeout_seconds = 30
retry_timeout_seconds = 120

[hostonly]
host = https://hostonly.example.com

[both]
host = https://both.example.com
token = dapi-both
username = me
password = pw
)";

dbk::ConfigOptions options_with(std::map<std::string, std::string> env) {
  dbk::ConfigOptions options;
  options.environment = std::move(env);
  return options;
}

}  // namespace

TEST_CASE("normalize_host adds a scheme and keeps port and path prefix") {
  CHECK(dbk::normalize_host("adb-1.azuredatabricks.net") == "https://adb-1.azuredatabricks.net");
  CHECK(dbk::normalize_host("https://x.cloud.databricks.com/") == "https://x.cloud.databricks.com");
  CHECK(dbk::normalize_host("https://x.com:443") == "https://x.com");
  CHECK(dbk::normalize_host("http://localhost:8080") == "http://localhost:8080");
  CHECK(dbk::normalize_host("http://127.0.0.1:8080/proxy/prefix/") ==
        "http://127.0.0.1:8080/proxy/prefix");
  CHECK(dbk::normalize_host("https://x.com:8443/") == "https://x.com:8443");
  CHECK(dbk::normalize_host("http://x.com:80") == "http://x.com");
  CHECK(dbk::normalize_host("https://adb-1.azuredatabricks.net/?o=123#job/1") ==
        "https://adb-1.azuredatabricks.net");
  CHECK(dbk::normalize_host("  HTTPS://X.com ") == "https://x.com");
  CHECK(dbk::normalize_host("") == "");
}

TEST_CASE("read_config_file keeps sections apart and tolerates a missing file") {
  TempDir dir;
  auto path = dir.file("cfg", kConfigFile);
  auto sections = dbk::read_config_file(path);
  REQUIRE(sections.ok());
  CHECK(sections->at("dev").at("host") == "localhost:8080");
  CHECK(sections->at("dev").count("token") == 1);
  CHECK(sections->at("hostonly").count("token") == 0);  // DEFAULT is not merged in
  auto missing = dbk::read_config_file(dir.path() + "/nope");
  REQUIRE(missing.ok());
  CHECK(missing->empty());
  auto broken = dbk::read_config_file(dir.file("broken", "[a]\nthis is not ini\n"));
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().error_code == "CONFIG_ERROR");
  CHECK_THAT(broken.error().message, Catch::Contains(":2:"));
}

TEST_CASE("resolution: a named profile is read, with its own keys only") {
  TempDir dir;
  auto path = dir.file("cfg", kConfigFile);
  auto options = options_with({{"DATABRICKS_CONFIG_FILE", path}});
  options.profile = "dev";
  auto config = dbk::resolve_config(options);
  REQUIRE(config.ok());
  CHECK(config->host == "https://localhost:8080");
  CHECK(config->token == "dapi-dev");
  CHECK(config->jobs_api_version == "2.0");
  CHECK(config->insecure);
  CHECK(config->profile == "dev");
  CHECK(config->config_file == path);
  CHECK(config->effective_auth_type() == "pat");

  options.profile = "hostonly";
  auto host_only = dbk::resolve_config(options);
  REQUIRE(host_only.ok());
  CHECK(host_only->token.empty());
  CHECK(host_only->effective_auth_type().empty());
}

TEST_CASE("resolution: DEFAULT is used when no profile is named") {
  TempDir dir;
  auto config =
      dbk::resolve_config(options_with({{"DATABRICKS_CONFIG_FILE", dir.file("cfg", kConfigFile)}}));
  REQUIRE(config.ok());
  CHECK(config->host == "https://default.cloud.databricks.com");
  CHECK(config->token == "dapi-default");
  CHECK(config->profile == "DEFAULT");
}

TEST_CASE("resolution: DATABRICKS_CONFIG_PROFILE and --profile, --profile winning") {
  TempDir dir;
  auto path = dir.file("cfg", kConfigFile);
  auto options =
      options_with({{"DATABRICKS_CONFIG_FILE", path}, {"DATABRICKS_CONFIG_PROFILE", "m2m"}});
  auto from_env = dbk::resolve_config(options);
  REQUIRE(from_env.ok());
  CHECK(from_env->profile == "m2m");
  CHECK(from_env->effective_auth_type() == "oauth-m2m");
  CHECK(from_env->rate_limit == 15);
  CHECK(from_env->http_timeout == std::chrono::seconds(30));
  CHECK(from_env->retry_timeout == std::chrono::seconds(120));
  options.profile = "dev";
  auto from_flag = dbk::resolve_config(options);
  REQUIRE(from_flag.ok());
  CHECK(from_flag->profile == "dev");
}

TEST_CASE("resolution: [__settings__] default_profile selects the default") {
  TempDir dir;
  auto path =
      dir.file("cfg", std::string("[__settings__]\ndefault_profile = dev\n\n") + kConfigFile);
  auto config = dbk::resolve_config(options_with({{"DATABRICKS_CONFIG_FILE", path}}));
  REQUIRE(config.ok());
  CHECK(config->profile == "dev");

  auto dangling = dir.file("cfg2", "[__settings__]\ndefault_profile = gone\n[a]\nhost = h\n");
  auto error = dbk::resolve_config(options_with({{"DATABRICKS_CONFIG_FILE", dangling}}));
  REQUIRE_FALSE(error.ok());
  CHECK_THAT(error.error().message, Catch::Contains("gone"));
}

TEST_CASE("resolution: env host/auth without a named profile skips the file entirely") {
  TempDir dir;
  auto path = dir.file("cfg", kConfigFile);
  auto config = dbk::resolve_config(options_with(
      {{"DATABRICKS_CONFIG_FILE", path}, {"DATABRICKS_HOST", "http://127.0.0.1:8080"}}));
  REQUIRE(config.ok());
  CHECK(config->host == "http://127.0.0.1:8080");
  CHECK(config->token.empty());  // DEFAULT's token is not mixed in
  CHECK(config->profile.empty());
  CHECK(config->config_file.empty());
}

TEST_CASE("resolution: explicit args beat env, env beats the named profile") {
  TempDir dir;
  auto path = dir.file("cfg", kConfigFile);
  auto options = options_with({{"DATABRICKS_CONFIG_FILE", path},
                               {"DATABRICKS_TOKEN", "dapi-env"},
                               {"DATABRICKS_HOST", "https://env.example.com"}});
  options.profile = "dev";
  auto config = dbk::resolve_config(options);
  REQUIRE(config.ok());
  CHECK(config->host == "https://env.example.com");
  CHECK(config->token == "dapi-env");
  CHECK(config->jobs_api_version == "2.0");  // not set in env: comes from the profile

  options.host = "https://arg.example.com";
  options.token = "dapi-arg";
  auto explicit_config = dbk::resolve_config(options);
  REQUIRE(explicit_config.ok());
  CHECK(explicit_config->host == "https://arg.example.com");
  CHECK(explicit_config->token == "dapi-arg");
}

TEST_CASE("resolution: a missing named profile names the file and its profiles") {
  TempDir dir;
  auto path = dir.file("cfg", kConfigFile);
  auto options = options_with({{"DATABRICKS_CONFIG_FILE", path}});
  options.profile = "prod";
  auto config = dbk::resolve_config(options);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().error_code == "CONFIG_ERROR");
  CHECK_THAT(config.error().message, Catch::Contains("'prod'"));
  CHECK_THAT(config.error().message, Catch::Contains(path));
  CHECK_THAT(config.error().message, Catch::Contains("DEFAULT, both, dev, hostonly, m2m"));

  options.config_file = dir.path() + "/missing";
  auto no_file = dbk::resolve_config(options);
  REQUIRE_FALSE(no_file.ok());
  CHECK_THAT(no_file.error().message, Catch::Contains("does not exist"));
}

TEST_CASE("resolution: several auth methods without auth_type is an error") {
  TempDir dir;
  auto options = options_with({{"DATABRICKS_CONFIG_FILE", dir.file("cfg", kConfigFile)}});
  options.profile = "both";
  auto config = dbk::resolve_config(options);
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(config.error().message, Catch::Contains("more than one authorization method"));

  (*options.environment)["DATABRICKS_AUTH_TYPE"] = "basic";
  auto chosen = dbk::resolve_config(options);
  REQUIRE(chosen.ok());
  CHECK(chosen->effective_auth_type() == "basic");
}

TEST_CASE("resolution: no host, bad values and unknown auth types are errors") {
  TempDir dir;
  auto none = dbk::resolve_config(options_with({{"DATABRICKS_CONFIG_FILE", dir.path() + "/x"}}));
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.error().message, Catch::Contains("no host"));

  auto bad_rate = dbk::resolve_config(
      options_with({{"DATABRICKS_HOST", "h"}, {"DATABRICKS_RATE_LIMIT", "fast"}}));
  REQUIRE_FALSE(bad_rate.ok());
  CHECK_THAT(bad_rate.error().message, Catch::Contains("DATABRICKS_RATE_LIMIT"));

  auto bad_type = dbk::resolve_config(
      options_with({{"DATABRICKS_HOST", "h"}, {"DATABRICKS_AUTH_TYPE", "azure-cli"}}));
  REQUIRE_FALSE(bad_type.ok());
  CHECK_THAT(bad_type.error().message, Catch::Contains("azure-cli"));

  auto env_only = dbk::resolve_config(options_with({{"DATABRICKS_HOST", "h"},
                                                    {"DATABRICKS_USERNAME", "u"},
                                                    {"DATABRICKS_PASSWORD", "p"},
                                                    {"DATABRICKS_INSECURE", "true"},
                                                    {"DATABRICKS_JOBS_API_VERSION", "2.0"},
                                                    {"DATABRICKS_RATE_LIMIT", "2.5"}}));
  REQUIRE(env_only.ok());
  CHECK(env_only->effective_auth_type() == "basic");
  CHECK(env_only->insecure);
  CHECK(env_only->jobs_api_version == "2.0");
  CHECK(env_only->rate_limit == 2.5);
}

TEST_CASE("resolution: the default Jobs API version applies only when none is configured") {
  TempDir dir;
  auto path = dir.file("cfg", kConfigFile);
  auto options = options_with({{"DATABRICKS_CONFIG_FILE", path}});
  options.default_jobs_api_version = "2.0";
  // DEFAULT names no version: the caller's default (the legacy command line's 2.0).
  auto unset = dbk::resolve_config(options);
  REQUIRE(unset.ok());
  CHECK(unset->jobs_api_version == "2.0");
  options.default_jobs_api_version = "2.1";
  CHECK(dbk::resolve_config(options)->jobs_api_version == "2.1");
  // A configured version wins over the default, from the profile or the environment.
  options.default_jobs_api_version = "2.0";
  auto in_file =
      options_with({{"DATABRICKS_CONFIG_FILE", dir.file("cfg21",
                                                        "[DEFAULT]\nhost = h\ntoken = t\n"
                                                        "jobs-api-version = 2.1\n")}});
  in_file.default_jobs_api_version = "2.0";
  CHECK(dbk::resolve_config(in_file)->jobs_api_version == "2.1");
  auto in_env =
      options_with({{"DATABRICKS_CONFIG_FILE", path}, {"DATABRICKS_JOBS_API_VERSION", "2.1"}});
  in_env.default_jobs_api_version = "2.0";
  CHECK(dbk::resolve_config(in_env)->jobs_api_version == "2.1");
}

TEST_CASE("write_profile edits the section where it stands") {
  TempDir dir;
  auto path = dir.file("cfg",
                       "[a]\nhost = 1\n\n[dev]\n; note\nhost = old\n  continued\ntoken = old\n"
                       "extra = x\n\n[z]\nk = v\n[dev]\nhost = twice\n");
  REQUIRE(dbk::write_profile(path, "dev",
                             {{"token", "t2"}, {"host", "new"}, {"jobs-api-version", "2.1"}})
              .ok());
  // Kept keys keep their lines, others go, new ones follow in databricks-cli's order; a
  // repeated section is dropped.
  CHECK(read(path) ==
        "[a]\nhost = 1\n\n[dev]\n; note\nhost = new\ntoken = t2\njobs-api-version = 2.1\n\n"
        "[z]\nk = v\n");

  // A new DEFAULT goes first (ConfigParser writes it first), another new section last.
  REQUIRE(dbk::write_profile(path, "DEFAULT", {{"token", "d"}, {"host", "h"}}).ok());
  REQUIRE(dbk::write_profile(path, "new", {{"host", "n"}}).ok());
  CHECK(read(path) ==
        "[DEFAULT]\nhost = h\ntoken = d\n\n[a]\nhost = 1\n\n[dev]\n; note\nhost = new\n"
        "token = t2\njobs-api-version = 2.1\n\n[z]\nk = v\n\n[new]\nhost = n\n");
}

TEST_CASE("write_profile replaces one section atomically with mode 0600") {
  TempDir dir;
  auto path = dir.file("cfg",
                       "# my settings\n[keep]\nhost = https://keep\n\n[dev]\nhost = old\n"
                       "token = old\n[after]\nhost = https://after\n");
  REQUIRE(
      dbk::write_profile(path, "dev", {{"host", "http://localhost:8080"}, {"token", "new"}}).ok());
  auto sections = dbk::read_config_file(path);
  REQUIRE(sections.ok());
  CHECK(sections->at("dev").at("host") == "http://localhost:8080");
  CHECK(sections->at("dev").at("token") == "new");
  CHECK(sections->at("keep").at("host") == "https://keep");
  CHECK(sections->at("after").at("host") == "https://after");
  CHECK_THAT(read(path), Catch::StartsWith("# my settings\n[keep]"));
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  auto fresh = dir.path() + "/new-cfg";
  REQUIRE(dbk::write_profile(fresh, "DEFAULT", {{"host", "h"}}).ok());
  CHECK(read(fresh) == "[DEFAULT]\nhost = h\n");

  auto injected = dbk::write_profile(fresh, "DEFAULT", {{"token", "x\n[evil]"}});
  REQUIRE_FALSE(injected.ok());
  CHECK(read(fresh) == "[DEFAULT]\nhost = h\n");
}
