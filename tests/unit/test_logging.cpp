#include <catch2/catch.hpp>
#include <mutex>

#include "auth/auth_transport.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "logging_transport.hpp"

using dbk::testing::FakeClock;
using dbk::testing::FakeTransport;

namespace {

struct LogFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::vector<std::string> lines;
  std::shared_ptr<dbk::Transport> logged = dbk::detail::make_logging_transport(
      fake, [this](const std::string& line) { lines.push_back(line); }, clock);

  std::string log() const {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
  }
};

}  // namespace

TEST_CASE("the wire log shows request, status, timing, headers and bodies") {
  LogFixture f;
  f.fake->expect("POST", "/api/2.0/dbfs/mkdirs")
      .matching([&](const dbk::HttpRequest&) {
        f.clock->advance(std::chrono::milliseconds(12));
        return true;
      })
      .respond_json(200, nlohmann::json::object(), {{"X-Request-Id", "r1"}});
  dbk::HttpRequest request{"POST",
                           "http://127.0.0.1:8080/api/2.0/dbfs/mkdirs",
                           {{"Content-Type", "application/json"}},
                           R"({"path":"/a"})"};
  REQUIRE(f.logged->send(request, {}).ok());
  CHECK(f.lines == std::vector<std::string>{"> POST http://127.0.0.1:8080/api/2.0/dbfs/mkdirs",
                                            "> Content-Type: application/json",
                                            "> {\"path\":\"/a\"}", "< 200 OK (12 ms)",
                                            "< X-Request-Id: r1",
                                            "< Content-Type: application/json", "< {}"});
}

TEST_CASE("a PAT never appears in the log") {
  LogFixture f;
  f.fake->expect("GET", "/api/2.0/x").respond(401, "");
  auto stack = dbk::detail::make_pat_auth(f.logged, "dapi-SECRET-123");
  REQUIRE(stack->send(dbk::HttpRequest{"GET", "https://h/api/2.0/x", {}, ""}, {}).ok());
  CHECK_THAT(f.log(), Catch::Contains("> Authorization: Bearer ***"));
  CHECK_THAT(f.log(), Catch::Contains("< 401 Unauthorized"));
  CHECK_THAT(f.log(), !Catch::Contains("SECRET"));
}

TEST_CASE("OAuth secrets and tokens never appear in the log") {
  LogFixture f;
  f.fake->expect("POST", "/oidc/v1/token")
      .respond_json(
          200,
          {{"access_token", "eyJ-ACCESS-TOKEN"}, {"token_type", "Bearer"}, {"expires_in", 3600}});
  f.fake->expect("GET", "/api/2.0/x").respond(200, "{}");
  auto stack =
      dbk::detail::make_oauth_m2m_auth(f.logged, "https://h", "client-1", "CLIENT-SECRET", f.clock);
  REQUIRE(stack->send(dbk::HttpRequest{"GET", "https://h/api/2.0/x", {}, ""}, {}).ok());
  CHECK_THAT(f.log(), Catch::Contains("\"access_token\":\"***\""));
  CHECK_THAT(f.log(), Catch::Contains("grant_type=client_credentials"));
  CHECK_THAT(f.log(), !Catch::Contains("eyJ-ACCESS-TOKEN"));
  CHECK_THAT(f.log(), !Catch::Contains("CLIENT-SECRET"));
  CHECK_THAT(f.log(), !Catch::Contains("Q0xJRU5ULVNFQ1JFVA"));  // nor its base64 form
}

TEST_CASE("secret JSON and form fields are masked, other tokens stay readable") {
  using dbk::detail::redact_body;
  auto json = redact_body(
      R"({"token":"t1","client_secret":"s","password":"p","nested":[{"refresh_token":"r"}],
          "idempotency_token":"keep-me","next_page_token":"page2","name":"x"})",
      "application/json", 2048);
  for (const char* secret : {"\"t1\"", "\"s\"", "\"p\"", "\"r\""}) {
    CHECK_THAT(json, !Catch::Contains(secret));
  }
  CHECK_THAT(json, Catch::Contains("keep-me"));
  CHECK_THAT(json, Catch::Contains("page2"));
  CHECK(redact_body("grant_type=password&username=u&password=pw",
                    "application/x-www-form-urlencoded",
                    2048) == "grant_type=password&username=u&password=***");
  CHECK_THAT(redact_body(R"({"access_token": "abc)", "text/plain", 2048), !Catch::Contains("abc"));
  CHECK(dbk::detail::redact_header("X-Databricks-Azure-SP-Management-Token", "m") == "***");
  CHECK(dbk::detail::redact_header("Authorization", "Basic dXNlcjpwdw==") == "Basic ***");
}

TEST_CASE("long bodies are cut and binary bodies summarised") {
  using dbk::detail::redact_body;
  std::string long_text(5000, 'a');
  auto cut = redact_body(long_text, "text/plain", 2048);
  CHECK(cut.size() < 2100);
  CHECK_THAT(cut, Catch::EndsWith("(2952 more bytes)"));
  auto block = redact_body(R"({"handle":1,"data":")" + std::string(1398104, 'A') + "\"}",
                           "application/json", 2048);
  CHECK_THAT(block, Catch::Contains("(1398104 chars)"));
  CHECK(redact_body(std::string("\x00\x01\x02", 3), "application/octet-stream", 2048) ==
        "[3 bytes of binary data]");
}

TEST_CASE("transport failures are logged with their error") {
  LogFixture f;
  f.fake->expect("GET", "/x").fail(dbk::make_error("CONNECTION_ERROR", "cannot connect to h:1"));
  CHECK_FALSE(f.logged->send(dbk::HttpRequest{"GET", "http://h:1/x", {}, ""}, {}).ok());
  CHECK(f.lines.back() == "< CONNECTION_ERROR: cannot connect to h:1 (0 ms)");
}

TEST_CASE("a body nested too deep is logged as text, not parsed") {
  using dbk::detail::redact_body;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto logged = redact_body(deep, "application/json", 64);
  CHECK_THAT(logged, Catch::StartsWith(std::string(64, '[')));
  CHECK_THAT(logged, Catch::EndsWith("(199936 more bytes)"));
}

TEST_CASE("credentials in a URL's userinfo never appear in the log") {
  // DATABRICKS_HOST=http://user:SECRET@host was logged as it was given.
  LogFixture f;
  f.fake->expect("GET", "/api/2.0/x").respond(200, "{}");
  REQUIRE(
      f.logged
          ->send(dbk::HttpRequest{"GET", "http://user:SECRET@h:8080/api/2.0/x?token=T0K", {}, ""},
                 {})
          .ok());
  CHECK(f.lines.front() == "> GET http://***@h:8080/api/2.0/x?token=***");
  CHECK_THAT(f.log(), !Catch::Contains("SECRET"));
}

TEST_CASE("redact_url hides userinfo and secret query values only") {
  CHECK(dbk::redact_url("https://u:p@h/a?b=1") == "https://***@h/a?b=1");
  CHECK(dbk::redact_url("http://tok@h") == "http://***@h");
  CHECK(dbk::redact_url("https://h/a@b?c=d@e") == "https://h/a@b?c=d@e");
  CHECK(dbk::redact_url("https://h/x?client_secret=s#f") == "https://h/x?client_secret=***#f");
  CHECK(dbk::redact_url("https://h:443/p") == "https://h:443/p");
  CHECK(dbk::redact_url("not a url") == "not a url");
}

TEST_CASE("secret values never appear in the log") {
  LogFixture f;
  f.fake->expect("POST", "/api/2.0/secrets/put").respond(200, "{}");
  f.fake->expect("GET", "/api/2.0/secrets/get")
      .respond(200, R"({"key": "k", "value": "U0VDUkVULVZBTFVF"})");
  REQUIRE(f.logged
              ->send(dbk::HttpRequest{"POST",
                                      "https://h/api/2.0/secrets/put",
                                      {},
                                      R"({"scope":"s","key":"k","string_value":"SECRET-TEXT",
                                          "bytes_value":"QllURVM="})"},
                     {})
              .ok());
  REQUIRE(
      f.logged
          ->send(dbk::HttpRequest{"GET", "https://h/api/2.0/secrets/get?scope=s&key=k", {}, ""}, {})
          .ok());
  CHECK_THAT(f.log(), Catch::Contains("\"scope\":\"s\""));
  for (const char* secret : {"SECRET-TEXT", "QllURVM=", "U0VDUkVULVZBTFVF"}) {
    CHECK_THAT(f.log(), !Catch::Contains(secret));
  }
}
