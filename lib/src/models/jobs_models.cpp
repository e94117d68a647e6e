#include "dbk/models/jobs.hpp"
#include "models/json_fields.hpp"

namespace dbk {

std::string Job::name() const {
  return detail::string_field(settings, "name");
}

bool RunState::is_terminal() const {
  // docs/reference/rest-api.md §3.2
  return life_cycle_state == life_cycle_states::kTerminated ||
         life_cycle_state == life_cycle_states::kSkipped ||
         life_cycle_state == life_cycle_states::kInternalError;
}

void from_json(const nlohmann::ordered_json& j, Job& job) {
  using namespace detail;
  job.job_id = int_field(j, "job_id");
  job.creator_user_name = string_field(j, "creator_user_name");
  job.run_as_user_name = string_field(j, "run_as_user_name");
  job.created_time = int_field(j, "created_time");
  job.settings = object_field(j, "settings");
  if (job.settings.is_null()) job.settings = nlohmann::ordered_json::object();
  job.raw = j;
}

void to_json(nlohmann::ordered_json& j, const Job& job) {
  if (job.raw.is_object()) {
    j = job.raw;
    return;
  }
  j = nlohmann::ordered_json::object();
  j["job_id"] = job.job_id;
  if (!job.creator_user_name.empty()) j["creator_user_name"] = job.creator_user_name;
  if (job.created_time != 0) j["created_time"] = job.created_time;
  j["settings"] = job.settings;
}

void from_json(const nlohmann::ordered_json& j, RunState& state) {
  using namespace detail;
  state.life_cycle_state = string_field(j, "life_cycle_state");
  state.result_state = optional_string_field(j, "result_state");
  state.state_message = string_field(j, "state_message");
  state.user_cancelled_or_timedout = bool_field(j, "user_cancelled_or_timedout");
  state.raw = j;
}

void to_json(nlohmann::ordered_json& j, const RunState& state) {
  if (state.raw.is_object()) {
    j = state.raw;
    return;
  }
  j = nlohmann::ordered_json::object();
  j["life_cycle_state"] = state.life_cycle_state;
  if (state.result_state) j["result_state"] = *state.result_state;
  j["state_message"] = state.state_message;
  j["user_cancelled_or_timedout"] = state.user_cancelled_or_timedout;
}

void from_json(const nlohmann::ordered_json& j, RunTask& task) {
  using namespace detail;
  task.task_key = string_field(j, "task_key");
  task.run_id = int_field(j, "run_id");
  from_json(object_field(j, "state"), task.state);
  task.start_time = int_field(j, "start_time");
  task.end_time = int_field(j, "end_time");
  task.raw = j;
}

void to_json(nlohmann::ordered_json& j, const RunTask& task) {
  if (task.raw.is_object()) {
    j = task.raw;
    return;
  }
  j = nlohmann::ordered_json::object();
  j["task_key"] = task.task_key;
  j["run_id"] = task.run_id;
  j["state"] = task.state;
}

void from_json(const nlohmann::ordered_json& j, Run& run) {
  using namespace detail;
  run.run_id = int_field(j, "run_id");
  run.job_id = int_field(j, "job_id");
  run.number_in_job = int_field(j, "number_in_job");
  run.run_name = string_field(j, "run_name");
  run.run_page_url = string_field(j, "run_page_url");
  from_json(object_field(j, "state"), run.state);
  run.tasks = list_field<RunTask>(j, "tasks");
  run.start_time = int_field(j, "start_time");
  run.end_time = int_field(j, "end_time");
  run.raw = j;
}

void to_json(nlohmann::ordered_json& j, const Run& run) {
  if (run.raw.is_object()) {
    j = run.raw;
    return;
  }
  j = nlohmann::ordered_json::object();
  j["run_id"] = run.run_id;
  if (run.job_id != 0) j["job_id"] = run.job_id;
  if (run.number_in_job != 0) j["number_in_job"] = run.number_in_job;
  if (!run.run_name.empty()) j["run_name"] = run.run_name;
  if (!run.run_page_url.empty()) j["run_page_url"] = run.run_page_url;
  j["state"] = run.state;
  if (!run.tasks.empty()) j["tasks"] = run.tasks;
}

void from_json(const nlohmann::ordered_json& j, RunOutput& output) {
  using namespace detail;
  const auto& notebook = object_field(j, "notebook_output");
  if (notebook.is_object()) {
    NotebookOutput out;
    out.result = optional_string_field(notebook, "result");
    out.truncated = bool_field(notebook, "truncated");
    output.notebook_output = out;
  } else {
    output.notebook_output.reset();
  }
  output.error = optional_string_field(j, "error");
  output.error_trace = optional_string_field(j, "error_trace");
  output.logs = optional_string_field(j, "logs");
  output.logs_truncated = bool_field(j, "logs_truncated");
  const auto& metadata = object_field(j, "metadata");
  if (metadata.is_object()) {
    Run run;
    from_json(metadata, run);
    output.metadata = std::move(run);
  } else {
    output.metadata.reset();
  }
  output.raw = j;
}

void to_json(nlohmann::ordered_json& j, const RunOutput& output) {
  if (output.raw.is_object()) {
    j = output.raw;
    return;
  }
  j = nlohmann::ordered_json::object();
  if (output.notebook_output) {
    auto& notebook = j["notebook_output"] = nlohmann::ordered_json::object();
    if (output.notebook_output->result) notebook["result"] = *output.notebook_output->result;
    if (output.notebook_output->truncated) notebook["truncated"] = true;
  }
  if (output.error) j["error"] = *output.error;
  if (output.error_trace) j["error_trace"] = *output.error_trace;
  if (output.logs) j["logs"] = *output.logs;
  if (output.metadata) j["metadata"] = *output.metadata;
}

void from_json(const nlohmann::ordered_json& j, ExportedView& view) {
  using namespace detail;
  view.name = string_field(j, "name");
  view.type = string_field(j, "type");
  view.content = string_field(j, "content");
  view.raw = j;
}

void to_json(nlohmann::ordered_json& j, const ExportedView& view) {
  if (view.raw.is_object()) {
    j = view.raw;
    return;
  }
  j = nlohmann::ordered_json{{"content", view.content}, {"name", view.name}, {"type", view.type}};
}

}  // namespace dbk
