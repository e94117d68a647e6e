#include "pipelines/pipelines_service.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "identity/principals.hpp"
#include "pipelines/pipeline_settings.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr const char* kKind = "pipeline";
constexpr std::size_t kLatestUpdates = 5;  // updates a pipeline's status lists, newest first

// What every update's last event says: the emulator keeps pipelines but cannot run them.
constexpr const char* kNoDlt =
    "The dbk emulator does not run Delta Live Tables pipelines: this update was not run and "
    "no table was read or written. Run the pipeline on a Databricks workspace.";

ApiError pipeline_not_found(const std::string& id) {
  return not_found("The specified pipeline " + id + " was not found.");
}

ApiError conflict(std::string message) {
  return http_error(409, "RESOURCE_CONFLICT", std::move(message));
}

// Ids are UUID-shaped, as the service's, but drawn from counters (not random) so that twin
// emulators fed the same requests hand out the same ids.
std::string uuid_from(std::int64_t n, const char* variant) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-4000-%s-%012llx", variant,
                static_cast<unsigned long long>(n));
  return text;
}

std::string iso_time(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

bool well_formed_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-';
  });
}

bool active(const json& update) {
  const std::string state = update.value("state", "");
  return state == "QUEUED" || state == "INITIALIZING";
}

const json* active_update(const json& pipeline) {
  const json& updates = pipeline["_updates"];
  if (!updates.empty() && active(updates.back())) return &updates.back();
  return nullptr;
}

void add_event(json& pipeline, std::int64_t at_ms, const std::string& update_id,
               const std::string& type, const std::string& level, const std::string& message,
               Store::Transaction& tx) {
  const std::int64_t n = tx.next_id("pipeline_event");
  json event = {{"id", uuid_from(n, "a000")},
                {"sequence", {{"control_plane_seq_no", n}}},
                {"origin",
                 {{"pipeline_id", pipeline["pipeline_id"]},
                  {"pipeline_name", pipeline["spec"].value("name", "")},
                  {"update_id", update_id}}},
                {"timestamp", iso_time(at_ms)},
                {"message", message},
                {"level", level},
                {"event_type", type},
                {"maturity_level", "STABLE"}};
  if (level == "ERROR") {
    event["error"] = {
        {"exceptions",
         json::array({{{"class_name", "UnsupportedOperationException"}, {"message", kNoDlt}}})},
        {"fatal", true}};
  }
  pipeline["_events"].push_back(std::move(event));
}

std::string short_id(const std::string& update_id) {
  return update_id.substr(update_id.size() >= 6 ? update_id.size() - 6 : 0);
}

// Applies the steps of the active update that are due by `now`, each at its own time.
bool advance(json& pipeline, std::int64_t now, Store::Transaction& tx) {
  json& updates = pipeline["_updates"];
  if (updates.empty() || !active(updates.back())) return false;
  json& update = updates.back();
  bool changed = false;
  while (active(update) && update["_next_at"].get<std::int64_t>() <= now) {
    const std::int64_t at = update["_next_at"];
    const std::string id = update["update_id"];
    if (update["state"] == "QUEUED") {
      update["state"] = "INITIALIZING";
      update["_next_at"] = at + PipelinesService::kStepMs;
      add_event(pipeline, at, id, "update_progress", "INFO",
                "Update " + short_id(id) + " is INITIALIZING.", tx);
    } else {
      update["state"] = "FAILED";
      update.erase("_next_at");
      add_event(pipeline, at, id, "update_progress", "ERROR",
                "Update " + short_id(id) + " is FAILED. " + kNoDlt, tx);
    }
    changed = true;
  }
  return changed;
}

ojson render_update(const json& update) {
  ojson out;
  for (const char* key :
       {"pipeline_id", "update_id", "config", "cause", "state", "creation_time", "full_refresh",
        "refresh_selection", "full_refresh_selection", "validate_only"}) {
    if (update.contains(key)) out[key] = update[key];
  }
  return out;
}

ojson latest_updates(const json& pipeline) {
  ojson latest = ojson::array();
  const json& updates = pipeline["_updates"];
  for (auto it = updates.rbegin(); it != updates.rend() && latest.size() < kLatestUpdates; ++it) {
    latest.push_back({{"update_id", (*it)["update_id"]},
                      {"state", (*it)["state"]},
                      {"creation_time", iso_time((*it)["creation_time"].get<std::int64_t>())}});
  }
  return latest;
}

std::string pipeline_state(const json& pipeline) {
  return active_update(pipeline) ? "RUNNING" : "IDLE";
}

std::string health(const json& pipeline) {
  const json& updates = pipeline["_updates"];
  return !updates.empty() && updates.back()["state"] == "FAILED" ? "UNHEALTHY" : "HEALTHY";
}

// The status of a pipeline as pipelines/list shows it.
ojson render_status(const json& pipeline) {
  ojson out;
  out["pipeline_id"] = pipeline["pipeline_id"];
  out["state"] = pipeline_state(pipeline);
  out["name"] = pipeline["spec"].value("name", "");
  out["health"] = health(pipeline);
  auto latest = latest_updates(pipeline);
  if (!latest.empty()) out["latest_updates"] = latest;
  out["creator_user_name"] = pipeline["creator_user_name"];
  out["run_as_user_name"] = pipeline["creator_user_name"];
  return out;
}

ojson render_pipeline(const json& pipeline) {
  ojson out;
  out["pipeline_id"] = pipeline["pipeline_id"];
  out["spec"] = pipeline["spec"];
  out["state"] = pipeline_state(pipeline);
  out["health"] = health(pipeline);
  out["name"] = pipeline["spec"].value("name", "");
  out["creator_user_name"] = pipeline["creator_user_name"];
  out["run_as_user_name"] = pipeline["creator_user_name"];
  auto latest = latest_updates(pipeline);
  if (!latest.empty()) out["latest_updates"] = latest;
  out["last_modified"] = pipeline["last_modified"];
  return out;
}

// max_results and page_token of a list call: a page size within [1, max] and an offset.
struct Page {
  std::size_t offset = 0;
  std::size_t size = 0;
};

Result<Page> read_page(const json& query, std::int64_t fallback, std::int64_t max) {
  Params params = Params::from_json(query);
  Page page;
  auto size = params.optional_int64("max_results");
  if (!size) return size.error();
  std::int64_t n = size->value_or(fallback);
  if (n < 1 || n > max) {
    return invalid_parameter("max_results must be between 1 and " + std::to_string(max) + ".");
  }
  page.size = static_cast<std::size_t>(n);
  auto token = params.optional_string("page_token");
  if (!token) return token.error();
  if (*token && !(*token)->empty()) {
    const std::string& t = **token;
    if (t.size() > 12 ||
        !std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return invalid_parameter("Invalid page token.");
    }
    page.offset = static_cast<std::size_t>(std::stoll(t));
  }
  return page;
}

// The query of a list call with a filter and an order: its page, the filter text and
// order_by in lower case (`fallback` when absent).
struct Listing {
  Page page;
  std::string filter;
  std::string order;
};

Result<Listing> read_listing(const json& query, std::int64_t max, const std::string& fallback) {
  Listing listing;
  auto page = read_page(query, PipelinesService::kDefaultPage, max);
  if (!page) return page.error();
  listing.page = *page;
  Params params = Params::from_json(query);
  auto filter = params.optional_string("filter");
  if (!filter) return filter.error();
  listing.filter = filter->value_or("");
  auto order = params.optional_string("order_by");
  if (!order) return order.error();
  listing.order = order->value_or(fallback);
  std::transform(listing.order.begin(), listing.order.end(), listing.order.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return listing;
}

// One page of `items`; next/prev tokens are offsets into the same ordering.
ojson paged(const std::string& field, const std::vector<ojson>& items, const Page& page,
            bool with_prev) {
  ojson out = ojson::object();
  ojson slice = ojson::array();
  for (std::size_t i = page.offset; i < items.size() && slice.size() < page.size; ++i) {
    slice.push_back(items[i]);
  }
  if (!slice.empty()) out[field] = slice;
  if (page.offset + page.size < items.size()) {
    out["next_page_token"] = std::to_string(page.offset + page.size);
  }
  if (with_prev && page.offset > 0) {
    out["prev_page_token"] = std::to_string(page.offset > page.size ? page.offset - page.size : 0);
  }
  return out;
}

}  // namespace

PipelinesService::PipelinesService(ServiceContext& context) : context_(context) {}

Result<json> PipelinesService::load(const std::string& id) {
  if (!well_formed_id(id)) return pipeline_not_found(id);
  json pipeline;
  const std::int64_t now = context_.clock.now_ms();
  auto status = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto found = tx.get(kKind, id);
    if (!found) return pipeline_not_found(id);
    pipeline = std::move(*found);
    if (advance(pipeline, now, tx)) tx.put(kKind, id, pipeline);
    return {};
  });
  if (!status) return status.error();
  return pipeline;
}

Status PipelinesService::check_unique_name(const std::string& name, const std::string& except_id) {
  for (const auto& [key, pipeline] : context_.store.list(kKind)) {
    if (key != except_id && pipeline["spec"].value("name", "") == name) {
      return conflict("Pipeline name '" + name + "' is already used by another pipeline (" + key +
                      ").");
    }
  }
  return {};
}

Result<ojson> PipelinesService::create(const json& request) {
  Params params = Params::from_json(request);
  auto dry_run = params.optional_bool("dry_run", false);
  if (!dry_run) return dry_run.error();
  auto allow_duplicates = params.optional_bool("allow_duplicate_names", false);
  if (!allow_duplicates) return allow_duplicates.error();
  if (request.contains("id")) {
    return invalid_parameter(
        "The pipeline id is assigned by the service; remove 'id' from the "
        "settings to create a pipeline.");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (*dry_run) {
    auto spec = pipeline_spec(request, "");
    if (!spec) return spec.error();
    spec->erase("id");
    spec->erase("storage");
    if (!*allow_duplicates) {
      if (auto unique = check_unique_name((*spec)["name"], ""); !unique) return unique.error();
    }
    return ojson{{"effective_settings", *spec}};
  }
  if (!*allow_duplicates && request.contains("name") && request["name"].is_string()) {
    if (auto unique = check_unique_name(request["name"], ""); !unique) return unique.error();
  }
  std::string id;
  const std::int64_t now = context_.clock.now_ms();
  auto status = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    id = uuid_from(tx.next_id(kKind), "8000");
    auto spec = pipeline_spec(request, id);
    if (!spec) return spec.error();
    json pipeline = {{"pipeline_id", id},
                     {"spec", *spec},
                     {"creator_user_name", kEmulatorUserName},
                     {"last_modified", now},
                     {"_updates", json::array()},
                     {"_events", json::array()}};
    tx.put(kKind, id, pipeline);
    return {};
  });
  if (!status) return status.error();
  return ojson{{"pipeline_id", id}};
}

Status PipelinesService::edit(const std::string& id, const json& request) {
  if (request.contains("id") && (!request["id"].is_string() || request["id"] != id)) {
    return invalid_parameter(
        "The pipeline id in the settings (" +
        (request["id"].is_string() ? request["id"].get<std::string>() : request["id"].dump()) +
        ") does not match the pipeline id of the request (" + id + ").");
  }
  Params params = Params::from_json(request);
  auto allow_duplicates = params.optional_bool("allow_duplicate_names", false);
  if (!allow_duplicates) return allow_duplicates.error();
  auto expected = params.optional_int64("expected_last_modified");
  if (!expected) return expected.error();
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  auto spec = pipeline_spec(request, id);
  if (!spec) return spec.error();
  if (*expected && **expected != (*pipeline)["last_modified"].get<std::int64_t>()) {
    return conflict("The pipeline " + id + " was modified since last_modified " +
                    std::to_string(**expected) + ".");
  }
  if (!*allow_duplicates) {
    if (auto unique = check_unique_name((*spec)["name"], id); !unique) return unique;
  }
  (*pipeline)["spec"] = *spec;
  // last_modified only grows, even when two edits share a millisecond.
  (*pipeline)["last_modified"] =
      std::max(context_.clock.now_ms(), (*pipeline)["last_modified"].get<std::int64_t>() + 1);
  return context_.store.put(kKind, id, *pipeline);
}

Status PipelinesService::remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  // The active update, if any, goes with the pipeline (it was never run).
  return context_.store.erase(kKind, id);
}

Result<ojson> PipelinesService::get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  return render_pipeline(*pipeline);
}

Result<ojson> PipelinesService::list(const json& query) {
  auto listing = read_listing(query, kMaxPage, "id asc");
  if (!listing) return listing.error();
  auto filter = PipelineFilter::parse(listing->filter);
  if (!filter) return filter.error();
  const std::string& order = listing->order;
  const bool by_name = order.rfind("name", 0) == 0;
  const bool descending = order == "id desc" || order == "name desc";
  if (!descending && order != "id asc" && order != "name asc" && order != "id" && order != "name") {
    return invalid_parameter("Invalid order_by '" + order +
                             "': supported are id and name, asc or desc.");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<json> pipelines;
  for (const auto& [key, stored] : context_.store.list(kKind)) {
    auto pipeline = load(key);
    if (pipeline && filter->matches((*pipeline)["spec"])) pipelines.push_back(*pipeline);
  }
  std::stable_sort(pipelines.begin(), pipelines.end(), [&](const json& a, const json& b) {
    const std::string ka =
        by_name ? a["spec"].value("name", "") : a["pipeline_id"].get<std::string>();
    const std::string kb =
        by_name ? b["spec"].value("name", "") : b["pipeline_id"].get<std::string>();
    return descending ? kb < ka : ka < kb;
  });
  std::vector<ojson> statuses;
  for (const auto& pipeline : pipelines) statuses.push_back(render_status(pipeline));
  return paged("statuses", statuses, listing->page, false);
}

Result<ojson> PipelinesService::start_update(const std::string& id, const json& request,
                                             bool reset) {
  Params params = Params::from_json(request);
  auto full_refresh = params.optional_bool("full_refresh", reset);
  if (!full_refresh) return full_refresh.error();
  auto validate_only = params.optional_bool("validate_only", false);
  if (!validate_only) return validate_only.error();
  std::string cause = "API_CALL";
  if (request.contains("cause")) {
    static const std::vector<std::string> causes = {
        "API_CALL", "RETRY_ON_FAILURE", "SERVICE_UPGRADE",           "SCHEMA_CHANGE",
        "JOB_TASK", "USER_ACTION",      "INFRASTRUCTURE_MAINTENANCE"};
    if (!request["cause"].is_string() ||
        std::find(causes.begin(), causes.end(), request["cause"].get<std::string>()) ==
            causes.end()) {
      return invalid_parameter("Invalid value for field 'cause'.");
    }
    cause = request["cause"];
  }
  for (const char* field : {"refresh_selection", "full_refresh_selection"}) {
    if (request.contains(field) && !request[field].is_array()) {
      return invalid_parameter(std::string("Invalid value for field '") + field +
                               "': expected a list of table names.");
    }
  }
  if (*full_refresh &&
      (request.contains("refresh_selection") || request.contains("full_refresh_selection"))) {
    return invalid_parameter(
        "full_refresh cannot be combined with refresh_selection or full_refresh_selection.");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  if (const json* running = active_update(*pipeline)) {
    return conflict("Pipeline " + id + " has an active update " +
                    (*running)["update_id"].get<std::string>() +
                    "; stop it before starting a new one.");
  }
  std::string update_id;
  const std::int64_t now = context_.clock.now_ms();
  auto status = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    update_id = uuid_from(tx.next_id("pipeline_update"), "9000");
    json update = {{"pipeline_id", id},
                   {"update_id", update_id},
                   {"config", (*pipeline)["spec"]},
                   {"cause", cause},
                   {"state", "QUEUED"},
                   {"creation_time", now},
                   {"full_refresh", *full_refresh},
                   {"_next_at", now + kStepMs}};
    for (const char* field : {"refresh_selection", "full_refresh_selection"}) {
      if (request.contains(field)) update[field] = request[field];
    }
    if (*validate_only) update["validate_only"] = true;
    (*pipeline)["_updates"].push_back(update);
    add_event(*pipeline, now, update_id, "create_update", "INFO",
              "Update " + short_id(update_id) + " started by " + cause + ".", tx);
    add_event(*pipeline, now, update_id, "update_progress", "INFO",
              "Update " + short_id(update_id) + " is QUEUED.", tx);
    tx.put(kKind, id, *pipeline);
    return {};
  });
  if (!status) return status.error();
  return ojson{{"update_id", update_id}};
}

Status PipelinesService::stop_pipeline(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  if (!active_update(*pipeline)) return {};  // nothing to stop: already IDLE
  const std::int64_t now = context_.clock.now_ms();
  return context_.store.transaction([&](Store::Transaction& tx) -> Status {
    json& update = (*pipeline)["_updates"].back();
    update["state"] = "CANCELED";
    update.erase("_next_at");
    const std::string update_id = update["update_id"];
    add_event(*pipeline, now, update_id, "update_progress", "INFO",
              "Update " + short_id(update_id) + " is CANCELED.", tx);
    tx.put(kKind, id, *pipeline);
    return {};
  });
}

Result<ojson> PipelinesService::get_update(const std::string& id, const std::string& update_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  for (const auto& update : (*pipeline)["_updates"]) {
    if (update["update_id"] == update_id) return ojson{{"update", render_update(update)}};
  }
  return not_found("The specified update " + update_id + " of pipeline " + id + " was not found.");
}

Result<ojson> PipelinesService::list_updates(const std::string& id, const json& query) {
  auto page = read_page(query, kDefaultPage, kMaxPage);
  if (!page) return page.error();
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  std::string until;
  if (query.contains("until_update_id") && query["until_update_id"].is_string()) {
    until = query["until_update_id"];
  }
  std::vector<ojson> updates;  // newest first
  const json& all = (*pipeline)["_updates"];
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    updates.push_back(render_update(*it));
    if (!until.empty() && (*it)["update_id"] == until) break;
  }
  return paged("updates", updates, *page, true);
}

Result<ojson> PipelinesService::list_events(const std::string& id, const json& query) {
  auto listing = read_listing(query, 250, "timestamp desc");
  if (!listing) return listing.error();
  auto filter = EventFilter::parse(listing->filter);
  if (!filter) return filter.error();
  const std::string& order = listing->order;
  if (order != "timestamp desc" && order != "timestamp asc" && order != "timestamp") {
    return invalid_parameter("Invalid order_by '" + order +
                             "': supported are timestamp asc and "
                             "timestamp desc.");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto pipeline = load(id);
  if (!pipeline) return pipeline.error();
  std::vector<ojson> events;
  for (const auto& event : (*pipeline)["_events"]) {
    if (filter->matches(event)) events.push_back(event);
  }
  if (order == "timestamp desc") std::reverse(events.begin(), events.end());
  return paged("events", events, listing->page, true);
}

void PipelinesService::register_routes(Router& router) {
  router.add("POST", "/api/2.0/pipelines", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto answer, create(params.json()));
    return json_response(200, answer);
  });
  router.add("GET", "/api/2.0/pipelines", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto answer, list(params.json()));
    return json_response(200, answer);
  });
  // /pipelines/{id}[/updates[/{update_id}] | /events | /stop | /reset]
  auto split = [](const std::string& tail) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= tail.size()) {
      std::size_t slash = tail.find('/', pos);
      if (slash == std::string::npos) slash = tail.size();
      parts.push_back(tail.substr(pos, slash - pos));
      pos = slash + 1;
    }
    return parts;
  };
  auto unknown = [](const Request& request) {
    return error_response(404, "ENDPOINT_NOT_FOUND",
                          "No API found for '" + request.method + " " + request.path + "'");
  };
  router.add("GET", "/api/2.0/pipelines/*", [this, split, unknown](const Request& request) {
    auto parts = split(request.path_tail);
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    if (parts.size() == 1) {
      DBK_ASSIGN_OR_RESPOND(auto answer, get(parts[0]));
      return json_response(200, answer);
    }
    if (parts.size() == 2 && parts[1] == "updates") {
      DBK_ASSIGN_OR_RESPOND(auto answer, list_updates(parts[0], params.json()));
      return json_response(200, answer);
    }
    if (parts.size() == 3 && parts[1] == "updates") {
      DBK_ASSIGN_OR_RESPOND(auto answer, get_update(parts[0], parts[2]));
      return json_response(200, answer);
    }
    if (parts.size() == 2 && parts[1] == "events") {
      DBK_ASSIGN_OR_RESPOND(auto answer, list_events(parts[0], params.json()));
      return json_response(200, answer);
    }
    return unknown(request);
  });
  router.add("PUT", "/api/2.0/pipelines/*", [this, split, unknown](const Request& request) {
    auto parts = split(request.path_tail);
    if (parts.size() != 1) return unknown(request);
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    return status_response(edit(parts[0], params.json()));
  });
  router.add("DELETE", "/api/2.0/pipelines/*", [this, split, unknown](const Request& request) {
    auto parts = split(request.path_tail);
    if (parts.size() != 1) return unknown(request);
    return status_response(remove(parts[0]));
  });
  router.add("POST", "/api/2.0/pipelines/*", [this, split, unknown](const Request& request) {
    auto parts = split(request.path_tail);
    if (parts.size() != 2) return unknown(request);
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    if (parts[1] == "updates" || parts[1] == "reset") {
      DBK_ASSIGN_OR_RESPOND(auto answer,
                            start_update(parts[0], params.json(), parts[1] == "reset"));
      return json_response(200, answer);
    }
    if (parts[1] == "stop") return status_response(stop_pipeline(parts[0]));
    return unknown(request);
  });
}

}  // namespace dbk::emulator
