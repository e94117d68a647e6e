#include "unity_catalog/shares_service.hpp"

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "identity/principals.hpp"
#include "state/store.hpp"
#include "unity_catalog/uc_common.hpp"
#include "unity_catalog/uc_sharing.hpp"

namespace dbk::emulator {
namespace {

using namespace uc;

ApiError share_missing(const std::string& name) {
  return http_error(404, "SHARE_DOES_NOT_EXIST", "Share '" + shown(name) + "' does not exist.");
}

// The answer: the share without its objects unless asked for.
ordered answer_of(const json& share, bool objects) {
  ordered out = public_fields(share);
  if (!objects || out["objects"].empty()) out.erase("objects");
  return out;
}

// One `updates` entry applied to the share's objects: ADD a table or schema that exists,
// REMOVE or UPDATE one the share holds (found by name, or a table by shared_as).
Status apply_update(const Store::Transaction& tx, const std::string& metastore, const json& update,
                    json& objects, std::int64_t now) {
  if (!update.is_object()) return invalid_parameter("each update must be an object");
  DBK_UC_ASSIGN(auto action, update_string(update, "action"));
  if (!action || (*action != "ADD" && *action != "REMOVE" && *action != "UPDATE")) {
    return invalid_parameter("update action must be ADD, REMOVE or UPDATE");
  }
  auto given = update.find("data_object");
  if (given == update.end() || !given->is_object()) {
    return invalid_parameter("Missing required field: data_object");
  }
  DBK_UC_ASSIGN(auto type, update_string(*given, "data_object_type"));
  const std::string kind = type.value_or("TABLE");
  if (kind != "TABLE" && kind != "SCHEMA") {
    return invalid_parameter("data_object_type '" + shown(kind) +
                             "' is not served by the emulator (TABLE or SCHEMA).");
  }
  const int level = kind == "TABLE" ? 3 : 2;
  DBK_UC_ASSIGN(auto name, update_string(*given, "name"));
  DBK_UC_ASSIGN(auto shared_as, update_string(*given, "shared_as"));
  std::string full_name;
  if (name) {
    DBK_UC_ASSIGN(auto parts, split_full_name(*name, level));
    full_name = join(parts, parts.size());
  } else if (!(*action == "REMOVE" && shared_as)) {
    return invalid_parameter("Missing required field: data_object.name");
  }
  auto held = objects.end();
  for (auto it = objects.begin(); it != objects.end(); ++it) {
    if ((name && (*it)["name"] == full_name) ||
        (!name && (*it).value("shared_as", "") == *shared_as)) {
      held = it;
    }
  }
  if (*action == "ADD") {
    if (held != objects.end()) {
      return invalid_parameter(std::string(kind == "TABLE" ? "Table" : "Schema") + " '" +
                               full_name + "' is already in the share.");
    }
    if (!tx.get(kKinds[level], metastore + "/" + full_name)) return missing(level, full_name);
    json object = *given;
    object["name"] = full_name;
    object["data_object_type"] = kind;
    if (kind == "TABLE" && !shared_as)
      object["shared_as"] = full_name.substr(full_name.find('.') + 1);
    object["added_at"] = now;
    object["added_by"] = kEmulatorUserName;
    object["status"] = "ACTIVE";
    objects.push_back(object);
    return {};
  }
  if (held == objects.end()) {
    return http_error(404, "RESOURCE_DOES_NOT_EXIST",
                      "'" + shown(name ? full_name : *shared_as) + "' is not in the share.");
  }
  if (*action == "REMOVE") {
    objects.erase(held);
    return {};
  }
  for (const auto& [key, value] : given->items()) {
    if (key != "name" && key != "data_object_type" && !value.is_null()) (*held)[key] = value;
  }
  return {};
}

}  // namespace

void UcSharesService::register_routes(Router& router) {
  const auto versions = {"2.0", "2.1"};
  router.add_versions("POST", versions, "unity-catalog/shares",
                      [this](const Request& request) { return create(request); });
  router.add_versions("GET", versions, "unity-catalog/shares",
                      [this](const Request& request) { return list(request); });
  for (const char* method : {"GET", "PATCH", "DELETE"}) {
    router.add_versions(method, versions, "unity-catalog/shares/*",
                        [this](const Request& request) { return share(request); });
  }
}

Response UcSharesService::create(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto name, update_string(body, "name"));
  if (!name) return error_response(invalid_parameter("Missing required field: name"));
  DBK_RETURN_IF_ERROR(check_name("Share", *name));
  DBK_ASSIGN_OR_RESPOND(auto comment, update_string(body, "comment"));
  const std::string key_name = lower(*name);
  std::lock_guard<std::mutex> lock(mutex_);
  json created;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    if (tx.get(kShare, metastore + "/" + key_name)) {
      return http_error(409, "SHARE_ALREADY_EXISTS", "Share '" + key_name + "' already exists");
    }
    const auto now = context_.clock.now_ms();
    created = json{{"name", key_name},        {"owner", kEmulatorUserName},
                   {"created_at", now},       {"created_by", kEmulatorUserName},
                   {"updated_at", now},       {"updated_by", kEmulatorUserName},
                   {"objects", json::array()}};
    if (comment) created["comment"] = *comment;
    tx.put(kShare, metastore + "/" + key_name, created);
    return {};
  }));
  return json_response(200, answer_of(created, false));
}

Response UcSharesService::list(const Request& request) {
  std::vector<json> items;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    for (auto [key, doc] : tx.list(kShare)) {
      if (key.compare(0, metastore.size() + 1, metastore + "/") != 0) continue;
      doc.erase("objects");
      items.push_back(doc);
    }
    return {};
  }));
  DBK_ASSIGN_OR_RESPOND(auto body, page_of(request, std::move(items), "shares", "name"));
  return json_response(200, body);
}

Response UcSharesService::share(const Request& request) {
  if (auto name = before_suffix(request.path_tail, "/permissions")) {
    return permissions(request, *name);
  }
  DBK_RETURN_IF_ERROR(check_name("Share", request.path_tail));
  const std::string name = lower(request.path_tail);
  if (request.method == "GET") {
    bool objects = false;
    if (auto value = request.query_param("include_shared_data")) {
      auto parsed = parse_bool(*value);
      if (!parsed)
        return error_response(invalid_parameter("include_shared_data must be true or false"));
      objects = *parsed;
    }
    std::optional<json> found;
    DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
      found = tx.get(kShare, metastore + "/" + name);
      if (!found) return share_missing(name);
      return {};
    }));
    return json_response(200, answer_of(*found, objects));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.method == "DELETE") {
    return status_response(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
      if (!tx.get(kShare, metastore + "/" + name)) return share_missing(name);
      tx.erase(kShare, metastore + "/" + name);
      return {};
    }));
  }
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto owner, update_string(body, "owner"));
  if (owner && !principal_exists(context_.store, *owner)) {
    return error_response(principal_missing(*owner));
  }
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    auto doc = tx.get(kShare, metastore + "/" + name);
    if (!doc) return share_missing(name);
    const auto now = context_.clock.now_ms();
    json objects = doc->value("objects", json::array());
    if (body.contains("updates") && !body["updates"].is_null()) {
      if (!body["updates"].is_array()) return invalid_parameter("updates must be a list");
      for (const auto& update : body["updates"]) {
        DBK_UC_TRY(apply_update(tx, metastore, update, objects, now));
      }
    }
    (*doc)["objects"] = objects;
    DBK_UC_ASSIGN(auto comment, update_string(body, "comment"));
    if (comment) (*doc)["comment"] = *comment;
    if (owner) (*doc)["owner"] = *owner;
    DBK_UC_ASSIGN(auto rename, new_name_of(body, name, "Share"));
    (*doc)["updated_at"] = now;
    (*doc)["updated_by"] = kEmulatorUserName;
    if (rename) {
      if (tx.get(kShare, metastore + "/" + *rename)) {
        return http_error(409, "SHARE_ALREADY_EXISTS", "Share '" + *rename + "' already exists");
      }
      (*doc)["name"] = *rename;
      tx.erase(kShare, metastore + "/" + name);
    }
    tx.put(kShare, metastore + "/" + doc->value("name", name), *doc);
    updated = *doc;
    return {};
  }));
  return json_response(200, answer_of(updated, true));
}

Response UcSharesService::permissions(const Request& request, const std::string& given) {
  DBK_RETURN_IF_ERROR(check_name("Share", given));
  const std::string name = lower(given);
  if (request.method == "GET") {
    std::vector<json> items;
    DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto share, find_named(tx, kShare, name, share_missing));
      auto grants = grants_of(share.doc, std::nullopt);
      if (grants.contains("privilege_assignments")) {
        for (const auto& grant : grants["privilege_assignments"]) items.push_back(json(grant));
      }
      return {};
    }));
    DBK_ASSIGN_OR_RESPOND(auto body,
                          page_of(request, std::move(items), "privilege_assignments", "principal"));
    return json_response(200, body);
  }
  if (request.method != "PATCH") {
    return error_response(not_allowed_on(request.method, "share permissions"));
  }
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto changes, parse_changes(body));
  bool omit = false;
  if (auto it = body.find("omit_permissions_list"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return error_response(invalid_parameter("omit_permissions_list must be a boolean"));
    }
    omit = it->get<bool>();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ordered answer = ordered::object();
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto share, find_named(tx, kShare, name, share_missing));
    DBK_UC_TRY(check_share_changes(tx, share.metastore, changes));
    apply_changes(share.doc, changes);
    tx.put(kShare, share.key, share.doc);
    if (!omit) answer = grants_of(share.doc, std::nullopt);
    return {};
  }));
  return json_response(200, answer);
}

}  // namespace dbk::emulator
