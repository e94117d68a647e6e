// `jobs create --upsert`, `--job-name` (resolve_job_id) and job-template values, run
// through the whole command line against the fake transport.
#include <catch2/catch.hpp>

#include "fake_cli.hpp"

using dbk::cli::test::FakeCli;
using nlohmann::json;

namespace {
const char* kSettings = R"({"name": "nightly", "max_concurrent_runs": 1})";

json jobs_named(std::initializer_list<std::int64_t> ids) {
  json jobs = json::array();
  for (auto id : ids) jobs.push_back({{"job_id", id}, {"settings", {{"name", "nightly"}}}});
  return {{"jobs", jobs}, {"has_more", false}};
}
}  // namespace

TEST_CASE("jobs create --upsert resets the one job with the same name") {
  FakeCli cli;
  cli.fake->expect("GET", "/api/2.1/jobs/list").respond_json(200, jobs_named({42}));
  cli.fake->expect("POST", "/api/2.1/jobs/reset")
      .with_json_body({{"job_id", 42}, {"new_settings", json::parse(kSettings)}})
      .respond_json(200, json::object());
  auto result = cli.run({"jobs", "create", "--upsert", "--json", kSettings});
  INFO(result.err);
  CHECK(result.code == 0);
  CHECK(result.out == "{\n  \"job_id\": 42\n}\n");
  CHECK(cli.sent() ==
        std::vector<std::string>{"GET /api/2.1/jobs/list", "POST /api/2.1/jobs/reset"});
  CHECK(cli.query(0).find("name=nightly") != std::string::npos);
  CHECK(cli.fake->all_consumed());
}

TEST_CASE("jobs create --upsert creates when no job has the name") {
  FakeCli cli;
  // The server's name filter is case-insensitive; only the exact name counts.
  cli.fake->expect("GET", "/api/2.1/jobs/list")
      .respond_json(200, {{"jobs", {{{"job_id", 9}, {"settings", {{"name", "NIGHTLY"}}}}}}});
  cli.fake->expect("POST", "/api/2.1/jobs/create")
      .with_json_body(json::parse(kSettings))
      .respond_json(200, {{"job_id", 77}});
  auto result = cli.run({"jobs", "create", "--upsert", "--json", kSettings});
  INFO(result.err);
  CHECK(result.code == 0);
  CHECK(result.out == "{\n  \"job_id\": 77\n}\n");
  CHECK(cli.fake->all_consumed());
}

TEST_CASE("jobs create --upsert refuses a name that several jobs share") {
  FakeCli cli;
  cli.fake->expect("GET", "/api/2.1/jobs/list").respond_json(200, jobs_named({3, 4}));
  auto result = cli.run({"jobs", "create", "--upsert", "--json", kSettings});
  CHECK(result.code == 1);
  CHECK(result.out.empty());
  CHECK(result.err ==
        "Error: INVALID_ARGUMENT: several jobs are named 'nightly' (job ids 3, 4); --upsert "
        "needs a unique name\n");
  CHECK(cli.sent() == std::vector<std::string>{"GET /api/2.1/jobs/list"});  // nothing written

  FakeCli unnamed;
  auto no_name = unnamed.run({"jobs", "create", "--upsert", "--json", "{}"});
  CHECK(no_name.code == 2);
  CHECK(no_name.err == "Error: --upsert needs a \"name\" in the job settings.\n");
  CHECK(unnamed.fake->requests().empty());
}

TEST_CASE("jobs run-now --job-name runs the one job with that exact name") {
  FakeCli cli;
  cli.fake->expect("GET", "/api/2.1/jobs/list").respond_json(200, jobs_named({42}));
  cli.fake->expect("POST", "/api/2.1/jobs/run-now")
      .matching([](const dbk::HttpRequest& request) {
        auto body = json::parse(request.body);
        // The resolved id, and a token that makes the retried POST safe.
        return body["job_id"] == 42 && body["idempotency_token"].is_string();
      })
      .respond_json(200, {{"run_id", 7}, {"number_in_job", 1}});
  auto result = cli.run({"jobs", "run-now", "--job-name", "nightly"});
  INFO(result.err);
  CHECK(result.code == 0);
  CHECK(json::parse(result.out) == json{{"run_id", 7}, {"number_in_job", 1}});
  CHECK(cli.fake->all_consumed());
}

TEST_CASE("jobs run-now --job-name fails clearly without a unique match") {
  FakeCli none;
  none.fake->expect("GET", "/api/2.1/jobs/list").respond_json(200, {{"jobs", json::array()}});
  auto missing = none.run({"jobs", "run-now", "--job-name", "nightly"});
  CHECK(missing.code == 1);
  CHECK(missing.err == "Error: RESOURCE_DOES_NOT_EXIST: no job is named 'nightly'\n");

  FakeCli two;
  two.fake->expect("GET", "/api/2.1/jobs/list").respond_json(200, jobs_named({3, 4}));
  auto ambiguous = two.run({"jobs", "run-now", "--job-name", "nightly", "-o", "json"});
  CHECK(ambiguous.code == 1);
  auto error = json::parse(ambiguous.err);
  CHECK(error["error_code"] == "INVALID_ARGUMENT");
  CHECK(error["message"] == "several jobs are named 'nightly' (job ids 3, 4); use --job-id");
  CHECK(two.sent() == std::vector<std::string>{"GET /api/2.1/jobs/list"});

  FakeCli both;
  auto usage = both.run({"jobs", "run-now", "--job-id", "1", "--job-name", "nightly"});
  CHECK(usage.code == 2);
  CHECK(usage.err == "Error: Exactly one of --job-id or --job-name should be provided.\n");
  CHECK(both.fake->requests().empty());
}

TEST_CASE("job templates: {{user}} and {{notebook_dir}} default from the signed-in user") {
  FakeCli cli;
  cli.fake->expect("GET", "/api/2.0/preview/scim/v2/Me")
      .respond_json(200, {{"userName", "ada@example.com"}});
  cli.fake->expect("POST", "/api/2.1/jobs/create")
      .with_json_body(
          {{"name", "etl-prod"},
           {"tasks",
            {{{"task_key", "t"},
              {"notebook_task", {{"notebook_path", "/Users/ada@example.com/notebooks/etl"}}}}}}})
      .respond_json(200, {{"job_id", 5}});
  auto result = cli.run({"jobs", "create", "--var", "env=prod", "--json",
                         R"({"name": "etl-{{env}}", "tasks": [{"task_key": "t",)"
                         R"( "notebook_task": {"notebook_path": "{{notebook_dir}}/etl"}}]})"});
  INFO(result.err);
  CHECK(result.code == 0);
  CHECK(result.out == "{\n  \"job_id\": 5\n}\n");
  CHECK(cli.fake->all_consumed());
}

TEST_CASE("job templates: a given --var user needs no request; a missing value needs none") {
  FakeCli cli;
  auto rendered = cli.run(
      {"jobs", "render", "--var", "user=bob", "--json", R"({"path": "{{notebook_dir}}/x"})"});
  INFO(rendered.err);
  CHECK(rendered.code == 0);
  CHECK(rendered.out == "{\n  \"path\": \"/Users/bob/notebooks/x\"\n}\n");
  CHECK(cli.fake->requests().empty());

  auto missing = cli.run({"jobs", "render", "--json", R"({"name": "{{env}}-{{user}}"})"});
  CHECK(missing.code == 2);
  CHECK(missing.err.find("Error: Cannot render --json: ") == 0);
  CHECK(missing.err.find("(pass --var NAME=VALUE).") != std::string::npos);
  CHECK(cli.fake->requests().empty());  // reported before asking who {{user}} is
}
