#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dbk::emulator {

/// Everything an executor needs to start one attempt of one task.
struct TaskLaunch {
  std::int64_t task_run_id = 0;
  std::int64_t job_id = 0;  ///< 0 for runs/submit
  std::string task_key;
  std::string task_type;      ///< "notebook_task", "spark_python_task", ...
  nlohmann::json task;        ///< the task settings with parameters resolved
  nlohmann::json parameters;  ///< notebook widgets: base_parameters + job/run-now params
  std::int64_t timeout_seconds = 0;
  std::int64_t now_ms = 0;  ///< emulated start time
  /// Folders of the libraries installed on the task's cluster, for its PYTHONPATH.
  std::vector<std::filesystem::path> python_path;
  /// The task's cluster. On an all-purpose cluster (warm_cluster) the task attaches to the
  /// cluster's long-lived driver of this Spark context; on a job cluster it starts its own.
  std::string cluster_id;
  std::int64_t spark_context_id = 0;
  bool warm_cluster = false;
};

/// How an attempt ended. `life_cycle_state` is TERMINATED or INTERNAL_ERROR.
struct TaskOutcome {
  std::string life_cycle_state = "TERMINATED";
  std::string result_state;  ///< SUCCESS or FAILED (the engine sets CANCELED / TIMEDOUT)
  std::string state_message;
  nlohmann::json notebook_output;  ///< {result, truncated} or null
  std::string error;
  std::string error_trace;
  std::string logs;
};

/// One running attempt. The engine polls it from its tick (under its own lock), so
/// implementations need no locking of their own.
class TaskAttempt {
 public:
  virtual ~TaskAttempt() = default;
  /// The outcome once the attempt has finished (then never called again).
  virtual std::optional<TaskOutcome> poll(std::int64_t now_ms) = 0;
  /// Begins stopping (cancel or timeout); poll() reports the end later.
  virtual void cancel() = 0;
};

/// Starts attempts of the task types it handles. A start that cannot work (missing
/// interpreter, unsupported type) still returns an attempt, one that ends FAILED at once,
/// so every failure reaches the run as a state_message.
class TaskExecutor {
 public:
  virtual ~TaskExecutor() = default;
  virtual std::unique_ptr<TaskAttempt> start(const TaskLaunch& launch) = 0;
  /// Shutdown: stop every attempt still running.
  virtual void stop() {}
};

/// An attempt that is over before it began.
class FinishedAttempt : public TaskAttempt {
 public:
  explicit FinishedAttempt(TaskOutcome outcome) : outcome_(std::move(outcome)) {}
  std::optional<TaskOutcome> poll(std::int64_t) override { return outcome_; }
  void cancel() override {}

 private:
  TaskOutcome outcome_;
};

inline TaskOutcome failed_outcome(std::string state_message, std::string error = {}) {
  TaskOutcome outcome;
  outcome.result_state = "FAILED";
  outcome.state_message = std::move(state_message);
  outcome.error = error.empty() ? outcome.state_message : std::move(error);
  return outcome;
}

}  // namespace dbk::emulator
