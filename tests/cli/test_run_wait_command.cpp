// `runs submit --wait` / `jobs run-now --wait` (commands/run_wait.cpp) against the fake
// transport: what is polled, what is printed where, and the exit code.
#include <catch2/catch.hpp>

#include "fake_cli.hpp"

using dbk::cli::test::FakeCli;
using nlohmann::json;

namespace {
const char* kRunSpec = R"({"run_name": "once", "tasks": [{"task_key": "t"}]})";

json run_in(const char* life_cycle, const char* result = nullptr, const char* message = "") {
  json state = {{"life_cycle_state", life_cycle}, {"state_message", message}};
  if (result) state["result_state"] = result;
  return {{"run_id", 7}, {"state", state}};
}

void expect_submit(FakeCli& cli) {
  cli.fake->expect("POST", "/api/2.1/jobs/runs/submit").respond_json(200, {{"run_id", 7}});
}

void expect_poll(FakeCli& cli, const json& run) {
  cli.fake->expect("GET", "/api/2.1/jobs/runs/get").with_query("run_id=7").respond_json(200, run);
}
}  // namespace

TEST_CASE("runs submit --wait polls until the run ends and prints it") {
  FakeCli cli;
  expect_submit(cli);
  expect_poll(cli, run_in("PENDING"));
  expect_poll(cli, run_in("RUNNING"));
  expect_poll(cli, run_in("TERMINATED", "SUCCESS"));
  auto result = cli.run({"runs", "submit", "--wait", "--json", kRunSpec});
  INFO(result.err);
  CHECK(result.code == 0);
  CHECK(json::parse(result.out) == run_in("TERMINATED", "SUCCESS"));
  CHECK(result.err.find("Run 7: PENDING (") == 0);
  CHECK(result.err.find("Run 7: RUNNING (") != std::string::npos);
  CHECK(result.err.find("Run 7: TERMINATED SUCCESS (") != std::string::npos);
  CHECK(cli.fake->all_consumed());
  CHECK(cli.sleeper->sleeps().size() == 2);  // between the three polls only
}

TEST_CASE("a failed run exits 3 with its error, fetching the run no extra time") {
  FakeCli cli;
  expect_submit(cli);
  expect_poll(cli, run_in("TERMINATED", "FAILED", "Task t failed."));
  // The failure text comes from get-output of the run in hand, not from another runs/get.
  cli.fake->expect("GET", "/api/2.1/jobs/runs/get-output")
      .with_query("run_id=7")
      .respond_json(200, {{"error", "ZeroDivisionError: division by zero"}});
  auto result = cli.run({"runs", "submit", "--wait", "--json", kRunSpec});
  CHECK(result.code == 3);
  CHECK(json::parse(result.out)["state"]["result_state"] == "FAILED");
  CHECK(result.err.find("Error: Run 7 finished with state FAILED: Task t failed. "
                        "(ZeroDivisionError: division by zero)\n") != std::string::npos);
  CHECK(cli.sent() == std::vector<std::string>{"POST /api/2.1/jobs/runs/submit",
                                               "GET /api/2.1/jobs/runs/get",
                                               "GET /api/2.1/jobs/runs/get-output"});
}

TEST_CASE("the output of a failed single-task run comes from its task run") {
  FakeCli cli;
  cli.fake->expect("POST", "/api/2.1/jobs/run-now")
      .matching(
          [](const dbk::HttpRequest& request) { return json::parse(request.body)["job_id"] == 3; })
      .respond_json(200, {{"run_id", 7}, {"number_in_job", 1}});
  json failed = run_in("TERMINATED", "FAILED");
  failed["tasks"] = {{{"task_key", "t"}, {"run_id", 8}}};
  expect_poll(cli, failed);
  cli.fake->expect("GET", "/api/2.1/jobs/runs/get-output")
      .with_query("run_id=8")
      .respond_json(200, {{"error", "boom"}});
  auto result = cli.run({"jobs", "run-now", "--job-id", "3", "--wait"});
  CHECK(result.code == 3);
  CHECK(result.err.find("Error: Run 7 finished with state FAILED (boom)\n") != std::string::npos);
  CHECK(cli.fake->all_consumed());
}

TEST_CASE("the --timeout flag ends the wait with exit 4 on the injected clock") {
  FakeCli cli;
  expect_submit(cli);
  cli.fake->expect("GET", "/api/2.1/jobs/runs/get")
      .with_query("run_id=7")
      .respond_json(200, run_in("RUNNING"))
      .reusable();
  auto result = cli.run({"runs", "submit", "--wait", "--timeout", "30s", "--json", kRunSpec});
  CHECK(result.code == 4);
  CHECK(result.out.empty());
  CHECK(result.err.find("Error: DEADLINE_EXCEEDED: run 7 did not finish within") !=
        std::string::npos);
  std::chrono::milliseconds slept{0};
  for (auto sleep : cli.sleeper->sleeps()) slept += sleep;
  CHECK(slept == std::chrono::seconds(30));  // waited exactly the timeout, on the fake clock
}

TEST_CASE("wait flags are checked before any request") {
  FakeCli cli;
  auto bad = cli.run({"runs", "submit", "--wait", "--timeout", "soon", "--json", kRunSpec});
  CHECK(bad.code == 2);
  CHECK(bad.err.rfind("Error: ", 0) == 0);
  auto no_wait = cli.run({"jobs", "run-now", "--job-id", "3", "--timeout", "5m"});
  CHECK(no_wait.code == 2);
  CHECK(no_wait.err == "Error: --timeout and --cancel-on-interrupt need --wait.\n");
  auto cancel = cli.run({"runs", "submit", "--cancel-on-interrupt", "--json", kRunSpec});
  CHECK(cancel.code == 2);
  CHECK(cli.fake->requests().empty());
}

TEST_CASE("a failed poll is the error alone, as JSON under -o json, exit 1") {
  FakeCli cli;
  expect_submit(cli);
  cli.fake->expect("GET", "/api/2.1/jobs/runs/get")
      .with_query("run_id=7")
      .respond_json(404, {{"error_code", "RESOURCE_DOES_NOT_EXIST"}, {"message", "no run 7"}});
  auto result = cli.run({"runs", "submit", "--wait", "-o", "json", "--json", kRunSpec});
  CHECK(result.code == 1);
  auto error = json::parse(result.err);  // the run was never seen: no progress line
  CHECK(error["error_code"] == "RESOURCE_DOES_NOT_EXIST");
  CHECK(error["http_status"] == 404);
  CHECK(error["method"] == "GET");
}
