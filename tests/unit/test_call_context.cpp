// CallContext and Cancellation: a cancel, from another thread or from a signal
// handler, cuts a sleep short at once, and the retry loop honours the context.
// A sleep that did not wake would run for an hour, so a regression hangs the test
// (and CTest's timeout fails it) instead of passing slowly.
#include <pthread.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

#include "dbk/call_context.hpp"
#include "dbk/clock.hpp"
#include "dbk/retry.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"

using std::chrono::hours;
using std::chrono::milliseconds;

namespace {

dbk::Cancellation* g_signal_target = nullptr;

extern "C" void cancel_from_signal(int) {
  g_signal_target->cancel();
}

}  // namespace

TEST_CASE("a cancelled Cancellation does not wait") {
  dbk::Cancellation cancellation;
  CHECK_FALSE(cancellation.is_cancelled());
  CHECK_FALSE(cancellation.wait_for(milliseconds(1)));
  cancellation.cancel();
  cancellation.cancel();  // idempotent
  CHECK(cancellation.is_cancelled());
  CHECK(cancellation.wait_for(hours(1)));
}

TEST_CASE("the real sleeper wakes at once when another thread cancels") {
  auto context = dbk::CallContext::cancellable();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    context.cancellation->cancel();
  });
  bool completed = dbk::real_sleeper()->sleep_for(hours(1), context.cancellation.get());
  canceller.join();
  CHECK_FALSE(completed);
}

TEST_CASE("a signal handler can cancel a sleep in progress") {
  dbk::Cancellation cancellation;
  g_signal_target = &cancellation;
  auto previous = std::signal(SIGUSR1, cancel_from_signal);
  const pthread_t sleeper_thread = pthread_self();
  std::thread signaller([&] {
    std::this_thread::sleep_for(milliseconds(50));
    pthread_kill(sleeper_thread, SIGUSR1);  // the handler runs on the sleeping thread
  });
  bool completed = dbk::real_sleeper()->sleep_for(hours(1), &cancellation);
  signaller.join();
  std::signal(SIGUSR1, previous);
  g_signal_target = nullptr;
  CHECK_FALSE(completed);
  CHECK(cancellation.is_cancelled());
}

TEST_CASE("the fake sleeper reports a cancellation and sleeps no more once cancelled") {
  auto clock = std::make_shared<dbk::testing::FakeClock>();
  dbk::testing::FakeSleeper sleeper(clock);
  dbk::Cancellation cancellation;
  CHECK(sleeper.sleep_for(milliseconds(10), &cancellation));
  cancellation.cancel();
  CHECK_FALSE(sleeper.sleep_for(milliseconds(10), &cancellation));
  CHECK(sleeper.sleeps() == std::vector<milliseconds>{milliseconds(10)});
}

TEST_CASE("a cancel during a real back-off sleep ends the retrying call at once") {
  auto fake = std::make_shared<dbk::testing::FakeTransport>();
  fake->expect("GET", "/x").reusable().respond(503, "", {{"Retry-After", "3600"}});
  dbk::RetryOptions options;
  options.total_timeout = hours(2);
  auto retrying =
      dbk::make_retrying_transport(fake, options, dbk::system_clock(), dbk::real_sleeper());
  auto context = dbk::CallContext::cancellable();
  std::thread canceller([&] {
    while (fake->requests().empty()) std::this_thread::sleep_for(milliseconds(5));
    context.cancellation->cancel();
  });
  auto result = retrying->send(dbk::HttpRequest{"GET", "https://h/x", {}, ""}, context);
  canceller.join();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CANCELLED");
  CHECK(result.error().path == "/x");
  CHECK(fake->requests().size() == 1);
}

TEST_CASE("a per-call RetryOptions replaces the client's for that call only") {
  auto fake = std::make_shared<dbk::testing::FakeTransport>();
  fake->expect("GET", "/x").reusable().respond(503, "");
  auto clock = std::make_shared<dbk::testing::FakeClock>();
  auto sleeper = std::make_shared<dbk::testing::FakeSleeper>(clock);
  dbk::RetryOptions client_options;
  client_options.max_attempts = 3;
  auto retrying = dbk::make_retrying_transport(fake, client_options, clock, sleeper);
  const dbk::HttpRequest request{"GET", "https://h/x", {}, ""};

  dbk::CallContext once;
  once.retry = dbk::RetryOptions{};
  once.retry->max_attempts = 1;
  auto result = retrying->send(request, once);
  REQUIRE(result.ok());
  CHECK(result->status == 503);
  CHECK(fake->requests().size() == 1);
  CHECK(sleeper->sleeps().empty());

  CHECK(retrying->send(request, {})->status == 503);
  CHECK(fake->requests().size() == 4);
}

TEST_CASE("with_timeout keeps the earlier of two deadlines") {
  dbk::CallContext context;
  auto soon = context.with_timeout(milliseconds(10));
  REQUIRE(soon.deadline);
  auto later = soon.with_timeout(hours(1));
  CHECK(later.deadline == soon.deadline);
  CHECK(soon.with_timeout(milliseconds(0)).deadline <= soon.deadline);
}
