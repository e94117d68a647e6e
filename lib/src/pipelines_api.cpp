#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/pipelines.hpp"
#include "models/json_fields.hpp"
#include "token_pages.hpp"

namespace dbk {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kBase = "/api/2.0/pipelines";

std::string pipeline_url(const std::string& pipeline_id) {
  return std::string(kBase) + "/" + url_encode(pipeline_id);
}

Status check_id(const std::string& pipeline_id) {
  if (pipeline_id.empty()) {
    return make_error(error_codes::kInvalidArgument, "a pipeline id is required");
  }
  return {};
}

}  // namespace

PipelinesApi::PipelinesApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Result<Json> PipelinesApi::create(const Json& settings, bool allow_duplicate_names, bool dry_run,
                                  const CallContext& context) const {
  if (!settings.is_object()) {
    return make_error(error_codes::kInvalidArgument, "pipeline settings must be a JSON object");
  }
  Json body = settings;
  body["allow_duplicate_names"] = allow_duplicate_names;
  if (dry_run) body["dry_run"] = true;
  return caller_->post(kBase, body, Idempotency::kNonIdempotent, context);
}

Status PipelinesApi::edit(const std::string& pipeline_id, const Json& settings,
                          bool allow_duplicate_names, const CallContext& context) const {
  if (auto checked = check_id(pipeline_id); !checked) return checked;
  if (!settings.is_object()) {
    return make_error(error_codes::kInvalidArgument, "pipeline settings must be a JSON object");
  }
  Json body = settings;
  body["id"] = pipeline_id;
  body["allow_duplicate_names"] = allow_duplicate_names;
  // The same settings again are the same pipeline: a replay is safe.
  return detail::to_status(
      caller_->call("PUT", pipeline_url(pipeline_id), {}, body, Idempotency::kIdempotent, context));
}

Status PipelinesApi::remove(const std::string& pipeline_id, const CallContext& context) const {
  if (auto checked = check_id(pipeline_id); !checked) return checked;
  return detail::to_delete_status(caller_->call("DELETE", pipeline_url(pipeline_id), {}, nullptr,
                                                Idempotency::kIdempotent, context));
}

Result<Json> PipelinesApi::get(const std::string& pipeline_id, const CallContext& context) const {
  if (auto checked = check_id(pipeline_id); !checked) return checked.error();
  return caller_->get(pipeline_url(pipeline_id), {}, context);
}

Result<PipelinePage> PipelinesApi::list_page(const std::string& filter,
                                             const std::string& page_token, int max_results,
                                             const CallContext& context) const {
  detail::Query query;
  if (!filter.empty()) query.emplace_back("filter", filter);
  if (!page_token.empty()) query.emplace_back("page_token", page_token);
  if (max_results > 0) query.emplace_back("max_results", std::to_string(max_results));
  auto response = caller_->get(kBase, query, context);
  if (!response) return std::move(response).error();
  PipelinePage page;
  auto statuses = response->find("statuses");
  if (response->is_object() && statuses != response->end() && statuses->is_array()) {
    for (const auto& status : *statuses) {
      if (status.is_object()) page.statuses.push_back(status);
    }
  }
  page.next_page_token = detail::string_field(*response, "next_page_token");
  page.raw = std::move(*response);
  return page;
}

Result<std::vector<Json>> PipelinesApi::list(const std::string& filter,
                                             const CallContext& context) const {
  return detail::all_token_pages<Json>(
      "pipelines/list",
      [&](const std::string& token) { return list_page(filter, token, 0, context); },
      [](PipelinePage& page) -> std::vector<Json>& { return page.statuses; });
}

Result<Json> PipelinesApi::start_update(const std::string& pipeline_id, bool full_refresh,
                                        const CallContext& context) const {
  if (auto checked = check_id(pipeline_id); !checked) return checked.error();
  Json body = Json::object();
  if (full_refresh) body["full_refresh"] = true;
  body["cause"] = "USER_ACTION";
  return caller_->post(pipeline_url(pipeline_id) + "/updates", body, Idempotency::kNonIdempotent,
                       context);
}

Status PipelinesApi::stop(const std::string& pipeline_id, const CallContext& context) const {
  if (auto checked = check_id(pipeline_id); !checked) return checked;
  return detail::to_status(caller_->post(pipeline_url(pipeline_id) + "/stop", Json::object(),
                                         Idempotency::kIdempotent, context));
}

Result<Json> PipelinesApi::get_update(const std::string& pipeline_id, const std::string& update_id,
                                      const CallContext& context) const {
  if (auto checked = check_id(pipeline_id); !checked) return checked.error();
  if (update_id.empty()) {
    return make_error(error_codes::kInvalidArgument, "an update id is required");
  }
  return caller_->get(pipeline_url(pipeline_id) + "/updates/" + url_encode(update_id), {}, context);
}

Result<Json> PipelinesApi::list_events(const std::string& pipeline_id,
                                       const std::string& page_token,
                                       const CallContext& context) const {
  if (auto checked = check_id(pipeline_id); !checked) return checked.error();
  detail::Query query;
  if (!page_token.empty()) query.emplace_back("page_token", page_token);
  return caller_->get(pipeline_url(pipeline_id) + "/events", query, context);
}

}  // namespace dbk
