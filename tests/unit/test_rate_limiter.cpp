#define CATCH_CONFIG_ENABLE_CHRONO_STRINGMAKER  // print durations in failures
#include <catch2/catch.hpp>

#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "rate_limiter.hpp"

using dbk::testing::FakeClock;
using dbk::testing::FakeSleeper;
using dbk::testing::FakeTransport;
using std::chrono::milliseconds;

TEST_CASE("the rate limiter allows a burst, then spaces requests by 1/rate") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/x").reusable().respond(200, "{}");
  auto clock = std::make_shared<FakeClock>();
  auto sleeper = std::make_shared<FakeSleeper>(clock);
  auto limited = dbk::detail::make_rate_limiting_transport(fake, 2.0, clock, sleeper);
  dbk::HttpRequest request{"GET", "https://h/x", {}, ""};
  for (int i = 0; i < 4; ++i) REQUIRE(limited->send(request, {}).ok());
  CHECK(sleeper->sleeps() == std::vector<milliseconds>{milliseconds(500), milliseconds(500)});
  clock->advance(milliseconds(10000));  // idle time refills only up to the burst
  for (int i = 0; i < 3; ++i) REQUIRE(limited->send(request, {}).ok());
  CHECK(sleeper->sleeps().size() == 3);
  CHECK(fake->requests().size() == 7);
}

TEST_CASE("the rate limiter fails fast when the wait would pass the deadline") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/x").reusable().respond(200, "{}");
  auto clock = std::make_shared<FakeClock>();
  auto sleeper = std::make_shared<FakeSleeper>(clock);
  auto limited = dbk::detail::make_rate_limiting_transport(fake, 0.1, clock, sleeper);
  dbk::HttpRequest request{"GET", "https://h/x", {}, ""};
  REQUIRE(limited->send(request, {}).ok());
  dbk::CallContext context;
  context.deadline = clock->now() + std::chrono::seconds(5);
  auto result = limited->send(request, context);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "DEADLINE_EXCEEDED");
  CHECK(sleeper->sleeps().empty());
}

TEST_CASE("a zero rate limit means no limiter") {
  auto fake = std::make_shared<FakeTransport>();
  CHECK(dbk::detail::make_rate_limiting_transport(fake, 0, nullptr, nullptr) == fake);
}
