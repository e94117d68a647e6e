#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dbk {

/// Run life-cycle and result states (docs/reference/rest-api.md §3.2/§3.3).
/// Strings, not enums: "additional states might be introduced".
namespace life_cycle_states {
inline constexpr const char* kQueued = "QUEUED";
inline constexpr const char* kPending = "PENDING";
inline constexpr const char* kRunning = "RUNNING";
inline constexpr const char* kTerminating = "TERMINATING";
inline constexpr const char* kTerminated = "TERMINATED";
inline constexpr const char* kSkipped = "SKIPPED";
inline constexpr const char* kInternalError = "INTERNAL_ERROR";
inline constexpr const char* kBlocked = "BLOCKED";
inline constexpr const char* kWaitingForRetry = "WAITING_FOR_RETRY";
}  // namespace life_cycle_states

namespace result_states {
inline constexpr const char* kSuccess = "SUCCESS";
inline constexpr const char* kFailed = "FAILED";
inline constexpr const char* kTimedOut = "TIMEDOUT";
inline constexpr const char* kCanceled = "CANCELED";
}  // namespace result_states

/// A job as returned by `jobs/get` and `jobs/list`.
struct Job {
  std::int64_t job_id = 0;
  std::string creator_user_name;
  std::string run_as_user_name;
  std::int64_t created_time = 0;
  nlohmann::ordered_json settings;  ///< JobSettings as sent by the server
  nlohmann::ordered_json raw;

  /// settings.name, or "" when absent.
  std::string name() const;
};

struct RunState {
  std::string life_cycle_state;
  std::optional<std::string>
      result_state;  ///< absent while running and on some INTERNAL_ERRORs (§3.3)
  std::string state_message;
  bool user_cancelled_or_timedout = false;
  nlohmann::ordered_json raw;

  /// TERMINATED, SKIPPED or INTERNAL_ERROR (docs/reference/rest-api.md §3.2).
  bool is_terminal() const;
};

/// One task of a multi-task run; its `run_id` is what `runs/get-output` wants (§0.7).
struct RunTask {
  std::string task_key;
  std::int64_t run_id = 0;
  RunState state;
  std::int64_t start_time = 0;
  std::int64_t end_time = 0;
  nlohmann::ordered_json raw;
};

struct Run {
  std::int64_t run_id = 0;
  std::int64_t job_id = 0;
  std::int64_t number_in_job = 0;
  std::string run_name;
  std::string run_page_url;
  RunState state;
  std::vector<RunTask> tasks;  ///< empty for 2.0 single-task runs
  std::int64_t start_time = 0;
  std::int64_t end_time = 0;
  nlohmann::ordered_json raw;
};

struct NotebookOutput {
  std::optional<std::string> result;  ///< value given to dbutils.notebook.exit(), if any
  bool truncated = false;
};

/// Answer of `runs/get-output`. Failure text lives in `error`/`error_trace` (§1.3).
struct RunOutput {
  std::optional<NotebookOutput> notebook_output;
  std::optional<std::string> error;
  std::optional<std::string> error_trace;
  std::optional<std::string> logs;
  bool logs_truncated = false;
  std::optional<Run> metadata;
  nlohmann::ordered_json raw;
};

/// Answer of `jobs/run-now` and `jobs/runs/submit`.
struct RunSubmitted {
  std::int64_t run_id = 0;
  std::optional<std::int64_t> number_in_job;  ///< run-now only
  nlohmann::ordered_json raw;
};

/// One page of `jobs/list`.
struct JobsPage {
  std::vector<Job> jobs;
  bool has_more = false;
  std::string next_page_token;
  std::string prev_page_token;
  nlohmann::ordered_json raw;
};

/// One page of `jobs/runs/list`.
struct RunsPage {
  std::vector<Run> runs;
  bool has_more = false;
  std::string next_page_token;
  std::string prev_page_token;
  nlohmann::ordered_json raw;
};

/// One view of `jobs/runs/export`.
struct ExportedView {
  std::string name;
  std::string type;     ///< NOTEBOOK or DASHBOARD
  std::string content;  ///< HTML
  nlohmann::ordered_json raw;
};

void from_json(const nlohmann::ordered_json& j, Job& job);
void to_json(nlohmann::ordered_json& j, const Job& job);
void from_json(const nlohmann::ordered_json& j, RunState& state);
void to_json(nlohmann::ordered_json& j, const RunState& state);
void from_json(const nlohmann::ordered_json& j, RunTask& task);
void to_json(nlohmann::ordered_json& j, const RunTask& task);
void from_json(const nlohmann::ordered_json& j, Run& run);
void to_json(nlohmann::ordered_json& j, const Run& run);
void from_json(const nlohmann::ordered_json& j, RunOutput& output);
void to_json(nlohmann::ordered_json& j, const RunOutput& output);
void from_json(const nlohmann::ordered_json& j, ExportedView& view);
void to_json(nlohmann::ordered_json& j, const ExportedView& view);

}  // namespace dbk
