#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "api_caller.hpp"
#include "dbk/jobs.hpp"
#include "dbk/retry.hpp"
#include "dbk/run_waiter.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::testing::FakeClock;
using dbk::testing::FakeSleeper;
using dbk::testing::FakeTransport;
using namespace std::chrono_literals;

namespace {
struct WaiterFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  dbk::JobsApi jobs{std::make_shared<dbk::detail::ApiCaller>("https://h", fake)};
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::shared_ptr<FakeSleeper> sleeper = std::make_shared<FakeSleeper>(clock);
  std::chrono::system_clock::time_point start = clock->now();

  dbk::WaitOptions options() const {
    dbk::WaitOptions wait;
    wait.clock = clock;
    wait.sleeper = sleeper;
    wait.poll.jitter = [] { return 0.0; };
    return wait;
  }

  void expect_state(const std::string& life_cycle, const std::string& result = "") {
    std::string state = R"({"life_cycle_state": ")" + life_cycle + "\"";
    if (!result.empty()) state += R"(, "result_state": ")" + result + "\"";
    state += R"(, "state_message": "m"})";
    fake->expect("GET", "/api/2.1/jobs/runs/get")
        .with_query("run_id=42")
        .respond(200, R"({"run_id": 42, "state": )" + state + "}");
  }

  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock->now() - start);
  }
};

dbk::Run run_in(const std::string& life_cycle, std::optional<std::string> result) {
  dbk::Run run;
  run.state.life_cycle_state = life_cycle;
  run.state.result_state = std::move(result);
  run.state.state_message = "msg";
  return run;
}
}  // namespace

TEST_CASE_METHOD(WaiterFixture, "waits through the states and reports each change once") {
  expect_state("PENDING");
  expect_state("PENDING");
  expect_state("RUNNING");
  expect_state("TERMINATED", "SUCCESS");
  std::vector<std::string> changes;
  auto wait = options();
  wait.on_state_change = [&](const dbk::Run& run) {
    changes.push_back(run.state.life_cycle_state);
  };
  auto run = dbk::wait_for_run(jobs, 42, wait);
  REQUIRE(run.ok());
  CHECK(run->state.result_state == std::optional<std::string>("SUCCESS"));
  CHECK(changes == std::vector<std::string>{"PENDING", "RUNNING", "TERMINATED"});
  // A young run is polled once a second (the SDKs' 1 s, 2 s, 3 s would have seen the
  // end 3 s later).
  CHECK(elapsed() == 3s);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(WaiterFixture, "the poll interval grows with the time waited up to the maximum") {
  for (int i = 0; i < 45; ++i) expect_state("RUNNING");
  expect_state("TERMINATED", "FAILED");
  auto run = dbk::wait_for_run(jobs, 42, options());
  REQUIRE(run.ok());
  const auto sleeps = sleeper->sleeps();
  REQUIRE(sleeps.size() == 45);
  std::chrono::milliseconds waited{0};
  for (const auto& slept : sleeps) {
    // A tenth of the time waited, at least 1 s, at most 10 s: the end of a run is seen
    // within a tenth of its age (or a second) instead of after up to 10 more seconds.
    CHECK(slept ==
          std::clamp(waited / 10, std::chrono::milliseconds(1s), std::chrono::milliseconds(10s)));
    waited += slept;
  }
  CHECK(sleeps.front() == 1s);
  CHECK(sleeps[10] == 1s);      // 10 s waited: a tenth is the minimum
  CHECK(sleeps[11] == 1100ms);  // 11 s waited
  CHECK(sleeps.back() == 10s);
}

TEST_CASE_METHOD(WaiterFixture, "jitter is added to each interval") {
  expect_state("RUNNING");
  expect_state("SKIPPED");
  auto wait = options();
  wait.poll.jitter = [] { return 0.5; };
  auto run = dbk::wait_for_run(jobs, 42, wait);
  REQUIRE(run.ok());
  CHECK(elapsed() == 1250ms);
}

TEST_CASE_METHOD(WaiterFixture, "a timeout cancels the run when asked and says DEADLINE_EXCEEDED") {
  for (int i = 0; i < 4; ++i) expect_state("RUNNING");
  fake->expect("POST", "/api/2.1/jobs/runs/cancel").with_json_body({{"run_id", 42}});
  auto wait = options();
  wait.timeout = 3s;
  wait.cancel_on_timeout = true;
  auto run = dbk::wait_for_run(jobs, 42, wait);
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().error_code == dbk::error_codes::kTimeout);
  CHECK(run.error().message.find("cancelled") != std::string::npos);
  CHECK(elapsed() == 3s);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(WaiterFixture, "a timeout without cancel_on_timeout leaves the run alone") {
  expect_state("PENDING");
  expect_state("PENDING");
  auto wait = options();
  wait.timeout = 1s;
  auto run = dbk::wait_for_run(jobs, 42, wait);
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().error_code == dbk::error_codes::kTimeout);
  CHECK(fake->requests().size() == 2);
}

TEST_CASE_METHOD(WaiterFixture, "a cancelled context stops waiting during a sleep") {
  expect_state("RUNNING");
  auto context = dbk::CallContext::cancellable();
  sleeper->on_sleep([&](std::chrono::milliseconds) { context.cancellation->cancel(); });
  auto run = dbk::wait_for_run(jobs, 42, options(), context);
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().error_code == dbk::error_codes::kCancelled);
  CHECK(sleeper->sleeps().size() == 1);  // the sleep it was in ended the wait
  CHECK(fake->requests().size() == 1);
}

TEST_CASE_METHOD(WaiterFixture, "an API error while polling is returned") {
  fake->expect("GET", "/api/2.1/jobs/runs/get")
      .respond_json(
          400, {{"error_code", "INVALID_PARAMETER_VALUE"}, {"message", "Run 42 does not exist."}});
  auto run = dbk::wait_for_run(jobs, 42, options());
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().error_code == "INVALID_PARAMETER_VALUE");
}

namespace {
dbk::ApiError unreachable() {
  return dbk::with_reason(dbk::make_error("CONNECTION_ERROR", "cannot connect to h:443"),
                          dbk::error_reasons::kHostUnreachable);
}

// The run is seen RUNNING, then the host stays unreachable.
void expect_outage_after_running(WaiterFixture& f) {
  f.expect_state("RUNNING");
  f.fake->expect("GET", "/api/2.1/jobs/runs/get").reusable().fail(unreachable());
}
}  // namespace

TEST_CASE_METHOD(WaiterFixture, "a host that vanishes after the run was seen is waited out") {
  expect_state("RUNNING");
  fake->expect("GET", "/api/2.1/jobs/runs/get").fail(unreachable());
  fake->expect("GET", "/api/2.1/jobs/runs/get").fail(unreachable());
  expect_state("TERMINATED", "SUCCESS");
  auto run = dbk::wait_for_run(jobs, 42, options());
  REQUIRE(run.ok());
  CHECK(run->state.result_state == "SUCCESS");
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(WaiterFixture, "an unreachable host ends the wait after the grace period") {
  expect_outage_after_running(*this);
  auto wait = options();
  wait.unreachable_grace = 60s;
  auto run = dbk::wait_for_run(jobs, 42, wait);
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().is_unreachable());
  CHECK(elapsed() >= 60s);
  CHECK(elapsed() < 75s);  // one poll interval (at most 10 s) past the grace
}

TEST_CASE_METHOD(WaiterFixture, "an unreachable host before the run was seen ends the wait") {
  fake->expect("GET", "/api/2.1/jobs/runs/get").fail(unreachable());
  auto run = dbk::wait_for_run(jobs, 42, options());
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().is_unreachable());
  CHECK(fake->requests().size() == 1);
}

TEST_CASE_METHOD(WaiterFixture, "the wait's timeout still applies while the host is unreachable") {
  expect_outage_after_running(*this);
  auto wait = options();
  wait.timeout = 20s;
  auto run = dbk::wait_for_run(jobs, 42, wait);
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().error_code == "DEADLINE_EXCEEDED");
  CHECK_THAT(run.error().message, Catch::Contains("last state RUNNING"));
  CHECK(elapsed() == 20s);
}

TEST_CASE_METHOD(WaiterFixture, "INTERNAL_ERROR without a result state ends the wait") {
  expect_state("INTERNAL_ERROR");
  auto run = dbk::wait_for_run(jobs, 42, options());
  REQUIRE(run.ok());
  auto outcome = dbk::classify(*run);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.kind == dbk::RunOutcomeKind::kFailed);
  CHECK(outcome.state == "INTERNAL_ERROR");
}

TEST_CASE("classify maps states to outcomes") {
  using K = dbk::RunOutcomeKind;
  auto success = dbk::classify(run_in("TERMINATED", "SUCCESS"));
  CHECK(success.ok);
  CHECK(success.kind == K::kSuccess);
  CHECK(success.message == "msg");
  CHECK(dbk::classify(run_in("TERMINATED", "FAILED")).kind == K::kFailed);
  CHECK(dbk::classify(run_in("TERMINATED", "FAILED")).state == "FAILED");
  CHECK(dbk::classify(run_in("TERMINATED", "CANCELED")).kind == K::kCanceled);
  CHECK(dbk::classify(run_in("TERMINATED", "TIMEDOUT")).kind == K::kTimedOut);
  CHECK(dbk::classify(run_in("TERMINATED", "SUCCESS_WITH_FAILURES")).kind == K::kFailed);
  CHECK(dbk::classify(run_in("SKIPPED", std::nullopt)).kind == K::kSkipped);
  CHECK_FALSE(dbk::classify(run_in("SKIPPED", std::nullopt)).ok);
  CHECK(dbk::classify(run_in("SKIPPED", "MAXIMUM_CONCURRENT_RUNS_REACHED")).kind == K::kSkipped);
  CHECK(dbk::classify(run_in("TERMINATED", std::nullopt)).kind == K::kFailed);
  CHECK(dbk::classify(run_in("RUNNING", std::nullopt)).kind == K::kNotTerminated);
  CHECK_FALSE(dbk::classify(run_in("RUNNING", std::nullopt)).ok);
}

namespace {
// Stands for a request in flight that only ends when its context is cancelled.
class HangingTransport final : public dbk::Transport {
 public:
  dbk::Result<dbk::HttpResponse> send(const dbk::HttpRequest&,
                                      const dbk::CallContext& context) override {
    entered = true;
    if (context.cancellation) context.cancellation->wait_for(std::chrono::hours(1));
    return dbk::make_error(dbk::error_codes::kCancelled, "the call was cancelled");
  }
  std::atomic<bool> entered{false};
};
}  // namespace

TEST_CASE("the waiter hands its context to the poll in flight") {
  auto hanging = std::make_shared<HangingTransport>();
  dbk::JobsApi jobs{std::make_shared<dbk::detail::ApiCaller>("https://h", hanging)};
  auto context = dbk::CallContext::cancellable();
  std::thread canceller([&] {
    while (!hanging->entered) std::this_thread::sleep_for(5ms);
    context.cancellation->cancel();
  });
  auto run = dbk::wait_for_run(jobs, 42, {}, context);
  canceller.join();
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().error_code == dbk::error_codes::kCancelled);
  CHECK_THAT(run.error().message, Catch::Contains("run 42"));
}

TEST_CASE("a cancel ends a wait whose poll is being retried (503) at once") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/api/2.1/jobs/runs/get").reusable().respond(503, "");
  dbk::RetryOptions retry;
  retry.total_timeout = std::chrono::hours(2);
  retry.initial_backoff = std::chrono::hours(1);
  retry.max_backoff = std::chrono::hours(1);
  dbk::JobsApi jobs{std::make_shared<dbk::detail::ApiCaller>(
      "https://h",
      dbk::make_retrying_transport(fake, retry, dbk::system_clock(), dbk::real_sleeper()))};
  auto context = dbk::CallContext::cancellable();
  std::thread canceller([&] {
    while (fake->requests().empty()) std::this_thread::sleep_for(5ms);
    context.cancellation->cancel();
  });
  auto run = dbk::wait_for_run(jobs, 42, {}, context);
  canceller.join();
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().error_code == dbk::error_codes::kCancelled);
  CHECK(fake->requests().size() == 1);
}
