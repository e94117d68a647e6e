#include <catch2/catch.hpp>

#include "dbk/models/clusters.hpp"
#include "dbk/models/dbfs.hpp"
#include "dbk/models/jobs.hpp"
#include "dbk/models/workspace.hpp"

using nlohmann::ordered_json;

TEST_CASE("Run parses known fields and keeps unknown ones in server order") {
  auto j = ordered_json::parse(R"({
    "run_id": 12, "job_id": 3, "number_in_job": 12, "zz_new_field": {"x": 1},
    "run_name": "nightly", "run_page_url": "http://h/#job/3/run/12",
    "state": {"life_cycle_state": "RUNNING", "state_message": "", "queue_reason": "q"},
    "tasks": [{"task_key": "a", "run_id": 13, "state": {"life_cycle_state": "PENDING"}},
              {"task_key": "b", "run_id": 14}],
    "start_time": 1700000000000, "aa_other": true})");
  auto run = j.get<dbk::Run>();
  CHECK(run.run_id == 12);
  CHECK(run.job_id == 3);
  CHECK(run.number_in_job == 12);
  CHECK(run.run_name == "nightly");
  CHECK(run.run_page_url == "http://h/#job/3/run/12");
  CHECK(run.state.life_cycle_state == "RUNNING");
  CHECK_FALSE(run.state.result_state.has_value());
  CHECK_FALSE(run.state.is_terminal());
  REQUIRE(run.tasks.size() == 2);
  CHECK(run.tasks[0].task_key == "a");
  CHECK(run.tasks[0].run_id == 13);
  CHECK(run.tasks[0].state.life_cycle_state == "PENDING");
  CHECK(run.tasks[1].state.life_cycle_state.empty());
  CHECK(run.start_time == 1700000000000);
  // The raw object is the full server object in server order, so the CLI can print it.
  CHECK(ordered_json(run).dump() == j.dump());
  CHECK(run.raw["zz_new_field"]["x"] == 1);
}

TEST_CASE("RunState tolerates unknown life-cycle values and absent result_state") {
  auto state = ordered_json::parse(R"({"life_cycle_state": "SOMETHING_NEW"})").get<dbk::RunState>();
  CHECK(state.life_cycle_state == "SOMETHING_NEW");
  CHECK_FALSE(state.is_terminal());
  auto crashed =
      ordered_json::parse(R"({"life_cycle_state": "INTERNAL_ERROR", "state_message": "boom"})")
          .get<dbk::RunState>();
  CHECK(crashed.is_terminal());
  CHECK_FALSE(crashed.result_state.has_value());
  CHECK(crashed.state_message == "boom");
}

TEST_CASE("wrong field types leave defaults instead of throwing") {
  auto j = ordered_json::parse(
      R"({"run_id": "12", "state": "RUNNING", "tasks": {"a": 1}, "run_name": 5})");
  dbk::Run run;
  REQUIRE_NOTHROW(run = j.get<dbk::Run>());
  CHECK(run.run_id == 0);
  CHECK(run.state.life_cycle_state.empty());
  CHECK(run.tasks.empty());
  CHECK(run.run_name.empty());
}

TEST_CASE("Job exposes settings and the name accessor") {
  auto job = ordered_json::parse(
                 R"({"job_id": 5, "creator_user_name": "me", "created_time": 9,
                     "settings": {"name": "ingest", "max_concurrent_runs": 1}})")
                 .get<dbk::Job>();
  CHECK(job.job_id == 5);
  CHECK(job.name() == "ingest");
  CHECK(job.settings["max_concurrent_runs"] == 1);
  auto unnamed = ordered_json::parse(R"({"job_id": 6})").get<dbk::Job>();
  CHECK(unnamed.name().empty());
  CHECK(unnamed.settings.is_object());
}

TEST_CASE("RunOutput reads notebook result, error and metadata") {
  auto output = ordered_json::parse(R"({
      "notebook_output": {"result": "42", "truncated": false},
      "error": "ZeroDivisionError", "error_trace": "trace", "logs": "l",
      "metadata": {"run_id": 7, "state": {"life_cycle_state": "TERMINATED",
                                          "result_state": "FAILED"}}})")
                    .get<dbk::RunOutput>();
  REQUIRE(output.notebook_output);
  CHECK(output.notebook_output->result == std::optional<std::string>("42"));
  CHECK(output.error == std::optional<std::string>("ZeroDivisionError"));
  CHECK(output.error_trace == std::optional<std::string>("trace"));
  REQUIRE(output.metadata);
  CHECK(output.metadata->run_id == 7);
  CHECK(output.metadata->state.result_state == std::optional<std::string>("FAILED"));

  auto empty = ordered_json::parse(R"({"notebook_output": {}})").get<dbk::RunOutput>();
  REQUIRE(empty.notebook_output);
  CHECK_FALSE(empty.notebook_output->result.has_value());
  CHECK_FALSE(empty.error.has_value());
}

TEST_CASE("workspace, DBFS and cluster models parse their fields") {
  auto object = ordered_json::parse(
                    R"({"object_type": "NOTEBOOK", "path": "/a/b", "object_id": 9,
                        "language": "PYTHON", "size": 10})")
                    .get<dbk::ObjectInfo>();
  CHECK(object.is_notebook());
  CHECK(object.language == "PYTHON");
  CHECK(object.size == std::optional<std::int64_t>(10));

  auto file = ordered_json::parse(
                  R"({"path": "/x", "is_dir": false, "file_size": 3000000000,
                      "modification_time": 1})")
                  .get<dbk::FileInfo>();
  CHECK(file.file_size == 3000000000LL);
  CHECK_FALSE(file.is_dir);

  auto cluster = ordered_json::parse(
                     R"({"cluster_id": "0925-1", "cluster_name": "c", "state": "RESIZING",
                         "spark_version": "13.3.x", "autoscale": {"min_workers": 1}})")
                     .get<dbk::ClusterInfo>();
  CHECK(cluster.cluster_id == "0925-1");
  CHECK(cluster.state == "RESIZING");
  CHECK(cluster.raw["autoscale"]["min_workers"] == 1);

  auto node = ordered_json::parse(R"({"node_type_id": "n", "num_cores": 4.0, "memory_mb": 8192})")
                  .get<dbk::NodeType>();
  CHECK(node.num_cores == 4.0);
  CHECK(node.memory_mb == 8192);
}

TEST_CASE("models built locally serialise their fields") {
  dbk::RunState state;
  state.life_cycle_state = "TERMINATED";
  state.result_state = "SUCCESS";
  ordered_json j = state;
  CHECK(j["life_cycle_state"] == "TERMINATED");
  CHECK(j["result_state"] == "SUCCESS");
}
