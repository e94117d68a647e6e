#include "runs/run_engine.hpp"

#include <algorithm>

#include "clusters/cluster_manager.hpp"
#include "http/request.hpp"
#include "jobs/job_settings.hpp"
#include "libraries/libraries_service.hpp"
#include "service.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr const char* kRunKind = "run";
constexpr const char* kRestartMessage =
    "The emulator restarted while this run was active; the run was ended.";
constexpr const char* kMultiTaskOutput =  // docs/reference/rest-api.md §0.7
    "Retrieving the output of runs with multiple tasks is not supported. Please retrieve the "
    "output of each individual task run instead.";

bool is_terminal(const std::string& life) {
  return life == "TERMINATED" || life == "SKIPPED" || life == "INTERNAL_ERROR";
}

std::string life_of(const json& object) {
  return object["state"].value("life_cycle_state", std::string());
}

std::string result_of(const json& object) {
  return object["state"].value("result_state", std::string());
}

std::string creator(const ServiceContext& context) {
  (void)context;
  return "emulator@dbk.local";
}

/// v2 `status` derived from the v1 `state` (docs/reference/rest-api.md §3.1).
json status_of(const json& state) {
  const std::string life = state.value("life_cycle_state", "");
  const std::string result = state.value("result_state", "");
  json status = json::object();
  if (life == "SKIPPED" || life == "INTERNAL_ERROR") {
    status["state"] = "TERMINATED";
  } else if (life == "WAITING_FOR_RETRY") {
    status["state"] = "WAITING";
  } else {
    status["state"] = life;
  }
  if (is_terminal(life)) {
    std::string code = "SUCCESS";
    std::string type = "SUCCESS";
    if (life == "INTERNAL_ERROR") {
      code = "INTERNAL_ERROR";
      type = "INTERNAL_ERROR";
    } else if (life == "SKIPPED" || result == "MAXIMUM_CONCURRENT_RUNS_REACHED") {
      code =
          result == "MAXIMUM_CONCURRENT_RUNS_REACHED" ? "MAX_CONCURRENT_RUNS_EXCEEDED" : "SKIPPED";
      type = "CLIENT_ERROR";
    } else if (result == "CANCELED") {
      code = "USER_CANCELED";
      type = "SUCCESS";
    } else if (result == "TIMEDOUT") {
      code = "RUN_EXECUTION_ERROR";
      type = "CLIENT_ERROR";
    } else if (result == "FAILED" || result == "UPSTREAM_FAILED") {
      code = "RUN_EXECUTION_ERROR";
      type = "CLIENT_ERROR";
    } else if (result == "UPSTREAM_CANCELED") {
      code = "CANCELED";
    }
    status["termination_details"] = {
        {"code", code}, {"type", type}, {"message", state.value("state_message", "")}};
  }
  return status;
}

json strip_private(const json& object) {
  json out = json::object();
  for (const auto& [key, value] : object.items()) {
    if (!key.empty() && key[0] != '_') out[key] = value;
  }
  return out;
}

json make_state(const std::string& life, const std::string& result, const std::string& message) {
  json state = {{"life_cycle_state", life},
                {"state_message", message},
                {"user_cancelled_or_timedout", result == "CANCELED" || result == "TIMEDOUT"}};
  if (!result.empty()) state["result_state"] = result;
  return state;
}

/// Parameters pushed into one task: base_parameters < job parameters < run-now params.
void resolve_parameters(json& task, const RunRequest& request, const json& job_params) {
  const auto& over = request.overriding_parameters;
  if (task.contains("notebook_task")) {
    json params = task["notebook_task"].value("base_parameters", json::object());
    for (const auto& [k, v] : job_params.items()) params[k] = v;
    if (over.contains("notebook_params") && over["notebook_params"].is_object())
      for (const auto& [k, v] : over["notebook_params"].items()) params[k] = v;
    task["notebook_task"]["base_parameters"] = params;
  }
  if (task.contains("spark_python_task") && over.contains("python_params"))
    task["spark_python_task"]["parameters"] = over["python_params"];
  if (task.contains("spark_jar_task") && over.contains("jar_params"))
    task["spark_jar_task"]["parameters"] = over["jar_params"];
  if (task.contains("spark_submit_task") && over.contains("spark_submit_params"))
    task["spark_submit_task"]["parameters"] = over["spark_submit_params"];
  if (task.contains("python_wheel_task") && over.contains("python_named_params"))
    task["python_wheel_task"]["named_parameters"] = over["python_named_params"];
}

/// The run's job_parameters ([{name, default, value}]) and `values` (name → value): each
/// job parameter's default, replaced by its value in `previous` (the run's list, when
/// repairing), replaced by the value `sent` with the request.
json job_parameter_values(const json& settings, const json& previous, const json& sent,
                          json& values) {
  json out = json::array();
  for (const auto& p : settings.value("parameters", json::array())) {
    const std::string name = p.value("name", "");
    json value = p.value("default", json(""));
    for (const auto& used : previous)
      if (used.value("name", "") == name && used.contains("value")) value = used["value"];
    if (sent.contains(name)) value = sent[name];
    values[name] = value;
    out.push_back({{"name", name}, {"default", p.value("default", json(""))}, {"value", value}});
  }
  return out;
}

/// Whether a not-yet-started task may start given its upstream results (run_if).
/// Returns "" to start, or the result_state the task ends with.
std::string run_if_verdict(const std::string& run_if, const std::vector<std::string>& upstream) {
  auto count = [&](auto pred) { return std::count_if(upstream.begin(), upstream.end(), pred); };
  auto ok = [](const std::string& r) { return r == "SUCCESS" || r == "EXCLUDED"; };
  auto failed = [](const std::string& r) {
    return r == "FAILED" || r == "TIMEDOUT" || r == "UPSTREAM_FAILED" || r.empty();
  };
  auto canceled = [](const std::string& r) { return r == "CANCELED" || r == "UPSTREAM_CANCELED"; };
  const long n = static_cast<long>(upstream.size());
  bool start = false;
  if (run_if.empty() || run_if == "ALL_SUCCESS") {
    start = count(ok) == n;
  } else if (run_if == "ALL_DONE") {
    start = true;
  } else if (run_if == "AT_LEAST_ONE_SUCCESS") {
    start = count(ok) > 0;
  } else if (run_if == "NONE_FAILED") {
    start = count(failed) == 0 && count(canceled) == 0;
  } else if (run_if == "ALL_FAILED") {
    start = count(failed) == n;
  } else if (run_if == "AT_LEAST_ONE_FAILED") {
    start = count(failed) > 0;
  } else {
    start = count(ok) == n;
  }
  if (start) return {};
  if (count(canceled) > 0 && count(failed) == 0) return "UPSTREAM_CANCELED";
  return count(failed) > 0 ? "UPSTREAM_FAILED" : "EXCLUDED";
}

// now ≥ start + timeout_seconds, without the product: timeout_seconds is whatever int64 a
// client sent, and start + INT64_MAX * 1000 would overflow.
bool timed_out(std::int64_t start_ms, std::int64_t timeout_seconds, std::int64_t now_ms) {
  return timeout_seconds > 0 && now_ms >= start_ms && (now_ms - start_ms) / 1000 >= timeout_seconds;
}

}  // namespace

RunEngine::RunEngine(ServiceContext& context, ClusterManager& clusters)
    : context_(context),
      clusters_(clusters),
      process_(ProcessExecutorConfig{context.runs_dir, context.dbfs_root, context.runtime_dir,
                                     context.options.python, context.options.spark_master,
                                     [&context] { return context.base_url; }, context.options.token,
                                     [&context] { return context.workspace; }}) {}

RunEngine::~RunEngine() {
  stop();
}

std::int64_t RunEngine::new_id() {
  auto id = context_.store.next_id("run");
  return id ? *id : 0;
}

std::string RunEngine::run_page_url(std::int64_t job_id, std::int64_t run_id) const {
  // docs/reference/rest-api.md §3.5: built from the configured external base URL.
  return context_.external_url + "/?o=0#job/" + std::to_string(job_id) + "/run/" +
         std::to_string(run_id);
}

void RunEngine::persist(const json& run) {
  (void)context_.store.put(kRunKind, std::to_string(run["run_id"].get<std::int64_t>()), run);
}

void RunEngine::recover() {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::int64_t now = context_.clock.now_ms();
  for (auto& [key, run] : context_.store.list(kRunKind)) {
    const std::int64_t id = run["run_id"];
    if (!is_terminal(life_of(run))) {
      for (auto& task : run["tasks"]) {
        if (!is_terminal(life_of(task)))
          finish_task(task, "INTERNAL_ERROR", "FAILED", kRestartMessage, now);
      }
      run["state"] = make_state("INTERNAL_ERROR", "FAILED", kRestartMessage);
      run["end_time"] = now;
      run["run_duration"] = now - run.value("start_time", now);
      close_repair(run, now);
      const json job_clusters = run.value("_job_clusters", json::object());
      for (const auto& cluster : job_clusters.items())
        (void)clusters_.terminate(cluster.value().get<std::string>(), now, "JOB_FINISHED");
      persist(run);
    }
    for (const auto& task : run["tasks"]) task_parent_[task["run_id"]] = id;
    for (const auto& task : run.value("_attempts", json::array()))
      task_parent_[task["run_id"]] = id;
    if (run.contains("_idempotency_token")) tokens_[run["_idempotency_token"]] = id;
    runs_[id] = run;
  }
}

void RunEngine::start_background() {
  ticker_ = std::thread([this] {
    while (!stop_ && !context_.stopping) {
      tick();
      context_.clock.sleep_until(context_.clock.now_ms() + 200, std::chrono::milliseconds(200));
    }
  });
}

void RunEngine::stop() {
  stop_ = true;
  context_.clock.interrupt();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  attempts_.clear();  // ProcessAttempt's destructor kills its process group
  process_.stop();    // and the clusters' drivers
}

void RunEngine::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  attempts_.clear();
  process_.stop();
  runs_.clear();
  active_.clear();
  task_parent_.clear();
  tokens_.clear();
  schedules_.clear();
  scripts_.clear();
  // The ticker may have written a run back between the store's clear and this reset.
  for (const auto& entry : context_.store.list(kRunKind))
    (void)context_.store.erase(kRunKind, entry.first);
}

void RunEngine::tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  try {
    tick_locked(context_.clock.now_ms());
  } catch (const std::exception&) {
    // A malformed document must not kill the ticker thread; the next tick retries.
  }
}

void RunEngine::tick_locked(std::int64_t now) {
  clusters_.tick(now);
  sync_drivers(now);
  fire_schedules(now);
  // Loop so that one tick carries a run as far as the clock allows (e.g. a task finishing
  // unblocks its dependants, a finished run frees a slot for a queued one).
  for (int round = 0; round < 32; ++round) {
    bool changed = false;
    std::vector<std::int64_t> ids(active_.begin(), active_.end());
    for (auto id : ids) {
      auto& run = runs_[id];
      if (advance(run, now)) {
        changed = true;
        persist(run);
      }
    }
    if (!changed) break;
  }
}

bool RunEngine::has_slot(const json& run) const {
  if (!run.contains("job_id")) return true;
  const std::int64_t job_id = run["job_id"];
  const std::int64_t max = run["_settings"].value("max_concurrent_runs", std::int64_t{1});
  std::int64_t running = 0;
  for (auto id : active_) {
    if (id == run["run_id"].get<std::int64_t>()) continue;
    const auto& other = runs_.at(id);
    if (other.value("job_id", std::int64_t{0}) != job_id) continue;
    const std::string life = life_of(other);
    if (life == "QUEUED") {
      if (id < run["run_id"].get<std::int64_t>()) return false;  // FIFO: an older queued run first
      continue;
    }
    ++running;
  }
  return running < max;
}

bool RunEngine::advance(json& run, std::int64_t now) {
  const std::string life = life_of(run);
  const std::string stop = run.value("_stop_reason", std::string());
  if (life == "QUEUED") {
    if (!stop.empty()) {
      finish_run(run, now);
      return true;
    }
    if (!has_slot(run)) return false;
    run["state"] = make_state("PENDING", "", "");
    run["queue_duration"] = now - run["start_time"].get<std::int64_t>();
    return true;
  }
  if (life == "PENDING") {
    if (!stop.empty()) {
      finish_run(run, now);
      return true;
    }
    // Existing all-purpose clusters must be RUNNING; a terminated one is started, as the
    // service does for job runs (documented in docs/emulator.md).
    std::string waiting_for;
    for (const auto& task : run["tasks"]) {
      if (!task.contains("existing_cluster_id") || is_terminal(life_of(task))) continue;
      const std::string id = task["existing_cluster_id"];
      auto cluster = clusters_.get(id);
      if (!cluster) continue;  // the task fails when it starts
      const std::string state = (*cluster)["state"];
      if (state == "RUNNING") continue;
      if (state == "TERMINATED") (void)clusters_.start(id, now);
      waiting_for = id;
    }
    if (!waiting_for.empty()) {
      const std::string message = "Waiting for cluster " + waiting_for + " to start";
      if (run["state"].value("state_message", "") == message) return false;
      run["state"]["state_message"] = message;
      return true;
    }
    run["state"] = make_state("RUNNING", "", "In run");
    if (!run.contains("_repair_start")) {
      run["setup_duration"] = now - run["start_time"].get<std::int64_t>() -
                              run.value("queue_duration", std::int64_t{0});
    }
    run["_exec_start"] = now;
    return true;
  }
  // RUNNING or TERMINATING
  bool changed = false;
  const std::int64_t timeout = run["_settings"].value("timeout_seconds", std::int64_t{0});
  if (stop.empty() && timed_out(run.value("_exec_start", now), timeout, now)) {
    cancel_locked(run, "TIMEDOUT", now);
    changed = true;
  }
  for (int round = 0; round < 8; ++round) {
    bool task_changed = false;
    for (auto& task : run["tasks"]) task_changed |= advance_task(run, task, now);
    changed |= task_changed;
    if (!task_changed) break;
  }
  bool all_done = std::all_of(run["tasks"].begin(), run["tasks"].end(),
                              [](const json& t) { return is_terminal(life_of(t)); });
  if (all_done) {
    finish_run(run, now);
    return true;
  }
  return changed;
}

bool RunEngine::advance_task(json& run, json& task, std::int64_t now) {
  const std::string life = life_of(task);
  if (is_terminal(life)) return false;
  const std::string stop = run.value("_stop_reason", std::string());
  const std::int64_t task_run_id = task["run_id"];
  auto attempt = attempts_.find(task_run_id);

  if (attempt == attempts_.end() && !stop.empty()) {
    finish_task(task, "TERMINATED", stop == "TIMEDOUT" ? "TIMEDOUT" : "CANCELED",
                stop == "TIMEDOUT" ? "Run timed out" : "Run cancelled", now);
    return true;
  }
  if (life == "PENDING" || life == "BLOCKED") {
    std::vector<std::string> upstream;
    for (const auto& dep : task.value("depends_on", json::array())) {
      const std::string key = dep.value("task_key", "");
      for (const auto& other : run["tasks"]) {
        if (other["task_key"] != key) continue;
        if (!is_terminal(life_of(other))) {
          if (life != "BLOCKED") {
            task["state"]["life_cycle_state"] = "BLOCKED";
            return true;
          }
          return false;
        }
        upstream.push_back(result_of(other));
      }
    }
    const std::string verdict = run_if_verdict(task.value("run_if", ""), upstream);
    if (!verdict.empty()) {
      const char* message = verdict == "UPSTREAM_FAILED"     ? "Upstream task(s) failed."
                            : verdict == "UPSTREAM_CANCELED" ? "Upstream task(s) were canceled."
                                                             : "The run_if condition was not met.";
      finish_task(task, verdict == "EXCLUDED" ? "TERMINATED" : "SKIPPED", verdict, message, now);
      return true;
    }
    start_attempt(run, task, now);
    return true;
  }
  if (life == "WAITING_FOR_RETRY") {
    if (now < task.value("_retry_at", now)) return false;
    start_attempt(run, task, now);
    return true;
  }
  // RUNNING / TERMINATING with an attempt.
  if (attempt == attempts_.end()) {
    finish_task(task, "INTERNAL_ERROR", "FAILED", "The task attempt was lost", now);
    return true;
  }
  bool changed = false;
  if (!stop.empty() && !task.value("_cancel_sent", false)) {
    attempt->second->cancel();
    task["_cancel_sent"] = true;
    task["_stop"] = stop;
    task["state"]["life_cycle_state"] = "TERMINATING";
    changed = true;
  }
  const std::int64_t timeout = task.value("timeout_seconds", std::int64_t{0});
  if (!task.value("_cancel_sent", false) &&
      timed_out(task.value("start_time", now), timeout, now)) {
    attempt->second->cancel();
    task["_cancel_sent"] = true;
    task["_stop"] = "TIMEDOUT";
    task["state"]["life_cycle_state"] = "TERMINATING";
    changed = true;
  }
  if (auto outcome = attempt->second->poll(now)) {
    attempts_.erase(attempt);
    handle_outcome(run, task, std::move(*outcome), now);
    return true;
  }
  return changed;
}

void RunEngine::sync_drivers(std::int64_t now) {
  std::map<std::string, std::int64_t> running;  // all-purpose clusters with a live context
  for (const auto& cluster : clusters_.list()) {
    if (cluster.value("state", "") == "RUNNING" && cluster.value("cluster_source", "") != "JOB")
      running[cluster["cluster_id"]] = cluster.value("spark_context_id", std::int64_t{0});
  }
  for (const auto& change : process_.sync_drivers(running)) {
    if (change.ready) {
      clusters_.driver_ready(change.cluster_id, now);
      continue;
    }
    // The driver died: the cluster shows it and a new driver starts, as on Databricks.
    if (auto context = clusters_.driver_lost(change.cluster_id, now)) {
      process_.start_driver(
          change.cluster_id, *context,
          LibrariesService::python_paths(context_.store, context_.state_dir, change.cluster_id));
    }
  }
}

Result<std::pair<DriverAttachment, std::int64_t>> RunEngine::context_process(
    const std::string& cluster_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  clusters_.tick(context_.clock.now_ms());
  auto cluster = clusters_.get(cluster_id);
  if (!cluster) return cluster.error();
  if (cluster->value("state", "") != "RUNNING") {
    return http_error(400, "INVALID_STATE",
                      "Cluster " + cluster_id + " is not running (its state is " +
                          cluster->value("state", "") + "); start it first.");
  }
  const std::int64_t spark_context = cluster->value("spark_context_id", std::int64_t{0});
  auto attachment = process_.context_process(
      cluster_id, spark_context,
      LibrariesService::python_paths(context_.store, context_.state_dir, cluster_id));
  if (!attachment) return attachment.error();
  return std::make_pair(std::move(*attachment), spark_context);
}

void RunEngine::start_attempt(json& run, json& task, std::int64_t now) {
  task["start_time"] = now;
  task["state"] = make_state("RUNNING", "", "In run");
  task.erase("_cancel_sent");
  task.erase("_stop");
  task.erase("_retry_at");
  const std::int64_t task_run_id = task["run_id"];

  // Cluster: the existing one, the run's job cluster for a key, or a new job cluster.
  std::string cluster_id;
  if (task.contains("existing_cluster_id")) {
    cluster_id = task["existing_cluster_id"];
    auto cluster = clusters_.get(cluster_id);
    if (!cluster) {
      attempts_[task_run_id] = std::make_unique<FinishedAttempt>(
          failed_outcome("Cluster " + cluster_id + " does not exist"));
      return;
    }
  } else if (task.contains("new_cluster") || task.contains("job_cluster_key")) {
    const std::string key =
        task.value("job_cluster_key", "__task_" + task["task_key"].get<std::string>());
    auto& clusters = run["_job_clusters"];
    if (!clusters.is_object()) clusters = json::object();
    if (clusters.contains(key)) {
      cluster_id = clusters[key];
    } else {
      json spec = task.value("new_cluster", json::object());
      for (const auto& jc : run["_settings"].value("job_clusters", json::array()))
        if (jc.value("job_cluster_key", "") == key) spec = jc.value("new_cluster", json::object());
      auto created = clusters_.create_job_cluster(spec, run["run_id"], now);
      if (!created) {
        // The cluster could not be set up: the service ends such a task INTERNAL_ERROR.
        TaskOutcome outcome = failed_outcome(created.error().message);
        outcome.life_cycle_state = "INTERNAL_ERROR";
        attempts_[task_run_id] = std::make_unique<FinishedAttempt>(std::move(outcome));
        return;
      }
      cluster_id = *created;
      clusters[key] = cluster_id;
    }
  }
  TaskLaunch launch;
  if (!cluster_id.empty()) {
    auto cluster = clusters_.get(cluster_id);
    if (cluster) {
      launch.cluster_id = cluster_id;
      launch.spark_context_id = cluster->value("spark_context_id", std::int64_t{0});
      launch.warm_cluster = cluster->value("cluster_source", "") != "JOB";
    }
    json instance = {{"cluster_id", cluster_id}};
    if (cluster && cluster->contains("spark_context_id"))
      instance["spark_context_id"] =
          std::to_string((*cluster)["spark_context_id"].get<std::int64_t>());
    task["cluster_instance"] = instance;
    if (run["tasks"].size() == 1) run["cluster_instance"] = instance;
  }

  launch.task_run_id = task_run_id;
  launch.job_id = run.value("job_id", std::int64_t{0});
  launch.task_key = task["task_key"];
  launch.task_type = task_type_of(task);
  launch.task = task;
  launch.parameters = task.contains("notebook_task")
                          ? task["notebook_task"].value("base_parameters", json::object())
                          : json::object();
  launch.timeout_seconds = task.value("timeout_seconds", std::int64_t{0});
  if (launch.timeout_seconds == 0)
    launch.timeout_seconds = run["_settings"].value("timeout_seconds", std::int64_t{0});
  launch.now_ms = now;
  if (!cluster_id.empty()) {
    launch.python_path =
        LibrariesService::python_paths(context_.store, context_.state_dir, cluster_id);
  }

  std::unique_ptr<TaskAttempt> attempt = scripts_.try_start(launch);
  if (!attempt) {
    if (launch.task_type == "notebook_task" || launch.task_type == "spark_python_task") {
      attempt = process_.start(launch);
    } else if (launch.task_type.empty()) {
      attempt = std::make_unique<FinishedAttempt>(failed_outcome("The task has no task type"));
    } else {
      attempt = std::make_unique<FinishedAttempt>(
          failed_outcome("task type " + launch.task_type + " is not supported by the emulator"));
    }
  }
  attempts_[task_run_id] = std::move(attempt);
}

void RunEngine::finish_task(json& task, const std::string& life, const std::string& result,
                            const std::string& message, std::int64_t now) {
  task["state"] = make_state(life, result, message);
  const std::int64_t start = task.value("start_time", std::int64_t{0});
  if (start == 0) task["start_time"] = 0;
  task["end_time"] = now;
  task["setup_duration"] = 0;
  task["execution_duration"] = start == 0 ? 0 : now - start;
  task["cleanup_duration"] = 0;
  task["run_duration"] = start == 0 ? 0 : now - start;
  task.erase("_cancel_sent");
}

void RunEngine::handle_outcome(json& run, json& task, TaskOutcome outcome, std::int64_t now) {
  std::string result = outcome.result_state;
  const std::string stop = task.value("_stop", std::string());
  if (!stop.empty()) result = stop;  // CANCELED or TIMEDOUT decided by the engine
  json output = json::object();
  if (!outcome.notebook_output.is_null()) output["notebook_output"] = outcome.notebook_output;
  if (!outcome.error.empty()) output["error"] = outcome.error;
  if (!outcome.error_trace.empty()) output["error_trace"] = outcome.error_trace;
  if (!outcome.logs.empty()) output["logs"] = outcome.logs;
  task["_output"] = output;
  std::string message = outcome.state_message;
  if (message.empty() && result == "TIMEDOUT") message = "Task timed out";
  if (message.empty() && result == "CANCELED") message = "Run cancelled";
  finish_task(task, outcome.life_cycle_state, result, message, now);
  task.erase("_stop");

  // Retries (docs/reference/rest-api.md §3.2 WAITING_FOR_RETRY): FAILED, or TIMEDOUT with
  // retry_on_timeout.
  const std::int64_t max_retries = task.value("max_retries", std::int64_t{0});
  const std::int64_t attempt_number = task.value("attempt_number", std::int64_t{0});
  const bool retryable = outcome.life_cycle_state == "TERMINATED" &&
                         (result == "FAILED" || (result == "TIMEDOUT" && stop == "TIMEDOUT" &&
                                                 task.value("retry_on_timeout", false)));
  if (retryable && run.value("_stop_reason", std::string()).empty() &&
      (max_retries < 0 || attempt_number < max_retries)) {
    if (!run.contains("_attempts")) run["_attempts"] = json::array();
    run["_attempts"].push_back(task);
    const std::int64_t next_id = new_id();
    task_parent_[next_id] = run["run_id"];
    task["run_id"] = next_id;
    task["run_page_url"] = run_page_url(run.value("job_id", std::int64_t{0}), next_id);
    task["attempt_number"] = attempt_number + 1;
    task.erase("_output");
    task.erase("end_time");
    task.erase("execution_duration");
    task.erase("run_duration");
    task["state"] = make_state("WAITING_FOR_RETRY", "", "Waiting for retry");
    task["_retry_at"] = now + task.value("min_retry_interval_millis", std::int64_t{0});
  }
}

void RunEngine::finish_run(json& run, std::int64_t now) {
  const std::string stop = run.value("_stop_reason", std::string());
  std::string life = "TERMINATED";
  std::string result = "SUCCESS";
  std::string message;
  if (!stop.empty()) {  // cancelled or timed out before these tasks started
    for (auto& task : run["tasks"]) {
      if (!is_terminal(life_of(task)))
        finish_task(task, "TERMINATED", stop,
                    stop == "TIMEDOUT" ? "Run timed out" : "Run cancelled", now);
    }
  }
  const auto& tasks = run["tasks"];
  if (!stop.empty()) {
    result = stop;
    message = stop == "TIMEDOUT" ? "Run timed out." : "Run cancelled.";
  } else {
    for (const auto& task : tasks) {
      const std::string task_result = result_of(task);
      if (life_of(task) == "INTERNAL_ERROR") {
        life = "INTERNAL_ERROR";
        result = task_result;
        message = task["state"].value("state_message", "");
        break;
      }
      if (task_result != "SUCCESS" && task_result != "EXCLUDED" && result == "SUCCESS") {
        result = task_result == "TIMEDOUT" ? "TIMEDOUT" : "FAILED";
        const std::string task_message = task["state"].value("state_message", "");
        message = tasks.size() == 1
                      ? task_message
                      : "Task " + task["task_key"].get<std::string>() + " failed" +
                            (task_message.empty() ? "." : " with message: " + task_message);
      }
    }
  }
  run["state"] = make_state(life, result, message);
  run["end_time"] = now;
  const std::int64_t start = run["start_time"];
  const std::int64_t exec_start = run.value("_exec_start", now);
  if (!run.contains("setup_duration")) run["setup_duration"] = 0;
  run["execution_duration"] = run.contains("_exec_start") ? now - exec_start : 0;
  run["cleanup_duration"] = 0;
  run["run_duration"] = now - start;
  const json job_clusters = run.value("_job_clusters", json::object());
  for (const auto& cluster : job_clusters.items())
    (void)clusters_.terminate(cluster.value().get<std::string>(), now, "JOB_FINISHED");
  close_repair(run, now);
  active_.erase(run["run_id"].get<std::int64_t>());
}

// The repair in progress (the last repair_history item) ends with the run.
void RunEngine::close_repair(json& run, std::int64_t now) {
  run.erase("_repair_start");
  if (!run.contains("_repair_history") || run["_repair_history"].empty()) return;
  json& latest = run["_repair_history"].back();
  if (latest.contains("end_time")) return;
  latest["end_time"] = now;
  latest["state"] = run["state"];
}

Result<nlohmann::json> RunEngine::repair(const RepairRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::int64_t now = context_.clock.now_ms();
  tick_locked(now);
  const std::string id_text = std::to_string(request.run_id);
  auto found = runs_.find(request.run_id);
  if (found == runs_.end()) {
    if (task_parent_.count(request.run_id))
      return invalid_parameter("Run " + id_text + " is a task run; repair its parent run " +
                               std::to_string(task_parent_[request.run_id]) + ".");
    return invalid_parameter("Run " + id_text + " does not exist.");
  }
  json& run = found->second;
  if (active_.count(request.run_id))
    return invalid_parameter("Run " + id_text +
                             " is still active: only a finished run can be repaired.");

  // latest_repair_id: required once the run has been repaired, and must name the latest repair.
  json history = run.value("_repair_history", json::array());
  std::optional<std::int64_t> latest;
  for (const auto& item : history)
    if (item.value("type", "") == "REPAIR") latest = item.value("id", std::int64_t{0});
  if (latest && !request.latest_repair_id)
    return invalid_parameter("Run " + id_text + " has been repaired: latest_repair_id must be " +
                             std::to_string(*latest) + ".");
  if (request.latest_repair_id && request.latest_repair_id != latest)
    return invalid_parameter(
        "latest_repair_id " + std::to_string(*request.latest_repair_id) +
        " is not the latest repair of run " + id_text +
        (latest ? " (" + std::to_string(*latest) + ")." : ": the run has not been repaired."));

  // Which tasks: those named or every unsuccessful one, plus (on request) their dependants.
  if (!request.rerun_tasks.empty() && request.rerun_all_failed_tasks)
    return invalid_parameter("Only one of rerun_tasks or rerun_all_failed_tasks can be used.");
  if (request.rerun_tasks.empty() && !request.rerun_all_failed_tasks)
    return invalid_parameter("One of rerun_tasks or rerun_all_failed_tasks must be specified.");
  std::set<std::string> selected;
  for (const auto& key : request.rerun_tasks) {
    const bool known = std::any_of(run["tasks"].begin(), run["tasks"].end(),
                                   [&](const json& t) { return t.value("task_key", "") == key; });
    if (!known) return invalid_parameter("Task " + key + " does not exist in run " + id_text + ".");
    selected.insert(key);
  }
  if (request.rerun_all_failed_tasks) {
    for (const auto& task : run["tasks"]) {
      const std::string result = result_of(task);
      if (result != "SUCCESS" && result != "EXCLUDED") selected.insert(task.value("task_key", ""));
    }
    if (selected.empty())
      return invalid_parameter("Run " + id_text + " has no failed tasks to repair.");
  }
  for (bool grew = request.rerun_dependent_tasks; grew;) {
    grew = false;
    for (const auto& task : run["tasks"]) {
      const std::string key = task.value("task_key", "");
      if (selected.count(key)) continue;
      for (const auto& dep : task.value("depends_on", json::array())) {
        if (selected.count(dep.value("task_key", ""))) {
          grew = selected.insert(key).second;
          break;
        }
      }
    }
  }

  // Tasks re-run with the job's current settings (a one-time run keeps its own).
  json settings = request.job_settings ? *request.job_settings : run["_settings"];
  std::map<std::string, json> specs;
  for (const auto& spec : settings.value("tasks", json::array()))
    specs[spec.value("task_key", "")] = spec;
  for (const auto& key : selected)
    if (!specs.count(key))
      return invalid_parameter("Task " + key + " is no longer in the job's settings.");

  // Parameters: those sent with the repair replace the run's, field by field.
  RunRequest parameters;
  parameters.overriding_parameters = run.value("overriding_parameters", json::object());
  for (const auto& [field, value] : request.overriding_parameters.items())
    parameters.overriding_parameters[field] = value;
  json job_params = json::object();
  const json job_parameters = job_parameter_values(
      settings, run.value("job_parameters", json::array()), request.job_parameters, job_params);

  const std::int64_t repair_id = new_id();
  if (repair_id == 0) return http_error(500, "INTERNAL_ERROR", "Cannot allocate a repair id");
  if (history.empty()) {
    json original = {{"type", "ORIGINAL"},
                     {"start_time", run.value("start_time", std::int64_t{0})},
                     {"end_time", run.value("end_time", now)},
                     {"state", run["state"]},
                     {"task_run_ids", json::array()}};
    for (const auto& task : run["tasks"]) original["task_run_ids"].push_back(task["run_id"]);
    history.push_back(original);
  }
  json repaired_ids = json::array();
  if (!run.contains("_attempts")) run["_attempts"] = json::array();
  const std::int64_t job_id = run.value("job_id", std::int64_t{0});
  for (auto& task : run["tasks"]) {
    const std::string key = task.value("task_key", "");
    if (!selected.count(key)) continue;
    run["_attempts"].push_back(task);
    json fresh = specs[key];
    const std::int64_t task_run_id = new_id();
    fresh["run_id"] = task_run_id;
    fresh["attempt_number"] = 0;
    fresh["run_page_url"] = run_page_url(job_id, task_run_id);
    resolve_parameters(fresh, parameters, job_params);
    const bool blocked = fresh.contains("depends_on") && !fresh["depends_on"].empty();
    fresh["state"] = make_state(blocked ? "BLOCKED" : "PENDING", "", "");
    task_parent_[task_run_id] = request.run_id;
    repaired_ids.push_back(task_run_id);
    task = fresh;
  }
  history.push_back(
      {{"type", "REPAIR"}, {"id", repair_id}, {"start_time", now}, {"task_run_ids", repaired_ids}});
  run["_repair_history"] = history;
  run["_settings"] = settings;
  if (!parameters.overriding_parameters.empty())
    run["overriding_parameters"] = parameters.overriding_parameters;
  if (!job_parameters.empty()) run["job_parameters"] = job_parameters;
  // The run is active again: job clusters of the original run were terminated with it.
  run.erase("end_time");
  run.erase("_stop_reason");
  run.erase("_job_clusters");
  run.erase("cluster_instance");
  run["_repair_start"] = now;
  run["state"] = make_state("PENDING", "", "");
  active_.insert(request.run_id);
  auto status = context_.store.put(kRunKind, id_text, run);
  if (!status)
    return http_error(500, "INTERNAL_ERROR", "Cannot persist the run: " + status.error().message);
  tick_locked(now);
  return json{{"repair_id", repair_id}};
}

void RunEngine::cancel_locked(json& run, const std::string& reason, std::int64_t now) {
  (void)now;
  if (is_terminal(life_of(run)) || !run.value("_stop_reason", std::string()).empty()) return;
  run["_stop_reason"] = reason;
  if (life_of(run) == "RUNNING") run["state"]["life_cycle_state"] = "TERMINATING";
}

Result<nlohmann::json> RunEngine::create_run(const RunRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::int64_t now = context_.clock.now_ms();
  tick_locked(now);
  auto created = create_run_locked(request, now);
  if (!created) return created;
  // Carry the new run as far as it can go now (PENDING → RUNNING), so that its timeouts
  // and durations count from the request, not from the next tick.
  tick_locked(now);
  return runs_[(*created)["run_id"].get<std::int64_t>()];
}

Result<nlohmann::json> RunEngine::create_run_locked(const RunRequest& request, std::int64_t now) {
  if (!request.idempotency_token.empty()) {
    auto found = tokens_.find(request.idempotency_token);
    if (found != tokens_.end() && runs_.count(found->second)) return runs_[found->second];
  }
  const std::int64_t run_id = new_id();
  if (run_id == 0) return http_error(500, "INTERNAL_ERROR", "Cannot allocate a run id");
  const json& settings = request.settings;

  // Job parameters: defaults of the job, overridden by run-now job_parameters.
  json job_params = json::object();
  const json job_parameters =
      job_parameter_values(settings, json::array(), request.job_parameters, job_params);

  json run = {{"run_id", run_id},
              {"number_in_job", run_id},  // docs/reference/rest-api.md §1.3: same value as run_id
              {"original_attempt_run_id", run_id},
              {"creator_user_name", creator(context_)},
              {"run_name",
               request.run_name.empty() ? settings.value("name", "Untitled") : request.run_name},
              {"run_type", request.run_type},
              {"trigger", request.trigger},
              {"start_time", now},
              {"setup_duration", 0},
              {"execution_duration", 0},
              {"cleanup_duration", 0},
              {"format", settings.value("format", "MULTI_TASK")},
              {"attempt_number", 0},
              {"_settings", settings}};
  if (request.job_id != 0) run["job_id"] = request.job_id;
  run["run_page_url"] = run_page_url(request.job_id, run_id);
  if (!request.overriding_parameters.empty())
    run["overriding_parameters"] = request.overriding_parameters;
  if (!job_parameters.empty()) run["job_parameters"] = job_parameters;
  if (!request.idempotency_token.empty()) run["_idempotency_token"] = request.idempotency_token;
  if (settings.contains("schedule") && request.trigger == "PERIODIC")
    run["schedule"] = settings["schedule"];

  json tasks = json::array();
  for (const auto& spec : settings.value("tasks", json::array())) {
    json task = spec;
    const std::int64_t task_run_id = new_id();
    task["run_id"] = task_run_id;
    task["attempt_number"] = 0;
    task["run_page_url"] = run_page_url(request.job_id, task_run_id);
    resolve_parameters(task, request, job_params);
    bool excluded =
        !request.only.empty() && std::find(request.only.begin(), request.only.end(),
                                           spec.value("task_key", "")) == request.only.end();
    task["state"] =
        excluded
            ? make_state("TERMINATED", "EXCLUDED", "Excluded by the 'only' parameter")
            : make_state(spec.contains("depends_on") && !spec["depends_on"].empty() ? "BLOCKED"
                                                                                    : "PENDING",
                         "", "");
    task_parent_[task_run_id] = run_id;
    tasks.push_back(task);
  }
  run["tasks"] = tasks;

  // max_concurrent_runs (docs/reference/rest-api.md §3.2): queue when enabled, else skip.
  bool queue = settings.value("queue", json::object()).value("enabled", false);
  if (request.queue_enabled) queue = *request.queue_enabled;
  run["state"] = make_state("PENDING", "", "");
  runs_[run_id] = run;
  active_.insert(run_id);
  auto& stored = runs_[run_id];
  if (request.job_id != 0 && !has_slot(stored)) {
    const std::int64_t max = settings.value("max_concurrent_runs", std::int64_t{1});
    if (queue) {
      stored["state"] = make_state("QUEUED", "", "Queued due to reaching maximum concurrent runs");
      stored["state"]["queue_reason"] = "Queued due to reaching maximum concurrent runs";
    } else {
      stored["state"] = make_state("SKIPPED", "MAXIMUM_CONCURRENT_RUNS_REACHED",
                                   "Skipping this run because the limit of " + std::to_string(max) +
                                       " maximum concurrent runs has been reached.");
      stored["end_time"] = now;
      stored["run_duration"] = 0;
      for (auto& task : stored["tasks"])
        finish_task(task, "SKIPPED", "", "The run was skipped.", now);
      active_.erase(run_id);
    }
  }
  auto status = context_.store.put(kRunKind, std::to_string(run_id), stored);
  if (!status) {
    active_.erase(run_id);
    runs_.erase(run_id);
    return http_error(500, "INTERNAL_ERROR", "Cannot persist the run: " + status.error().message);
  }
  if (!request.idempotency_token.empty()) tokens_[request.idempotency_token] = run_id;
  return stored;
}

std::optional<nlohmann::json> RunEngine::find(std::int64_t run_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  tick_locked(context_.clock.now_ms());
  if (auto it = runs_.find(run_id); it != runs_.end()) return it->second;
  auto parent = task_parent_.find(run_id);
  if (parent == task_parent_.end() || !runs_.count(parent->second)) return std::nullopt;
  const json& run = runs_[parent->second];
  json task;
  for (const auto& t : run["tasks"])
    if (t["run_id"] == run_id) task = t;
  for (const auto& t : run.value("_attempts", json::array()))
    if (t["run_id"] == run_id) task = t;
  if (task.is_null()) return std::nullopt;
  // A task run seen as a Run (runs/get and get-output metadata on a task run id).
  json view = task;
  view["_task_view"] = true;
  view["parent_run_id"] = run["run_id"];
  if (run.contains("job_id")) view["job_id"] = run["job_id"];
  view["number_in_job"] = run_id;
  view["creator_user_name"] = run["creator_user_name"];
  view["run_name"] = task["task_key"];
  view["run_type"] = run["run_type"];
  view["trigger"] = run["trigger"];
  view["format"] = run["format"];
  view["original_attempt_run_id"] = run_id;
  view["tasks"] = json::array({task});
  return view;
}

std::vector<nlohmann::json> RunEngine::list() {
  std::lock_guard<std::mutex> lock(mutex_);
  tick_locked(context_.clock.now_ms());
  std::vector<json> out;
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) out.push_back(it->second);
  return out;
}

Status RunEngine::cancel(std::int64_t run_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::int64_t now = context_.clock.now_ms();
  auto parent =
      runs_.count(run_id) ? run_id : (task_parent_.count(run_id) ? task_parent_[run_id] : 0);
  if (!runs_.count(parent))
    return invalid_parameter("Run " + std::to_string(run_id) + " does not exist.");
  auto& run = runs_[parent];
  cancel_locked(run, "CANCELED", now);
  persist(run);
  tick_locked(now);
  return {};
}

Status RunEngine::cancel_all(std::int64_t job_id, bool all_queued_runs) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::int64_t now = context_.clock.now_ms();
  for (auto id : std::vector<std::int64_t>(active_.begin(), active_.end())) {
    auto& run = runs_[id];
    const bool queued = life_of(run) == "QUEUED";
    if (job_id != 0 ? run.value("job_id", std::int64_t{0}) == job_id
                    : (all_queued_runs && queued)) {
      cancel_locked(run, "CANCELED", now);
      persist(run);
    } else if (job_id == 0 && !all_queued_runs) {
      continue;
    }
  }
  tick_locked(now);
  return {};
}

Status RunEngine::remove(std::int64_t run_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = runs_.find(run_id);
  if (it == runs_.end())
    return invalid_parameter("Run " + std::to_string(run_id) + " does not exist.");
  if (active_.count(run_id))
    return invalid_parameter("Run " + std::to_string(run_id) + " is active and cannot be deleted.");
  auto status = context_.store.erase(kRunKind, std::to_string(run_id));
  if (!status) return status;
  for (const auto& task : it->second["tasks"])
    task_parent_.erase(task["run_id"].get<std::int64_t>());
  for (const auto& task : it->second.value("_attempts", json::array()))
    task_parent_.erase(task["run_id"].get<std::int64_t>());
  if (it->second.contains("_idempotency_token")) tokens_.erase(it->second["_idempotency_token"]);
  runs_.erase(it);
  return {};
}

Result<nlohmann::json> RunEngine::output(std::int64_t run_id) {
  auto run = find(run_id);
  if (!run) return invalid_parameter("Run " + std::to_string(run_id) + " does not exist.");
  json task;
  if (run->value("_task_view", false)) {
    task = (*run)["tasks"][0];
  } else {
    if ((*run)["tasks"].size() != 1) return invalid_parameter(kMultiTaskOutput);
    task = (*run)["tasks"][0];
  }
  json out = task.value("_output", json::object());
  out["metadata"] = *run;
  return out;
}

void RunEngine::job_changed(std::int64_t job_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  schedules_.erase(job_id);  // recomputed from now on the next tick
  tick_locked(context_.clock.now_ms());
}

void RunEngine::job_deleted(std::int64_t job_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  schedules_.erase(job_id);
  const std::int64_t now = context_.clock.now_ms();
  for (auto id : std::vector<std::int64_t>(active_.begin(), active_.end())) {
    auto& run = runs_[id];
    if (run.value("job_id", std::int64_t{0}) != job_id) continue;
    cancel_locked(run, "CANCELED", now);
    persist(run);
  }
  tick_locked(now);
}

void RunEngine::fire_schedules(std::int64_t now) {
  for (const auto& [key, job] : context_.store.list("job")) {
    const std::int64_t job_id = job["job_id"];
    const json& settings = job["settings"];
    if (!settings.contains("schedule") || !settings["schedule"].is_object()) {
      schedules_.erase(job_id);
      continue;
    }
    const json& schedule = settings["schedule"];
    const std::string expression = schedule.value("quartz_cron_expression", "");
    const std::string zone = schedule.value("timezone_id", std::string("UTC"));
    const std::string pause = schedule.value("pause_status", std::string("UNPAUSED"));
    const std::string fingerprint = expression + "|" + zone + "|" + pause;
    auto cron_it = cron_cache_.find(expression);
    if (cron_it == cron_cache_.end()) {
      auto parsed = QuartzCron::parse(expression);
      if (!parsed) continue;
      cron_it = cron_cache_.emplace(expression, *parsed).first;
    }
    auto& entry = schedules_[job_id];
    if (entry.key != fingerprint) {
      entry.key = fingerprint;
      entry.next_ms = pause == "PAUSED" ? std::nullopt : cron_it->second.next_after(now, zone);
      continue;
    }
    if (!entry.next_ms || now < *entry.next_ms) continue;
    // One run per tick even when the clock jumped over several firings (documented).
    RunRequest request;
    request.settings = settings;
    request.job_id = job_id;
    request.trigger = "PERIODIC";
    (void)create_run_locked(request, now);
    entry.next_ms = cron_it->second.next_after(now, zone);
  }
}

nlohmann::json RunEngine::render_run(const json& run, int api_version, bool include_history) {
  json out = strip_private(run);
  out["state"] = run["state"];
  out["status"] = status_of(run["state"]);
  if (include_history && run.contains("_repair_history")) {
    json history = json::array();
    for (const auto& entry : run["_repair_history"]) {
      json item = entry;
      if (!item.contains("state")) item["state"] = run["state"];  // the repair in progress
      item["status"] = status_of(item["state"]);
      history.push_back(item);
    }
    out["repair_history"] = history;
  }
  json tasks = json::array();
  for (const auto& task : run.value("tasks", json::array())) {
    json t = strip_private(task);
    t["status"] = status_of(task["state"]);
    tasks.push_back(t);
  }
  out["tasks"] = tasks;
  if (api_version == 20 && run.value("format", "") == "SINGLE_TASK" && tasks.size() == 1 &&
      !run.value("_task_view", false)) {
    // 2.0 single-task shape: `task` and `cluster_spec`, no `tasks` (docs/reference/rest-api.md
    // §3.1).
    json task = json::object();
    json cluster_spec = json::object();
    for (const auto& key : task_type_keys())
      if (tasks[0].contains(key)) task[key] = tasks[0][key];
    for (const char* key : {"existing_cluster_id", "new_cluster", "libraries"})
      if (tasks[0].contains(key)) cluster_spec[key] = tasks[0][key];
    out["task"] = task;
    out["cluster_spec"] = cluster_spec;
    if (tasks[0].contains("cluster_instance"))
      out["cluster_instance"] = tasks[0]["cluster_instance"];
    out.erase("tasks");
  }
  return out;
}

}  // namespace dbk::emulator
