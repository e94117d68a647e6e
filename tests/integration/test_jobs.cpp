// Jobs API, runs and the run waiter through the client against emulators.
// Task outcomes are scripted through the emulator's admin surface; tests that move
// the emulated clock use an emulator of their own so they cannot disturb others.
#include <catch2/catch.hpp>

#include "emulator_process.hpp"
#include "integration_env.hpp"
#include "temp_dir.hpp"

using dbk::test::admin;
using dbk::test::client_for;
using dbk::test::shared_emulator_url;
using dbk::test::unique_name;

namespace {

nlohmann::ordered_json notebook_job(const std::string& name, const std::string& notebook,
                                    const std::string& cluster_id) {
  return {{"name", name},
          {"existing_cluster_id", cluster_id},
          {"notebook_task", {{"notebook_path", notebook}, {"base_parameters", {{"p", "1"}}}}},
          {"timeout_seconds", 3600},
          {"max_retries", 0}};
}

void script(const std::string& url, const std::string& notebook, nlohmann::json outcome) {
  admin(url, "POST", "/__dbk/runs/script",
        {{"match", {{"notebook_path", notebook}}}, {"outcome", std::move(outcome)}});
}

dbk::WaitOptions quick_wait() {
  dbk::WaitOptions options;
  options.timeout = std::chrono::minutes(2);
  options.poll.initial = std::chrono::milliseconds(50);
  options.poll.max = std::chrono::milliseconds(200);
  options.poll.max_jitter = std::chrono::milliseconds(10);
  return options;
}

std::string first_cluster(const dbk::Client& client) {
  auto clusters = client.clusters().list();
  REQUIRE(clusters.ok());
  REQUIRE_FALSE(clusters->empty());
  return clusters->front().cluster_id;
}

}  // namespace

TEST_CASE("jobs: create, get, list, find by name, reset and delete", "[integration][jobs]") {
  auto client = client_for(shared_emulator_url());
  const auto name = unique_name("job");
  auto job_id = client.jobs().create(notebook_job(name, "/Users/x/nb", first_cluster(client)));
  REQUIRE(job_id.ok());

  auto job = client.jobs().get(*job_id);
  REQUIRE(job.ok());
  CHECK(job->name() == name);
  // A 2.0-shaped spec comes back in the 2.1 multi-task shape.
  REQUIRE(job->settings.contains("tasks"));
  CHECK(job->settings["tasks"][0]["notebook_task"]["notebook_path"] == "/Users/x/nb");

  auto found = client.jobs().find_by_name(name);
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK(found->front().job_id == *job_id);

  auto all = client.jobs().list_all();
  REQUIRE(all.ok());
  CHECK(std::any_of(all->begin(), all->end(),
                    [&](const dbk::Job& j) { return j.job_id == *job_id; }));

  auto renamed = notebook_job(name + "-renamed", "/Users/x/nb2", first_cluster(client));
  REQUIRE(client.jobs().reset(*job_id, renamed).ok());
  CHECK(client.jobs().get(*job_id)->name() == name + "-renamed");

  REQUIRE(client.jobs().delete_job(*job_id).ok());
  auto gone = client.jobs().get(*job_id);
  REQUIRE_FALSE(gone.ok());
  // The service answers 400 INVALID_PARAMETER_VALUE for a missing job (docs/reference/rest-api.md
  // §0.3).
  CHECK(gone.error().http_status == 400);
  CHECK(gone.error().error_code == "INVALID_PARAMETER_VALUE");
  CHECK(gone.error().is_not_found());
}

TEST_CASE("jobs: run-now is waited for and its notebook output read", "[integration][jobs]") {
  const auto url = shared_emulator_url();
  auto client = client_for(url);
  const auto notebook = "/Users/" + unique_name("nb-success");
  script(url, notebook, {{"result_state", "SUCCESS"}, {"duration_ms", 200}, {"result", "42"}});
  auto job_id =
      client.jobs().create(notebook_job(unique_name("job"), notebook, first_cluster(client)));
  REQUIRE(job_id.ok());

  dbk::RunNowRequest request;
  request.job_id = *job_id;
  request.notebook_params = std::map<std::string, std::string>{{"p", "2"}};
  auto submitted = client.jobs().run_now(request);
  REQUIRE(submitted.ok());

  std::vector<std::string> states;
  auto options = quick_wait();
  options.on_state_change = [&](const dbk::Run& run) {
    states.push_back(run.state.life_cycle_state);
  };
  auto run = dbk::wait_for_run(client.jobs(), submitted->run_id, options);
  REQUIRE(run.ok());
  CHECK(run->state.life_cycle_state == "TERMINATED");
  CHECK(run->state.result_state == std::optional<std::string>("SUCCESS"));
  CHECK(dbk::classify(*run).ok);
  CHECK(states.back() == "TERMINATED");
  CHECK(run->run_page_url.rfind(url, 0) == 0);

  auto output = client.jobs().runs_get_output_resolved(run->run_id);
  REQUIRE(output.ok());
  REQUIRE(output->notebook_output.has_value());
  CHECK(output->notebook_output->result == std::optional<std::string>("42"));
}

TEST_CASE("jobs: a failed run reports its error through get-output", "[integration][jobs]") {
  const auto url = shared_emulator_url();
  auto client = client_for(url);
  const auto notebook = "/Users/" + unique_name("nb-fail");
  script(url, notebook,
         {{"result_state", "FAILED"},
          {"duration_ms", 100},
          {"error", "ValueError: bad input"},
          {"error_trace", "Traceback (most recent call last): ..."}});
  auto job_id =
      client.jobs().create(notebook_job(unique_name("job"), notebook, first_cluster(client)));
  REQUIRE(job_id.ok());
  dbk::RunNowRequest request;
  request.job_id = *job_id;
  auto submitted = client.jobs().run_now(request);
  REQUIRE(submitted.ok());
  auto run = dbk::wait_for_run(client.jobs(), submitted->run_id, quick_wait());
  REQUIRE(run.ok());
  auto outcome = dbk::classify(*run);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.kind == dbk::RunOutcomeKind::kFailed);
  auto output = client.jobs().runs_get_output_resolved(run->run_id);
  REQUIRE(output.ok());
  CHECK(output->error == std::optional<std::string>("ValueError: bad input"));
}

TEST_CASE("jobs: the same idempotency token never starts a second run", "[integration][jobs]") {
  const auto url = shared_emulator_url();
  auto client = client_for(url);
  const auto notebook = "/Users/" + unique_name("nb-idem");
  script(url, notebook, {{"result_state", "SUCCESS"}, {"duration_ms", 100}});
  auto job_id =
      client.jobs().create(notebook_job(unique_name("job"), notebook, first_cluster(client)));
  REQUIRE(job_id.ok());
  dbk::RunNowRequest request;
  request.job_id = *job_id;
  request.idempotency_token = unique_name("token");
  auto first = client.jobs().run_now(request);
  auto second = client.jobs().run_now(request);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->run_id == second->run_id);
  dbk::ListRunsRequest list;
  list.job_id = *job_id;
  auto runs = client.jobs().runs_list_all(list);
  REQUIRE(runs.ok());
  CHECK(runs->size() == 1);
}

TEST_CASE("jobs: cancel ends a run CANCELED and timeout_seconds ends it TIMEDOUT",
          "[integration][jobs]") {
  dbk::test_support::TempDir state;
  dbk::test::EmulatorProcess emulator(state.path().string());
  auto client = client_for(emulator.url());
  const auto cluster = first_cluster(client);

  const auto slow = "/Users/slow";
  script(emulator.url(), slow, {{"result_state", "SUCCESS"}, {"duration_ms", 3600 * 1000}});
  auto spec = notebook_job("slow", slow, cluster);
  spec["timeout_seconds"] = 60;
  spec["max_concurrent_runs"] = 5;
  auto job_id = client.jobs().create(spec);
  REQUIRE(job_id.ok());

  dbk::RunNowRequest request;
  request.job_id = *job_id;
  auto to_cancel = client.jobs().run_now(request);
  REQUIRE(to_cancel.ok());
  REQUIRE(client.jobs().runs_cancel(to_cancel->run_id).ok());
  auto canceled = dbk::wait_for_run(client.jobs(), to_cancel->run_id, quick_wait());
  REQUIRE(canceled.ok());
  CHECK(canceled->state.result_state == std::optional<std::string>("CANCELED"));
  CHECK(dbk::classify(*canceled).kind == dbk::RunOutcomeKind::kCanceled);

  auto to_time_out = client.jobs().run_now(request);
  REQUIRE(to_time_out.ok());
  admin(emulator.url(), "POST", "/__dbk/clock", {{"advance_ms", 120 * 1000}});
  auto timed_out = dbk::wait_for_run(client.jobs(), to_time_out->run_id, quick_wait());
  REQUIRE(timed_out.ok());
  CHECK(timed_out->state.result_state == std::optional<std::string>("TIMEDOUT"));
  CHECK(dbk::classify(*timed_out).kind == dbk::RunOutcomeKind::kTimedOut);
}

TEST_CASE("jobs: the waiter gives up at its own deadline and can cancel the run",
          "[integration][jobs]") {
  dbk::test_support::TempDir state;
  dbk::test::EmulatorProcess emulator(state.path().string());
  auto client = client_for(emulator.url());
  script(emulator.url(), "/Users/forever",
         {{"result_state", "SUCCESS"}, {"duration_ms", 3600 * 1000}});
  auto job_id =
      client.jobs().create(notebook_job("forever", "/Users/forever", first_cluster(client)));
  REQUIRE(job_id.ok());
  dbk::RunNowRequest request;
  request.job_id = *job_id;
  auto submitted = client.jobs().run_now(request);
  REQUIRE(submitted.ok());

  auto options = quick_wait();
  options.timeout = std::chrono::milliseconds(500);
  options.cancel_on_timeout = true;
  auto waited = dbk::wait_for_run(client.jobs(), submitted->run_id, options);
  REQUIRE_FALSE(waited.ok());
  CHECK(waited.error().error_code == dbk::error_codes::kTimeout);
  auto after = dbk::wait_for_run(client.jobs(), submitted->run_id, quick_wait());
  REQUIRE(after.ok());
  CHECK(after->state.result_state == std::optional<std::string>("CANCELED"));
}
