#define CATCH_CONFIG_ENABLE_CHRONO_STRINGMAKER  // print durations in failures
#include <catch2/catch.hpp>

#include "dbk/retry.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::testing::FakeClock;
using dbk::testing::FakeSleeper;
using dbk::testing::FakeTransport;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

struct RetryFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::shared_ptr<FakeSleeper> sleeper = std::make_shared<FakeSleeper>(clock);

  std::shared_ptr<dbk::Transport> make(dbk::RetryOptions options = {}) {
    if (!options.jitter) options.jitter = [] { return 0.5; };  // nominal delays exactly
    return dbk::make_retrying_transport(fake, options, clock, sleeper);
  }
  // What ApiCaller::get declares for every GET.
  static dbk::HttpRequest get(std::string path) {
    return dbk::HttpRequest{"GET", "https://h" + path, {}, "", dbk::Idempotency::kIdempotent};
  }
  static dbk::HttpRequest post(std::string path, dbk::Idempotency idempotency,
                               std::string body = "{}") {
    return dbk::HttpRequest{"POST", "https://h" + path, {}, std::move(body), idempotency};
  }
};

dbk::ApiError connection_refused() {
  return dbk::with_reason(dbk::make_error("CONNECTION_ERROR", "cannot connect to h:443"),
                          dbk::error_reasons::kHostUnreachable);
}

dbk::ApiError connection_reset() {
  return dbk::make_error("CONNECTION_ERROR", "request to h:443 failed: Connection reset by peer");
}

}  // namespace

TEST_CASE("retries 429, 503, 502, 504 and connection errors with capped exponential backoff") {
  RetryFixture f;
  f.fake->expect("GET", "/x").respond(429, "");
  f.fake->expect("GET", "/x").respond(503, "");
  f.fake->expect("GET", "/x").respond(502, "");
  f.fake->expect("GET", "/x").respond(504, "");
  f.fake->expect("GET", "/x").fail(connection_reset());
  f.fake->expect("GET", "/x").fail(dbk::make_error("DEADLINE_EXCEEDED", "read timed out"));
  f.fake->expect("GET", "/x").respond(200, "{}");
  auto result = f.make()->send(RetryFixture::get("/x"), {});
  REQUIRE(result.ok());
  CHECK(result->status == 200);
  CHECK(f.fake->all_consumed());
  CHECK(f.sleeper->sleeps() == std::vector<milliseconds>{milliseconds(1000), milliseconds(2000),
                                                         milliseconds(4000), milliseconds(8000),
                                                         milliseconds(10000), milliseconds(10000)});
}

TEST_CASE("jitter spreads each delay by at most a quarter") {
  RetryFixture f;
  f.fake->expect("GET", "/x").respond(503, "");
  f.fake->expect("GET", "/x").respond(503, "");
  f.fake->expect("GET", "/x").respond(200, "{}");
  double jitters[] = {0.0, 0.999};
  int call = 0;
  dbk::RetryOptions options;
  options.jitter = [&] { return jitters[call++]; };
  REQUIRE(f.make(options)->send(RetryFixture::get("/x"), {}).ok());
  CHECK(f.sleeper->sleeps() == std::vector<milliseconds>{milliseconds(750), milliseconds(2499)});
}

TEST_CASE("Retry-After is honoured in seconds and as an HTTP date") {
  RetryFixture f;
  f.fake->expect("GET", "/x").respond(429, "", {{"Retry-After", "7"}});
  f.fake->expect("GET", "/x")
      .respond(503, "",
               {{"Date", "Wed, 21 Oct 2015 07:28:00 GMT"},
                {"Retry-After", "Wed, 21 Oct 2015 07:28:03 GMT"}});
  f.fake->expect("GET", "/x").respond(200, "{}");
  REQUIRE(f.make()->send(RetryFixture::get("/x"), {}).ok());
  CHECK(f.sleeper->sleeps() == std::vector<milliseconds>{seconds(7), seconds(3)});
}

TEST_CASE("non-retryable statuses and errors return at once") {
  for (int status : {200, 400, 401, 403, 404, 409, 500, 501}) {
    RetryFixture f;
    f.fake->expect("GET", "/x").respond(status, "");
    auto result = f.make()->send(RetryFixture::get("/x"), {});
    REQUIRE(result.ok());
    CHECK(result->status == status);
    CHECK(f.sleeper->sleeps().empty());
    CHECK(f.fake->requests().size() == 1);
  }
  RetryFixture f;
  f.fake->expect("GET", "/x").fail(dbk::make_error("INVALID_ARGUMENT", "bad url"));
  CHECK_FALSE(f.make()->send(RetryFixture::get("/x"), {}).ok());
  CHECK(f.fake->requests().size() == 1);
}

TEST_CASE("an exhausted budget returns the last failure as it was") {
  RetryFixture f;
  f.fake->expect("GET", "/x")
      .reusable()
      .respond(503, R"({"error_code":"TEMPORARILY_UNAVAILABLE"})");
  dbk::RetryOptions options;
  options.total_timeout = milliseconds(10000);
  auto result = f.make(options)->send(RetryFixture::get("/x"), {});
  REQUIRE(result.ok());
  CHECK(result->status == 503);
  // 1 + 2 + 4 = 7 s slept; the next 8 s would exceed the 10 s budget
  CHECK(f.sleeper->sleeps() ==
        std::vector<milliseconds>{milliseconds(1000), milliseconds(2000), milliseconds(4000)});
  CHECK(f.fake->requests().size() == 4);
}

TEST_CASE("a host that cannot be reached at all gets the short unreachable budget") {
  for (auto reason : {dbk::error_reasons::kHostUnreachable, dbk::error_reasons::kHostNotFound}) {
    RetryFixture f;
    f.fake->expect("GET", "/x")
        .reusable()
        .fail(dbk::with_reason(dbk::make_error("CONNECTION_ERROR", "cannot connect"), reason));
    auto result = f.make()->send(RetryFixture::get("/x"), {});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().reason() == reason);
    // 1 + 2 + 4 = 7 s slept; the next 8 s would pass the default 10 s
    CHECK(f.sleeper->sleeps() ==
          std::vector<milliseconds>{milliseconds(1000), milliseconds(2000), milliseconds(4000)});
  }
}

TEST_CASE("a connection lost after it was made keeps the full budget") {
  RetryFixture f;
  f.fake->expect("GET", "/x").reusable().fail(connection_reset());
  dbk::RetryOptions options;
  options.total_timeout = milliseconds(60000);
  auto result = f.make(options)->send(RetryFixture::get("/x"), {});
  REQUIRE_FALSE(result.ok());
  milliseconds slept{0};
  for (auto sleep : f.sleeper->sleeps()) slept += sleep;
  CHECK(slept == milliseconds(55000));  // 1+2+4+8+10+10+10+10; one more 10 s would pass 60 s
}

TEST_CASE("a host that starts answering within the unreachable budget is used") {
  RetryFixture f;
  f.fake->expect("GET", "/x").fail(connection_refused());
  f.fake->expect("GET", "/x").fail(connection_refused());
  f.fake->expect("GET", "/x").respond(200, "{}");
  auto result = f.make()->send(RetryFixture::get("/x"), {});
  REQUIRE(result.ok());
  CHECK(f.fake->all_consumed());
}

TEST_CASE("max_attempts bounds the number of tries") {
  RetryFixture f;
  f.fake->expect("GET", "/x").reusable().fail(connection_refused());
  dbk::RetryOptions options;
  options.max_attempts = 3;
  auto result = f.make(options)->send(RetryFixture::get("/x"), {});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CONNECTION_ERROR");
  CHECK(f.fake->requests().size() == 3);
}

TEST_CASE("by default only the time budget bounds a storm of 429s, however many") {
  RetryFixture f;
  for (int i = 0; i < 50; ++i) f.fake->expect("GET", "/x").respond(429, "", {{"Retry-After", "0"}});
  f.fake->expect("GET", "/x").respond(200, "{}");
  auto result = f.make()->send(RetryFixture::get("/x"), {});
  REQUIRE(result.ok());
  CHECK(f.fake->all_consumed());
  CHECK(f.fake->requests().size() == 51);
}

TEST_CASE("never sleeps past the call's deadline") {
  RetryFixture f;
  f.fake->expect("GET", "/x")
      .reusable()
      .respond(503, R"({"error_code":"TEMPORARILY_UNAVAILABLE","message":"try later"})");
  dbk::CallContext context;
  context.deadline = f.clock->now() + seconds(5);
  auto result = f.make()->send(RetryFixture::get("/x"), context);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "DEADLINE_EXCEEDED");
  CHECK_THAT(result.error().message, Catch::Contains("TEMPORARILY_UNAVAILABLE: try later"));
  CHECK(f.sleeper->sleeps() == std::vector<milliseconds>{milliseconds(1000), milliseconds(2000)});
  CHECK(f.clock->now() <= *context.deadline);
}

TEST_CASE("a Retry-After beyond the deadline gives up without sleeping") {
  RetryFixture f;
  f.fake->expect("GET", "/x").respond(429, "", {{"Retry-After", "60"}});
  dbk::CallContext context;
  context.deadline = f.clock->now() + seconds(30);
  auto result = f.make()->send(RetryFixture::get("/x"), context);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "DEADLINE_EXCEEDED");
  CHECK(f.sleeper->sleeps().empty());
}

TEST_CASE("cancellation stops retrying at once") {
  RetryFixture f;
  f.fake->expect("GET", "/x").reusable().respond(503, "");
  auto context = dbk::CallContext::cancellable();
  f.sleeper->on_sleep([&](milliseconds) { context.cancellation->cancel(); });
  auto result = f.make()->send(RetryFixture::get("/x"), context);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CANCELLED");
  CHECK(f.fake->requests().size() == 1);
  CHECK(f.sleeper->sleeps().size() == 1);
}

TEST_CASE("a non-idempotent request is replayed only when the server refused it (429/503)") {
  // After a 502/504 or a lost connection the work may have been done: no replay.
  const auto unsafe = dbk::Idempotency::kNonIdempotent;
  for (int status : {502, 504}) {
    RetryFixture f;
    f.fake->expect("POST", "/api/2.1/jobs/create").respond(status, "");
    auto result = f.make()->send(RetryFixture::post("/api/2.1/jobs/create", unsafe), {});
    REQUIRE(result.ok());
    CHECK(result->status == status);
    CHECK(f.fake->requests().size() == 1);
  }
  for (const auto& lost : {connection_reset(), dbk::make_error("DEADLINE_EXCEEDED", "timed out")}) {
    RetryFixture f;
    f.fake->expect("POST", "/api/2.1/jobs/create").fail(lost);
    auto result = f.make()->send(RetryFixture::post("/api/2.1/jobs/create", unsafe), {});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().error_code == lost.error_code);
    CHECK(f.fake->requests().size() == 1);
  }

  RetryFixture refused;
  refused.fake->expect("POST", "/api/2.1/jobs/create").respond(429, "");
  refused.fake->expect("POST", "/api/2.1/jobs/create").respond(503, "");
  refused.fake->expect("POST", "/api/2.1/jobs/create").respond(200, R"({"job_id":1})");
  auto result = refused.make()->send(RetryFixture::post("/api/2.1/jobs/create", unsafe), {});
  REQUIRE(result.ok());
  CHECK(result->status == 200);
}

TEST_CASE("an idempotent request, by nature or by token, is replayed after a lost response") {
  for (auto declared : {dbk::Idempotency::kIdempotent, dbk::Idempotency::kByToken}) {
    RetryFixture f;
    const auto path = "/api/2.1/jobs/run-now";
    f.fake->expect("POST", path).respond(504, "");
    f.fake->expect("POST", path).fail(connection_reset());
    f.fake->expect("POST", path).respond(200, R"({"run_id":1})");
    auto result = f.make()->send(RetryFixture::post(path, declared), {});
    REQUIRE(result.ok());
    CHECK(result->status == 200);
    CHECK(f.fake->requests().size() == 3);
  }
}

TEST_CASE("only the declaration decides: neither the URL nor the body is consulted") {
  // A delete declared unsafe is not replayed, and a token in the body of a request
  // declared unsafe does not make it safe.
  RetryFixture f;
  f.fake->expect("POST", "/api/2.0/dbfs/delete").respond(504, "");
  auto deleted = f.make()->send(
      RetryFixture::post("/api/2.0/dbfs/delete", dbk::Idempotency::kNonIdempotent), {});
  REQUIRE(deleted.ok());
  CHECK(deleted->status == 504);
  f.fake->expect("POST", "/api/2.1/jobs/run-now").respond(504, "");
  auto ran =
      f.make()->send(RetryFixture::post("/api/2.1/jobs/run-now", dbk::Idempotency::kNonIdempotent,
                                        R"({"job_id":1,"idempotency_token":"abc"})"),
                     {});
  REQUIRE(ran.ok());
  CHECK(ran->status == 504);
  CHECK(f.fake->requests().size() == 2);
  // A request built without a declaration is treated as unsafe.
  RetryFixture plain;
  plain.fake->expect("GET", "/x").respond(504, "");
  CHECK(plain.make()->send(dbk::HttpRequest{"GET", "https://h/x", {}, ""}, {})->status == 504);
  CHECK(plain.fake->requests().size() == 1);
}

TEST_CASE("other POSTs are safe, and PARTIAL_DELETE is called again") {
  RetryFixture f;
  f.fake->expect("POST", "/api/2.0/dbfs/delete")
      .respond(503, R"({"error_code":"PARTIAL_DELETE","message":"deleted 100 files"})");
  f.fake->expect("POST", "/api/2.0/dbfs/delete").respond(504, "");
  f.fake->expect("POST", "/api/2.0/dbfs/delete").respond(200, "{}");
  auto result =
      f.make()->send(RetryFixture::post("/api/2.0/dbfs/delete", dbk::Idempotency::kIdempotent), {});
  REQUIRE(result.ok());
  CHECK(result->status == 200);
}

TEST_CASE_METHOD(RetryFixture, "an answer after a lost response is marked as a replay") {
  // The first attempt may have done its work: a non-idempotent step needs to know.
  fake->expect("POST", "/api/2.0/dbfs/move").fail(connection_reset());
  fake->expect("POST", "/api/2.0/dbfs/move")
      .respond_json(404, {{"error_code", "RESOURCE_DOES_NOT_EXIST"}, {"message", "no source"}});
  auto result = make()->send(post("/api/2.0/dbfs/move", dbk::Idempotency::kIdempotent), {});
  REQUIRE(result.ok());
  CHECK(result->status == 404);
  CHECK(result->replayed);
}

TEST_CASE_METHOD(RetryFixture, "an answer after a refusal or a failed connect is not a replay") {
  // 503 and a refused connection mean no earlier attempt did anything.
  fake->expect("POST", "/api/2.0/dbfs/move").respond(503, "");
  fake->expect("POST", "/api/2.0/dbfs/move").fail(connection_refused());
  fake->expect("POST", "/api/2.0/dbfs/move")
      .respond_json(400, {{"error_code", "RESOURCE_ALREADY_EXISTS"}, {"message", "exists"}});
  auto result = make()->send(post("/api/2.0/dbfs/move", dbk::Idempotency::kIdempotent), {});
  REQUIRE(result.ok());
  CHECK(result->status == 400);
  CHECK_FALSE(result->replayed);
  CHECK(fake->all_consumed());
}
