#include <catch2/catch.hpp>

#include "api_caller.hpp"
#include "dbk/jobs.hpp"
#include "dbk/retry.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::testing::FakeTransport;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {
struct JobsFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  std::shared_ptr<dbk::detail::ApiCaller> caller =
      std::make_shared<dbk::detail::ApiCaller>("https://h", fake);
  dbk::JobsApi api{caller};
  json body(std::size_t i) const { return json::parse(fake->requests().at(i).body); }
};

bool is_hex_token(const json& token) {
  if (!token.is_string()) return false;
  auto text = token.get<std::string>();
  return text.size() == 32 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}
}  // namespace

TEST_CASE_METHOD(JobsFixture, "the API version picks the path") {
  fake->expect("GET", "/api/2.1/jobs/get").with_query("job_id=5").respond(200, R"({"job_id": 5})");
  fake->expect("GET", "/api/2.0/jobs/get").with_query("job_id=5").respond(200, R"({"job_id": 5})");
  CHECK(api.get(5).ok());
  dbk::JobsApi legacy(caller, "2.0");
  CHECK(legacy.get(5).ok());
  CHECK(fake->all_consumed());
}

TEST_CASE("2.0 single-task settings become one task in 2.1") {
  auto settings = ordered_json::parse(R"({
    "name": "Data Ingestion", "existing_cluster_id": "0925-1",
    "notebook_task": {"notebook_path": "/Users/me/ingest", "base_parameters": {"a": "1"}},
    "libraries": [{"pypi": {"package": "x"}}], "max_retries": 1, "timeout_seconds": 3600,
    "email_notifications": {"on_failure": ["me@x"]}, "max_concurrent_runs": 2,
    "schedule": {"quartz_cron_expression": "0 0 * * * ?", "timezone_id": "UTC"},
    "retry_on_timeout": true, "min_retry_interval_millis": 100})");
  auto converted = dbk::convert_job_settings_to_2_1(settings);
  auto expected = ordered_json::parse(R"({
    "name": "Data Ingestion", "timeout_seconds": 3600,
    "email_notifications": {"on_failure": ["me@x"]}, "max_concurrent_runs": 2,
    "schedule": {"quartz_cron_expression": "0 0 * * * ?", "timezone_id": "UTC"},
    "tasks": [{"task_key": "Data_Ingestion", "existing_cluster_id": "0925-1",
               "notebook_task": {"notebook_path": "/Users/me/ingest",
                                 "base_parameters": {"a": "1"}},
               "libraries": [{"pypi": {"package": "x"}}], "max_retries": 1,
               "retry_on_timeout": true, "min_retry_interval_millis": 100}]})");
  CHECK(converted == expected);
}

TEST_CASE("settings already in 2.1 shape, or without a task, are unchanged") {
  auto multi = ordered_json::parse(R"({"name": "m", "tasks": [{"task_key": "a"}]})");
  CHECK(dbk::convert_job_settings_to_2_1(multi) == multi);
  auto bare = ordered_json::parse(R"({"name": "m"})");
  CHECK(dbk::convert_job_settings_to_2_1(bare) == bare);
  auto unnamed =
      dbk::convert_job_settings_to_2_1(ordered_json::parse(R"({"spark_python_task": {}})"));
  CHECK(unnamed["tasks"][0]["task_key"] == "main");
}

TEST_CASE_METHOD(JobsFixture, "create converts for 2.1 and sends 2.0 settings untouched") {
  auto settings = ordered_json::parse(
      R"({"name": "j", "new_cluster": {"num_workers": 1}, "spark_python_task": {"python_file": "f"}})");
  fake->expect("POST", "/api/2.1/jobs/create").respond(200, R"({"job_id": 11})");
  fake->expect("POST", "/api/2.0/jobs/create").respond(200, R"({"job_id": 12})");
  auto created = api.create(settings);
  REQUIRE(created.ok());
  CHECK(*created == 11);
  CHECK(body(0)["tasks"][0]["task_key"] == "j");
  CHECK(body(0)["tasks"][0]["new_cluster"]["num_workers"] == 1);
  CHECK_FALSE(body(0).contains("new_cluster"));
  dbk::JobsApi legacy(caller, "2.0");
  auto created_legacy = legacy.create(settings);
  REQUIRE(created_legacy.ok());
  CHECK(*created_legacy == 12);
  CHECK(body(1) == json::parse(settings.dump()));
}

TEST_CASE_METHOD(JobsFixture, "create refuses non-object settings without a request") {
  auto created = api.create(ordered_json::array());
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().error_code == dbk::error_codes::kInvalidArgument);
  CHECK(fake->requests().empty());
}

TEST_CASE_METHOD(JobsFixture, "reset and update bodies") {
  fake->expect("POST", "/api/2.1/jobs/reset");
  fake->expect("POST", "/api/2.1/jobs/update")
      .with_json_body({{"job_id", 3},
                       {"new_settings", {{"max_concurrent_runs", 5}}},
                       {"fields_to_remove", {"schedule"}}});
  REQUIRE(api.reset(3, ordered_json::parse(R"({"name": "n", "notebook_task": {}})")).ok());
  CHECK(body(0)["job_id"] == 3);
  CHECK(body(0)["new_settings"]["tasks"][0]["task_key"] == "n");
  REQUIRE(api.update(3, ordered_json{{"max_concurrent_runs", 5}}, {"schedule"}).ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(JobsFixture, "list sends paging parameters and tolerates a missing jobs key") {
  fake->expect("GET", "/api/2.1/jobs/list")
      .with_query("limit=2&offset=4&expand_tasks=true")
      .respond(200, R"({"jobs": [{"job_id": 1, "settings": {"name": "a"}}], "has_more": true,
                        "next_page_token": "n1"})");
  fake->expect("GET", "/api/2.1/jobs/list").with_query("").respond(200, R"({"has_more": false})");
  dbk::ListJobsRequest request;
  request.limit = 2;
  request.offset = 4;
  request.expand_tasks = true;
  auto page = api.list(request);
  REQUIRE(page.ok());
  REQUIRE(page->jobs.size() == 1);
  CHECK(page->jobs[0].name() == "a");
  CHECK(page->has_more);
  CHECK(page->next_page_token == "n1");
  auto empty = api.list();
  REQUIRE(empty.ok());
  CHECK(empty->jobs.empty());
}

TEST_CASE_METHOD(JobsFixture, "list_all follows page tokens") {
  fake->expect("GET", "/api/2.1/jobs/list")
      .with_query("limit=25")
      .respond(200, R"({"jobs": [{"job_id": 1}, {"job_id": 2}], "has_more": true,
                        "next_page_token": "p2"})");
  fake->expect("GET", "/api/2.1/jobs/list")
      .with_query("limit=25&page_token=p2")
      .respond(200, R"({"jobs": [{"job_id": 3}], "has_more": false})");
  auto jobs = api.list_all();
  REQUIRE(jobs.ok());
  REQUIRE(jobs->size() == 3);
  CHECK((*jobs)[2].job_id == 3);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(JobsFixture, "list_all falls back to offsets when only has_more is given") {
  fake->expect("GET", "/api/2.1/jobs/list")
      .with_query("limit=2")
      .respond(200, R"({"jobs": [{"job_id": 1}, {"job_id": 2}], "has_more": true})");
  fake->expect("GET", "/api/2.1/jobs/list")
      .with_query("limit=2&offset=2")
      .respond(200, R"({"jobs": [{"job_id": 3}], "has_more": false})");
  dbk::ListJobsRequest request;
  request.limit = 2;
  auto jobs = api.list_all(request);
  REQUIRE(jobs.ok());
  CHECK(jobs->size() == 3);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(JobsFixture, "list_all stops when a server repeats a page token") {
  fake->expect("GET", "/api/2.1/jobs/list")
      .respond(200, R"({"jobs": [{"job_id": 1}], "has_more": true, "next_page_token": "same"})")
      .reusable();
  auto jobs = api.list_all();
  REQUIRE(jobs.ok());
  CHECK(fake->requests().size() == 2);
}

TEST_CASE_METHOD(JobsFixture, "2.0 list_all is a single call") {
  fake->expect("GET", "/api/2.0/jobs/list")
      .with_query("")
      .respond(200, R"({"jobs": [{"job_id": 1}], "has_more": true})");
  dbk::JobsApi legacy(caller, "2.0");
  auto jobs = legacy.list_all();
  REQUIRE(jobs.ok());
  CHECK(jobs->size() == 1);
  CHECK(fake->requests().size() == 1);
}

TEST_CASE_METHOD(JobsFixture, "find_by_name filters on the server and compares exactly") {
  fake->expect("GET", "/api/2.1/jobs/list")
      .with_query("limit=25&name=Ingest")
      .respond(200, R"({"jobs": [{"job_id": 1, "settings": {"name": "Ingest"}},
                                 {"job_id": 2, "settings": {"name": "INGEST"}},
                                 {"job_id": 3, "settings": {"name": "Ingest"}}]})");
  auto jobs = api.find_by_name("Ingest");
  REQUIRE(jobs.ok());
  REQUIRE(jobs->size() == 2);
  CHECK((*jobs)[0].job_id == 1);
  CHECK((*jobs)[1].job_id == 3);
}

TEST_CASE_METHOD(JobsFixture, "run-now sends the parameters and a generated idempotency token") {
  fake->expect("POST", "/api/2.1/jobs/run-now")
      .respond(200, R"({"run_id": 77, "number_in_job": 77})")
      .reusable();
  dbk::RunNowRequest request;
  request.job_id = 4;
  request.notebook_params = std::map<std::string, std::string>{{"model", "DecisionTree"}};
  request.python_params = std::vector<std::string>{"a", "b"};
  request.job_parameters = std::map<std::string, std::string>{{"k", "v"}};
  request.queue = true;
  request.extra = {{"only", {"t1"}}};
  auto started = api.run_now(request);
  REQUIRE(started.ok());
  CHECK(started->run_id == 77);
  CHECK(started->number_in_job == std::optional<std::int64_t>(77));
  auto sent = body(0);
  CHECK(sent["job_id"] == 4);
  CHECK(sent["notebook_params"] == json({{"model", "DecisionTree"}}));
  CHECK(sent["python_params"] == json({"a", "b"}));
  CHECK(sent["job_parameters"] == json({{"k", "v"}}));
  CHECK(sent["queue"] == json({{"enabled", true}}));
  CHECK(sent["only"] == json({"t1"}));
  CHECK_FALSE(sent.contains("jar_params"));
  CHECK(is_hex_token(sent["idempotency_token"]));

  // A second logical call gets a new token; an explicit token is sent as given.
  REQUIRE(api.run_now(request).ok());
  CHECK(body(1)["idempotency_token"] != sent["idempotency_token"]);
  request.idempotency_token = "mine";
  REQUIRE(api.run_now(request).ok());
  CHECK(body(2)["idempotency_token"] == "mine");
}

TEST_CASE("a retried run-now replays the same idempotency token") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("POST", "/api/2.1/jobs/run-now")
      .respond_json(503, {{"error_code", "TEMPORARILY_UNAVAILABLE"}, {"message", "later"}});
  fake->expect("POST", "/api/2.1/jobs/run-now").respond(200, R"({"run_id": 5})");
  auto clock = std::make_shared<dbk::testing::FakeClock>();
  auto sleeper = std::make_shared<dbk::testing::FakeSleeper>(clock);
  dbk::RetryOptions retry;
  retry.jitter = [] { return 0.0; };
  auto stack = dbk::make_retrying_transport(fake, retry, clock, sleeper);
  dbk::JobsApi api(std::make_shared<dbk::detail::ApiCaller>("https://h", stack));
  dbk::RunNowRequest request;
  request.job_id = 1;
  auto started = api.run_now(request);
  REQUIRE(started.ok());
  CHECK(started->run_id == 5);
  auto requests = fake->requests();
  REQUIRE(requests.size() == 2);
  auto first = json::parse(requests[0].body)["idempotency_token"];
  CHECK(is_hex_token(first));
  CHECK(json::parse(requests[1].body)["idempotency_token"] == first);
}

TEST_CASE_METHOD(JobsFixture, "runs submit converts, adds a token and keeps a given one") {
  fake->expect("POST", "/api/2.1/jobs/runs/submit").respond(200, R"({"run_id": 9})").reusable();
  auto settings = ordered_json::parse(
      R"({"run_name": "once", "existing_cluster_id": "c", "notebook_task": {"notebook_path": "/n"},
          "timeout_seconds": 60})");
  auto submitted = api.runs_submit(settings);
  REQUIRE(submitted.ok());
  CHECK(submitted->run_id == 9);
  CHECK_FALSE(submitted->number_in_job.has_value());
  auto sent = body(0);
  CHECK(sent["run_name"] == "once");
  CHECK(sent["timeout_seconds"] == 60);
  CHECK(sent["tasks"][0]["task_key"] == "once");
  CHECK(sent["tasks"][0]["existing_cluster_id"] == "c");
  CHECK(is_hex_token(sent["idempotency_token"]));
  settings["idempotency_token"] = "given";
  REQUIRE(api.runs_submit(settings).ok());
  CHECK(body(1)["idempotency_token"] == "given");
}

TEST_CASE_METHOD(JobsFixture, "run-now without run_id in the answer is an invalid response") {
  fake->expect("POST", "/api/2.1/jobs/run-now").respond(200, "{}");
  auto started = api.run_now({});
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().error_code == dbk::error_codes::kInvalidResponse);
}

TEST_CASE_METHOD(JobsFixture, "runs get, list, cancel, cancel-all and delete") {
  fake->expect("GET", "/api/2.1/jobs/runs/get")
      .with_query("run_id=8")
      .respond(200, R"({"run_id": 8, "state": {"life_cycle_state": "TERMINATED",
                                                "result_state": "SUCCESS"}})");
  fake->expect("GET", "/api/2.1/jobs/runs/list")
      .with_query("job_id=3&active_only=true&limit=5")
      .respond(200, R"({"runs": [{"run_id": 8}], "has_more": false})");
  fake->expect("POST", "/api/2.1/jobs/runs/cancel").with_json_body({{"run_id", 8}});
  fake->expect("POST", "/api/2.1/jobs/runs/cancel-all")
      .with_json_body({{"job_id", 3}, {"all_queued_runs", true}});
  fake->expect("POST", "/api/2.1/jobs/runs/delete").with_json_body({{"run_id", 8}});
  fake->expect("POST", "/api/2.1/jobs/delete").with_json_body({{"job_id", 3}});
  auto run = api.runs_get(8);
  REQUIRE(run.ok());
  CHECK(run->state.result_state == std::optional<std::string>("SUCCESS"));
  dbk::ListRunsRequest request;
  request.job_id = 3;
  request.active_only = true;
  request.limit = 5;
  auto runs = api.runs_list(request);
  REQUIRE(runs.ok());
  CHECK(runs->runs.size() == 1);
  CHECK(api.runs_cancel(8).ok());
  CHECK(api.runs_cancel_all(3, true).ok());
  CHECK(api.runs_delete(8).ok());
  CHECK(api.delete_job(3).ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(JobsFixture, "runs_list_all pages through runs") {
  fake->expect("GET", "/api/2.1/jobs/runs/list")
      .with_query("limit=25")
      .respond(200, R"({"runs": [{"run_id": 2}], "has_more": true, "next_page_token": "x"})");
  fake->expect("GET", "/api/2.1/jobs/runs/list")
      .with_query("limit=25&page_token=x")
      .respond(200, R"({"runs": [{"run_id": 1}]})");
  auto runs = api.runs_list_all();
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 2);
  CHECK((*runs)[1].run_id == 1);
}

TEST_CASE_METHOD(JobsFixture, "get-output resolves a single-task run to its task run") {
  fake->expect("GET", "/api/2.1/jobs/runs/get")
      .with_query("run_id=10")
      .respond(200, R"({"run_id": 10, "tasks": [{"task_key": "t", "run_id": 11}]})");
  fake->expect("GET", "/api/2.1/jobs/runs/get-output")
      .with_query("run_id=11")
      .respond(200, R"({"notebook_output": {"result": "done"}})");
  auto output = api.runs_get_output_resolved(10);
  REQUIRE(output.ok());
  CHECK(output->notebook_output->result == std::optional<std::string>("done"));
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(JobsFixture, "get-output on a run without tasks asks for the run itself") {
  fake->expect("GET", "/api/2.0/jobs/runs/get").respond(200, R"({"run_id": 10})");
  fake->expect("GET", "/api/2.0/jobs/runs/get-output")
      .with_query("run_id=10")
      .respond(200, R"({"error": "boom"})");
  dbk::JobsApi legacy(caller, "2.0");
  auto output = legacy.runs_get_output_resolved(10);
  REQUIRE(output.ok());
  CHECK(output->error == std::optional<std::string>("boom"));
}

TEST_CASE_METHOD(JobsFixture, "get-output of a multi-task run: refused, or collected per task") {
  const char* run = R"({"run_id": 10, "tasks": [{"task_key": "a", "run_id": 11},
                                                {"task_key": "b", "run_id": 12}]})";
  fake->expect("GET", "/api/2.1/jobs/runs/get").respond(200, run);
  fake->expect("GET", "/api/2.1/jobs/runs/get").respond(200, run);
  fake->expect("GET", "/api/2.1/jobs/runs/get-output")
      .with_query("run_id=11")
      .respond(200, R"({"notebook_output": {"result": "1"}})");
  fake->expect("GET", "/api/2.1/jobs/runs/get-output")
      .with_query("run_id=12")
      .respond_json(400, {{"error_code", "INVALID_PARAMETER_VALUE"}, {"message", "expired"}});
  auto refused = api.runs_get_output_resolved(10);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().error_code == dbk::error_codes::kInvalidArgument);
  CHECK(refused.error().message.find("a (run 11), b (run 12)") != std::string::npos);

  auto outputs = api.runs_get_task_outputs(10);
  REQUIRE(outputs.ok());
  REQUIRE(outputs->size() == 2);
  CHECK((*outputs)[0].task_key == "a");
  REQUIRE((*outputs)[0].output);
  CHECK((*outputs)[0].output->notebook_output->result == std::optional<std::string>("1"));
  CHECK((*outputs)[1].task_key == "b");
  CHECK_FALSE((*outputs)[1].output);
  REQUIRE((*outputs)[1].error);
  CHECK((*outputs)[1].error->error_code == "INVALID_PARAMETER_VALUE");
}

TEST_CASE_METHOD(JobsFixture, "runs export returns the views") {
  fake->expect("GET", "/api/2.1/jobs/runs/export")
      .with_query("run_id=3&views_to_export=ALL")
      .respond(200, R"({"views": [{"content": "<html/>", "name": "nb", "type": "NOTEBOOK"}]})");
  auto views = api.runs_export(3, "ALL");
  REQUIRE(views.ok());
  REQUIRE(views->size() == 1);
  CHECK((*views)[0].type == "NOTEBOOK");
  CHECK((*views)[0].content == "<html/>");
}

TEST_CASE_METHOD(JobsFixture, "an unsupported API version fails every call without a request") {
  dbk::JobsApi odd(caller, "3.0");
  auto job = odd.get(1);
  REQUIRE_FALSE(job.ok());
  CHECK(job.error().error_code == dbk::error_codes::kConfigError);
  CHECK(job.error().message.find("'3.0'") != std::string::npos);
  CHECK_FALSE(odd.run_now({}).ok());
  CHECK(fake->requests().empty());
  fake->expect("GET", "/api/2.2/jobs/get").respond(200, R"({"job_id": 1})");
  CHECK(dbk::JobsApi(caller, "2.2").get(1).ok());
}

TEST_CASE_METHOD(JobsFixture, "2.2 runs/get and jobs/get concatenate paged arrays") {
  fake->expect("GET", "/api/2.2/jobs/runs/get")
      .with_query("run_id=5")
      .respond(200, R"({"run_id": 5, "tasks": [{"task_key": "a", "run_id": 6}],
                        "state": {"life_cycle_state": "RUNNING"}, "next_page_token": "p"})");
  fake->expect("GET", "/api/2.2/jobs/runs/get")
      .with_query("run_id=5&page_token=p")
      .respond(200, R"({"run_id": 5, "tasks": [{"task_key": "b", "run_id": 7}]})");
  fake->expect("GET", "/api/2.2/jobs/get")
      .with_query("job_id=1")
      .respond(200, R"({"job_id": 1, "settings": {"name": "n", "tasks": [{"task_key": "a"}]},
                        "next_page_token": "q"})");
  fake->expect("GET", "/api/2.2/jobs/get")
      .with_query("job_id=1&page_token=q")
      .respond(200, R"({"job_id": 1, "settings": {"tasks": [{"task_key": "b"}]}})");
  dbk::JobsApi current(caller, "2.2");
  auto run = current.runs_get(5);
  REQUIRE(run.ok());
  REQUIRE(run->tasks.size() == 2);
  CHECK(run->tasks[1].run_id == 7);
  CHECK(run->state.life_cycle_state == "RUNNING");
  CHECK_FALSE(run->raw.contains("next_page_token"));
  auto job = current.get(1);
  REQUIRE(job.ok());
  CHECK(job->name() == "n");
  CHECK(job->settings["tasks"].size() == 2);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(JobsFixture, "runs/repair sends only the fields that are set") {
  fake->expect("POST", "/api/2.1/jobs/runs/repair")
      .with_json_body({{"run_id", 8},
                       {"rerun_tasks", {"train"}},
                       {"rerun_dependent_tasks", true},
                       {"latest_repair_id", 12},
                       {"notebook_params", {{"day", "2"}}}})
      .respond(200, R"({"repair_id": 13})");
  fake->expect("POST", "/api/2.1/jobs/runs/repair")
      .with_json_body({{"run_id", 9}, {"rerun_all_failed_tasks", true}})
      .respond(200, "{}");
  dbk::RepairRunRequest request;
  request.run_id = 8;
  request.rerun_tasks = {"train"};
  request.rerun_dependent_tasks = true;
  request.latest_repair_id = 12;
  request.notebook_params = std::map<std::string, std::string>{{"day", "2"}};
  auto repaired = api.runs_repair(request);
  REQUIRE(repaired.ok());
  CHECK(*repaired == 13);

  dbk::RepairRunRequest all_failed;
  all_failed.run_id = 9;
  all_failed.rerun_all_failed_tasks = true;
  auto missing = api.runs_repair(all_failed);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == dbk::error_codes::kInvalidResponse);
  CHECK(fake->all_consumed());
}
