#include <catch2/catch.hpp>

#include "jobs_support/jobs_harness.hpp"

using dbk::emulator::testing::JobsHarness;
using dbk::emulator::testing::notebook_job;
using json = nlohmann::json;

namespace {
constexpr std::int64_t kHour = 3600 * 1000;
const char* const kPath = "/Users/u@example.com/notebooks/1_data_ingestion";

json success(std::int64_t duration_ms, const std::string& result = "done") {
  return {{"result_state", "SUCCESS"},
          {"duration_ms", duration_ms},
          {"notebook_output", {{"result", result}, {"truncated", false}}}};
}
}  // namespace

TEST_CASE("a scripted successful run goes PENDING → RUNNING → TERMINATED SUCCESS", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"notebook_path", kPath}}}, {"outcome", success(kHour, "42")}});
  auto job = h.create_job(notebook_job("Data ingestion", kPath));
  auto reply = h.post("/api/2.1/jobs/run-now", {{"job_id", job}});
  REQUIRE(reply.status == 200);
  const std::int64_t run_id = reply.body["run_id"];
  CHECK(reply.body["number_in_job"] == run_id);

  auto run = h.run(run_id);
  CHECK(run["state"]["life_cycle_state"] == "RUNNING");
  CHECK(run["job_id"] == job);
  CHECK(run["run_type"] == "JOB_RUN");
  CHECK(run["trigger"] == "ONE_TIME");
  CHECK(run["run_page_url"] ==
        "http://emulator.test/?o=0#job/" + std::to_string(job) + "/run/" + std::to_string(run_id));
  CHECK(run["status"]["state"] == "RUNNING");
  CHECK(run["cluster_instance"]["cluster_id"] == "0101-000000-dbklocal");
  REQUIRE(run["tasks"].size() == 1);
  CHECK(run["tasks"][0]["task_key"] == "main");
  CHECK(run["tasks"][0]["attempt_number"] == 0);
  CHECK(run["tasks"][0]["run_id"] != run_id);

  h.advance(kHour);
  run = h.run(run_id);
  CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(run["state"]["result_state"] == "SUCCESS");
  CHECK(run["state"]["user_cancelled_or_timedout"] == false);
  CHECK(run["status"]["termination_details"]["code"] == "SUCCESS");
  CHECK(run["end_time"].get<std::int64_t>() - run["start_time"].get<std::int64_t>() >= kHour);
  CHECK(run["run_duration"].get<std::int64_t>() >= kHour);
  CHECK(run["execution_duration"].get<std::int64_t>() >= kHour);

  // Single-task run: get-output works on the parent and on the task run.
  auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id));
  REQUIRE(output.status == 200);
  CHECK(output.body["notebook_output"]["result"] == "42");
  CHECK(output.body["notebook_output"]["truncated"] == false);
  CHECK(output.body["metadata"]["run_id"] == run_id);
  auto task_output = h.get("/api/2.1/jobs/runs/get-output?run_id=" +
                           std::to_string(run["tasks"][0]["run_id"].get<std::int64_t>()));
  CHECK(task_output.body["notebook_output"]["result"] == "42");
}

TEST_CASE("runs/get answers in the 2.0 shape for 2.0 clients", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"job_id", 1}}}, {"outcome", success(0)}});
  auto job = h.create_job({{"name", "legacy"},
                           {"existing_cluster_id", "0101-000000-dbklocal"},
                           {"notebook_task", {{"notebook_path", kPath}}}},
                          "2.0");
  auto reply = h.post("/api/2.0/jobs/run-now",
                      {{"job_id", job}, {"notebook_params", {{"Start_Date", "2015-11-15"}}}});
  REQUIRE(reply.status == 200);
  auto run = h.run(reply.body["run_id"], "2.0");
  CHECK_FALSE(run.contains("tasks"));
  CHECK(run["task"]["notebook_task"]["notebook_path"] == kPath);
  CHECK(run["task"]["notebook_task"]["base_parameters"]["Start_Date"] == "2015-11-15");
  CHECK(run["cluster_spec"]["existing_cluster_id"] == "0101-000000-dbklocal");
  CHECK(run["overriding_parameters"]["notebook_params"]["Start_Date"] == "2015-11-15");
  CHECK(run["state"]["result_state"] == "SUCCESS");
}

TEST_CASE("runs/get and get-output on a missing run answer 400", "[runs]") {
  JobsHarness h;
  auto reply = h.get("/api/2.1/jobs/runs/get?run_id=12345");
  CHECK(reply.status == 400);
  CHECK(reply.body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(reply.body["message"] == "Run 12345 does not exist.");
  CHECK(h.get("/api/2.1/jobs/runs/get-output?run_id=12345").status == 400);
  CHECK(h.post("/api/2.1/jobs/runs/cancel", {{"run_id", 12345}}).status == 400);
  CHECK(h.post("/api/2.1/jobs/runs/delete", {{"run_id", 12345}}).status == 400);
}

TEST_CASE("a failed task reports its error through get-output", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}},
            {"outcome",
             {{"result_state", "FAILED"},
              {"duration_ms", 1000},
              {"error", "ValueError: bad input"},
              {"error_trace", "Traceback ...\nValueError: bad input"}}}});
  auto run_id = h.run_now(h.create_job(notebook_job("f", kPath)));
  h.advance(1000);
  auto run = h.run(run_id);
  CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(run["state"]["result_state"] == "FAILED");
  CHECK(run["status"]["termination_details"]["type"] == "CLIENT_ERROR");
  auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id));
  CHECK(output.body["error"] == "ValueError: bad input");
  CHECK(output.body["error_trace"].get<std::string>().find("Traceback") == 0);
  CHECK_FALSE(output.body.contains("notebook_output"));
}

TEST_CASE("an INTERNAL_ERROR outcome may lack result_state", "[runs]") {
  JobsHarness h;
  h.script(
      {{"match", {{"task_key", "main"}}},
       {"outcome", {{"life_cycle_state", "INTERNAL_ERROR"}, {"state_message", "Cluster lost"}}}});
  auto run_id = h.run_now(h.create_job(notebook_job("ie", kPath)));
  auto run = h.run(run_id);
  CHECK(run["state"]["life_cycle_state"] == "INTERNAL_ERROR");
  CHECK_FALSE(run["state"].contains("result_state"));
  CHECK(run["state"]["state_message"] == "Cluster lost");
}

TEST_CASE("cancel ends an active run CANCELED", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(kHour)}});
  auto run_id = h.run_now(h.create_job(notebook_job("c", kPath)));
  REQUIRE(h.life(run_id) == "RUNNING");
  REQUIRE(h.post("/api/2.1/jobs/runs/cancel", {{"run_id", run_id}}).status == 200);
  auto run = h.run(run_id);
  CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(run["state"]["result_state"] == "CANCELED");
  CHECK(run["state"]["user_cancelled_or_timedout"] == true);
  CHECK(run["tasks"][0]["state"]["result_state"] == "CANCELED");
  // Deleting a finished run works; an active one cannot be deleted.
  REQUIRE(h.post("/api/2.1/jobs/runs/delete", {{"run_id", run_id}}).status == 200);
  CHECK(h.get("/api/2.1/jobs/runs/get?run_id=" + std::to_string(run_id)).status == 400);
}

TEST_CASE("an active run cannot be deleted; cancel-all cancels a job's runs", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(kHour)}});
  auto job = h.create_job(notebook_job("c", kPath, {{"max_concurrent_runs", 3}}));
  auto a = h.run_now(job);
  auto b = h.run_now(job);
  CHECK(h.post("/api/2.1/jobs/runs/delete", {{"run_id", a}}).status == 400);
  CHECK(h.post("/api/2.1/jobs/runs/cancel-all", json::object()).status == 400);
  REQUIRE(h.post("/api/2.1/jobs/runs/cancel-all", {{"job_id", job}}).status == 200);
  CHECK(h.result(a) == "CANCELED");
  CHECK(h.result(b) == "CANCELED");
}

TEST_CASE("timeout_seconds ends a run TIMEDOUT", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(kHour)}});
  SECTION("job level") {
    auto run_id = h.run_now(h.create_job(notebook_job("t", kPath, {{"timeout_seconds", 60}})));
    h.advance(61 * 1000);
    auto run = h.run(run_id);
    CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
    CHECK(run["state"]["result_state"] == "TIMEDOUT");
    CHECK(run["state"]["user_cancelled_or_timedout"] == true);
  }
  SECTION("task level") {
    auto run_id =
        h.run_now(h.create_job(notebook_job("t", kPath, {{"task", {{"timeout_seconds", 30}}}})));
    h.advance(31 * 1000);
    auto run = h.run(run_id);
    CHECK(run["state"]["result_state"] == "TIMEDOUT");
    CHECK(run["tasks"][0]["state"]["result_state"] == "TIMEDOUT");
  }
}

TEST_CASE("max_concurrent_runs skips or queues further runs", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(kHour)}});
  SECTION("skipped without queueing") {
    auto job = h.create_job(notebook_job("s", kPath));
    auto first = h.run_now(job);
    auto second = h.run_now(job);
    auto run = h.run(second);
    CHECK(run["state"]["life_cycle_state"] == "SKIPPED");
    CHECK(run["state"]["result_state"] == "MAXIMUM_CONCURRENT_RUNS_REACHED");
    CHECK(run["state"]["state_message"].get<std::string>().find("maximum concurrent runs") !=
          std::string::npos);
    CHECK(h.life(first) == "RUNNING");
  }
  SECTION("queued until a slot frees") {
    auto job = h.create_job(notebook_job("q", kPath, {{"queue", {{"enabled", true}}}}));
    auto first = h.run_now(job);
    auto second = h.run_now(job);
    CHECK(h.life(second) == "QUEUED");
    CHECK(h.run(second)["status"]["state"] == "QUEUED");
    h.advance(kHour);
    CHECK(h.result(first) == "SUCCESS");
    CHECK(h.life(second) == "RUNNING");
    CHECK(h.run(second).contains("queue_duration"));
    h.advance(kHour);
    CHECK(h.result(second) == "SUCCESS");
  }
}

TEST_CASE("max_retries retries a failed task with a new attempt", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}},
            {"outcome", {{"result_state", "FAILED"}, {"duration_ms", 1000}}},
            {"times", 1}});
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(1000)}});
  auto job = h.create_job(notebook_job(
      "r", kPath, {{"task", {{"max_retries", 1}, {"min_retry_interval_millis", 60000}}}}));
  auto run_id = h.run_now(job);
  auto first_task = h.run(run_id)["tasks"][0]["run_id"].get<std::int64_t>();
  h.advance(1000);
  auto run = h.run(run_id);
  CHECK(run["tasks"][0]["state"]["life_cycle_state"] == "WAITING_FOR_RETRY");
  CHECK(run["tasks"][0]["attempt_number"] == 1);
  CHECK(run["tasks"][0]["run_id"] != first_task);
  CHECK(run["state"]["life_cycle_state"] == "RUNNING");
  h.advance(60000);
  CHECK(h.run(run_id)["tasks"][0]["state"]["life_cycle_state"] == "RUNNING");
  h.advance(1000);
  run = h.run(run_id);
  CHECK(run["state"]["result_state"] == "SUCCESS");
  // The first attempt stays readable by its own run id.
  auto old = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(first_task));
  REQUIRE(old.status == 200);
  CHECK(old.body["metadata"]["state"]["result_state"] == "FAILED");
}

TEST_CASE("retry_on_timeout retries a timed-out task", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(kHour)}, {"times", 1}});
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(1000)}});
  auto job = h.create_job(notebook_job(
      "rt", kPath,
      {{"task", {{"max_retries", 2}, {"timeout_seconds", 10}, {"retry_on_timeout", true}}}}));
  auto run_id = h.run_now(job);
  h.advance(11 * 1000);
  // Observed after the timeout: the second attempt has started (no tick is implied by time).
  CHECK(h.run(run_id)["tasks"][0]["state"]["life_cycle_state"] == "RUNNING");
  h.advance(2000);
  auto run = h.run(run_id);
  CHECK(run["state"]["result_state"] == "SUCCESS");
  CHECK(run["tasks"][0]["attempt_number"] == 1);
}

TEST_CASE("multi-task runs honour depends_on and run_if", "[runs]") {
  JobsHarness h;
  json settings = {{"name", "workflow"},
                   {"tasks",
                    {{{"task_key", "ingest"},
                      {"existing_cluster_id", "0101-000000-dbklocal"},
                      {"notebook_task", {{"notebook_path", "/ingest"}}}},
                     {{"task_key", "features"},
                      {"depends_on", {{{"task_key", "ingest"}}}},
                      {"existing_cluster_id", "0101-000000-dbklocal"},
                      {"notebook_task", {{"notebook_path", "/features"}}}},
                     {{"task_key", "cleanup"},
                      {"depends_on", {{{"task_key", "features"}}}},
                      {"run_if", "ALL_DONE"},
                      {"existing_cluster_id", "0101-000000-dbklocal"},
                      {"notebook_task", {{"notebook_path", "/cleanup"}}}}}}};
  SECTION("all succeed in order") {
    h.script({{"match", {{"notebook_path", "/ingest"}}}, {"outcome", success(1000)}});
    h.script({{"match", {{"notebook_path", "/features"}}}, {"outcome", success(1000)}});
    h.script({{"match", {{"notebook_path", "/cleanup"}}}, {"outcome", success(1000)}});
    auto run_id = h.run_now(h.create_job(settings));
    auto run = h.run(run_id);
    CHECK(run["tasks"][0]["state"]["life_cycle_state"] == "RUNNING");
    CHECK(run["tasks"][1]["state"]["life_cycle_state"] == "BLOCKED");
    h.advance(1000);
    run = h.run(run_id);
    CHECK(run["tasks"][0]["state"]["result_state"] == "SUCCESS");
    CHECK(run["tasks"][1]["state"]["life_cycle_state"] == "RUNNING");
    h.advance(1000);
    run = h.run(run_id);
    CHECK(run["tasks"][1]["state"]["result_state"] == "SUCCESS");
    CHECK(run["tasks"][2]["state"]["life_cycle_state"] == "RUNNING");
    h.advance(1000);
    run = h.run(run_id);
    CHECK(run["state"]["result_state"] == "SUCCESS");
    CHECK(run["format"] == "MULTI_TASK");
    // docs/reference/rest-api.md §0.7: get-output on a multi-task parent is a 400 with this
    // message.
    auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id));
    CHECK(output.status == 400);
    CHECK(output.body["error_code"] == "INVALID_PARAMETER_VALUE");
    CHECK(output.body["message"] ==
          "Retrieving the output of runs with multiple tasks is not supported. Please retrieve the "
          "output of each individual task run instead.");
  }
  SECTION("a failed dependency makes downstream UPSTREAM_FAILED; ALL_DONE still runs") {
    h.script(
        {{"match", {{"notebook_path", "/ingest"}}}, {"outcome", {{"result_state", "FAILED"}}}});
    h.script({{"match", {{"notebook_path", "/cleanup"}}}, {"outcome", success(0)}});
    auto run_id = h.run_now(h.create_job(settings));
    auto run = h.run(run_id);
    CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
    CHECK(run["state"]["result_state"] == "FAILED");
    CHECK(run["tasks"][0]["state"]["result_state"] == "FAILED");
    CHECK(run["tasks"][1]["state"]["result_state"] == "UPSTREAM_FAILED");
    CHECK(run["tasks"][2]["state"]["result_state"] == "SUCCESS");
  }
  SECTION("only[] runs a subset") {
    h.script({{"match", {{"notebook_path", "/ingest"}}}, {"outcome", success(0)}});
    auto run_id = h.run_now(h.create_job(settings), {{"only", {"ingest"}}});
    auto run = h.run(run_id);
    CHECK(run["tasks"][1]["state"]["result_state"] == "EXCLUDED");
    CHECK(run["state"]["result_state"] == "SUCCESS");
  }
}

TEST_CASE("run-now validates its parameters", "[runs]") {
  JobsHarness h;
  auto job = h.create_job(notebook_job("p", kPath));
  auto both = h.post("/api/2.1/jobs/run-now",
                     {{"job_id", job}, {"notebook_params", {{"a", "b"}}}, {"jar_params", {"x"}}});
  CHECK(both.status == 400);
  CHECK(both.body["error_code"] == "INVALID_PARAMETER_VALUE");
  json big = json::object();
  big["k"] = std::string(10001, 'x');
  CHECK(h.post("/api/2.1/jobs/run-now", {{"job_id", job}, {"notebook_params", big}}).status == 400);
  CHECK(h.post("/api/2.1/jobs/run-now",
               {{"job_id", job}, {"idempotency_token", std::string(65, 't')}})
            .status == 400);
  CHECK(h.post("/api/2.1/jobs/run-now", {{"job_id", job}, {"python_params", {"caf\xc3\xa9"}}})
            .status == 400);
}

TEST_CASE("the same idempotency token returns the same run", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(kHour)}});
  auto job = h.create_job(notebook_job("i", kPath, {{"max_concurrent_runs", 5}}));
  auto a = h.run_now(job, {{"idempotency_token", "token-1"}});
  auto b = h.run_now(job, {{"idempotency_token", "token-1"}});
  auto c = h.run_now(job, {{"idempotency_token", "token-2"}});
  CHECK(a == b);
  CHECK(a != c);
  auto s1 =
      h.post("/api/2.1/jobs/runs/submit",
             {{"run_name", "once"},
              {"idempotency_token", "sub"},
              {"tasks", {{{"task_key", "main"}, {"notebook_task", {{"notebook_path", kPath}}}}}}});
  auto s2 =
      h.post("/api/2.1/jobs/runs/submit",
             {{"run_name", "once"},
              {"idempotency_token", "sub"},
              {"tasks", {{{"task_key", "main"}, {"notebook_task", {{"notebook_path", kPath}}}}}}});
  CHECK(s1.body["run_id"] == s2.body["run_id"]);
}

TEST_CASE("runs/submit creates a SUBMIT_RUN, also from the 2.0 single-task shape", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"notebook_path", kPath}}}, {"outcome", success(0)}});
  auto reply = h.post("/api/2.0/jobs/runs/submit", {{"run_name", "RunSubmitDataIngestion"},
                                                    {"new_cluster",
                                                     {{"spark_version", "4.3.x-scala2.11"},
                                                      {"node_type_id", "Standard_DS3_v2"},
                                                      {"num_workers", 3}}},
                                                    {"notebook_task", {{"notebook_path", kPath}}}});
  REQUIRE(reply.status == 200);
  CHECK(reply.body.size() == 1);
  auto run = h.run(reply.body["run_id"]);
  CHECK(run["run_type"] == "SUBMIT_RUN");
  CHECK(run["run_name"] == "RunSubmitDataIngestion");
  CHECK(run["state"]["result_state"] == "SUCCESS");
  // The ephemeral job cluster terminates with the run.
  const std::string cluster_id = run["cluster_instance"]["cluster_id"];
  h.advance(5000);
  auto cluster = h.get("/api/2.0/clusters/get?cluster_id=" + cluster_id);
  REQUIRE(cluster.status == 200);
  CHECK(cluster.body["cluster_source"] == "JOB");
  CHECK(cluster.body["state"] == "TERMINATED");
  CHECK(cluster.body["termination_reason"]["code"] == "JOB_FINISHED");
}

TEST_CASE("runs/list filters, pages and lists newest first", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(kHour)}});
  auto job = h.create_job(notebook_job("l", kPath, {{"max_concurrent_runs", 10}}));
  auto other = h.create_job(notebook_job("o", kPath));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(h.run_now(job));
  h.run_now(other);
  h.post("/api/2.1/jobs/runs/cancel", {{"run_id", ids[0]}});

  auto all = h.get("/api/2.1/jobs/runs/list?job_id=" + std::to_string(job));
  REQUIRE(all.body["runs"].size() == 4);
  CHECK(all.body["runs"][0]["run_id"] == ids[3]);
  CHECK(all.body["has_more"] == false);
  CHECK_FALSE(all.body["runs"][0].contains("tasks"));

  auto page = h.get("/api/2.1/jobs/runs/list?job_id=" + std::to_string(job) + "&limit=3");
  CHECK(page.body["runs"].size() == 3);
  CHECK(page.body["has_more"] == true);
  auto next = h.get("/api/2.1/jobs/runs/list?job_id=" + std::to_string(job) +
                    "&limit=3&page_token=" + page.body["next_page_token"].get<std::string>());
  REQUIRE(next.body["runs"].size() == 1);
  CHECK(next.body["runs"][0]["run_id"] == ids[0]);

  CHECK(h.get("/api/2.1/jobs/runs/list?active_only=true&job_id=" + std::to_string(job))
            .body["runs"]
            .size() == 3);
  CHECK(h.get("/api/2.1/jobs/runs/list?completed_only=true&job_id=" + std::to_string(job))
            .body["runs"]
            .size() == 1);
  CHECK(h.get("/api/2.1/jobs/runs/list?active_only=true&completed_only=true").status == 400);
  CHECK(h.get("/api/2.1/jobs/runs/list?limit=26").status == 400);
  CHECK(h.get("/api/2.1/jobs/runs/list?limit=0").body["runs"].size() == 5);
  CHECK(h.get("/api/2.1/jobs/runs/list?run_type=SUBMIT_RUN").body.contains("runs") == false);
  CHECK(
      h.get("/api/2.1/jobs/runs/list?expand_tasks=true&limit=1").body["runs"][0]["tasks"].size() ==
      1);
  CHECK(h.get("/api/2.1/jobs/runs/list?job_id=777").status == 400);
  auto before = h.run(ids[0])["start_time"].get<std::int64_t>();
  CHECK(h.get("/api/2.1/jobs/runs/list?start_time_to=" + std::to_string(before - 1))
            .body.contains("runs") == false);
}

TEST_CASE("task types without an executor fail with a clear message", "[runs]") {
  JobsHarness h;
  auto job = h.create_job({{"name", "jar"},
                           {"tasks",
                            {{{"task_key", "jar"},
                              {"existing_cluster_id", "0101-000000-dbklocal"},
                              {"spark_jar_task", {{"main_class_name", "Main"}}}}}}});
  auto run = h.run(h.run_now(job));
  CHECK(run["state"]["result_state"] == "FAILED");
  CHECK(run["tasks"][0]["state"]["state_message"] ==
        "task type spark_jar_task is not supported by the emulator");
}

TEST_CASE("a notebook run without a Python runtime fails and says what is missing", "[runs]") {
  JobsHarness h({}, {}, "/nonexistent/python3");
  auto run = h.run(h.run_now(h.create_job(notebook_job("np", kPath))));
  CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(run["state"]["result_state"] == "FAILED");  // never a fake SUCCESS
  CHECK(run["state"]["state_message"].get<std::string>().find("/nonexistent/python3") !=
        std::string::npos);
}

TEST_CASE("a run on a terminated cluster starts the cluster first", "[runs]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(1000)}});
  REQUIRE(h.post("/api/2.0/clusters/delete", {{"cluster_id", "0101-000000-dbklocal"}}).status ==
          200);
  h.advance(2000);
  auto run_id = h.run_now(h.create_job(notebook_job("cl", kPath)));
  auto run = h.run(run_id);
  CHECK(run["state"]["life_cycle_state"] == "PENDING");
  CHECK(run["state"]["state_message"].get<std::string>().find("Waiting for cluster") == 0);
  h.advance(3000);
  CHECK(h.life(run_id) == "RUNNING");
  h.advance(1000);
  CHECK(h.result(run_id) == "SUCCESS");
}

TEST_CASE("runs/export renders a notebook task run as HTML", "[runs]") {
  JobsHarness h;
  h.workspace.notebooks[kPath] = {kPath, "PYTHON", "SOURCE",
                                  "# Databricks notebook source\nprint('<hi>')\n"};
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(0, "ok")}});
  auto run_id = h.run_now(h.create_job(notebook_job("e", kPath)));
  auto reply = h.get("/api/2.1/jobs/runs/export?run_id=" + std::to_string(run_id));
  REQUIRE(reply.status == 200);
  REQUIRE(reply.body["views"].size() == 1);
  CHECK(reply.body["views"][0]["type"] == "NOTEBOOK");
  CHECK(reply.body["views"][0]["name"] == "1_data_ingestion");
  const std::string html = reply.body["views"][0]["content"];
  CHECK(html.find("print('&lt;hi&gt;')") != std::string::npos);
  CHECK(h.get("/api/2.1/jobs/runs/export?run_id=" + std::to_string(run_id) +
              "&views_to_export=DASHBOARDS")
            .body.contains("views") == false);
}

TEST_CASE("schedules start PERIODIC runs on the emulated clock", "[runs][cron]") {
  JobsHarness h;
  h.script({{"match", {{"task_key", "main"}}}, {"outcome", success(1000)}});
  auto job = h.create_job(notebook_job(
      "sched", kPath,
      {{"schedule", {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "UTC"}}}}));
  CHECK_FALSE(h.get("/api/2.1/jobs/runs/list?job_id=" + std::to_string(job)).body.contains("runs"));
  h.advance(kHour + 1000);
  auto list = h.get("/api/2.1/jobs/runs/list?job_id=" + std::to_string(job));
  REQUIRE(list.body["runs"].size() == 1);
  CHECK(list.body["runs"][0]["trigger"] == "PERIODIC");
  // Paused schedules do not fire.
  h.post("/api/2.1/jobs/update", {{"job_id", job},
                                  {"new_settings",
                                   {{"schedule",
                                     {{"quartz_cron_expression", "0 0 * * * ?"},
                                      {"timezone_id", "UTC"},
                                      {"pause_status", "PAUSED"}}}}}});
  h.advance(2 * kHour);
  CHECK(h.get("/api/2.1/jobs/runs/list?job_id=" + std::to_string(job)).body["runs"].size() == 1);
}
