#include <catch2/catch.hpp>

#include "jobs_support/jobs_harness.hpp"

using dbk::emulator::testing::JobsHarness;
using json = nlohmann::json;

namespace {
constexpr std::int64_t kMinute = 60 * 1000;
const char* const kCluster = "0101-000000-dbklocal";

json task(const std::string& key, const std::vector<std::string>& upstream = {}) {
  json t = {{"task_key", key},
            {"existing_cluster_id", kCluster},
            {"notebook_task", {{"notebook_path", "/Shared/" + key}}}};
  for (const auto& u : upstream) t["depends_on"].push_back({{"task_key", u}});
  return t;
}

void script(JobsHarness& h, const std::string& key, const std::string& result, int times = 0) {
  json rule = {{"match", {{"task_key", key}}},
               {"outcome", {{"result_state", result}, {"duration_ms", kMinute}}}};
  if (times) rule["times"] = times;
  h.script(rule);
}

std::map<std::string, std::pair<std::int64_t, std::string>> tasks_of(const json& run) {
  std::map<std::string, std::pair<std::int64_t, std::string>> out;
  for (const auto& t : run["tasks"])
    out[t["task_key"]] = {t["run_id"], t["state"].value("result_state", std::string())};
  return out;
}

/// Moves the emulated clock a minute at a time (each scripted task takes one) until the
/// run has ended.
void finish(JobsHarness& h, std::int64_t run_id) {
  for (int i = 0; i < 20 && h.life(run_id) != "TERMINATED"; ++i) h.advance(kMinute);
}

/// A job ingest → train → report and a side task audit; train fails once, then succeeds.
std::int64_t failed_run(JobsHarness& h, std::int64_t& job) {
  script(h, "train", "FAILED", 1);
  script(h, "train", "SUCCESS");
  script(h, "ingest", "SUCCESS");
  script(h, "report", "SUCCESS");
  script(h, "audit", "SUCCESS");
  job = h.create_job({{"name", "nightly"},
                      {"tasks",
                       {task("ingest"), task("train", {"ingest"}), task("report", {"train"}),
                        task("audit", {"ingest"})}}});
  const std::int64_t run_id = h.run_now(job, {{"notebook_params", {{"day", "1"}}}});
  finish(h, run_id);
  REQUIRE(h.result(run_id) == "FAILED");
  return run_id;
}
}  // namespace

TEST_CASE("repair re-runs the failed tasks and their skipped dependants in the same run",
          "[runs][repair]") {
  JobsHarness h;
  std::int64_t job = 0;
  const std::int64_t run_id = failed_run(h, job);
  const auto before = tasks_of(h.run(run_id));
  CHECK(before.at("train").second == "FAILED");
  CHECK(before.at("report").second == "UPSTREAM_FAILED");
  CHECK_FALSE(h.run(run_id).contains("repair_history"));  // only with include_history

  auto reply = h.post(
      "/api/2.1/jobs/runs/repair",
      {{"run_id", run_id}, {"rerun_all_failed_tasks", true}, {"notebook_params", {{"day", "2"}}}});
  REQUIRE(reply.status == 200);
  const std::int64_t repair_id = reply.body["repair_id"];
  CHECK(h.life(run_id) != "TERMINATED");  // active again until the repaired tasks end

  finish(h, run_id);
  auto run =
      h.get("/api/2.1/jobs/runs/get?run_id=" + std::to_string(run_id) + "&include_history=true")
          .body;
  CHECK(run["run_id"] == run_id);
  CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(run["state"]["result_state"] == "SUCCESS");
  const auto after = tasks_of(run);
  // ingest and audit succeeded: kept as they were. train and report ran again.
  CHECK(after.at("ingest") == before.at("ingest"));
  CHECK(after.at("audit") == before.at("audit"));
  CHECK(after.at("train").second == "SUCCESS");
  CHECK(after.at("report").second == "SUCCESS");
  CHECK(after.at("train").first != before.at("train").first);
  CHECK(after.at("report").first != before.at("report").first);
  for (const auto& t : run["tasks"])
    if (t["task_key"] == "train") CHECK(t["notebook_task"]["base_parameters"]["day"] == "2");

  REQUIRE(run["repair_history"].size() == 2);
  const json& original = run["repair_history"][0];
  CHECK(original["type"] == "ORIGINAL");
  CHECK_FALSE(original.contains("id"));
  CHECK(original["state"]["result_state"] == "FAILED");
  CHECK(original["status"]["state"] == "TERMINATED");
  CHECK(original["task_run_ids"].size() == 4);
  const json& repair = run["repair_history"][1];
  CHECK(repair["type"] == "REPAIR");
  CHECK(repair["id"] == repair_id);
  CHECK(repair["state"]["result_state"] == "SUCCESS");
  CHECK(repair["end_time"].get<std::int64_t>() >= repair["start_time"].get<std::int64_t>());
  CHECK(repair["task_run_ids"] == json::array({after.at("train").first, after.at("report").first}));

  // The first attempts stay readable by their own run ids.
  auto old = h.get("/api/2.1/jobs/runs/get?run_id=" + std::to_string(before.at("train").first));
  REQUIRE(old.status == 200);
  CHECK(old.body["state"]["result_state"] == "FAILED");
}

TEST_CASE("repair of named tasks, with and without their dependants", "[runs][repair]") {
  JobsHarness h;
  std::int64_t job = 0;
  const std::int64_t run_id = failed_run(h, job);

  auto only = h.post("/api/2.2/jobs/runs/repair", {{"run_id", run_id}, {"rerun_tasks", {"train"}}});
  REQUIRE(only.status == 200);
  finish(h, run_id);
  auto tasks = tasks_of(h.run(run_id));
  CHECK(tasks.at("train").second == "SUCCESS");
  CHECK(tasks.at("report").second == "UPSTREAM_FAILED");  // not named, not re-run
  CHECK(h.result(run_id) == "FAILED");

  // rerun_dependent_tasks brings report (downstream of ingest via train) and audit along.
  auto all = h.post("/api/2.1/jobs/runs/repair", {{"run_id", run_id},
                                                  {"rerun_tasks", {"ingest"}},
                                                  {"rerun_dependent_tasks", true},
                                                  {"latest_repair_id", only.body["repair_id"]}});
  REQUIRE(all.status == 200);
  finish(h, run_id);
  auto run = h.run(run_id);
  CHECK(run["state"]["result_state"] == "SUCCESS");
  auto again = tasks_of(run);
  for (const char* key : {"ingest", "train", "report", "audit"}) {
    CHECK(again.at(key).second == "SUCCESS");
    CHECK(again.at(key).first != tasks.at(key).first);
  }
  auto history =
      h.get("/api/2.0/jobs/runs/get?run_id=" + std::to_string(run_id) + "&include_history=true")
          .body["repair_history"];
  REQUIRE(history.size() == 3);
  CHECK(history[2]["id"] == all.body["repair_id"]);
  CHECK(history[2]["task_run_ids"].size() == 4);
}

TEST_CASE("repair errors", "[runs][repair]") {
  JobsHarness h;
  std::int64_t job = 0;
  const std::int64_t run_id = failed_run(h, job);
  auto expect_error = [&](const json& body, const std::string& message) {
    auto reply = h.post("/api/2.1/jobs/runs/repair", body);
    CHECK(reply.status == 400);
    CHECK(reply.body["error_code"] == "INVALID_PARAMETER_VALUE");
    CHECK(reply.body["message"] == message);
  };
  const std::string id = std::to_string(run_id);
  expect_error({{"run_id", 987654}, {"rerun_all_failed_tasks", true}},
               "Run 987654 does not exist.");
  expect_error({{"run_id", run_id}},
               "One of rerun_tasks or rerun_all_failed_tasks must be specified.");
  expect_error({{"run_id", run_id}, {"rerun_tasks", {"train"}}, {"rerun_all_failed_tasks", true}},
               "Only one of rerun_tasks or rerun_all_failed_tasks can be used.");
  expect_error({{"run_id", run_id}, {"rerun_tasks", {"nope"}}},
               "Task nope does not exist in run " + id + ".");
  expect_error({{"run_id", run_id}, {"rerun_tasks", "train"}}, "Invalid value for rerun_tasks");
  expect_error({{"run_id", run_id}, {"rerun_tasks", {"train"}}, {"latest_repair_id", 5}},
               "latest_repair_id 5 is not the latest repair of run " + id +
                   ": the run has not been repaired.");
  expect_error({{"run_id", run_id},
                {"rerun_all_failed_tasks", true},
                {"notebook_params", {{"a", "1"}}},
                {"jar_params", {"x"}}},
               "notebook_params and jar_params cannot both be specified");

  // A repair in progress (its task takes a minute of the emulated clock): a second is refused.
  auto first =
      h.post("/api/2.1/jobs/runs/repair", {{"run_id", run_id}, {"rerun_tasks", {"train"}}});
  REQUIRE(first.status == 200);
  const std::int64_t repair_id = first.body["repair_id"];
  expect_error({{"run_id", run_id}, {"rerun_tasks", {"train"}}, {"latest_repair_id", repair_id}},
               "Run " + id + " is still active: only a finished run can be repaired.");
  auto live = h.get("/api/2.1/jobs/runs/get?run_id=" + id + "&include_history=true").body;
  CHECK(live["repair_history"][1]["state"]["life_cycle_state"] == "RUNNING");
  CHECK_FALSE(live["repair_history"][1].contains("end_time"));

  finish(h, run_id);
  REQUIRE(h.life(run_id) == "TERMINATED");
  expect_error({{"run_id", run_id}, {"rerun_tasks", {"train"}}},
               "Run " + id + " has been repaired: latest_repair_id must be " +
                   std::to_string(repair_id) + ".");
  expect_error(
      {{"run_id", run_id}, {"rerun_tasks", {"train"}}, {"latest_repair_id", repair_id + 1}},
      "latest_repair_id " + std::to_string(repair_id + 1) + " is not the latest repair of run " +
          id + " (" + std::to_string(repair_id) + ").");
  // A successful run has no failed tasks to repair.
  const std::int64_t ok_job = h.create_job({{"name", "fine"}, {"tasks", {task("ingest")}}});
  const std::int64_t ok_run = h.run_now(ok_job);
  finish(h, ok_run);
  REQUIRE(h.result(ok_run) == "SUCCESS");
  expect_error({{"run_id", ok_run}, {"rerun_all_failed_tasks", true}},
               "Run " + std::to_string(ok_run) + " has no failed tasks to repair.");
  // A task run id names no run to repair.
  const std::int64_t task_run = h.run(run_id)["tasks"][0]["run_id"];
  expect_error(
      {{"run_id", task_run}, {"rerun_all_failed_tasks", true}},
      "Run " + std::to_string(task_run) + " is a task run; repair its parent run " + id + ".");
}

TEST_CASE("a repaired run survives a restart of the emulator", "[runs][repair]") {
  auto state = std::filesystem::temp_directory_path() / ("dbk-repair-" + std::to_string(random()));
  std::int64_t run_id = 0;
  {
    JobsHarness h(state);
    std::int64_t job = 0;
    run_id = failed_run(h, job);
    REQUIRE(
        h.post("/api/2.1/jobs/runs/repair", {{"run_id", run_id}, {"rerun_all_failed_tasks", true}})
            .status == 200);
    finish(h, run_id);
    REQUIRE(h.result(run_id) == "SUCCESS");
  }
  JobsHarness again(state);
  auto run =
      again.get("/api/2.1/jobs/runs/get?run_id=" + std::to_string(run_id) + "&include_history=true")
          .body;
  CHECK(run["state"]["result_state"] == "SUCCESS");
  CHECK(run["repair_history"].size() == 2);
  std::error_code ec;
  std::filesystem::remove_all(state, ec);
}
