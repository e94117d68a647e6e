#include "unity_catalog/unity_catalog_service.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "discovery/host_metadata_service.hpp"
#include "http/member_handler.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "identity/principals.hpp"
#include "state/store.hpp"
#include "unity_catalog/uc_common.hpp"

namespace dbk::emulator {
using namespace uc;

void UnityCatalogService::seed() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (context_.store.get(kSeed, "default")) return;
  const auto now = context_.clock.now_ms();
  (void)context_.store.transaction([&](Store::Transaction& tx) -> Status {
    const std::string id = metastore_id_of(tx.next_id(kMetastore));
    tx.put(kMetastore, id,
           json{{"metastore_id", id},
                {"name", "emulator-metastore"},
                {"storage_root", "dbfs:/unity-catalog/" + id},
                {"region", "emulator"},
                {"cloud", "emulator"},
                {"global_metastore_id", "emulator:emulator:" + id},
                {"owner", kEmulatorUserName},
                {"privilege_model_version", "1.0"},
                {"delta_sharing_scope", "INTERNAL"},
                {"created_at", now},
                {"created_by", kEmulatorUserName},
                {"updated_at", now},
                {"updated_by", kEmulatorUserName}});
    tx.put(kAssignment, kEmulatorWorkspaceId,
           json{{"workspace_id", std::stoll(kEmulatorWorkspaceId)},
                {"metastore_id", id},
                {"default_catalog_name", "hive_metastore"}});
    tx.put(kSeed, "default", json{{"metastore_id", id}});
    return {};
  });
}

void UnityCatalogService::register_routes(Router& router) {
  const auto versions = {"2.0", "2.1"};
  router.add_versions("POST", versions, "unity-catalog/metastores",
                      member_handler(this, &UnityCatalogService::create_metastore));
  router.add_versions("GET", versions, "unity-catalog/metastores",
                      member_handler(this, &UnityCatalogService::list_metastores));
  for (const char* method : {"GET", "PATCH", "DELETE"}) {
    router.add_versions(method, versions, "unity-catalog/metastores/*",
                        member_handler(this, &UnityCatalogService::metastore));
  }
  router.add_versions("GET", versions, "unity-catalog/metastore_summary",
                      member_handler(this, &UnityCatalogService::summary));
  router.add_versions("GET", versions, "unity-catalog/current-metastore-assignment",
                      member_handler(this, &UnityCatalogService::current_assignment));
  for (const char* method : {"PUT", "PATCH", "DELETE"}) {
    router.add_versions(method, versions, "unity-catalog/workspaces/*",
                        member_handler(this, &UnityCatalogService::assignment));
  }
  for (int level = 1; level <= 3; ++level) {
    const std::string base = std::string("unity-catalog/") + kListFields[level];
    router.add_versions("POST", versions, base, [this, level](const Request& request) {
      return create_securable(request, level);
    });
    router.add_versions("GET", versions, base, [this, level](const Request& request) {
      return list_securables(request, level);
    });
    for (const char* method : {"GET", "PATCH", "DELETE"}) {
      router.add_versions(method, versions, base + "/*", [this, level](const Request& request) {
        return securable(request, level);
      });
    }
  }
  router.add_versions("GET", versions, "unity-catalog/table-summaries",
                      member_handler(this, &UnityCatalogService::table_summaries));
}

// ---- Metastores ----

Response UnityCatalogService::create_metastore(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto name, params.required_string("name"));
  DBK_RETURN_IF_ERROR(check_name("Metastore", name));
  DBK_ASSIGN_OR_RESPOND(auto storage_root, params.optional_string("storage_root"));
  DBK_ASSIGN_OR_RESPOND(auto region, params.optional_string("region"));
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  json metastore;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    const std::string id = metastore_id_of(tx.next_id(kMetastore));
    metastore = json{{"metastore_id", id},
                     {"name", name},
                     {"region", region.value_or("emulator")},
                     {"cloud", "emulator"},
                     {"global_metastore_id", "emulator:" + region.value_or("emulator") + ":" + id},
                     {"owner", kEmulatorUserName},
                     {"privilege_model_version", "1.0"},
                     {"delta_sharing_scope", "INTERNAL"},
                     {"created_at", now},
                     {"created_by", kEmulatorUserName},
                     {"updated_at", now},
                     {"updated_by", kEmulatorUserName}};
    if (storage_root) metastore["storage_root"] = *storage_root + "/" + id;
    tx.put(kMetastore, id, metastore);
    return {};
  }));
  return json_response(200, public_fields(metastore));
}

Response UnityCatalogService::list_metastores(const Request&) {
  ordered list = ordered::array();
  for (const auto& [id, metastore] : context_.store.list(kMetastore)) {
    list.push_back(public_fields(metastore));
  }
  ordered body = ordered::object();
  if (!list.empty()) body["metastores"] = list;
  return json_response(200, body);
}

Response UnityCatalogService::metastore(const Request& request) {
  const std::string id = request.path_tail;
  if (request.method == "GET") {
    auto metastore = context_.store.get(kMetastore, id);
    if (!metastore) return error_response(metastore_missing(id));
    return json_response(200, public_fields(*metastore));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.method == "DELETE") {
    DBK_ASSIGN_OR_RESPOND(bool force, delete_force(request));
    return status_response(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      if (!tx.get(kMetastore, id)) return metastore_missing(id);
      const std::string prefix = id + "/";
      std::vector<std::pair<const char*, std::string>> children;
      for (int level = 1; level <= 3; ++level) {
        for (const auto& [key, doc] : tx.list(kKinds[level])) {
          if (key.compare(0, prefix.size(), prefix) == 0) children.emplace_back(kKinds[level], key);
        }
      }
      if (!children.empty() && !force) {
        return invalid_parameter("Metastore '" + id +
                                 "' is not empty; delete its catalogs first or use force.");
      }
      for (const auto& [kind, key] : children) tx.erase(kind, key);
      for (const auto& [workspace, assignment] : tx.list(kAssignment)) {
        if (assignment.value("metastore_id", "") == id) tx.erase(kAssignment, workspace);
      }
      tx.erase(kMetastore, id);
      return {};
    }));
  }
  // PATCH: the fields given (legacy sends `name`, the SDK `new_name`); nulls are unset flags.
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto metastore = tx.get(kMetastore, id);
    if (!metastore) return metastore_missing(id);
    for (const char* field : {"new_name", "name"}) {
      auto value = update_string(body, field);
      if (!value) return value.error();
      if (*value) {
        if (auto status = check_name("Metastore", **value); !status) return status;
        (*metastore)["name"] = **value;
      }
    }
    for (const char* field : {"owner", "storage_root_credential_id", "delta_sharing_scope",
                              "delta_sharing_organization_name", "privilege_model_version"}) {
      auto value = update_string(body, field);
      if (!value) return value.error();
      if (*value) (*metastore)[field] = **value;
    }
    if (metastore->value("delta_sharing_scope", "INTERNAL") != "INTERNAL" &&
        metastore->value("delta_sharing_scope", "") != "INTERNAL_AND_EXTERNAL") {
      return invalid_parameter("delta_sharing_scope must be INTERNAL or INTERNAL_AND_EXTERNAL");
    }
    const char* lifetime = "delta_sharing_recipient_token_lifetime_in_seconds";
    if (body.contains(lifetime) && !body[lifetime].is_null()) {
      if (!body[lifetime].is_number_integer() || body[lifetime].get<std::int64_t>() < 0) {
        return invalid_parameter(std::string(lifetime) + " must be a non-negative integer");
      }
      (*metastore)[lifetime] = body[lifetime];
    }
    (*metastore)["updated_at"] = context_.clock.now_ms();
    (*metastore)["updated_by"] = kEmulatorUserName;
    tx.put(kMetastore, id, *metastore);
    updated = *metastore;
    return {};
  }));
  return json_response(200, public_fields(updated));
}

Response UnityCatalogService::summary(const Request&) {
  std::optional<json> metastore;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto id = current_metastore(tx);
    if (!id) return id.error();
    metastore = tx.get(kMetastore, *id);
    if (!metastore) return no_current_metastore();
    return {};
  }));
  return json_response(200, public_fields(*metastore));
}

Response UnityCatalogService::current_assignment(const Request&) {
  auto assignment = context_.store.get(kAssignment, kEmulatorWorkspaceId);
  if (!assignment) return error_response(no_current_metastore());
  return json_response(200, public_fields(*assignment));
}

Response UnityCatalogService::assignment(const Request& request) {
  // workspaces/{workspace_id}/metastore
  const std::string tail = request.path_tail;
  const auto slash = tail.find('/');
  const std::string workspace = tail.substr(0, slash);
  if (slash == std::string::npos || tail.substr(slash) != "/metastore") {
    return error_response(404, "ENDPOINT_NOT_FOUND",
                          "No API found for '" + request.method + " " + shown(request.path) + "'");
  }
  if (workspace.empty() || workspace.size() > 18 ||
      !std::all_of(workspace.begin(), workspace.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return error_response(
        invalid_parameter("Invalid workspace id '" + shown(workspace) + "': not a number."));
  }
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  json body = params.json();
  if (request.method == "DELETE" && body.empty()) {
    // The legacy CLI sends metastore_id in a JSON body even on DELETE.
    if (request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
      DBK_ASSIGN_OR_RESPOND(body, parse_client_json(request.body));
      if (!body.is_object()) body = json::object();
    }
  }
  const std::string key = std::to_string(std::stoll(workspace));
  std::lock_guard<std::mutex> lock(mutex_);
  return status_response(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto id = update_string(body, "metastore_id");
    if (!id) return id.error();
    if (!*id || (*id)->empty()) return invalid_parameter("Missing required field: metastore_id");
    if (!tx.get(kMetastore, **id)) return metastore_missing(**id);
    auto current = tx.get(kAssignment, key);
    if (request.method == "DELETE") {
      if (!current || current->value("metastore_id", "") != **id) {
        return invalid_parameter("Workspace " + key + " is not assigned to metastore '" + **id +
                                 "'.");
      }
      tx.erase(kAssignment, key);
      return {};
    }
    auto default_catalog = update_string(body, "default_catalog_name");
    if (!default_catalog) return default_catalog.error();
    json assignment = current && request.method == "PATCH" ? *current : json::object();
    assignment["workspace_id"] = std::stoll(key);
    assignment["metastore_id"] = **id;
    if (*default_catalog) {
      assignment["default_catalog_name"] = **default_catalog;
    } else if (!assignment.contains("default_catalog_name")) {
      assignment["default_catalog_name"] = "hive_metastore";
    }
    tx.put(kAssignment, key, assignment);
    return {};
  }));
}

// ---- Catalogs, schemas and tables ----

Response UnityCatalogService::create_securable(const Request& request, int level) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  std::vector<std::string> parts;
  static const char* parent_fields[] = {"catalog_name", "schema_name"};
  for (int i = 0; i < level - 1; ++i) {
    DBK_ASSIGN_OR_RESPOND(auto parent, params.required_string(parent_fields[i]));
    DBK_RETURN_IF_ERROR(check_name(kNouns[i + 1], parent));
    parts.push_back(lower(parent));
  }
  DBK_ASSIGN_OR_RESPOND(auto name, params.required_string("name"));
  DBK_RETURN_IF_ERROR(check_name(kNouns[level], name));
  parts.push_back(lower(name));
  DBK_ASSIGN_OR_RESPOND(auto comment, params.optional_string("comment"));
  auto properties = params.optional_json("properties");
  if (properties && !properties->is_object()) {
    return error_response(invalid_parameter("properties must be an object"));
  }
  if (level == 1 && (params.has("provider_name") || params.has("share_name"))) {
    DBK_ASSIGN_OR_RESPOND(auto provider, params.optional_string("provider_name"));
    return error_response(
        http_error(404, "PROVIDER_DOES_NOT_EXIST",
                   "Provider '" + shown(provider.value_or("")) + "' does not exist."));
  }
  const std::string full_name = join(parts, parts.size());
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  json created;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto metastore = current_metastore(tx);
    if (!metastore) return metastore.error();
    for (int i = 1; i < level; ++i) {
      if (!tx.get(kKinds[i], *metastore + "/" + join(parts, i))) {
        return missing(i, join(parts, i));
      }
    }
    if (tx.get(kKinds[level], *metastore + "/" + full_name)) {
      return http_error(409, std::string(kCodes[level]) + "_ALREADY_EXISTS",
                        std::string(kNouns[level]) + " '" + full_name + "' already exists");
    }
    auto make = [&](int at, const std::vector<std::string>& names) {
      json doc = {{"name", names.back()}, {"full_name", join(names, names.size())}};
      if (at >= 2) doc["catalog_name"] = names[0];
      if (at >= 3) doc["schema_name"] = names[1];
      doc["owner"] = kEmulatorUserName;
      doc["metastore_id"] = *metastore;
      doc["created_at"] = now;
      doc["created_by"] = kEmulatorUserName;
      doc["updated_at"] = now;
      doc["updated_by"] = kEmulatorUserName;
      if (at <= 2) doc["catalog_type"] = "MANAGED_CATALOG";
      if (at == 1) {
        doc["isolation_mode"] = "OPEN";
        doc["securable_type"] = "CATALOG";
        doc["securable_kind"] = "CATALOG_STANDARD";
      }
      const char* id_field = at == 1 ? "id" : at == 2 ? "schema_id" : "table_id";
      doc[id_field] = metastore_id_of(tx.next_id(std::string("uc_") + kCodes[at]));
      return doc;
    };
    created = make(level, parts);
    if (comment) created["comment"] = *comment;
    if (properties) created["properties"] = *properties;
    if (level == 3) {
      // Tables as the legacy CLI's `tables create` sends them: the spec's own fields kept.
      for (const auto& [key, value] : params.json().items()) {
        if (!created.contains(key) && !key.empty() && key[0] != '_') created[key] = value;
      }
      if (!created.contains("table_type")) created["table_type"] = "MANAGED";
      if (!created.contains("data_source_format")) created["data_source_format"] = "DELTA";
    }
    tx.put(kKinds[level], *metastore + "/" + full_name, created);
    if (level == 1) {
      // A new catalog holds the schemas `default` and `information_schema`, as on the service.
      for (const char* schema : {"default", "information_schema"}) {
        json doc = make(2, {parts[0], schema});
        if (std::string(schema) == "information_schema") {
          doc["owner"] = "System user";
          doc["comment"] = "Information schema (auto-created)";
        } else {
          doc["comment"] = "Default schema (auto-created)";
        }
        tx.put(kKinds[2], *metastore + "/" + parts[0] + "." + schema, doc);
      }
    }
    return {};
  }));
  return json_response(200, public_fields(created));
}

Response UnityCatalogService::list_securables(const Request& request, int level) {
  std::vector<std::string> parents;
  static const char* parent_fields[] = {"catalog_name", "schema_name"};
  for (int i = 0; i < level - 1; ++i) {
    auto value = request.query_param(parent_fields[i]);
    if (!value || value->empty()) {
      return error_response(
          invalid_parameter(std::string("Missing required field: ") + parent_fields[i]));
    }
    DBK_RETURN_IF_ERROR(check_name(kNouns[i + 1], *value));
    parents.push_back(lower(*value));
  }
  std::vector<json> items;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto metastore = current_metastore(tx);
    if (!metastore) return metastore.error();
    for (int i = 1; i < level; ++i) {
      if (!tx.get(kKinds[i], *metastore + "/" + join(parents, i))) {
        return missing(i, join(parents, i));
      }
    }
    const std::string prefix =
        *metastore + "/" + (parents.empty() ? std::string() : join(parents, parents.size()) + ".");
    for (const auto& [key, doc] : tx.list(kKinds[level])) {
      if (key.compare(0, prefix.size(), prefix) == 0) items.push_back(doc);
    }
    return {};
  }));
  std::sort(items.begin(), items.end(), [](const json& a, const json& b) {
    return a.value("full_name", "") < b.value("full_name", "");
  });
  DBK_ASSIGN_OR_RESPOND(auto body, page_of(request, std::move(items), kListFields[level]));
  return json_response(200, body);
}

Response UnityCatalogService::table_summaries(const Request& request) {
  auto catalog = request.query_param("catalog_name");
  if (!catalog || catalog->empty()) {
    return error_response(invalid_parameter("Missing required field: catalog_name"));
  }
  DBK_RETURN_IF_ERROR(check_name("Catalog", *catalog));
  const std::string name = lower(*catalog);
  ordered tables = ordered::array();
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto metastore = current_metastore(tx);
    if (!metastore) return metastore.error();
    if (!tx.get(kKinds[1], *metastore + "/" + name)) return missing(1, name);
    const std::string prefix = *metastore + "/" + name + ".";
    for (const auto& [key, doc] : tx.list(kKinds[3])) {
      if (key.compare(0, prefix.size(), prefix) != 0) continue;
      tables.push_back(ordered{{"full_name", doc.value("full_name", "")},
                               {"table_type", doc.value("table_type", "MANAGED")}});
    }
    return {};
  }));
  ordered body = ordered::object();
  if (!tables.empty()) body["tables"] = tables;
  return json_response(200, body);
}

Response UnityCatalogService::securable(const Request& request, int level) {
  DBK_ASSIGN_OR_RESPOND(auto parts, split_full_name(request.path_tail, level));
  const std::string full_name = join(parts, parts.size());
  if (request.method == "GET") {
    std::optional<json> found;
    DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      auto metastore = current_metastore(tx);
      if (!metastore) return metastore.error();
      found = tx.get(kKinds[level], *metastore + "/" + full_name);
      if (!found) return missing(level, full_name);
      return {};
    }));
    return json_response(200, public_fields(*found));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.method == "DELETE") {
    DBK_ASSIGN_OR_RESPOND(bool force, delete_force(request));
    return status_response(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      auto metastore = current_metastore(tx);
      if (!metastore) return metastore.error();
      const std::string key = *metastore + "/" + full_name;
      if (!tx.get(kKinds[level], key)) return missing(level, full_name);
      if (level == 2 && parts[1] == "information_schema") {
        return http_error(403, "PERMISSION_DENIED",
                          "Schema '" + full_name + "' is a system schema and cannot be deleted.");
      }
      // Children: schemas (all but information_schema, which goes with its catalog) and tables.
      std::vector<std::pair<const char*, std::string>> children;
      std::size_t blocking = 0;
      for (int child = level + 1; child <= 3; ++child) {
        for (const auto& [child_key, doc] : tx.list(kKinds[child])) {
          if (child_key.compare(0, key.size() + 1, key + ".") != 0) continue;
          children.emplace_back(kKinds[child], child_key);
          if (!(child == 2 && doc.value("name", "") == "information_schema")) ++blocking;
        }
      }
      if (blocking > 0 && !force) {
        return http_error(400, std::string(kCodes[level]) + "_NOT_EMPTY",
                          std::string(kNouns[level]) + " '" + full_name +
                              "' is not empty. Delete its contents first or use force.");
      }
      for (const auto& [kind, child_key] : children) tx.erase(kind, child_key);
      tx.erase(kKinds[level], key);
      return {};
    }));
  }
  // PATCH: comment, owner, properties and a rename (new_name; legacy JSON may say `name`).
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto metastore = current_metastore(tx);
    if (!metastore) return metastore.error();
    const std::string key = *metastore + "/" + full_name;
    auto doc = tx.get(kKinds[level], key);
    if (!doc) return missing(level, full_name);
    for (const char* field : {"comment", "owner", "isolation_mode"}) {
      auto value = update_string(body, field);
      if (!value) return value.error();
      if (*value) (*doc)[field] = **value;
    }
    if (body.contains("properties") && !body["properties"].is_null()) {
      if (!body["properties"].is_object()) return invalid_parameter("properties must be an object");
      (*doc)["properties"] = body["properties"];
    }
    std::optional<std::string> rename;
    for (const char* field : {"new_name", "name"}) {
      auto value = update_string(body, field);
      if (!value) return value.error();
      if (*value && lower(**value) != parts.back()) rename = **value;
    }
    (*doc)["updated_at"] = context_.clock.now_ms();
    (*doc)["updated_by"] = kEmulatorUserName;
    if (!rename) {
      tx.put(kKinds[level], key, *doc);
      updated = *doc;
      return {};
    }
    if (auto status = check_name(kNouns[level], *rename); !status) return status;
    std::vector<std::string> renamed = parts;
    renamed.back() = lower(*rename);
    const std::string new_full = join(renamed, renamed.size());
    const std::string new_key = *metastore + "/" + new_full;
    if (tx.get(kKinds[level], new_key)) {
      return http_error(409, std::string(kCodes[level]) + "_ALREADY_EXISTS",
                        std::string(kNouns[level]) + " '" + new_full + "' already exists");
    }
    (*doc)["name"] = renamed.back();
    (*doc)["full_name"] = new_full;
    tx.erase(kKinds[level], key);
    tx.put(kKinds[level], new_key, *doc);
    // Children move with their parent: their keys and full names start with the new name.
    for (int child = level + 1; child <= 3; ++child) {
      for (auto [child_key, child_doc] : tx.list(kKinds[child])) {
        if (child_key.compare(0, key.size() + 1, key + ".") != 0) continue;
        const std::string rest = child_key.substr(key.size());
        child_doc["full_name"] = new_full + rest;
        child_doc[level == 1 ? "catalog_name" : "schema_name"] = renamed.back();
        tx.erase(kKinds[child], child_key);
        tx.put(kKinds[child], new_key + rest, child_doc);
      }
    }
    updated = *doc;
    return {};
  }));
  return json_response(200, public_fields(updated));
}

}  // namespace dbk::emulator
