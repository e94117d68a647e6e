#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/http.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk {

namespace {

constexpr const char* kBase = "/api/2.1/unity-catalog/";
// Pages a list may take before it is cut off as a server that never ends its pages.
constexpr int kMaxPages = 100000;

using Json = UnityCatalogApi::Json;

std::string path_of(const char* collection, const std::string& name) {
  return std::string(kBase) + collection + "/" + url_encode(name);
}

Result<Json> require_object(const Json& request, const char* what) {
  if (!request.is_object()) {
    return make_error(error_codes::kInvalidArgument,
                      std::string(what) + " must be a JSON object, got " + request.type_name());
  }
  return request;
}

}  // namespace

UnityCatalogApi::UnityCatalogApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

// ---- Metastores ----

Result<Json> UnityCatalogApi::create_metastore(const Json& request,
                                               const CallContext& context) const {
  if (auto checked = require_object(request, "metastore spec"); !checked) return checked;
  return caller_->post(std::string(kBase) + "metastores", request, Idempotency::kNonIdempotent,
                       context);
}

Result<Json> UnityCatalogApi::list_metastores(const CallContext& context) const {
  return caller_->get(std::string(kBase) + "metastores", {}, context);
}

Result<Json> UnityCatalogApi::get_metastore(const std::string& id,
                                            const CallContext& context) const {
  return caller_->get(path_of("metastores", id), {}, context);
}

Result<Json> UnityCatalogApi::update_metastore(const std::string& id, const Json& changes,
                                               const CallContext& context) const {
  if (auto checked = require_object(changes, "metastore update"); !checked) return checked;
  return caller_->call("PATCH", path_of("metastores", id), {}, changes, Idempotency::kIdempotent,
                       context);
}

Status UnityCatalogApi::delete_metastore(const std::string& id, bool force,
                                         const CallContext& context) const {
  return detail::to_delete_status(caller_->call("DELETE", path_of("metastores", id),
                                                {{"force", force ? "true" : "false"}}, nullptr,
                                                Idempotency::kIdempotent, context));
}

Result<Json> UnityCatalogApi::metastore_summary(const CallContext& context) const {
  return caller_->get(std::string(kBase) + "metastore_summary", {}, context);
}

Result<Json> UnityCatalogApi::current_metastore_assignment(const CallContext& context) const {
  return caller_->get(std::string(kBase) + "current-metastore-assignment", {}, context);
}

Status UnityCatalogApi::assign_metastore(std::int64_t workspace_id, const std::string& metastore_id,
                                         const std::optional<std::string>& default_catalog_name,
                                         const CallContext& context) const {
  Json body = {{"metastore_id", metastore_id}};
  if (default_catalog_name) body["default_catalog_name"] = *default_catalog_name;
  return detail::to_status(caller_->call(
      "PUT", std::string(kBase) + "workspaces/" + std::to_string(workspace_id) + "/metastore", {},
      body, Idempotency::kIdempotent, context));
}

Status UnityCatalogApi::unassign_metastore(std::int64_t workspace_id,
                                           const std::string& metastore_id,
                                           const CallContext& context) const {
  return detail::to_status(caller_->call(
      "DELETE", std::string(kBase) + "workspaces/" + std::to_string(workspace_id) + "/metastore",
      {{"metastore_id", metastore_id}}, nullptr, Idempotency::kIdempotent, context));
}

// ---- Catalogs, schemas, tables ----

Result<Json> UnityCatalogApi::list_all(const std::string& what, const std::string& field,
                                       std::vector<std::pair<std::string, std::string>> query,
                                       const CallContext& context) const {
  // max_results=0 asks for pages of the server's length; without it an unpaginated answer
  // may be refused or cut by the service.
  query.emplace_back("max_results", "0");
  Json all = Json::array();
  std::string token;
  for (int page = 0; page < kMaxPages; ++page) {
    auto paged = query;
    if (!token.empty()) paged.emplace_back("page_token", token);
    auto response = caller_->get(std::string(kBase) + what, paged, context);
    if (!response) return response;
    auto items = response->find(field);
    if (items != response->end() && items->is_array()) {
      for (auto& item : *items) all.push_back(std::move(item));
    }
    auto next = response->find("next_page_token");
    if (next == response->end() || !next->is_string() || next->get<std::string>().empty()) {
      Json body = Json::object();
      if (!all.empty()) body[field] = std::move(all);
      return body;
    }
    if (next->get<std::string>() == token) {
      return make_error(error_codes::kInvalidResponse,
                        "unity-catalog/" + what + " returned the same page token twice");
    }
    token = next->get<std::string>();
  }
  return make_error(error_codes::kInvalidResponse,
                    "unity-catalog/" + what + " did not end its pages");
}

Result<Json> UnityCatalogApi::create_catalog(const Json& request,
                                             const CallContext& context) const {
  if (auto checked = require_object(request, "catalog spec"); !checked) return checked;
  return caller_->post(std::string(kBase) + "catalogs", request, Idempotency::kNonIdempotent,
                       context);
}

Result<Json> UnityCatalogApi::list_catalogs(const CallContext& context) const {
  return list_all("catalogs", "catalogs", {}, context);
}

Result<Json> UnityCatalogApi::get_catalog(const std::string& name,
                                          const CallContext& context) const {
  return caller_->get(path_of("catalogs", name), {}, context);
}

Result<Json> UnityCatalogApi::update_catalog(const std::string& name, const Json& changes,
                                             const CallContext& context) const {
  if (auto checked = require_object(changes, "catalog update"); !checked) return checked;
  return caller_->call("PATCH", path_of("catalogs", name), {}, changes, Idempotency::kIdempotent,
                       context);
}

Status UnityCatalogApi::delete_catalog(const std::string& name, bool force,
                                       const CallContext& context) const {
  return detail::to_delete_status(caller_->call("DELETE", path_of("catalogs", name),
                                                {{"force", force ? "true" : "false"}}, nullptr,
                                                Idempotency::kIdempotent, context));
}

Result<Json> UnityCatalogApi::create_schema(const Json& request, const CallContext& context) const {
  if (auto checked = require_object(request, "schema spec"); !checked) return checked;
  return caller_->post(std::string(kBase) + "schemas", request, Idempotency::kNonIdempotent,
                       context);
}

Result<Json> UnityCatalogApi::list_schemas(const std::string& catalog_name,
                                           const CallContext& context) const {
  return list_all("schemas", "schemas", {{"catalog_name", catalog_name}}, context);
}

Result<Json> UnityCatalogApi::get_schema(const std::string& full_name,
                                         const CallContext& context) const {
  return caller_->get(path_of("schemas", full_name), {}, context);
}

Result<Json> UnityCatalogApi::update_schema(const std::string& full_name, const Json& changes,
                                            const CallContext& context) const {
  if (auto checked = require_object(changes, "schema update"); !checked) return checked;
  return caller_->call("PATCH", path_of("schemas", full_name), {}, changes,
                       Idempotency::kIdempotent, context);
}

Status UnityCatalogApi::delete_schema(const std::string& full_name, bool force,
                                      const CallContext& context) const {
  return detail::to_delete_status(caller_->call("DELETE", path_of("schemas", full_name),
                                                {{"force", force ? "true" : "false"}}, nullptr,
                                                Idempotency::kIdempotent, context));
}

Result<Json> UnityCatalogApi::create_table(const Json& request, const CallContext& context) const {
  if (auto checked = require_object(request, "table spec"); !checked) return checked;
  return caller_->post(std::string(kBase) + "tables", request, Idempotency::kNonIdempotent,
                       context);
}

Result<Json> UnityCatalogApi::list_tables(const std::string& catalog_name,
                                          const std::string& schema_name,
                                          const CallContext& context) const {
  return list_all("tables", "tables",
                  {{"catalog_name", catalog_name}, {"schema_name", schema_name}}, context);
}

Result<Json> UnityCatalogApi::list_table_summaries(const std::string& catalog_name,
                                                   const CallContext& context) const {
  return caller_->get(std::string(kBase) + "table-summaries", {{"catalog_name", catalog_name}},
                      context);
}

Result<Json> UnityCatalogApi::get_table(const std::string& full_name,
                                        const CallContext& context) const {
  return caller_->get(path_of("tables", full_name), {}, context);
}

Result<Json> UnityCatalogApi::update_table(const std::string& full_name, const Json& changes,
                                           const CallContext& context) const {
  if (auto checked = require_object(changes, "table update"); !checked) return checked;
  return caller_->call("PATCH", path_of("tables", full_name), {}, changes, Idempotency::kIdempotent,
                       context);
}

Status UnityCatalogApi::delete_table(const std::string& full_name,
                                     const CallContext& context) const {
  return detail::to_delete_status(caller_->call("DELETE", path_of("tables", full_name), {}, nullptr,
                                                Idempotency::kIdempotent, context));
}

// ---- Named objects ----

Result<Json> UnityCatalogApi::create_in(const char* collection, const Json& request,
                                        const char* what, const CallContext& context) const {
  if (auto checked = require_object(request, what); !checked) return checked;
  return caller_->post(std::string(kBase) + collection, request, Idempotency::kNonIdempotent,
                       context);
}

Result<Json> UnityCatalogApi::get_in(const char* collection, const std::string& name,
                                     const CallContext& context) const {
  return caller_->get(path_of(collection, name), {}, context);
}

Result<Json> UnityCatalogApi::update_in(const char* collection, const std::string& name,
                                        const Json& changes, const char* what,
                                        const CallContext& context) const {
  if (auto checked = require_object(changes, what); !checked) return checked;
  return caller_->call("PATCH", path_of(collection, name), {}, changes, Idempotency::kIdempotent,
                       context);
}

Status UnityCatalogApi::delete_in(const char* collection, const std::string& name,
                                  std::optional<bool> force, const CallContext& context) const {
  std::vector<std::pair<std::string, std::string>> query;
  if (force) query.emplace_back("force", *force ? "true" : "false");
  return detail::to_delete_status(caller_->call("DELETE", path_of(collection, name), query, nullptr,
                                                Idempotency::kIdempotent, context));
}

}  // namespace dbk
