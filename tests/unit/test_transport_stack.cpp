#include <catch2/catch.hpp>

#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "transport_stack.hpp"

using dbk::testing::FakeClock;
using dbk::testing::FakeSleeper;
using dbk::testing::FakeTransport;

namespace {

struct StackFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::shared_ptr<FakeSleeper> sleeper = std::make_shared<FakeSleeper>(clock);
  std::vector<std::string> log;

  dbk::ClientOptions options() {
    dbk::ClientOptions options;
    options.config.host = "http://127.0.0.1:8080";
    options.config.token = "dapi-STACK-SECRET";
    options.transport = fake;
    options.clock = clock;
    options.sleeper = sleeper;
    options.retry.jitter = [] { return 0.5; };
    options.log = [this](const std::string& line) { log.push_back(line); };
    return options;
  }
};

}  // namespace

TEST_CASE("the stack authenticates, tags, retries and logs every attempt") {
  StackFixture f;
  f.fake->expect("GET", "/api/2.0/x").respond(503, "");
  f.fake->expect("GET", "/api/2.0/x").respond(200, "{}");
  auto options = f.options();
  options.user_agent = "dbk/0.1.0 cmd/fs_ls";
  auto stack = dbk::detail::make_transport_stack(options);
  auto result = stack->send(dbk::HttpRequest{"GET", "http://127.0.0.1:8080/api/2.0/x", {}, ""}, {});
  REQUIRE(result.ok());
  CHECK(result->status == 200);
  CHECK(f.sleeper->sleeps().size() == 1);
  auto sent = f.fake->requests();
  REQUIRE(sent.size() == 2);
  CHECK(dbk::find_header(sent[1].headers, "Authorization") == "Bearer dapi-STACK-SECRET");
  CHECK(dbk::find_header(sent[1].headers, "User-Agent") == "dbk/0.1.0 os/linux auth/pat cmd/fs_ls");
  CHECK(std::count(f.log.begin(), f.log.end(), "> GET http://127.0.0.1:8080/api/2.0/x") == 2);
  for (const auto& line : f.log) CHECK_THAT(line, !Catch::Contains("STACK-SECRET"));
}

TEST_CASE("the stack hands an upload's body down without copying its bytes") {
  // Authentication, the User-Agent, logging and each retry copy the request on its way down;
  // the body's bytes must be shared by those copies, not copied with them.
  StackFixture f;
  f.fake->expect("POST", "/api/2.0/dbfs/put").respond(503, "");
  f.fake->expect("POST", "/api/2.0/dbfs/put").respond(200, "{}");
  auto stack = dbk::detail::make_transport_stack(f.options());
  dbk::HttpRequest request{
      "POST", "http://127.0.0.1:8080/api/2.0/dbfs/put", {}, std::string(4 * 1048576, 'u')};
  request.idempotency = dbk::Idempotency::kIdempotent;
  const char* const bytes = request.body.data();
  REQUIRE(stack->send(request, {}).ok());
  auto sent = f.fake->requests();
  REQUIRE(sent.size() == 2);
  for (const auto& attempt : sent) {
    CHECK(dbk::find_header(attempt.headers, "Authorization") == "Bearer dapi-STACK-SECRET");
    CHECK(attempt.body.data() == bytes);
    CHECK(attempt.body.size() == 4 * 1048576);
  }
}

TEST_CASE("a request body is shared by copies and reads like a string") {
  dbk::HttpBody empty;
  CHECK(empty.empty());
  CHECK(empty == "");
  CHECK(empty.shared() == nullptr);
  dbk::HttpBody body = std::string("{\"a\":1}");
  dbk::HttpBody copy = body;
  CHECK(copy.data() == body.data());
  CHECK(copy == "{\"a\":1}");
  CHECK(copy != "{}");
  const std::string& text = copy;
  CHECK(text.size() == 7);
  CHECK(nlohmann::json::parse(copy)["a"] == 1);
}

TEST_CASE("the stack applies the client-side rate limit from the config") {
  StackFixture f;
  f.fake->expect("GET", "/x").reusable().respond(200, "{}");
  auto options = f.options();
  options.config.rate_limit = 1;
  auto stack = dbk::detail::make_transport_stack(options);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(stack->send(dbk::HttpRequest{"GET", "http://127.0.0.1:8080/x", {}, ""}, {}).ok());
  }
  CHECK(f.sleeper->sleeps() ==
        std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000),
                                               std::chrono::milliseconds(1000)});
}

TEST_CASE("an unusable auth config fails each call with CONFIG_ERROR") {
  StackFixture f;
  auto options = f.options();
  options.config.auth_type = "oauth-m2m";  // no client id/secret
  auto stack = dbk::detail::make_transport_stack(options);
  auto result = stack->send(dbk::HttpRequest{"GET", "http://127.0.0.1:8080/x", {}, ""}, {});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CONFIG_ERROR");
  CHECK(f.fake->requests().empty());
}

TEST_CASE("user agent: default product, caller's extras, sanitised auth type") {
  using dbk::detail::make_user_agent;
  CHECK_THAT(make_user_agent("", "pat"), Catch::Matches("dbk/[0-9.]+ os/linux auth/pat"));
  CHECK_THAT(make_user_agent("myapp/1.2", ""), Catch::Matches("dbk/[0-9.]+ os/linux myapp/1.2"));
  CHECK(make_user_agent("dbk/9.9 cmd/jobs_run-now", "oauth-m2m") ==
        "dbk/9.9 os/linux auth/oauth-m2m cmd/jobs_run-now");
  CHECK(make_user_agent("dbk/9.9", "a b") == "dbk/9.9 os/linux auth/a-b");
}
