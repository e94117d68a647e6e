#include "unity_catalog/lineage_bindings_service.hpp"

#include <set>

#include "http/request.hpp"
#include "http/response.hpp"
#include "state/store.hpp"
#include "unity_catalog/uc_common.hpp"

namespace dbk::emulator {
namespace {

using namespace uc;

// assign_workspaces / unassign_workspaces: positive workspace ids.
Result<std::vector<std::int64_t>> workspace_ids(const json& body, const char* field) {
  std::vector<std::int64_t> ids;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return ids;
  if (!it->is_array()) return invalid_parameter(std::string(field) + " must be a list");
  for (const auto& item : *it) {
    if (!item.is_number_integer() || item.get<std::int64_t>() <= 0) {
      return invalid_parameter(std::string(field) + " must list positive workspace ids");
    }
    ids.push_back(item.get<std::int64_t>());
  }
  return ids;
}

ordered bindings_of(const json& catalog) {
  ordered body = ordered::object();
  const json workspaces = catalog.value("_workspaces", json::array());
  if (!workspaces.empty()) body["workspaces"] = workspaces;
  return body;
}

}  // namespace

void UcLineageBindingsService::register_routes(Router& router) {
  for (const char* path :
       {"lineage-tracking/table-lineage", "lineage-tracking/table-lineage/get"}) {
    router.add_versions("GET", {"2.0"}, path,
                        [this](const Request& request) { return lineage(request, false); });
  }
  for (const char* path :
       {"lineage-tracking/column-lineage", "lineage-tracking/column-lineage/get"}) {
    router.add_versions("GET", {"2.0"}, path,
                        [this](const Request& request) { return lineage(request, true); });
  }
  for (const char* method : {"GET", "PATCH"}) {
    router.add_versions(method, {"2.0", "2.1"}, "unity-catalog/workspace-bindings/catalogs/*",
                        [this](const Request& request) { return bindings(request); });
  }
}

Response UcLineageBindingsService::lineage(const Request& request, bool columns) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto table, params.required_string("table_name"));
  DBK_RETURN_IF_ERROR(split_full_name(table, 3));
  if (columns) {
    DBK_ASSIGN_OR_RESPOND(auto column, params.required_string("column_name"));
    if (column.empty()) return error_response(invalid_parameter("column_name must not be empty"));
  }
  // No query ever ran through Unity Catalog here: nothing upstream, nothing downstream.
  return json_response(200, ordered::object());
}

Response UcLineageBindingsService::bindings(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto parts, split_full_name(request.path_tail, 1));
  const std::string name = parts[0];
  if (request.method == "GET") {
    ordered answer;
    DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
      auto catalog = tx.get(kKinds[1], metastore + "/" + name);
      if (!catalog) return missing(1, name);
      answer = bindings_of(*catalog);
      return {};
    }));
    return json_response(200, answer);
  }
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto assign, workspace_ids(body, "assign_workspaces"));
  DBK_ASSIGN_OR_RESPOND(auto unassign, workspace_ids(body, "unassign_workspaces"));
  std::lock_guard<std::mutex> lock(mutex_);
  ordered answer;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    auto catalog = tx.get(kKinds[1], metastore + "/" + name);
    if (!catalog) return missing(1, name);
    std::set<std::int64_t> bound;
    for (const auto& id : catalog->value("_workspaces", json::array()))
      bound.insert(id.get<std::int64_t>());
    for (auto id : assign) bound.insert(id);
    for (auto id : unassign) bound.erase(id);
    (*catalog)["_workspaces"] = json(std::vector<std::int64_t>(bound.begin(), bound.end()));
    tx.put(kKinds[1], metastore + "/" + name, *catalog);
    answer = bindings_of(*catalog);
    return {};
  }));
  return json_response(200, answer);
}

}  // namespace dbk::emulator
