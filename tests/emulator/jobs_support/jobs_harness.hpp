#pragma once

// An in-process Jobs + Clusters stack (store, emulated clock, router) for tests: requests
// go straight to the Router, so tests are fast and need no sockets.

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>

#include "clock.hpp"
#include "clusters/clusters_service.hpp"
#include "http/router.hpp"
#include "jobs/jobs_service.hpp"
#include "service.hpp"
#include "state/store.hpp"

namespace dbk::emulator::testing {

/// Notebooks held in memory, for the process executor and runs/export.
class FakeWorkspace : public WorkspaceReader {
 public:
  std::map<std::string, NotebookContent> notebooks;
  Result<NotebookContent> read_notebook(const std::string& path) const override {
    auto it = notebooks.find(path);
    if (it == notebooks.end()) return not_found("Path (" + path + ") doesn't exist.");
    return it->second;
  }
};

struct Reply {
  int status = 0;
  nlohmann::json body;
};

class JobsHarness {
 public:
  /// `state_dir` empty = memory-only store; `runtime_dir` = where dbk_runtime lives.
  /// `token`: the emulator's token, which tasks get to call back into the workspace.
  explicit JobsHarness(std::filesystem::path state_dir = {}, std::filesystem::path runtime_dir = {},
                       std::string python = {}, std::string token = {});
  ~JobsHarness();

  Reply call(const std::string& method, const std::string& target,
             const nlohmann::json& body = nullptr);
  Reply get(const std::string& target) { return call("GET", target); }
  Reply post(const std::string& target, const nlohmann::json& body) {
    return call("POST", target, body);
  }

  void advance(std::int64_t ms) { clock.advance(ms); }
  /// Adds a script rule (POST /__dbk/runs/script).
  void script(const nlohmann::json& rule);
  /// Creates a job from 2.1 settings and returns its id.
  std::int64_t create_job(const nlohmann::json& settings, const std::string& version = "2.1");
  std::int64_t run_now(std::int64_t job_id, const nlohmann::json& extra = nlohmann::json::object());
  nlohmann::json run(std::int64_t run_id, const std::string& version = "2.1");
  std::string life(std::int64_t run_id) { return run(run_id)["state"]["life_cycle_state"]; }
  std::string result(std::int64_t run_id) {
    return run(run_id)["state"].value("result_state", std::string());
  }

  std::unique_ptr<Store> store;
  EmulatedClock clock;
  EmulatorOptions options;
  FakeWorkspace workspace;
  std::unique_ptr<ServiceContext> context;
  std::unique_ptr<ClustersService> clusters;
  std::unique_ptr<JobsService> jobs;
  Router router;
  std::filesystem::path scratch;  ///< temp folder for runs/ and dbfs/
};

/// A notebook_task job on the default cluster.
nlohmann::json notebook_job(const std::string& name, const std::string& path,
                            nlohmann::json extra = nlohmann::json::object());

inline JobsHarness::JobsHarness(std::filesystem::path state_dir, std::filesystem::path runtime_dir,
                                std::string python, std::string token) {
  std::random_device random;
  scratch = std::filesystem::temp_directory_path() / ("dbk-jobs-test-" + std::to_string(random()));
  std::filesystem::create_directories(scratch / "runs");
  std::filesystem::create_directories(scratch / "dbfs");
  auto opened = Store::open(state_dir);
  store = std::move(*opened);
  options.python = std::move(python);
  options.token = std::move(token);
  context = std::make_unique<ServiceContext>(*store, clock, options);
  context->base_url = "http://127.0.0.1:1";
  context->external_url = "http://emulator.test";
  context->state_dir = state_dir;
  context->dbfs_root = scratch / "dbfs";
  context->tmp_dir = scratch / "tmp";
  context->runs_dir = scratch / "runs";
  context->runtime_dir = runtime_dir.empty() ? scratch / "no-runtime" : runtime_dir;
  context->workspace = &workspace;
  clusters = std::make_unique<ClustersService>(*context);
  jobs = std::make_unique<JobsService>(*context, clusters->clusters());
  clusters->recover();
  jobs->recover();
  clusters->register_routes(router);
  jobs->register_routes(router);
}

inline JobsHarness::~JobsHarness() {
  context->stopping = true;
  jobs->stop();
  clusters->stop();
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
}

inline Reply JobsHarness::call(const std::string& method, const std::string& target,
                               const nlohmann::json& body) {
  Request request;
  request.method = method;
  request.target = target;
  auto q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string query = target.substr(q + 1);
    std::size_t start = 0;
    while (start <= query.size()) {
      auto amp = query.find('&', start);
      std::string pair =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      auto eq = pair.find('=');
      if (!pair.empty())
        request.query.emplace(pair.substr(0, eq),
                              eq == std::string::npos ? "" : pair.substr(eq + 1));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  if (!body.is_null()) {
    request.body = body.dump();
    request.headers.emplace_back("Content-Type", "application/json");
  }
  Response response = router.route(request);
  Reply reply;
  reply.status = response.status;
  reply.body = nlohmann::json::parse(response.body, nullptr, false);
  return reply;
}

inline void JobsHarness::script(const nlohmann::json& rule) {
  auto reply = post("/__dbk/runs/script", rule);
  if (reply.status != 200) throw std::runtime_error("script rule rejected: " + reply.body.dump());
}

inline std::int64_t JobsHarness::create_job(const nlohmann::json& settings,
                                            const std::string& version) {
  auto reply = post("/api/" + version + "/jobs/create", settings);
  if (reply.status != 200) throw std::runtime_error("create failed: " + reply.body.dump());
  return reply.body["job_id"];
}

inline std::int64_t JobsHarness::run_now(std::int64_t job_id, const nlohmann::json& extra) {
  nlohmann::json body = extra;
  body["job_id"] = job_id;
  auto reply = post("/api/2.1/jobs/run-now", body);
  if (reply.status != 200) throw std::runtime_error("run-now failed: " + reply.body.dump());
  return reply.body["run_id"];
}

inline nlohmann::json JobsHarness::run(std::int64_t run_id, const std::string& version) {
  auto reply = get("/api/" + version + "/jobs/runs/get?run_id=" + std::to_string(run_id));
  if (reply.status != 200) throw std::runtime_error("runs/get failed: " + reply.body.dump());
  return reply.body;
}

inline nlohmann::json notebook_job(const std::string& name, const std::string& path,
                                   nlohmann::json extra) {
  nlohmann::json task = {{"task_key", "main"},
                         {"existing_cluster_id", ClusterManager::kDefaultClusterId},
                         {"notebook_task", {{"notebook_path", path}}}};
  const nlohmann::json task_extra = extra.value("task", nlohmann::json::object());
  for (auto& [k, v] : task_extra.items()) task[k] = v;
  nlohmann::json settings = {{"name", name}, {"tasks", nlohmann::json::array({task})}};
  for (auto& [k, v] : extra.items())
    if (k != "task") settings[k] = v;
  return settings;
}

}  // namespace dbk::emulator::testing
