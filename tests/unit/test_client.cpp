#include <catch2/catch.hpp>

#include "dbk/client.hpp"
#include "dbk/clusters.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/jobs.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "dbk/workspace.hpp"
#include "temp_dir.hpp"

using dbk::testing::FakeTransport;

namespace {
dbk::ClientOptions options_for(std::shared_ptr<FakeTransport> fake, std::string host) {
  dbk::ClientOptions options;
  options.config.host = std::move(host);
  options.config.token = "s3cret";
  options.transport = std::move(fake);
  return options;
}
}  // namespace

TEST_CASE("the four services share one authenticated stack and keep the host prefix") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/proxy/api/2.0/workspace/get-status").respond(200, R"({"path": "/"})");
  fake->expect("GET", "/proxy/api/2.0/dbfs/get-status").respond(200, R"({"path": "/"})");
  fake->expect("GET", "/proxy/api/2.1/jobs/get").respond(200, R"({"job_id": 1})");
  fake->expect("GET", "/proxy/api/2.0/clusters/get").respond(200, R"({"cluster_id": "c"})");
  dbk::Client client(options_for(fake, "http://127.0.0.1:8080/proxy"));
  CHECK(client.workspace().get_status("/").ok());
  CHECK(client.dbfs().get_status("/").ok());
  dbk::Client copy = client;  // copies share the services
  CHECK(copy.jobs().get(1).ok());
  CHECK(&copy.jobs() == &client.jobs());
  CHECK(client.clusters().get("c").ok());
  CHECK(fake->all_consumed());
  for (const auto& request : fake->requests()) {
    CHECK(request.url.rfind("http://127.0.0.1:8080/proxy/api/", 0) == 0);
    CHECK(dbk::find_header(request.headers, "Authorization") ==
          std::optional<std::string>("Bearer s3cret"));
  }
}

TEST_CASE("the configured jobs API version picks the jobs paths") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/api/2.0/jobs/get").respond(200, R"({"job_id": 1})");
  auto options = options_for(fake, "https://h");
  options.config.jobs_api_version = "2.0";
  dbk::Client client(options);
  CHECK(client.jobs().api_version() == "2.0");
  CHECK(client.jobs().get(1).ok());
  CHECK(client.config().jobs_api_version == "2.0");
}

TEST_CASE("make_client resolves the config first") {
  dbk::test_support::TempDir dir;
  auto file = dir.write("cfg",
                        "[DEFAULT]\nhost = https://h.example/\ntoken = t\n"
                        "jobs-api-version = 2.0\n");
  dbk::ConfigOptions config;
  config.config_file = file.string();
  config.environment = std::map<std::string, std::string>{};
  auto fake = std::make_shared<FakeTransport>();
  dbk::ClientOptions options;
  options.transport = fake;
  auto client = dbk::make_client(config, options);
  REQUIRE(client.ok());
  CHECK(client->config().host == "https://h.example");
  CHECK(client->jobs().api_version() == "2.0");

  config.config_file = (dir / "missing").string();
  auto failed = dbk::make_client(config, options);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().error_code == dbk::error_codes::kConfigError);
}

TEST_CASE("current_user_name reads userName from SCIM Me") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/api/2.0/preview/scim/v2/Me")
      .respond(200, R"({"id": "7", "userName": "someone@example.com", "active": true})");
  fake->expect("GET", "/api/2.0/preview/scim/v2/Me").respond(200, R"({"id": "7"})");
  fake->expect("GET", "/api/2.0/preview/scim/v2/Me")
      .respond(403, R"({"detail": "User not authorized", "status": "403"})");
  dbk::Client client(options_for(fake, "https://h"));
  auto user = client.current_user_name();
  REQUIRE(user.ok());
  CHECK(*user == "someone@example.com");
  auto missing = client.current_user_name();
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "INVALID_RESPONSE");
  auto denied = client.current_user_name();
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().error_code == "PERMISSION_DENIED");
  CHECK(fake->all_consumed());
}
