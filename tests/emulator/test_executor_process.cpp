#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "jobs_support/jobs_harness.hpp"

using dbk::emulator::testing::JobsHarness;
using dbk::emulator::testing::notebook_job;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// A stand-in for emulator/runtime: a dbk_runtime package that follows the protocol of
/// docs/design/notebook-executor.md and does what the notebook's first word says.
const char* const kFakeRuntime = R"PY(
import json, sys, time
args = sys.argv[1:]
task = json.load(open(args[args.index("--task") + 1]))
source = open(task["notebook_file"]).read() if task.get("notebook_file") else open(task["python_file"]).read()
word = source.split()[0] if source.split() else ""
def done(result):
    open(task["output_file"] + ".tmp", "w").write(json.dumps(result))
    import os; os.replace(task["output_file"] + ".tmp", task["output_file"])
print("running", task["task_type"], task["run_id"])
if word == "SUCCESS":
    done({"result_state": "SUCCESS", "notebook_output": {"result": json.dumps(task["parameters"], sort_keys=True), "truncated": False}})
    sys.exit(0)
if word == "PARAMS":
    done({"result_state": "SUCCESS", "notebook_output": {"result": " ".join(task.get("python_params", [])), "truncated": False}})
    sys.exit(0)
if word == "FAIL":
    done({"result_state": "FAILED", "error": "ValueError: bad input", "error_trace": "Traceback (most recent call last):\nValueError: bad input"})
    sys.exit(1)
if word == "TOKEN":
    import os
    done({"result_state": "SUCCESS", "notebook_output": {"result": os.environ.get("DBK_WORKSPACE_TOKEN", ""), "truncated": False}})
    sys.exit(0)
if word == "CRASH":
    sys.stderr.write("Fatal Python error: boom\n")
    sys.exit(3)
if word == "SLEEP":
    time.sleep(120)
)PY";

struct FakeRuntime {
  fs::path dir;
  FakeRuntime() {
    dir =
        fs::temp_directory_path() / ("dbk-fake-runtime-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir / "dbk_runtime");
    std::ofstream(dir / "dbk_runtime" / "__init__.py") << "";
    std::ofstream(dir / "dbk_runtime" / "__main__.py") << kFakeRuntime;
  }
  ~FakeRuntime() { fs::remove_all(dir); }
};

/// Processes finish in real time: poll (bounded) until the run is over.
json wait_done(JobsHarness& h, std::int64_t run_id) {
  for (int i = 0; i < 300; ++i) {
    auto run = h.run(run_id);
    const std::string life = run["state"]["life_cycle_state"];
    if (life == "TERMINATED" || life == "INTERNAL_ERROR" || life == "SKIPPED") return run;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("run " << run_id << " did not finish");
  return {};
}

}  // namespace

TEST_CASE("the process executor runs the notebook runtime and reads result.json", "[executor]") {
  FakeRuntime runtime;
  JobsHarness h({}, runtime.dir, "python3");
  h.workspace.notebooks["/nb/ok"] = {"/nb/ok", "PYTHON", "SOURCE", "SUCCESS\n"};
  h.workspace.notebooks["/nb/fail"] = {"/nb/fail", "PYTHON", "SOURCE", "FAIL\n"};
  h.workspace.notebooks["/nb/crash"] = {"/nb/crash", "PYTHON", "SOURCE", "CRASH\n"};

  SECTION("success with parameters: base_parameters overlaid by notebook_params") {
    auto job = h.create_job(notebook_job(
        "ok", "/nb/ok",
        {{"task",
          {{"notebook_task",
            {{"notebook_path", "/nb/ok"},
             {"base_parameters",
              {{"FEATURES_TABLE", "training_data"}, {"zEnd_Date", "2015-10-30"}}}}}}}}));
    auto run_id = h.run_now(job, {{"notebook_params", {{"zEnd_Date", "2017-01-01"}}}});
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "SUCCESS");
    auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id)).body;
    CHECK(output["notebook_output"]["result"] ==
          R"({"FEATURES_TABLE": "training_data", "zEnd_Date": "2017-01-01"})");
    CHECK(output["logs"].get<std::string>().find("running notebook_task") != std::string::npos);
  }
  SECTION("a FAILED result carries error and error_trace") {
    auto run_id = h.run_now(h.create_job(notebook_job("fail", "/nb/fail")));
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "FAILED");
    auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id)).body;
    CHECK(output["error"] == "ValueError: bad input");
    CHECK(output["error_trace"].get<std::string>().find("Traceback") == 0);
  }
  SECTION("a process that dies without result.json fails quoting stderr") {
    auto run_id = h.run_now(h.create_job(notebook_job("crash", "/nb/crash")));
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "FAILED");
    auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id)).body;
    CHECK(output["error"].get<std::string>().find("Fatal Python error: boom") != std::string::npos);
    CHECK(output["error"].get<std::string>().find("exit status 3") != std::string::npos);
  }
  SECTION("a missing notebook fails the run") {
    auto run_id = h.run_now(h.create_job(notebook_job("missing", "/nb/none")));
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "FAILED");
    CHECK(run["tasks"][0]["state"]["state_message"].get<std::string>().find("/nb/none") !=
          std::string::npos);
  }
  SECTION("spark_python_task reads its file from DBFS") {
    fs::create_directories(h.context->dbfs_root / "scripts");
    std::ofstream(h.context->dbfs_root / "scripts" / "main.py") << "PARAMS\n";
    auto job =
        h.create_job({{"name", "py"},
                      {"tasks",
                       {{{"task_key", "py"},
                         {"existing_cluster_id", "0101-000000-dbklocal"},
                         {"spark_python_task",
                          {{"python_file", "dbfs:/scripts/main.py"}, {"parameters", {"a"}}}}}}}});
    auto run_id = h.run_now(job, {{"python_params", {"x", "y"}}});
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "SUCCESS");
    auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id)).body;
    CHECK(output["notebook_output"]["result"] == "x y");
  }
}

TEST_CASE("spark_python_task.python_file cannot name a file outside the DBFS root",
          "[executor][paths]") {
  FakeRuntime runtime;
  JobsHarness h({}, runtime.dir, "python3");
  // A file next to the DBFS root (inside the scratch folder) whose first word would make
  // the fake runtime succeed and print what it read.
  const fs::path outside = h.scratch / "outside.py";
  std::ofstream(outside) << "PARAMS secret-content\n";
  for (const std::string& python_file : std::vector<std::string>{
           "dbfs:/../outside.py", "dbfs:/a/../../outside.py", "/dbfs/../outside.py",
           "dbfs:/./../outside.py", "dbfs:" + outside.string() + "/../../outside.py",
           std::string("dbfs:/x") + '\0' + "/../../outside.py"}) {
    CAPTURE(python_file);
    auto job = h.create_job({{"name", "escape"},
                             {"tasks",
                              {{{"task_key", "py"},
                                {"existing_cluster_id", "0101-000000-dbklocal"},
                                {"spark_python_task", {{"python_file", python_file}}}}}}});
    auto run_id = h.run_now(job);
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "FAILED");
    auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id)).body;
    CHECK(output.dump().find("secret-content") == std::string::npos);
    CHECK(output.value("error", "").find("python_file") != std::string::npos);
  }
}

TEST_CASE("tasks get the token in their environment; run folders are private",
          "[executor][security]") {
  FakeRuntime runtime;
  const std::string token = "dapi-emulator-secret-7";
  JobsHarness h({}, runtime.dir, "python3", token);
  h.workspace.notebooks["/nb/token"] = {"/nb/token", "PYTHON", "SOURCE", "TOKEN\n"};
  auto run_id = h.run_now(h.create_job(notebook_job("token", "/nb/token")));
  auto run = wait_done(h, run_id);
  REQUIRE(run["state"]["result_state"] == "SUCCESS");
  auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" + std::to_string(run_id)).body;
  CHECK(output["notebook_output"]["result"] == token);  // it reached the task
  // ... without being written anywhere in the run folder, which only the user can read.
  const fs::path run_dir =
      h.scratch / "runs" / std::to_string(run["tasks"][0]["run_id"].get<std::int64_t>());
  REQUIRE(fs::exists(run_dir / "task.json"));
  CHECK((fs::status(run_dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  for (const auto& entry : fs::directory_iterator(run_dir)) {
    CAPTURE(entry.path());
    CHECK((entry.status().permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
          fs::perms::none);
    // result.json holds what the fake task echoed on purpose; the rest is the emulator's.
    if (entry.path().filename() == "result.json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text.find(token) == std::string::npos);
  }
}

TEST_CASE("cancel and timeout stop the runtime's process group", "[executor]") {
  FakeRuntime runtime;
  JobsHarness h({}, runtime.dir, "python3");
  h.workspace.notebooks["/nb/sleep"] = {"/nb/sleep", "PYTHON", "SOURCE", "SLEEP\n"};
  SECTION("cancel") {
    auto run_id = h.run_now(h.create_job(notebook_job("sleep", "/nb/sleep")));
    REQUIRE(h.life(run_id) == "RUNNING");
    REQUIRE(h.post("/api/2.1/jobs/runs/cancel", {{"run_id", run_id}}).status == 200);
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "CANCELED");
    CHECK(run["state"]["user_cancelled_or_timedout"] == true);
  }
  SECTION("timeout on the emulated clock") {
    auto run_id =
        h.run_now(h.create_job(notebook_job("sleep", "/nb/sleep", {{"timeout_seconds", 600}})));
    REQUIRE(h.life(run_id) == "RUNNING");
    h.advance(601 * 1000);
    auto run = wait_done(h, run_id);
    CHECK(run["state"]["result_state"] == "TIMEDOUT");
  }
}

TEST_CASE("a missing runtime package fails the run and names it", "[executor]") {
  JobsHarness h({}, fs::temp_directory_path() / "dbk-no-such-runtime", "python3");
  auto run = h.run(h.run_now(h.create_job(notebook_job("nr", "/nb"))));
  CHECK(run["state"]["result_state"] == "FAILED");
  CHECK(run["state"]["state_message"].get<std::string>().find("dbk_runtime") != std::string::npos);
}
