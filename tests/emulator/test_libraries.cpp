// Libraries in the emulator: install life cycle, pip, PYTHONPATH (docs/emulator.md).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "jobs_support/compute_harness.hpp"

using dbk::emulator::testing::ComputeHarness;
using dbk::emulator::testing::JobsHarness;
using dbk::emulator::testing::kLocal;
using dbk::emulator::testing::Reply;
using dbk::emulator::testing::temp_folder;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// A runtime stand-in that imports the module the notebook names and returns its VALUE.
const char* const kImportRuntime = R"PY(
import importlib, json, os, sys
args = sys.argv[1:]
task = json.load(open(args[args.index("--task") + 1]))
name = open(task["notebook_file"]).read().split()[1]
try:
    result = {"result_state": "SUCCESS", "notebook_output": {"result": str(importlib.import_module(name).VALUE), "truncated": False}}
except Exception as e:
    result = {"result_state": "FAILED", "error": repr(e)}
open(task["output_file"] + ".tmp", "w").write(json.dumps(result))
os.replace(task["output_file"] + ".tmp", task["output_file"])
)PY";

// A minimal wheel of one module `dbk_testlib` (VALUE = 42), written with zipfile.
const char* const kMakeWheel = R"PY(
import sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path, "w") as z:
    z.writestr("dbk_testlib/__init__.py", "VALUE = 42\n")
    z.writestr("dbk_testlib-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: dbk_testlib\nVersion: 1.0\n")
    z.writestr("dbk_testlib-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("dbk_testlib-1.0.dist-info/RECORD", "dbk_testlib/__init__.py,,\ndbk_testlib-1.0.dist-info/METADATA,,\ndbk_testlib-1.0.dist-info/WHEEL,,\ndbk_testlib-1.0.dist-info/RECORD,,\n")
)PY";

json library_statuses(JobsHarness& h, const std::string& cluster_id) {
  return h.get("/api/2.0/libraries/cluster-status?cluster_id=" + cluster_id)
      .body.value("library_statuses", json::array());
}

/// The install thread works in real time: poll (bounded) until no library is on its way.
json wait_settled(JobsHarness& h, const std::string& cluster_id) {
  for (int i = 0; i < 600; ++i) {
    auto statuses = library_statuses(h, cluster_id);
    bool busy = false;
    for (const auto& status : statuses) {
      busy = busy || status["status"] == "PENDING" || status["status"] == "INSTALLING";
    }
    if (!busy) return statuses;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("libraries of " << cluster_id << " did not settle");
  return {};
}

}  // namespace

TEST_CASE("libraries: a wheel is installed with pip and importable by tasks; other kinds fail",
          "[libraries]") {
  const fs::path state = temp_folder("dbk-libraries-state-");
  const fs::path runtime = temp_folder("dbk-import-runtime-");
  fs::create_directories(runtime / "dbk_runtime");
  std::ofstream(runtime / "dbk_runtime" / "__init__.py") << "";
  std::ofstream(runtime / "dbk_runtime" / "__main__.py") << kImportRuntime;
  {
    ComputeHarness h(state, runtime, DBK_TEST_VENV_PYTHON);
    fs::create_directories(h.context->dbfs_root / "libs");
    const fs::path wheel = h.context->dbfs_root / "libs" / "dbk_testlib-1.0-py3-none-any.whl";
    const fs::path maker = runtime / "make_wheel.py";
    std::ofstream(maker) << kMakeWheel;
    REQUIRE(std::system(
                (std::string(DBK_TEST_VENV_PYTHON) + " " + maker.string() + " " + wheel.string())
                    .c_str()) == 0);

    const json whl = {{"whl", "dbfs:/libs/dbk_testlib-1.0-py3-none-any.whl"}};
    const json maven = {{"maven", {{"coordinates", "org.jsoup:jsoup:1.7.2"}}}};
    const json missing = {{"whl", "dbfs:/libs/nothere-1.0-py3-none-any.whl"}};
    REQUIRE(h.post("/api/2.0/libraries/install",
                   {{"cluster_id", kLocal}, {"libraries", {whl, maven, missing}}})
                .status == 200);
    // Installing the same library again is a no-op.
    REQUIRE(h.post("/api/2.0/libraries/install", {{"cluster_id", kLocal}, {"libraries", {whl}}})
                .status == 200);
    auto statuses = wait_settled(h, kLocal);
    REQUIRE(statuses.size() == 3);
    CHECK(statuses[0]["library"] == whl);
    CHECK(statuses[0]["status"] == "INSTALLED");
    CHECK(statuses[0]["is_library_for_all_clusters"] == false);
    CHECK(statuses[1]["status"] == "FAILED");
    CHECK(statuses[1]["messages"][0].get<std::string>().find("cannot install maven libraries") !=
          std::string::npos);
    CHECK(statuses[2]["status"] == "FAILED");
    CHECK(statuses[2]["messages"][0].get<std::string>().find("does not exist") !=
          std::string::npos);
    auto all = h.get("/api/2.0/libraries/all-cluster-statuses");
    REQUIRE(all.body["statuses"].size() == 1);
    CHECK(all.body["statuses"][0]["cluster_id"] == kLocal);

    // A notebook on the cluster imports the installed wheel.
    h.workspace.notebooks["/nb"] = {"/nb", "PYTHON", "SOURCE", "IMPORT dbk_testlib"};
    const auto job = h.create_job(dbk::emulator::testing::notebook_job("imports", "/nb"));
    const auto run_id = h.run_now(job);
    json run;
    for (int i = 0; i < 300; ++i) {
      run = h.run(run_id);
      if (run["state"]["life_cycle_state"] == "TERMINATED" ||
          run["state"]["life_cycle_state"] == "INTERNAL_ERROR")
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(run["state"].value("result_state", "") == "SUCCESS");
    auto output = h.get("/api/2.1/jobs/runs/get-output?run_id=" +
                        std::to_string(run["tasks"][0]["run_id"].get<std::int64_t>()));
    CHECK(output.body["notebook_output"]["result"] == "42");

    // Uninstall marks it; the cluster's restart removes it.
    REQUIRE(h.post("/api/2.0/libraries/uninstall", {{"cluster_id", kLocal}, {"libraries", {whl}}})
                .status == 200);
    CHECK(library_statuses(h, kLocal)[0]["status"] == "UNINSTALL_ON_RESTART");
    REQUIRE(h.post("/api/2.0/clusters/restart", {{"cluster_id", kLocal}}).status == 200);
    h.advance(5000);
    auto after = library_statuses(h, kLocal);
    REQUIRE(after.size() == 2);
    CHECK(after[0]["library"] == maven);
    CHECK(dbk::emulator::LibrariesService::python_paths(*h.store, state, kLocal).empty());
  }
  SECTION("the statuses survive a restart of the emulator") {
    ComputeHarness again(state, runtime, DBK_TEST_VENV_PYTHON);
    CHECK(library_statuses(again, kLocal).size() == 2);
  }
  fs::remove_all(state);
  fs::remove_all(runtime);
}

TEST_CASE("libraries reject malformed requests and unknown clusters", "[libraries]") {
  ComputeHarness h;
  auto unknown =
      h.post("/api/2.0/libraries/install",
             {{"cluster_id", "nope"}, {"libraries", {{{"pypi", {{"package", "six"}}}}}}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body["message"] == "Cluster nope does not exist");
  CHECK(h.post("/api/2.0/libraries/install", {{"cluster_id", kLocal}, {"libraries", json::array()}})
            .status == 400);
  CHECK(h.post("/api/2.0/libraries/install",
               {{"cluster_id", kLocal}, {"libraries", {{{"pypi", {{"repo", "x"}}}}}}})
            .status == 400);
  CHECK(h.post("/api/2.0/libraries/install",
               {{"cluster_id", kLocal}, {"libraries", {{{"whl", "a"}, {"jar", "b"}}}}})
            .status == 400);
  CHECK(h.post("/api/2.0/libraries/install",
               {{"cluster_id", kLocal}, {"libraries", {{{"npm", "x"}}}}})
            .status == 400);
  CHECK(h.get("/api/2.0/libraries/cluster-status?cluster_id=nope").status == 400);
  CHECK(h.get("/api/2.0/libraries/cluster-status?cluster_id=" + kLocal).body ==
        json{{"cluster_id", kLocal}});
}
