#include "jobs/jobs_service.hpp"

#include <algorithm>

#include "clusters/cluster_admission.hpp"
#include "dbk/internal/text.hpp"
#include "http/member_handler.hpp"
#include "jobs/job_settings.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr const char* kJobKind = "job";
constexpr const char* kCreator = "emulator@dbk.local";
constexpr std::size_t kMaxParamsBytes = 10000;  // docs/reference/rest-api.md §0.4 / §1.3
constexpr std::size_t kMaxTokenChars = 64;

std::string job_missing(std::int64_t id) {
  return "Job " + std::to_string(id) + " does not exist.";
}
std::string run_missing(std::int64_t id) {
  return "Run " + std::to_string(id) + " does not exist.";
}

/// A stored job by id; an unknown id is the service's 400 (docs/reference/rest-api.md §0.3).
Result<json> find_job(const Store& store, std::int64_t id) {
  auto job = store.get(kJobKind, std::to_string(id));
  if (!job) return invalid_parameter(job_missing(id));
  return std::move(*job);
}

/// jobs/reset and jobs/update: replaces job `id`'s settings with what `change` makes of the
/// current ones, holding `jobs_mutex` over the read-modify-write.
template <typename Change>
Status change_job_settings(Store& store, std::mutex& jobs_mutex, std::int64_t id,
                           const Change& change) {
  std::lock_guard<std::mutex> lock(jobs_mutex);
  auto job = find_job(store, id);
  if (!job) return job.error();
  Result<json> settings = change((*job)["settings"]);
  if (!settings) return settings.error();
  (*job)["settings"] = std::move(*settings);
  return store.put(kJobKind, std::to_string(id), *job);
}

/// Opaque page tokens: the offset of the next page.
std::optional<std::int64_t> parse_page_token(const std::string& token) {
  if (token.empty() || token.size() > 18 ||
      !std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(token);
}

/// Where a page of jobs/list or runs/list starts: a non-empty page_token wins over offset.
Result<std::int64_t> page_start(const std::optional<std::int64_t>& offset,
                                const std::optional<std::string>& page_token) {
  std::int64_t start = offset.value_or(0);
  if (page_token && !page_token->empty()) {
    auto parsed = parse_page_token(*page_token);
    if (!parsed) return invalid_parameter("Invalid page_token");
    start = *parsed;
  }
  if (start < 0) return invalid_parameter("offset must be non-negative");
  return start;
}

/// The body of a listing page: up to `size` of `items` from `start` under `key` (omitted when
/// empty, docs/reference/rest-api.md §1), has_more, and the tokens of the pages around it.
json page_body(const std::vector<json>& items, const char* key, std::int64_t start,
               std::int64_t size, bool with_prev_token) {
  json body = json::object();
  json page = json::array();
  const auto total = static_cast<std::int64_t>(items.size());
  for (std::int64_t i = start; i < total && i < start + size; ++i) page.push_back(items[i]);
  if (!page.empty()) body[key] = page;
  const bool has_more = start + size < total;
  body["has_more"] = has_more;
  if (has_more) body["next_page_token"] = std::to_string(start + size);
  if (start > 0 && with_prev_token)
    body["prev_page_token"] = std::to_string(std::max<std::int64_t>(0, start - size));
  return body;
}

/// The parameter fields of run-now and runs/repair, checked (docs/reference/rest-api.md §1.3:
/// notebook_params and jar_params are mutually exclusive; each params field's JSON ≤ 10,000
/// bytes; python/spark-submit params ASCII only).
struct RunParameters {
  json overriding = json::object();
  json job_parameters = json::object();
};

Result<RunParameters> run_parameters(const json& body) {
  if (body.contains("notebook_params") && body.contains("jar_params") &&
      !body["notebook_params"].is_null() && !body["jar_params"].is_null())
    return invalid_parameter("notebook_params and jar_params cannot both be specified");
  RunParameters out;
  for (const char* field :
       {"notebook_params", "jar_params", "python_params", "spark_submit_params",
        "python_named_params", "sql_params", "dbt_commands", "pipeline_params"}) {
    if (!body.contains(field) || body[field].is_null()) continue;
    const json& value = body[field];
    const std::string name = field;
    const bool is_map = name == "notebook_params" || name == "python_named_params" ||
                        name == "sql_params" || name == "pipeline_params";
    if (is_map ? !value.is_object() : !value.is_array())
      return invalid_parameter("Invalid value for " + name);
    const std::string dumped = value.dump();
    if (dumped.size() > kMaxParamsBytes)
      return invalid_parameter("The size of " + name + " (" + std::to_string(dumped.size()) +
                               " bytes) exceeds the limit of 10000 bytes");
    if (name == "python_params" || name == "spark_submit_params") {
      if (std::any_of(dumped.begin(), dumped.end(),
                      [](char c) { return static_cast<unsigned char>(c) > 127; }))
        return invalid_parameter(name + " must contain only ASCII characters");
    }
    if (name == "notebook_params") {
      for (auto& [k, v] : value.items())
        if (!v.is_string()) return invalid_parameter("notebook_params values must be strings");
    }
    out.overriding[field] = value;
  }
  if (body.contains("job_parameters") && body["job_parameters"].is_object()) {
    if (body["job_parameters"].dump().size() > kMaxParamsBytes)
      return invalid_parameter("The size of job_parameters exceeds the limit of 10000 bytes");
    out.job_parameters = body["job_parameters"];
  }
  return out;
}

}  // namespace

JobsService::JobsService(ServiceContext& context, ClusterManager& clusters)
    : context_(context), engine_(context, clusters) {}

void JobsService::recover() {
  engine_.recover();
  engine_.start_background();
}

void JobsService::reset() {
  engine_.reset();
}

void JobsService::stop() {
  engine_.stop();
}

void JobsService::register_routes(Router& router) {
  const std::initializer_list<std::string_view> v = {"2.0", "2.1", "2.2"};
  router.add_versions("POST", v, "jobs/create", member_handler(this, &JobsService::create_job));
  router.add_versions("GET", v, "jobs/get", member_handler(this, &JobsService::get_job));
  router.add_versions("GET", v, "jobs/list", member_handler(this, &JobsService::list_jobs));
  router.add_versions("POST", v, "jobs/delete", member_handler(this, &JobsService::delete_job));
  router.add_versions("POST", v, "jobs/reset", member_handler(this, &JobsService::reset_job));
  router.add_versions("POST", v, "jobs/update", member_handler(this, &JobsService::update_job));
  router.add_versions("POST", v, "jobs/run-now", member_handler(this, &JobsService::run_now));
  router.add_versions("POST", v, "jobs/runs/submit", member_handler(this, &JobsService::submit));
  router.add_versions("GET", v, "jobs/runs/get", member_handler(this, &JobsService::get_run));
  router.add_versions("GET", v, "jobs/runs/list", member_handler(this, &JobsService::list_runs));
  router.add_versions("POST", v, "jobs/runs/cancel",
                      member_handler(this, &JobsService::cancel_run));
  router.add_versions("POST", v, "jobs/runs/cancel-all",
                      member_handler(this, &JobsService::cancel_all));
  router.add_versions("POST", v, "jobs/runs/delete",
                      member_handler(this, &JobsService::delete_run));
  router.add_versions("POST", v, "jobs/runs/repair",
                      member_handler(this, &JobsService::repair_run));
  router.add_versions("GET", v, "jobs/runs/get-output",
                      member_handler(this, &JobsService::get_output));
  router.add_versions("GET", v, "jobs/runs/export", member_handler(this, &JobsService::export_run));

  // Test scripting of task outcomes (see ScriptedExecutor).
  router.add("POST", "/__dbk/runs/script", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    auto id = engine_.scripts().add_rule(params.json());
    if (!id) return error_response(id.error());
    return json_response(200, {{"id", *id}});
  });
  router.add("GET", "/__dbk/runs/script", [this](const Request&) {
    return json_response(200, {{"rules", engine_.scripts().rules()}});
  });
  router.add("DELETE", "/__dbk/runs/script", [this](const Request&) {
    engine_.scripts().clear();
    return empty_response();
  });
}

Response JobsService::create_job(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  json settings = params.json();
  settings.erase("access_control_list");
  auto normalized = normalize_job_settings(settings, jobs_api_version(request.path));
  if (!normalized) return error_response(normalized.error());
  DBK_RETURN_IF_ERROR(check_job_cluster_policies(context_.store, *normalized));
  auto id = context_.store.next_id("job");
  if (!id) return error_response(id.error());
  json job = {{"job_id", *id},
              {"creator_user_name", kCreator},
              {"run_as_user_name", kCreator},
              {"run_as_owner", true},
              {"created_time", context_.clock.now_ms()},
              {"settings", *normalized}};
  if (auto status = context_.store.put(kJobKind, std::to_string(*id), job); !status)
    return error_response(status.error());
  engine_.job_changed(*id);
  return json_response(200, {{"job_id", *id}});
}

Response JobsService::get_job(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("job_id"));
  DBK_ASSIGN_OR_RESPOND(json job, find_job(context_.store, id));
  job["settings"] = render_job_settings(job["settings"], jobs_api_version(request.path));
  return json_response(200, job);
}

Response JobsService::list_jobs(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  const int version = jobs_api_version(request.path);
  auto limit = params.optional_int64("limit");
  auto offset = params.optional_int64("offset");
  auto name = params.optional_string("name");
  auto page_token = params.optional_string("page_token");
  auto expand = params.optional_bool("expand_tasks", false);
  if (!limit) return error_response(limit.error());
  if (!offset) return error_response(offset.error());
  if (!name) return error_response(name.error());
  if (!page_token) return error_response(page_token.error());
  if (!expand) return error_response(expand.error());

  std::vector<json> jobs;
  for (auto& [key, job] : context_.store.list(kJobKind)) {
    if (*name && !internal::iequals(job["settings"].value("name", ""), **name)) continue;
    json entry = {{"job_id", job["job_id"]},
                  {"creator_user_name", job["creator_user_name"]},
                  {"created_time", job["created_time"]},
                  {"settings", render_job_settings(job["settings"], version)}};
    if (version != 20 && !*expand) entry["settings"].erase("tasks");
    if (version != 20 && !*expand) entry["settings"].erase("job_clusters");
    jobs.push_back(entry);
  }
  std::int64_t start = offset->value_or(0);
  std::int64_t count = static_cast<std::int64_t>(jobs.size());
  if (version != 20 || *limit) {
    // 2.1+: limit 1–100, default 20 (docs/reference/rest-api.md §1.3).
    std::int64_t size = limit->value_or(20);
    if (size == 0) size = 20;
    if (size < 1 || size > 100)
      return error_response(
          invalid_parameter("The limit must be between 1 and 100, got " + std::to_string(size)));
    DBK_ASSIGN_OR_RESPOND(start, page_start(*offset, *page_token));
    count = size;
  } else if (start < 0) {
    // 2.0 without a limit lists everything from the offset: it too must not point before the list.
    return error_response(invalid_parameter("offset must be non-negative"));
  }
  return json_response(200, page_body(jobs, "jobs", start, count, version != 20));
}

Response JobsService::delete_job(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("job_id"));
  {
    std::lock_guard<std::mutex> lock(jobs_mutex_);
    DBK_RETURN_IF_ERROR(find_job(context_.store, id));
    if (auto status = context_.store.erase(kJobKind, std::to_string(id)); !status)
      return error_response(status.error());
  }
  engine_.job_deleted(id);
  return empty_response();
}

Response JobsService::reset_job(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("job_id"));
  auto new_settings = params.optional_json("new_settings");
  if (!new_settings)
    return error_response(invalid_parameter("Missing required field: new_settings"));
  auto normalized = normalize_job_settings(*new_settings, jobs_api_version(request.path));
  if (!normalized) return error_response(normalized.error());
  DBK_RETURN_IF_ERROR(check_job_cluster_policies(context_.store, *normalized));
  DBK_RETURN_IF_ERROR(change_job_settings(
      context_.store, jobs_mutex_, id, [&](const json&) -> Result<json> { return *normalized; }));
  engine_.job_changed(id);
  return empty_response();
}

Response JobsService::update_job(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("job_id"));
  const json new_settings = params.optional_json("new_settings").value_or(json::object());
  const json remove = params.optional_json("fields_to_remove").value_or(json::array());
  const int version = jobs_api_version(request.path);
  DBK_RETURN_IF_ERROR(change_job_settings(
      context_.store, jobs_mutex_, id, [&](const json& current) -> Result<json> {
        auto updated = update_job_settings(current, new_settings, remove, version);
        if (!updated) return updated;
        if (auto allowed = check_job_cluster_policies(context_.store, *updated); !allowed)
          return allowed.error();
        return updated;
      }));
  engine_.job_changed(id);
  return empty_response();
}

Response JobsService::run_now(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("job_id"));
  DBK_ASSIGN_OR_RESPOND(json job, find_job(context_.store, id));
  auto parameters = run_parameters(params.json());
  if (!parameters) return error_response(parameters.error());
  RunRequest run;
  run.settings = job["settings"];
  run.job_id = id;
  run.overriding_parameters = parameters->overriding;
  run.job_parameters = parameters->job_parameters;
  auto token = params.optional_string("idempotency_token");
  if (!token) return error_response(token.error());
  if (*token) {
    if ((*token)->size() > kMaxTokenChars)
      return error_response(invalid_parameter("idempotency_token must be at most 64 characters"));
    run.idempotency_token = **token;
  }
  if (auto queue = params.optional_json("queue");
      queue && queue->is_object() && queue->contains("enabled"))
    run.queue_enabled = (*queue)["enabled"].get<bool>();
  if (auto only = params.optional_json("only"); only && only->is_array()) {
    for (const auto& key : *only)
      if (key.is_string()) run.only.push_back(key);
  }
  auto created = engine_.create_run(run);
  if (!created) return error_response(created.error());
  return json_response(
      200, {{"run_id", (*created)["run_id"]}, {"number_in_job", (*created)["number_in_job"]}});
}

Response JobsService::submit(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  json spec = params.json();
  const std::string run_name = spec.value("run_name", std::string("Untitled"));
  std::string token;
  if (spec.contains("idempotency_token") && spec["idempotency_token"].is_string())
    token = spec["idempotency_token"];
  if (token.size() > kMaxTokenChars)
    return error_response(invalid_parameter("idempotency_token must be at most 64 characters"));
  for (const char* field : {"run_name", "idempotency_token", "access_control_list"})
    spec.erase(field);
  spec["name"] = run_name;
  // A one-time run has no concurrency limit of its own.
  spec["max_concurrent_runs"] = 1000;
  auto normalized = normalize_job_settings(spec, jobs_api_version(request.path));
  if (!normalized) return error_response(normalized.error());
  DBK_RETURN_IF_ERROR(check_job_cluster_policies(context_.store, *normalized));
  if ((*normalized)["tasks"].empty())
    return error_response(invalid_parameter("A run must have at least one task"));
  RunRequest run;
  run.settings = *normalized;
  run.run_type = "SUBMIT_RUN";
  run.run_name = run_name;
  run.idempotency_token = token;
  auto created = engine_.create_run(run);
  if (!created) return error_response(created.error());
  return json_response(200, {{"run_id", (*created)["run_id"]}});
}

Response JobsService::get_run(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("run_id"));
  auto include_history = params.optional_bool("include_history", false);
  if (!include_history) return error_response(include_history.error());
  auto run = engine_.find(id);
  // docs/reference/rest-api.md §0.3
  if (!run) return error_response(invalid_parameter(run_missing(id)));
  return json_response(
      200, RunEngine::render_run(*run, jobs_api_version(request.path), *include_history));
}

Response JobsService::repair_run(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("run_id"));
  RepairRequest repair;
  repair.run_id = id;
  auto all_failed = params.optional_bool("rerun_all_failed_tasks", false);
  if (!all_failed) return error_response(all_failed.error());
  auto dependents = params.optional_bool("rerun_dependent_tasks", false);
  if (!dependents) return error_response(dependents.error());
  auto latest = params.optional_int64("latest_repair_id");
  if (!latest) return error_response(latest.error());
  repair.rerun_all_failed_tasks = *all_failed;
  repair.rerun_dependent_tasks = *dependents;
  repair.latest_repair_id = *latest;
  if (auto keys = params.optional_json("rerun_tasks")) {
    if (!keys->is_array())
      return error_response(invalid_parameter("Invalid value for rerun_tasks"));
    for (const auto& key : *keys) {
      if (!key.is_string())
        return error_response(invalid_parameter("rerun_tasks must be a list of task keys"));
      repair.rerun_tasks.push_back(key);
    }
  }
  auto parameters = run_parameters(params.json());
  if (!parameters) return error_response(parameters.error());
  repair.overriding_parameters = parameters->overriding;
  repair.job_parameters = parameters->job_parameters;
  // A job's run is repaired with the job's current settings (docs/emulator.md).
  if (auto run = engine_.find(id);
      run && run->contains("job_id") && !run->value("_task_view", false)) {
    const std::int64_t job_id = (*run)["job_id"];
    DBK_ASSIGN_OR_RESPOND(json job, find_job(context_.store, job_id));
    repair.job_settings = job["settings"];
  }
  auto repaired = engine_.repair(repair);
  if (!repaired) return error_response(repaired.error());
  return json_response(200, *repaired);
}

Response JobsService::list_runs(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  const int version = jobs_api_version(request.path);
  auto job_id = params.optional_int64("job_id");
  auto active_only = params.optional_bool("active_only", false);
  auto completed_only = params.optional_bool("completed_only", false);
  auto offset = params.optional_int64("offset");
  auto limit = params.optional_int64("limit");
  auto run_type = params.optional_string("run_type");
  auto from = params.optional_int64("start_time_from");
  auto to = params.optional_int64("start_time_to");
  auto page_token = params.optional_string("page_token");
  auto expand = params.optional_bool("expand_tasks", false);
  for (const Status& s :
       {Status(job_id ? Status() : job_id.error()),
        Status(active_only ? Status() : active_only.error()),
        Status(completed_only ? Status() : completed_only.error()),
        Status(offset ? Status() : offset.error()), Status(limit ? Status() : limit.error()),
        Status(run_type ? Status() : run_type.error()), Status(from ? Status() : from.error()),
        Status(to ? Status() : to.error()), Status(page_token ? Status() : page_token.error()),
        Status(expand ? Status() : expand.error())}) {
    if (!s) return error_response(s.error());
  }
  if (*active_only && *completed_only)
    return error_response(invalid_parameter("active_only and completed_only cannot both be true"));
  // 2.1+: 1–25, default 20, 0 = the maximum; legacy 2.0 allowed up to 1000
  // (docs/reference/rest-api.md §1.3).
  const std::int64_t max_limit = version == 20 ? 1000 : 25;
  std::int64_t size = limit->value_or(20);
  if (size == 0) size = max_limit;
  if (size < 0 || size > max_limit)
    return error_response(invalid_parameter("The limit must be between 0 and " +
                                            std::to_string(max_limit) + ", got " +
                                            std::to_string(size)));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t start, page_start(*offset, *page_token));
  if (*job_id && !context_.store.get(kJobKind, std::to_string(**job_id))) {
    // Runs of a deleted job are still listed; an id that never existed is an error.
    bool any = false;
    for (const auto& run : engine_.list()) any |= run.value("job_id", std::int64_t{0}) == **job_id;
    if (!any) return error_response(invalid_parameter(job_missing(**job_id)));
  }

  std::vector<json> runs;
  for (const auto& run : engine_.list()) {  // newest first
    if (*job_id && run.value("job_id", std::int64_t{0}) != **job_id) continue;
    const std::string life = run["state"].value("life_cycle_state", "");
    const bool active = life == "QUEUED" || life == "PENDING" || life == "RUNNING" ||
                        life == "TERMINATING" || life == "BLOCKED" || life == "WAITING_FOR_RETRY";
    if (*active_only && !active) continue;
    if (*completed_only && active) continue;
    if (*run_type && run.value("run_type", "") != **run_type) continue;
    const std::int64_t started = run.value("start_time", std::int64_t{0});
    if (*from && started < **from) continue;
    if (*to && started > **to) continue;
    json rendered = RunEngine::render_run(run, version);
    if (version != 20 && !*expand) rendered.erase("tasks");
    runs.push_back(rendered);
  }
  return json_response(200, page_body(runs, "runs", start, size, true));
}

Response JobsService::cancel_run(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("run_id"));
  auto status = engine_.cancel(id);
  return status ? empty_response() : error_response(status.error());
}

Response JobsService::cancel_all(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  auto job_id = params.optional_int64("job_id");
  auto all_queued = params.optional_bool("all_queued_runs", false);
  if (!job_id) return error_response(job_id.error());
  if (!all_queued) return error_response(all_queued.error());
  if (!*job_id && !*all_queued)
    return error_response(invalid_parameter("Either job_id or all_queued_runs must be specified"));
  if (*job_id && !context_.store.get(kJobKind, std::to_string(**job_id)))
    return error_response(invalid_parameter(job_missing(**job_id)));
  auto status = engine_.cancel_all(job_id->value_or(0), *all_queued);
  return status ? empty_response() : error_response(status.error());
}

Response JobsService::delete_run(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("run_id"));
  auto status = engine_.remove(id);
  return status ? empty_response() : error_response(status.error());
}

Response JobsService::get_output(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("run_id"));
  auto output = engine_.output(id);
  if (!output) return error_response(output.error());
  json body = *output;
  body["metadata"] = RunEngine::render_run((*output)["metadata"], jobs_api_version(request.path));
  if (body.contains("logs")) body["logs_truncated"] = false;
  return json_response(200, body);
}

Response JobsService::export_run(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(const std::int64_t id, params.required_int64("run_id"));
  auto views = params.optional_string("views_to_export");
  if (!views) return error_response(views.error());
  const std::string which = views->value_or("CODE");
  if (which != "CODE" && which != "DASHBOARDS" && which != "ALL")
    return error_response(invalid_parameter("views_to_export must be CODE, DASHBOARDS or ALL"));
  auto run = engine_.find(id);
  if (!run) return error_response(invalid_parameter(run_missing(id)));
  if ((*run)["tasks"].size() != 1)
    return error_response(
        invalid_parameter("Exporting runs with multiple tasks is not supported. Please export each "
                          "individual task run instead."));
  const json& task = (*run)["tasks"][0];
  if (!task.contains("notebook_task"))
    return error_response(invalid_parameter("Only notebook task runs can be exported"));
  json body = json::object();
  if (which == "DASHBOARDS") return json_response(200, body);  // no dashboards: no views
  const std::string path = task["notebook_task"].value("notebook_path", "");
  std::string source;
  if (context_.workspace != nullptr) {
    if (auto notebook = context_.workspace->read_notebook(path)) source = notebook->content;
  }
  const json output = task.value("_output", json::object());
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
                     html_escape(path) + "</title></head><body>\n<h1>" + html_escape(path) +
                     "</h1>\n<p>Run " + std::to_string(id) + ": " +
                     html_escape(task["state"].value("result_state",
                                                     task["state"].value("life_cycle_state", ""))) +
                     "</p>\n<pre class=\"source\">" + html_escape(source) + "</pre>\n";
  if (output.contains("notebook_output") && output["notebook_output"].contains("result"))
    html += "<pre class=\"result\">" +
            html_escape(output["notebook_output"]["result"].get<std::string>()) + "</pre>\n";
  if (output.contains("error"))
    html += "<pre class=\"error\">" + html_escape(output["error"].get<std::string>()) + "</pre>\n";
  html += "</body></html>\n";
  const std::string name = path.substr(path.find_last_of('/') + 1);
  body["views"] = json::array({{{"content", html}, {"name", name}, {"type", "NOTEBOOK"}}});
  return json_response(200, body);
}

}  // namespace dbk::emulator
