#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dbk/result.hpp"
#include "jobs/quartz_cron.hpp"
#include "runs/process_executor.hpp"
#include "runs/scripted_executor.hpp"

namespace dbk::emulator {

struct ServiceContext;
class ClusterManager;

/// What starts a run: jobs/run-now, runs/submit or a schedule.
struct RunRequest {
  nlohmann::json settings;           ///< stored (normalised) job settings, or the submit spec
  std::int64_t job_id = 0;           ///< 0 for runs/submit
  std::string run_type = "JOB_RUN";  ///< JOB_RUN, SUBMIT_RUN
  std::string trigger = "ONE_TIME";  ///< ONE_TIME, PERIODIC
  std::string run_name;
  std::string idempotency_token;
  nlohmann::json overriding_parameters = nlohmann::json::object();  ///< as sent by run-now
  nlohmann::json job_parameters = nlohmann::json::object();         ///< name → value
  std::optional<bool> queue_enabled;                                ///< run-now `queue`
  std::vector<std::string> only;                                    ///< run-now `only`
};

/// What jobs/runs/repair asks for (docs/emulator.md, "Repairing a run").
struct RepairRequest {
  std::int64_t run_id = 0;
  std::vector<std::string> rerun_tasks;
  bool rerun_all_failed_tasks = false;
  bool rerun_dependent_tasks = false;
  std::optional<std::int64_t> latest_repair_id;
  /// Parameter fields sent with the repair (as run-now takes them); each replaces the run's.
  nlohmann::json overriding_parameters = nlohmann::json::object();
  nlohmann::json job_parameters = nlohmann::json::object();
  /// The job's current settings (tasks are re-run with them); none for a one-time run.
  std::optional<nlohmann::json> job_settings;
};

/// The run engine (docs/reference/rest-api.md §3): keeps every run, advances their life
/// cycles on the emulated clock, starts task attempts on the executors, retries, times
/// out, queues or skips at max_concurrent_runs, fires schedules, and persists each run
/// on every change (store kind "run", one document per run holding its task runs).
///
/// Runs are JSON documents in the 2.1 Run shape; fields starting with '_' are private
/// and stripped by render_run().
class RunEngine {
 public:
  RunEngine(ServiceContext& context, ClusterManager& clusters);
  ~RunEngine();

  /// Loads runs; runs that were active when the emulator died are ended INTERNAL_ERROR
  /// with a state_message saying so (documented in docs/emulator.md).
  void recover();
  void start_background();
  void stop();
  void reset();

  ScriptedExecutor& scripts() { return scripts_; }

  /// Creates a run (or returns the run with the same idempotency token). 500 when the
  /// store cannot persist it.
  Result<nlohmann::json> create_run(const RunRequest& request);

  /// Advances every active run to the emulated now. Handlers call it before reading so
  /// that a test which advanced the clock sees the effect at once.
  void tick();

  /// A parent run, or a task run (run_id of a task attempt) in the Run shape.
  std::optional<nlohmann::json> find(std::int64_t run_id);
  /// Every parent run, newest first.
  std::vector<nlohmann::json> list();
  /// Re-runs tasks of a finished run in place (same run_id): returns {"repair_id": id}.
  Result<nlohmann::json> repair(const RepairRequest& request);
  Status cancel(std::int64_t run_id);
  Status cancel_all(std::int64_t job_id, bool all_queued_runs);
  Status remove(std::int64_t run_id);
  /// runs/get-output body (without rendering for the API version).
  Result<nlohmann::json> output(std::int64_t run_id);

  /// How to start a command execution context on an all-purpose cluster: it must be
  /// RUNNING (400 INVALID_STATE otherwise); its driver is started now if needed. Also the
  /// cluster's spark_context_id, which the context belongs to.
  Result<std::pair<DriverAttachment, std::int64_t>> context_process(const std::string& cluster_id);

  /// The job's settings changed or it was deleted: refresh its schedule.
  void job_changed(std::int64_t job_id);
  void job_deleted(std::int64_t job_id);

  /// The public view of a run for `api_version` (20, 21, 22); `repair_history` only when
  /// include_history is set (runs/get's parameter).
  static nlohmann::json render_run(const nlohmann::json& run, int api_version,
                                   bool include_history = false);

 private:
  using json = nlohmann::json;
  void tick_locked(std::int64_t now);
  bool advance(json& run, std::int64_t now);
  bool advance_task(json& run, json& task, std::int64_t now);
  void start_attempt(json& run, json& task, std::int64_t now);
  /// Keeps the warm clusters' drivers in step with the clusters' states.
  void sync_drivers(std::int64_t now);
  void handle_outcome(json& run, json& task, struct TaskOutcome outcome, std::int64_t now);
  void finish_task(json& task, const std::string& life, const std::string& result,
                   const std::string& message, std::int64_t now);
  void finish_run(json& run, std::int64_t now);
  void close_repair(json& run, std::int64_t now);
  bool has_slot(const json& run) const;
  void fire_schedules(std::int64_t now);
  Result<json> create_run_locked(const RunRequest& request, std::int64_t now);
  void persist(const json& run);
  void cancel_locked(json& run, const std::string& reason, std::int64_t now);
  std::int64_t new_id();
  std::string run_page_url(std::int64_t job_id, std::int64_t run_id) const;

  ServiceContext& context_;
  ClusterManager& clusters_;
  ScriptedExecutor scripts_;
  ProcessExecutor process_;

  std::mutex mutex_;
  std::map<std::int64_t, json> runs_;                 ///< parent runs by run_id
  std::set<std::int64_t> active_;                     ///< parent runs not yet terminal
  std::map<std::int64_t, std::int64_t> task_parent_;  ///< task run id → parent run id
  std::map<std::int64_t, std::unique_ptr<TaskAttempt>> attempts_;  ///< by task run id
  std::map<std::string, std::int64_t> tokens_;                     ///< idempotency token → run id
  struct Schedule {
    std::string key;  ///< cron + zone + pause, to notice changes
    std::optional<std::int64_t> next_ms;
  };
  std::map<std::int64_t, Schedule> schedules_;
  std::map<std::string, QuartzCron> cron_cache_;

  std::thread ticker_;
  std::atomic<bool> stop_{false};
};

}  // namespace dbk::emulator
