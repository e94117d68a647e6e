#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/http.hpp"
#include "dbk/models/jobs.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// Query of `jobs/list` (2.1+ paging; 2.0 ignores it and returns every job).
struct ListJobsRequest {
  std::optional<int> limit;
  std::optional<int> offset;
  std::optional<std::string> page_token;
  std::optional<std::string> name;  ///< exact, case-insensitive filter on the server
  bool expand_tasks = false;
};

/// Query of `jobs/runs/list`.
struct ListRunsRequest {
  std::optional<std::int64_t> job_id;
  bool active_only = false;
  bool completed_only = false;
  std::optional<int> limit;
  std::optional<int> offset;
  std::optional<std::string> page_token;
  std::optional<std::string> run_type;  ///< JOB_RUN, WORKFLOW_RUN, SUBMIT_RUN
  bool expand_tasks = false;
  std::optional<std::int64_t> start_time_from;
  std::optional<std::int64_t> start_time_to;
};

/// Body of `jobs/run-now` (docs/reference/rest-api.md §1.3). Unset fields are not sent.
struct RunNowRequest {
  std::int64_t job_id = 0;
  std::optional<std::map<std::string, std::string>> notebook_params;
  std::optional<std::vector<std::string>> jar_params;
  std::optional<std::vector<std::string>> python_params;
  std::optional<std::map<std::string, std::string>> python_named_params;
  std::optional<std::vector<std::string>> spark_submit_params;
  std::optional<std::map<std::string, std::string>> sql_params;
  std::optional<std::map<std::string, std::string>> job_parameters;
  std::optional<bool> queue;  ///< sent as {"queue": {"enabled": ...}}
  /// Generated (32 random hex digits) when absent, once per call, so that a
  /// retried request can never start a second run (§2.4).
  std::optional<std::string> idempotency_token;
  /// Other body fields (dbt_commands, only, pipeline_params, ...), merged last.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

/// Body of `jobs/runs/repair`: re-runs tasks of a finished run in place. One of rerun_tasks
/// or rerun_all_failed_tasks; latest_repair_id once the run has been repaired. Unset fields
/// are not sent.
struct RepairRunRequest {
  std::int64_t run_id = 0;
  std::vector<std::string> rerun_tasks;
  bool rerun_all_failed_tasks = false;
  bool rerun_dependent_tasks = false;
  std::optional<std::int64_t> latest_repair_id;
  std::optional<std::map<std::string, std::string>> notebook_params;
  std::optional<std::vector<std::string>> python_params;
  std::optional<std::map<std::string, std::string>> job_parameters;
  /// Other body fields (jar_params, sql_params, ...), merged last.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

/// A task run's output, for multi-task runs whose parent has none (§0.7, §6.10).
struct TaskRunOutput {
  std::string task_key;
  std::int64_t run_id = 0;
  std::optional<RunOutput> output;  ///< set when the call succeeded
  std::optional<ApiError> error;    ///< set when it failed
};

/// `/api/<version>/jobs/...`: "2.1" (default), "2.0" or "2.2" (Config::jobs_api_version);
/// any other version makes every call fail with CONFIG_ERROR. Thread-safe.
class JobsApi {
 public:
  explicit JobsApi(std::shared_ptr<const detail::ApiCaller> caller,
                   std::string api_version = "2.1");

  const std::string& api_version() const { return api_version_; }

  /// Creates a job. With 2.1 and later, 2.0-shaped single-task settings (top-level
  /// notebook_task, existing_cluster_id, ...) are converted to a one-element `tasks[]`.
  Result<std::int64_t> create(const nlohmann::ordered_json& settings,
                              const CallContext& context = {}) const;
  /// Replaces all settings (converted like create).
  Status reset(std::int64_t job_id, const nlohmann::ordered_json& new_settings,
               const CallContext& context = {}) const;
  Status update(std::int64_t job_id, const nlohmann::ordered_json& new_settings,
                const std::vector<std::string>& fields_to_remove = {},
                const CallContext& context = {}) const;
  Result<Job> get(std::int64_t job_id, const CallContext& context = {}) const;
  Result<JobsPage> list(const ListJobsRequest& request = {}, const CallContext& context = {}) const;
  /// Every job, following next_page_token (or offset when only has_more is given).
  Result<std::vector<Job>> list_all(ListJobsRequest request = {},
                                    const CallContext& context = {}) const;
  /// Jobs whose settings.name equals `name` exactly.
  Result<std::vector<Job>> find_by_name(const std::string& name,
                                        const CallContext& context = {}) const;
  Status delete_job(std::int64_t job_id, const CallContext& context = {}) const;

  Result<RunSubmitted> run_now(const RunNowRequest& request, const CallContext& context = {}) const;
  /// One-time run; 2.0-shaped settings are converted like create. An
  /// idempotency_token is generated when the settings carry none.
  Result<RunSubmitted> runs_submit(const nlohmann::ordered_json& settings,
                                   const CallContext& context = {}) const;
  Result<Run> runs_get(std::int64_t run_id, const CallContext& context = {}) const;
  Result<RunsPage> runs_list(const ListRunsRequest& request = {},
                             const CallContext& context = {}) const;
  Result<std::vector<Run>> runs_list_all(ListRunsRequest request = {},
                                         const CallContext& context = {}) const;
  Status runs_cancel(std::int64_t run_id, const CallContext& context = {}) const;
  /// `runs/repair`; returns the repair_id (wait with wait_for_run on the same run_id).
  Result<std::int64_t> runs_repair(const RepairRunRequest& request,
                                   const CallContext& context = {}) const;
  Status runs_cancel_all(std::int64_t job_id, bool all_queued_runs = false,
                         const CallContext& context = {}) const;
  Status runs_delete(std::int64_t run_id, const CallContext& context = {}) const;
  /// `runs/get-output` on exactly this run id (fails on a multi-task parent).
  Result<RunOutput> runs_get_output(std::int64_t run_id, const CallContext& context = {}) const;
  /// Output of a run, resolving a single-task parent to its task run first.
  /// A run with several tasks gives INVALID_ARGUMENT (use runs_get_task_outputs).
  Result<RunOutput> runs_get_output_resolved(std::int64_t run_id,
                                             const CallContext& context = {}) const;
  /// The same for a run already fetched (e.g. by wait_for_run), without fetching it again.
  Result<RunOutput> runs_get_output_resolved(const Run& run, const CallContext& context = {}) const;
  /// Output of every task of a run (one entry for a run without tasks[]), in task order.
  Result<std::vector<TaskRunOutput>> runs_get_task_outputs(std::int64_t run_id,
                                                           const CallContext& context = {}) const;
  /// `runs/export`; views_to_export: CODE, DASHBOARDS or ALL.
  Result<std::vector<ExportedView>> runs_export(std::int64_t run_id,
                                                const std::string& views_to_export = "CODE",
                                                const CallContext& context = {}) const;

 private:
  using Query = std::vector<std::pair<std::string, std::string>>;
  // Every call goes through these two, which refuse an unsupported api_version.
  Result<nlohmann::ordered_json> get_json(const std::string& endpoint, const Query& query,
                                          const CallContext& context) const;
  Result<nlohmann::ordered_json> post_json(const std::string& endpoint,
                                           const nlohmann::ordered_json& body,
                                           Idempotency idempotency,
                                           const CallContext& context) const;
  /// get_json that follows next_page_token and concatenates the paged arrays.
  Result<nlohmann::ordered_json> get_all_pages(const std::string& endpoint, const Query& query,
                                               const CallContext& context) const;

  std::shared_ptr<const detail::ApiCaller> caller_;
  std::string api_version_;
};

/// Converts 2.0-shaped single-task job settings to the 2.1 multi-task shape: the
/// task type, cluster, libraries and retry fields move into `tasks[0]`, whose
/// task_key is the job (or run) name with characters outside [A-Za-z0-9_-] replaced
/// by '_' ("main" when unnamed); everything else stays on the job. Settings that
/// already have `tasks` (or no task field) come back unchanged.
nlohmann::ordered_json convert_job_settings_to_2_1(const nlohmann::ordered_json& settings);

}  // namespace dbk
