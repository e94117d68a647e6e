#include <catch2/catch.hpp>

#include "jobs_support/jobs_harness.hpp"

using dbk::emulator::testing::JobsHarness;
using dbk::emulator::testing::notebook_job;
using json = nlohmann::json;

namespace {

/// docs/reference/pipeline.md §5.3: a 2.0 single-task job on an existing cluster.
json legacy_job() {
  return {
      {"name", "Feature Engineering"},
      {"existing_cluster_id", "0101-000000-dbklocal"},
      {"timeout_seconds", 3600},
      {"max_retries", 1},
      {"notebook_task",
       {{"notebook_path", "/Users/u@example.com/notebooks/2_feature_engineering"},
        {"base_parameters", {{"FEATURES_TABLE", "training_data"}, {"zEnd_Date", "2015-10-30"}}}}}};
}

}  // namespace

TEST_CASE("a 2.0 job is answered in the shape of the version asked", "[jobs]") {
  JobsHarness h;
  auto id = h.create_job(legacy_job(), "2.0");

  auto v20 = h.get("/api/2.0/jobs/get?job_id=" + std::to_string(id));
  REQUIRE(v20.status == 200);
  CHECK(v20.body["job_id"] == id);
  CHECK(v20.body.contains("created_time"));
  CHECK(v20.body["creator_user_name"].is_string());
  const auto& s20 = v20.body["settings"];
  CHECK_FALSE(s20.contains("tasks"));
  CHECK(s20["notebook_task"]["base_parameters"]["zEnd_Date"] == "2015-10-30");
  CHECK(s20["existing_cluster_id"] == "0101-000000-dbklocal");
  CHECK(s20["max_retries"] == 1);
  CHECK(s20["timeout_seconds"] == 3600);
  CHECK(s20["max_concurrent_runs"] == 1);

  auto v21 = h.get("/api/2.1/jobs/get?job_id=" + std::to_string(id));
  const auto& s21 = v21.body["settings"];
  CHECK(s21["format"] == "SINGLE_TASK");
  REQUIRE(s21["tasks"].size() == 1);
  CHECK_FALSE(s21.contains("notebook_task"));
  CHECK(s21["tasks"][0]["notebook_task"]["notebook_path"] ==
        "/Users/u@example.com/notebooks/2_feature_engineering");
  CHECK(s21["tasks"][0]["existing_cluster_id"] == "0101-000000-dbklocal");
  CHECK(s21["tasks"][0]["task_key"].is_string());
}

TEST_CASE("jobs/get, delete, reset and update on a missing job answer 400", "[jobs]") {
  JobsHarness h;
  // docs/reference/rest-api.md §0.3: 400 INVALID_PARAMETER_VALUE, not 404.
  auto reply = h.get("/api/2.1/jobs/get?job_id=999");
  CHECK(reply.status == 400);
  CHECK(reply.body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(reply.body["message"] == "Job 999 does not exist.");
  CHECK(h.post("/api/2.1/jobs/delete", {{"job_id", 999}}).status == 400);
  CHECK(
      h.post("/api/2.1/jobs/reset", {{"job_id", 999}, {"new_settings", {{"name", "x"}}}}).status ==
      400);
  CHECK(
      h.post("/api/2.1/jobs/update", {{"job_id", 999}, {"new_settings", {{"name", "x"}}}}).status ==
      400);
  CHECK(h.post("/api/2.1/jobs/run-now", {{"job_id", 999}}).body["message"] ==
        "Job 999 does not exist.");
  CHECK(h.get("/api/2.1/jobs/get").body["error_code"] == "INVALID_PARAMETER_VALUE");
}

TEST_CASE("invalid job settings are rejected", "[jobs]") {
  JobsHarness h;
  json dup = {{"name", "d"},
              {"tasks",
               {{{"task_key", "a"}, {"notebook_task", {{"notebook_path", "/x"}}}},
                {{"task_key", "a"}, {"notebook_task", {{"notebook_path", "/y"}}}}}}};
  CHECK(h.post("/api/2.1/jobs/create", dup).status == 400);
  json bad_dep = {{"name", "d"},
                  {"tasks",
                   {{{"task_key", "a"},
                     {"depends_on", {{{"task_key", "zz"}}}},
                     {"notebook_task", {{"notebook_path", "/x"}}}}}}};
  CHECK(h.post("/api/2.1/jobs/create", bad_dep).status == 400);
  json cycle = {{"name", "d"},
                {"tasks",
                 {{{"task_key", "a"},
                   {"depends_on", {{{"task_key", "b"}}}},
                   {"notebook_task", {{"notebook_path", "/x"}}}},
                  {{"task_key", "b"},
                   {"depends_on", {{{"task_key", "a"}}}},
                   {"notebook_task", {{"notebook_path", "/x"}}}}}}};
  CHECK(h.post("/api/2.1/jobs/create", cycle).status == 400);
  json bad_cron = notebook_job(
      "c", "/x", {{"schedule", {{"quartz_cron_expression", "nope"}, {"timezone_id", "UTC"}}}});
  CHECK(h.post("/api/2.1/jobs/create", bad_cron).body["error_code"] == "INVALID_PARAMETER_VALUE");
  json bad_zone = notebook_job(
      "c", "/x",
      {{"schedule", {{"quartz_cron_expression", "0 0 1 * * ?"}, {"timezone_id", "Nowhere/X"}}}});
  CHECK(h.post("/api/2.1/jobs/create", bad_zone).status == 400);
}

TEST_CASE("jobs/list pages, filters by name and omits an empty list", "[jobs]") {
  JobsHarness h;
  auto empty = h.get("/api/2.1/jobs/list");
  REQUIRE(empty.status == 200);
  CHECK_FALSE(empty.body.contains("jobs"));  // docs/reference/rest-api.md §1: key absent when empty
  CHECK(empty.body["has_more"] == false);

  for (int i = 0; i < 5; ++i) h.create_job(notebook_job("Job " + std::to_string(i), "/n"));
  h.create_job(notebook_job("Model Scoring", "/n"));

  auto page1 = h.get("/api/2.1/jobs/list?limit=2");
  REQUIRE(page1.body["jobs"].size() == 2);
  CHECK(page1.body["jobs"][0]["job_id"] == 1);
  CHECK(page1.body["has_more"] == true);
  CHECK_FALSE(page1.body["jobs"][0]["settings"].contains("tasks"));  // expand_tasks=false
  auto page2 = h.get("/api/2.1/jobs/list?limit=2&page_token=" +
                     page1.body["next_page_token"].get<std::string>());
  CHECK(page2.body["jobs"][0]["job_id"] == 3);
  CHECK(page2.body.contains("prev_page_token"));
  auto last = h.get("/api/2.1/jobs/list?limit=2&offset=4");
  CHECK(last.body["jobs"].size() == 2);
  CHECK(last.body["has_more"] == false);
  CHECK_FALSE(last.body.contains("next_page_token"));

  auto expanded = h.get("/api/2.1/jobs/list?expand_tasks=true&limit=1");
  CHECK(expanded.body["jobs"][0]["settings"]["tasks"].size() == 1);

  auto exact = h.get("/api/2.1/jobs/list?name=MODEL SCORING");
  REQUIRE(exact.body["jobs"].size() == 1);
  CHECK(exact.body["jobs"][0]["settings"]["name"] == "Model Scoring");

  CHECK(h.get("/api/2.1/jobs/list?limit=101").status == 400);
  CHECK(h.get("/api/2.1/jobs/list?limit=-1").status == 400);
  auto legacy = h.get("/api/2.0/jobs/list");
  CHECK(legacy.body["jobs"].size() == 6);  // 2.0: every job, no paging
  CHECK(legacy.body["jobs"][0]["settings"].contains("notebook_task") ==
        false);  // 2.1-created: MULTI_TASK
  // 2.0 without a limit: a negative offset is refused as under 2.1, never read before the list.
  auto negative = h.get("/api/2.0/jobs/list?offset=-3");
  CHECK(negative.status == 400);
  CHECK(negative.body["error_code"] == "INVALID_PARAMETER_VALUE");
}

TEST_CASE("jobs/reset replaces and jobs/update merges settings", "[jobs]") {
  JobsHarness h;
  auto id = h.create_job(notebook_job("Original", "/a", {{"tags", {{"team", "x"}}}}));
  auto sid = std::to_string(id);

  REQUIRE(
      h.post("/api/2.1/jobs/update",
             {{"job_id", id},
              {"new_settings",
               {{"name", "Renamed"},
                {"schedule", {{"quartz_cron_expression", "0 0 1 * * ?"}, {"timezone_id", "UTC"}}},
                {"tasks",
                 {{{"task_key", "second"},
                   {"depends_on", {{{"task_key", "main"}}}},
                   {"notebook_task", {{"notebook_path", "/b"}}}}}}}}})
          .status == 200);
  auto updated = h.get("/api/2.1/jobs/get?job_id=" + sid).body["settings"];
  CHECK(updated["name"] == "Renamed");
  CHECK(updated["tags"]["team"] == "x");
  CHECK(updated["tasks"].size() == 2);
  CHECK(updated["schedule"]["pause_status"] == "UNPAUSED");

  REQUIRE(h.post("/api/2.1/jobs/update",
                 {{"job_id", id}, {"fields_to_remove", {"schedule", "tasks/second"}}})
              .status == 200);
  updated = h.get("/api/2.1/jobs/get?job_id=" + sid).body["settings"];
  CHECK_FALSE(updated.contains("schedule"));
  CHECK(updated["tasks"].size() == 1);

  REQUIRE(
      h.post("/api/2.1/jobs/reset", {{"job_id", id}, {"new_settings", notebook_job("Reset", "/c")}})
          .status == 200);
  updated = h.get("/api/2.1/jobs/get?job_id=" + sid).body["settings"];
  CHECK(updated["name"] == "Reset");
  CHECK_FALSE(updated.contains("tags"));
  CHECK(h.post("/api/2.1/jobs/reset", {{"job_id", id}}).status == 400);

  // 2.0 update of a single-task job changes its task.
  auto legacy = h.create_job(legacy_job(), "2.0");
  REQUIRE(h.post("/api/2.0/jobs/update",
                 {{"job_id", legacy},
                  {"new_settings", {{"notebook_task", {{"notebook_path", "/new"}}}}}})
              .status == 200);
  auto s20 = h.get("/api/2.0/jobs/get?job_id=" + std::to_string(legacy)).body["settings"];
  CHECK(s20["notebook_task"]["notebook_path"] == "/new");
  CHECK(s20["existing_cluster_id"] == "0101-000000-dbklocal");

  REQUIRE(h.post("/api/2.1/jobs/delete", {{"job_id", id}}).status == 200);
  CHECK(h.get("/api/2.1/jobs/get?job_id=" + sid).status == 400);
}
