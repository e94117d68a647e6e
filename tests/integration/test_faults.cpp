// How the client behaves when the service misbehaves: throttling storms, transient
// outages, HTML pages, wrong tokens and unreachable hosts. Each test uses an
// emulator of its own, since fault rules apply to every client of an emulator.
#include <catch2/catch.hpp>
#include <thread>

#include "emulator_process.hpp"
#include "integration_env.hpp"
#include "temp_dir.hpp"

using dbk::test::admin;
using dbk::test::client_for;

namespace {
int remaining_faults(const std::string& url) {
  auto faults = admin(url, "GET", "/__dbk/faults");
  int remaining = 0;
  for (const auto& rule : faults.value("rules", nlohmann::json::array()))
    remaining += static_cast<int>(rule.value("times", 0));
  return remaining;
}
}  // namespace

TEST_CASE("faults: a 429 storm with Retry-After is ridden out", "[integration][faults]") {
  dbk::test_support::TempDir state;
  dbk::test::EmulatorProcess emulator(state.path().string());
  auto client = client_for(emulator.url());
  admin(emulator.url(), "POST", "/__dbk/faults",
        {{"method", "*"},
         {"path_pattern", "/api/2.0/dbfs/*"},
         {"status", 429},
         {"headers", {{"Retry-After", "0"}}},
         {"body",
          {{"error_code", "REQUEST_LIMIT_EXCEEDED"},
           {"message", "REQUEST_LIMIT_EXCEEDED: Exceeded workspace rate limit"}}},
         {"times", 40}});

  // 8 parallel uploads all hit the storm; every one must land intact.
  dbk::test_support::TempDir local;
  for (int i = 0; i < 8; ++i)
    local.write("src/f" + std::to_string(i), std::string(3000 + i, 'a' + i));
  dbk::CopyOptions options;
  options.parallelism = 8;
  auto copied = dbk::copy_tree(client.dbfs(), dbk::CopyDirection::kUpload, (local / "src").string(),
                               "dbfs:/storm", options);
  REQUIRE(copied.ok());
  CHECK(dbk::all_succeeded(*copied));
  CHECK(remaining_faults(emulator.url()) == 0);  // the storm really happened
  for (int i = 0; i < 8; ++i) {
    auto status = client.dbfs().get_status("dbfs:/storm/f" + std::to_string(i));
    REQUIRE(status.ok());
    CHECK(status->file_size == 3000 + i);
  }
}

TEST_CASE("faults: 503 TEMPORARILY_UNAVAILABLE is retried, a lasting outage is reported",
          "[integration][faults]") {
  dbk::test_support::TempDir state;
  dbk::test::EmulatorProcess emulator(state.path().string());
  auto client = client_for(emulator.url());
  const nlohmann::json unavailable = {
      {"error_code", "TEMPORARILY_UNAVAILABLE"},
      {"message", "The service at /api/2.0/workspace/mkdirs is temporarily unavailable."}};
  admin(emulator.url(), "POST", "/__dbk/faults",
        {{"method", "POST"},
         {"path_pattern", "/api/2.0/workspace/mkdirs"},
         {"status", 503},
         {"body", unavailable},
         {"times", 3}});
  CHECK(client.workspace().mkdirs("/Users/outage").ok());

  admin(emulator.url(), "POST", "/__dbk/faults",
        {{"method", "GET"},
         {"path_pattern", "/api/2.0/workspace/list"},
         {"status", 503},
         {"body", unavailable},
         {"times", -1}});
  dbk::ClientOptions options;
  options.config.host = emulator.url();
  options.config.token = "t";
  options.retry.initial_backoff = std::chrono::milliseconds(10);
  options.retry.max_backoff = std::chrono::milliseconds(20);
  options.retry.total_timeout = std::chrono::milliseconds(500);
  dbk::Client impatient(options);
  auto listed = impatient.workspace().list("/Users");
  REQUIRE_FALSE(listed.ok());
  CHECK(listed.error().to_string().find("TEMPORARILY_UNAVAILABLE") != std::string::npos);
}

TEST_CASE("faults: an HTML page instead of JSON is explained in words", "[integration][faults]") {
  dbk::test_support::TempDir state;
  dbk::test::EmulatorProcess emulator(state.path().string());
  auto client = client_for(emulator.url());
  admin(emulator.url(), "POST", "/__dbk/faults",
        {{"method", "GET"},
         {"path_pattern", "/api/2.0/clusters/list"},
         {"status", 200},
         {"headers", {{"Content-Type", "text/html"}}},
         {"body", "<html><head><title>Sign in</title></head><body>login</body></html>"},
         {"times", 1}});
  auto listed = client.clusters().list();
  REQUIRE_FALSE(listed.ok());
  const auto text = listed.error().to_string();
  CHECK(text.find("web page") != std::string::npos);
}

TEST_CASE("faults: a wrong token gets 401 and the token never shows in the error",
          "[integration][faults]") {
  dbk::test_support::TempDir state;
  dbk::test::EmulatorProcess emulator(state.path().string(), {"--token", "right-token"});
  auto wrong = client_for(emulator.url(), "wrong-token-value");
  auto listed = wrong.workspace().list("/");
  REQUIRE_FALSE(listed.ok());
  CHECK(listed.error().http_status == 401);
  CHECK(listed.error().to_string().find("wrong-token-value") == std::string::npos);
  auto right = client_for(emulator.url(), "right-token");
  CHECK(right.workspace().list("/").ok());
}

TEST_CASE("faults: an unreachable host is a connection error, not a hang",
          "[integration][faults]") {
  dbk::ClientOptions options;
  options.config.host = "http://127.0.0.1:9";  // discard port: nothing listens there
  options.config.token = "t";
  options.retry.initial_backoff = std::chrono::milliseconds(10);
  options.retry.total_timeout = std::chrono::milliseconds(300);
  dbk::Client client(options);
  auto listed = client.workspace().list("/");
  REQUIRE_FALSE(listed.ok());
  CHECK(listed.error().is_transport_error());
}
