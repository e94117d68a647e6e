#include <algorithm>
#include <set>

#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/jobs.hpp"
#include "idempotency.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {

// Fields of a 2.0 single-task job that belong to the task in 2.1; everything else
// (name, schedule, max_concurrent_runs, email_notifications, timeout_seconds, tags,
// ...) stays on the job, as the Jobs 2.0→2.1 update guide shows.
constexpr const char* kTaskTypeFields[] = {
    "notebook_task",     "spark_jar_task", "spark_python_task",
    "spark_submit_task", "pipeline_task",  "python_wheel_task",
    "sql_task",          "dbt_task",       "run_job_task",
};
constexpr const char* kTaskOnlyFields[] = {
    "existing_cluster_id",       "new_cluster",      "job_cluster_key", "libraries", "max_retries",
    "min_retry_interval_millis", "retry_on_timeout",
};
constexpr int kMaxPages = 10000;
// Largest page every server generation accepts for both jobs/list and runs/list
// (docs/reference/rest-api.md §1.3: jobs ≤ 25 on older docs, runs 1–25).
constexpr int kPageSize = 25;

bool contains(const char* const* begin, const char* const* end, const std::string& key) {
  return std::any_of(begin, end, [&](const char* field) { return key == field; });
}

// task_key must match [\w-]+ and be at most 100 characters.
std::string task_key_from(const std::string& name) {
  std::string key;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    key.push_back(ok ? c : '_');
    if (key.size() == 100) break;
  }
  return key.empty() ? std::string("main") : key;
}

Result<nlohmann::ordered_json> require_object(const nlohmann::ordered_json& settings,
                                              const char* what) {
  if (!settings.is_object()) {
    return make_error(error_codes::kInvalidArgument,
                      std::string(what) + " must be a JSON object, got " + settings.type_name());
  }
  return settings;
}

void add_query(detail::Query& query, const char* key, const std::optional<int>& value) {
  if (value) query.emplace_back(key, std::to_string(*value));
}
void add_query(detail::Query& query, const char* key, const std::optional<std::int64_t>& value) {
  if (value) query.emplace_back(key, std::to_string(*value));
}
void add_query(detail::Query& query, const char* key, const std::optional<std::string>& value) {
  if (value) query.emplace_back(key, *value);
}
void add_query(detail::Query& query, const char* key, bool value) {
  if (value) query.emplace_back(key, "true");
}

struct PageLinks {
  bool has_more = false;
  std::string next_page_token;
};

// Shared by list_all and runs_list_all: follow next_page_token when given, else
// advance the offset while has_more (older servers), never looping forever.
template <typename Item, typename Request, typename FetchPage>
Result<std::vector<Item>> collect_pages(Request request, FetchPage fetch) {
  std::vector<Item> all;
  std::set<std::string> seen_tokens;
  if (!request.limit) request.limit = kPageSize;
  for (int page = 0; page < kMaxPages; ++page) {
    std::vector<Item> items;
    PageLinks links;
    auto status = fetch(request, items, links);
    if (!status) return std::move(status).error();
    const std::size_t count = items.size();
    all.insert(all.end(), std::make_move_iterator(items.begin()),
               std::make_move_iterator(items.end()));
    if (!links.next_page_token.empty()) {
      if (!seen_tokens.insert(links.next_page_token).second) break;
      request.page_token = links.next_page_token;
      request.offset.reset();
    } else if (links.has_more && count > 0 && !request.page_token) {
      request.offset = request.offset.value_or(0) + static_cast<int>(count);
    } else {
      break;
    }
  }
  return all;
}

}  // namespace

nlohmann::ordered_json convert_job_settings_to_2_1(const nlohmann::ordered_json& settings) {
  if (!settings.is_object() || settings.contains("tasks")) return settings;
  const auto is_task_type = [](const std::string& key) {
    return contains(std::begin(kTaskTypeFields), std::end(kTaskTypeFields), key);
  };
  bool single_task = false;
  for (const auto& item : settings.items()) single_task = single_task || is_task_type(item.key());
  if (!single_task) return settings;

  std::string name = detail::string_field(settings, "name");
  if (name.empty()) name = detail::string_field(settings, "run_name");
  nlohmann::ordered_json task = nlohmann::ordered_json::object();
  task["task_key"] = task_key_from(name);
  nlohmann::ordered_json job = nlohmann::ordered_json::object();
  for (const auto& item : settings.items()) {
    if (is_task_type(item.key()) ||
        contains(std::begin(kTaskOnlyFields), std::end(kTaskOnlyFields), item.key())) {
      task[item.key()] = item.value();
    } else {
      job[item.key()] = item.value();
    }
  }
  job["tasks"] = nlohmann::ordered_json::array({task});
  return job;
}

JobsApi::JobsApi(std::shared_ptr<const detail::ApiCaller> caller, std::string api_version)
    : caller_(std::move(caller)), api_version_(std::move(api_version)) {
  if (api_version_.empty()) api_version_ = "2.1";
}

namespace {
// docs/reference/rest-api.md §1.3: Jobs exist as 2.0, 2.1 and 2.2.
Status check_version(const std::string& version) {
  if (version == "2.0" || version == "2.1" || version == "2.2") return {};
  return make_error(error_codes::kConfigError,
                    "unsupported jobs API version '" + version + "' (use 2.0, 2.1 or 2.2)");
}
}  // namespace

Result<nlohmann::ordered_json> JobsApi::get_json(const std::string& endpoint, const Query& query,
                                                 const CallContext& context) const {
  if (auto valid = check_version(api_version_); !valid) return std::move(valid).error();
  return caller_->get("/api/" + api_version_ + "/jobs/" + endpoint, query, context);
}

Result<nlohmann::ordered_json> JobsApi::post_json(const std::string& endpoint,
                                                  const nlohmann::ordered_json& body,
                                                  Idempotency idempotency,
                                                  const CallContext& context) const {
  if (auto valid = check_version(api_version_); !valid) return std::move(valid).error();
  return caller_->post("/api/" + api_version_ + "/jobs/" + endpoint, body, idempotency, context);
}

namespace {
// Appends the arrays of a later page to the accumulated object, recursing into
// objects (jobs/get pages settings.tasks); scalars of the first page win.
void merge_page(nlohmann::ordered_json& into, const nlohmann::ordered_json& page) {
  for (const auto& item : page.items()) {
    if (item.key() == "next_page_token" || item.key() == "prev_page_token") continue;
    auto it = into.find(item.key());
    if (it == into.end()) {
      into[item.key()] = item.value();
    } else if (it->is_array() && item.value().is_array()) {
      for (const auto& element : item.value()) it->push_back(element);
    } else if (it->is_object() && item.value().is_object()) {
      merge_page(*it, item.value());
    }
  }
}
}  // namespace

Result<nlohmann::ordered_json> JobsApi::get_all_pages(const std::string& endpoint,
                                                      const Query& query,
                                                      const CallContext& context) const {
  // Jobs 2.2 pages array fields over 100 elements of jobs/get and runs/get with
  // next_page_token (docs/reference/rest-api.md §1.3); older versions send none.
  auto first = get_json(endpoint, query, context);
  if (!first) return first;
  std::string token = detail::string_field(*first, "next_page_token");
  std::set<std::string> seen;
  for (int page = 0; !token.empty() && seen.insert(token).second && page < kMaxPages; ++page) {
    Query next = query;
    next.emplace_back("page_token", token);
    auto more = get_json(endpoint, next, context);
    if (!more) return more;
    merge_page(*first, *more);
    token = detail::string_field(*more, "next_page_token");
  }
  if (first->is_object()) {
    first->erase("next_page_token");
    first->erase("prev_page_token");
  }
  return first;
}

Result<std::int64_t> JobsApi::create(const nlohmann::ordered_json& settings,
                                     const CallContext& context) const {
  auto body = require_object(settings, "job settings");
  if (!body) return std::move(body).error();
  if (api_version_ != "2.0") *body = convert_job_settings_to_2_1(*body);
  // The service deduplicates no job creation: a replay could create a second job.
  auto response = post_json("create", *body, Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  auto job_id = detail::optional_int_field(*response, "job_id");
  if (!job_id) return make_error(error_codes::kInvalidResponse, "jobs/create returned no job_id");
  return *job_id;
}

Status JobsApi::reset(std::int64_t job_id, const nlohmann::ordered_json& new_settings,
                      const CallContext& context) const {
  auto settings = require_object(new_settings, "new_settings");
  if (!settings) return std::move(settings).error();
  nlohmann::ordered_json body;
  body["job_id"] = job_id;
  body["new_settings"] = api_version_ == "2.0" ? *settings : convert_job_settings_to_2_1(*settings);
  return detail::to_status(post_json("reset", body, Idempotency::kIdempotent, context));
}

Status JobsApi::update(std::int64_t job_id, const nlohmann::ordered_json& new_settings,
                       const std::vector<std::string>& fields_to_remove,
                       const CallContext& context) const {
  nlohmann::ordered_json body;
  body["job_id"] = job_id;
  if (!new_settings.is_null()) {
    auto settings = require_object(new_settings, "new_settings");
    if (!settings) return std::move(settings).error();
    body["new_settings"] =
        api_version_ == "2.0" ? *settings : convert_job_settings_to_2_1(*settings);
  }
  if (!fields_to_remove.empty()) body["fields_to_remove"] = fields_to_remove;
  return detail::to_status(post_json("update", body, Idempotency::kIdempotent, context));
}

Result<Job> JobsApi::get(std::int64_t job_id, const CallContext& context) const {
  auto response = get_all_pages("get", {{"job_id", std::to_string(job_id)}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<Job>(*response, "jobs/get");
}

Result<JobsPage> JobsApi::list(const ListJobsRequest& request, const CallContext& context) const {
  detail::Query query;
  add_query(query, "limit", request.limit);
  add_query(query, "offset", request.offset);
  add_query(query, "page_token", request.page_token);
  add_query(query, "name", request.name);
  add_query(query, "expand_tasks", request.expand_tasks);
  auto response = get_json("list", query, context);
  if (!response) return std::move(response).error();
  JobsPage page;
  page.jobs = detail::list_field<Job>(*response, "jobs");
  page.has_more = detail::bool_field(*response, "has_more");
  page.next_page_token = detail::string_field(*response, "next_page_token");
  page.prev_page_token = detail::string_field(*response, "prev_page_token");
  page.raw = std::move(*response);
  return page;
}

Result<std::vector<Job>> JobsApi::list_all(ListJobsRequest request,
                                           const CallContext& context) const {
  if (api_version_ == "2.0") {
    // 2.0 has no paging: one call returns every job (docs/reference/rest-api.md §1.3).
    auto page = list(request, context);
    if (!page) return std::move(page).error();
    return std::move(page->jobs);
  }
  return collect_pages<Job>(
      std::move(request),
      [this, &context](const ListJobsRequest& r, std::vector<Job>& items, PageLinks& links) {
        auto page = list(r, context);
        if (!page) return Status(std::move(page).error());
        items = std::move(page->jobs);
        links = {page->has_more, page->next_page_token};
        return Status();
      });
}

Result<std::vector<Job>> JobsApi::find_by_name(const std::string& name,
                                               const CallContext& context) const {
  ListJobsRequest request;
  // The server filter is case-insensitive; the exact comparison below decides.
  if (api_version_ != "2.0") request.name = name;
  auto jobs = list_all(request, context);
  if (!jobs) return std::move(jobs).error();
  std::vector<Job> matches;
  for (auto& job : *jobs) {
    if (job.name() == name) matches.push_back(std::move(job));
  }
  return matches;
}

Status JobsApi::delete_job(std::int64_t job_id, const CallContext& context) const {
  return detail::to_delete_status(
      post_json("delete", {{"job_id", job_id}}, Idempotency::kIdempotent, context));
}

namespace {
Result<RunSubmitted> parse_submitted(Result<nlohmann::ordered_json> response, const char* what) {
  if (!response) return std::move(response).error();
  auto run_id = detail::optional_int_field(*response, "run_id");
  if (!run_id) {
    return make_error(error_codes::kInvalidResponse, std::string(what) + " returned no run_id");
  }
  RunSubmitted submitted;
  submitted.run_id = *run_id;
  submitted.number_in_job = detail::optional_int_field(*response, "number_in_job");
  submitted.raw = std::move(*response);
  return submitted;
}
}  // namespace

Result<RunSubmitted> JobsApi::run_now(const RunNowRequest& request,
                                      const CallContext& context) const {
  nlohmann::ordered_json body;
  body["job_id"] = request.job_id;
  if (request.notebook_params) body["notebook_params"] = *request.notebook_params;
  if (request.jar_params) body["jar_params"] = *request.jar_params;
  if (request.python_params) body["python_params"] = *request.python_params;
  if (request.python_named_params) body["python_named_params"] = *request.python_named_params;
  if (request.spark_submit_params) body["spark_submit_params"] = *request.spark_submit_params;
  if (request.sql_params) body["sql_params"] = *request.sql_params;
  if (request.job_parameters) body["job_parameters"] = *request.job_parameters;
  if (request.queue) body["queue"] = {{"enabled", *request.queue}};
  // One token per logical call: the retrying transport replays this exact body,
  // so a retry finds the run already started instead of starting another (§2.4).
  body["idempotency_token"] = request.idempotency_token.value_or(detail::make_idempotency_token());
  if (request.extra.is_object()) {
    for (const auto& item : request.extra.items()) body[item.key()] = item.value();
  }
  return parse_submitted(post_json("run-now", body, detail::idempotency_by_token(body), context),
                         "jobs/run-now");
}

Result<RunSubmitted> JobsApi::runs_submit(const nlohmann::ordered_json& settings,
                                          const CallContext& context) const {
  auto body = require_object(settings, "run settings");
  if (!body) return std::move(body).error();
  if (api_version_ != "2.0") *body = convert_job_settings_to_2_1(*body);
  if (!body->contains("idempotency_token")) {
    (*body)["idempotency_token"] = detail::make_idempotency_token();
  }
  return parse_submitted(
      post_json("runs/submit", *body, detail::idempotency_by_token(*body), context),
      "jobs/runs/submit");
}

Result<Run> JobsApi::runs_get(std::int64_t run_id, const CallContext& context) const {
  auto response = get_all_pages("runs/get", {{"run_id", std::to_string(run_id)}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<Run>(*response, "jobs/runs/get");
}

Result<RunsPage> JobsApi::runs_list(const ListRunsRequest& request,
                                    const CallContext& context) const {
  detail::Query query;
  add_query(query, "job_id", request.job_id);
  add_query(query, "active_only", request.active_only);
  add_query(query, "completed_only", request.completed_only);
  add_query(query, "limit", request.limit);
  add_query(query, "offset", request.offset);
  add_query(query, "page_token", request.page_token);
  add_query(query, "run_type", request.run_type);
  add_query(query, "expand_tasks", request.expand_tasks);
  add_query(query, "start_time_from", request.start_time_from);
  add_query(query, "start_time_to", request.start_time_to);
  auto response = get_json("runs/list", query, context);
  if (!response) return std::move(response).error();
  RunsPage page;
  page.runs = detail::list_field<Run>(*response, "runs");
  page.has_more = detail::bool_field(*response, "has_more");
  page.next_page_token = detail::string_field(*response, "next_page_token");
  page.prev_page_token = detail::string_field(*response, "prev_page_token");
  page.raw = std::move(*response);
  return page;
}

Result<std::vector<Run>> JobsApi::runs_list_all(ListRunsRequest request,
                                                const CallContext& context) const {
  return collect_pages<Run>(
      std::move(request),
      [this, &context](const ListRunsRequest& r, std::vector<Run>& items, PageLinks& links) {
        auto page = runs_list(r, context);
        if (!page) return Status(std::move(page).error());
        items = std::move(page->runs);
        links = {page->has_more, page->next_page_token};
        return Status();
      });
}

Status JobsApi::runs_cancel(std::int64_t run_id, const CallContext& context) const {
  return detail::to_status(
      post_json("runs/cancel", {{"run_id", run_id}}, Idempotency::kIdempotent, context));
}

Result<std::int64_t> JobsApi::runs_repair(const RepairRunRequest& request,
                                          const CallContext& context) const {
  nlohmann::ordered_json body;
  body["run_id"] = request.run_id;
  if (!request.rerun_tasks.empty()) body["rerun_tasks"] = request.rerun_tasks;
  if (request.rerun_all_failed_tasks) body["rerun_all_failed_tasks"] = true;
  if (request.rerun_dependent_tasks) body["rerun_dependent_tasks"] = true;
  if (request.latest_repair_id) body["latest_repair_id"] = *request.latest_repair_id;
  if (request.notebook_params) body["notebook_params"] = *request.notebook_params;
  if (request.python_params) body["python_params"] = *request.python_params;
  if (request.job_parameters) body["job_parameters"] = *request.job_parameters;
  if (request.extra.is_object()) {
    for (const auto& item : request.extra.items()) body[item.key()] = item.value();
  }
  // Not replayed: a repair whose answer was lost may already be re-running the tasks.
  auto response = post_json("runs/repair", body, Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  auto repair_id = detail::optional_int_field(*response, "repair_id");
  if (!repair_id) {
    return make_error(error_codes::kInvalidResponse, "jobs/runs/repair returned no repair_id");
  }
  return *repair_id;
}

Status JobsApi::runs_cancel_all(std::int64_t job_id, bool all_queued_runs,
                                const CallContext& context) const {
  nlohmann::ordered_json body;
  body["job_id"] = job_id;
  if (all_queued_runs) body["all_queued_runs"] = true;
  return detail::to_status(post_json("runs/cancel-all", body, Idempotency::kIdempotent, context));
}

Status JobsApi::runs_delete(std::int64_t run_id, const CallContext& context) const {
  return detail::to_delete_status(
      post_json("runs/delete", {{"run_id", run_id}}, Idempotency::kIdempotent, context));
}

Result<RunOutput> JobsApi::runs_get_output(std::int64_t run_id, const CallContext& context) const {
  auto response = get_json("runs/get-output", {{"run_id", std::to_string(run_id)}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<RunOutput>(*response, "jobs/runs/get-output");
}

Result<RunOutput> JobsApi::runs_get_output_resolved(std::int64_t run_id,
                                                    const CallContext& context) const {
  auto run = runs_get(run_id, context);
  if (!run) return std::move(run).error();
  return runs_get_output_resolved(*run, context);
}

Result<RunOutput> JobsApi::runs_get_output_resolved(const Run& run,
                                                    const CallContext& context) const {
  // The service refuses get-output on a multi-task parent (docs/reference/rest-api.md §0.7), so
  // ask for its only task's output.
  if (run.tasks.empty()) return runs_get_output(run.run_id, context);
  if (run.tasks.size() == 1) return runs_get_output(run.tasks.front().run_id, context);
  std::string tasks;
  for (const auto& task : run.tasks) {
    tasks +=
        (tasks.empty() ? "" : ", ") + task.task_key + " (run " + std::to_string(task.run_id) + ")";
  }
  return make_error(error_codes::kInvalidArgument,
                    "run " + std::to_string(run.run_id) + " has " +
                        std::to_string(run.tasks.size()) +
                        " tasks; get the output of each task run instead: " + tasks);
}

Result<std::vector<TaskRunOutput>> JobsApi::runs_get_task_outputs(
    std::int64_t run_id, const CallContext& context) const {
  auto run = runs_get(run_id, context);
  if (!run) return std::move(run).error();
  std::vector<TaskRunOutput> outputs;
  if (run->tasks.empty()) {
    outputs.push_back({"", run_id, std::nullopt, std::nullopt});
  } else {
    for (const auto& task : run->tasks) outputs.push_back({task.task_key, task.run_id, {}, {}});
  }
  for (auto& entry : outputs) {
    auto output = runs_get_output(entry.run_id, context);
    if (output) {
      entry.output = std::move(*output);
    } else {
      entry.error = std::move(output).error();
    }
  }
  return outputs;
}

Result<std::vector<ExportedView>> JobsApi::runs_export(std::int64_t run_id,
                                                       const std::string& views_to_export,
                                                       const CallContext& context) const {
  auto response =
      get_json("runs/export",
               {{"run_id", std::to_string(run_id)}, {"views_to_export", views_to_export}}, context);
  if (!response) return std::move(response).error();
  return detail::list_field<ExportedView>(*response, "views");
}

}  // namespace dbk
