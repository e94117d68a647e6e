#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "jobs_support/jobs_harness.hpp"

using dbk::emulator::testing::JobsHarness;
using dbk::emulator::testing::notebook_job;
namespace fs = std::filesystem;

TEST_CASE("runs active when the emulator stopped are ended INTERNAL_ERROR on restart",
          "[runs][recovery]") {
  const fs::path state =
      fs::temp_directory_path() / ("dbk-jobs-recovery-" + std::to_string(std::random_device{}()));
  std::int64_t active = 0;
  std::int64_t done = 0;
  std::int64_t job = 0;
  {
    JobsHarness h(state);
    h.script({{"match", {{"notebook_path", "/slow"}}},
              {"outcome", {{"result_state", "SUCCESS"}, {"duration_ms", 3600000}}}});
    h.script({{"match", {{"notebook_path", "/fast"}}}, {"outcome", {{"result_state", "SUCCESS"}}}});
    job = h.create_job(notebook_job("slow", "/slow"));
    active = h.run_now(job);
    done = h.run_now(h.create_job(notebook_job("fast", "/fast")));
    REQUIRE(h.life(active) == "RUNNING");
    REQUIRE(h.result(done) == "SUCCESS");
  }  // the process "dies": nothing is written on the way out
  {
    JobsHarness h(state);
    auto run = h.run(active);
    CHECK(run["state"]["life_cycle_state"] == "INTERNAL_ERROR");
    CHECK(run["state"]["result_state"] == "FAILED");
    CHECK(run["state"]["state_message"].get<std::string>().find("emulator restarted") !=
          std::string::npos);
    CHECK(run["tasks"][0]["state"]["life_cycle_state"] == "INTERNAL_ERROR");
    CHECK(h.result(done) == "SUCCESS");
    // Jobs and ids survive too: the next run gets a fresh id.
    CHECK(h.get("/api/2.1/jobs/get?job_id=" + std::to_string(job)).status == 200);
    h.script({{"match", {{"notebook_path", "/slow"}}}, {"outcome", {{"result_state", "SUCCESS"}}}});
    auto next = h.run_now(job);
    CHECK(next > done);
    CHECK(h.result(next) == "SUCCESS");
  }
  fs::remove_all(state);
}
