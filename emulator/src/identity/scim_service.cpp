#include "identity/scim_service.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "http/request.hpp"
#include "http/response.hpp"
#include "identity/scim_protocol.hpp"

namespace dbk::emulator {

using json = nlohmann::json;

struct ScimService::Kind {
  const char* store_kind;
  const char* resource;          ///< URL segment and $ref prefix
  const char* schema;            ///< the core schema URN
  const char* member_type;       ///< its entries in group documents
  const char* key_field;         ///< the unique name: userName or applicationId
  const char* noun;              ///< in messages
  std::set<std::string> fields;  ///< stored attributes (groups live in the groups)
};

namespace {

constexpr const char* kScimBase = "/api/2.0/preview/scim/v2/";
// Ids of users and service principals: far above the group ids (1, 2, 3, ...) so that a
// member `value` names one principal only.
constexpr std::int64_t kPrincipalIdBase = 1000000000000;

const ScimService::Kind kUsers{
    kUserKind,
    "Users",
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "user",
    "userName",
    "User",
    {"userName", "displayName", "active", "emails", "name", "externalId", "entitlements", "roles"}};
const ScimService::Kind kServicePrincipals{
    kServicePrincipalKind,
    "ServicePrincipals",
    "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal",
    "service_principal",
    "applicationId",
    "Service principal",
    {"applicationId", "displayName", "active", "externalId", "entitlements", "roles"}};

const std::set<std::string>& known_entitlements() {
  static const std::set<std::string> values = {"allow-cluster-create", "allow-instance-pool-create",
                                               "databricks-sql-access", "workspace-access",
                                               "workspace-consume"};
  return values;
}

ApiError invalid_value(std::string detail) {
  return scim_error(400, "invalidValue", std::move(detail));
}

ApiError missing(const ScimService::Kind& kind, const std::string& id) {
  return scim_error(404, "", std::string(kind.noun) + " " + id + " not found.");
}

json member_of(const ScimService::Kind& kind, const json& doc) {
  return member_entry(kind.member_type, doc.value(kind.key_field, ""));
}

template <typename Reader>
json render(const ScimService::Kind& kind, const json& doc,
            const PrincipalDirectory<Reader>& directory) {
  json out = doc;
  out["schemas"] = {kind.schema};
  json groups = directory.groups_of(member_of(kind, doc));
  if (!groups.empty()) out["groups"] = std::move(groups);
  return out;
}

// A multi-valued attribute: an array of objects, each with a string `value`.
Status check_values(const char* field, const json& values) {
  if (!values.is_array()) return invalid_value(std::string(field) + " must be an array");
  for (const auto& item : values) {
    if (!item.is_object() || !item.contains("value") || !item["value"].is_string()) {
      return invalid_value(std::string(field) + " entries need a string value");
    }
    if (std::string(field) == "entitlements" && !known_entitlements().count(item["value"])) {
      return invalid_value("Invalid entitlement value: " + item["value"].get<std::string>());
    }
  }
  return {};
}

// The stored document for a create (previous null) or a PUT, as the body asks. Attributes
// the body leaves out are gone afterwards (PUT replaces), except the unique name.
Result<json> stored_from(const ScimService::Kind& kind, const json& body, const json* previous) {
  if (!body.is_object())
    return scim_error(400, "invalidSyntax", "The request body must be an object");
  json doc = json::object();
  const std::string key = kind.key_field;
  if (body.contains(key) && !body[key].is_null()) {
    if (!body[key].is_string() || body[key].get<std::string>().empty()) {
      return invalid_value(key + " must be a non-empty string");
    }
    doc[key] = body[key];
  } else if (previous) {
    doc[key] = (*previous)[key];
  } else if (key == "userName") {
    return invalid_value("Request is missing required field: userName");
  }
  if (previous && (*previous)[key] != doc[key]) {
    if (key == "applicationId") {
      return scim_error(400, "mutability", "applicationId of a service principal cannot change");
    }
    if ((*previous).value("id", "") == kEmulatorUserId) {
      return scim_error(400, "mutability",
                        "The userName of the user the emulator authenticates cannot change");
    }
  }
  for (const char* field : {"displayName", "externalId"}) {
    if (!body.contains(field) || body[field].is_null()) continue;
    if (!body[field].is_string()) return invalid_value(std::string(field) + " must be a string");
    doc[field] = body[field];
  }
  doc["active"] = true;
  if (body.contains("active") && !body["active"].is_null()) {
    if (!body["active"].is_boolean()) return invalid_value("active must be a boolean");
    doc["active"] = body["active"];
  }
  for (const char* field : {"entitlements", "roles", "emails"}) {
    if (!kind.fields.count(field) || !body.contains(field) || body[field].is_null()) continue;
    if (auto checked = check_values(field, body[field]); !checked) return checked.error();
    if (!body[field].empty()) doc[field] = body[field];
  }
  if (kind.fields.count("name") && body.contains("name") && !body["name"].is_null()) {
    if (!body["name"].is_object()) return invalid_value("name must be an object");
    for (const auto& [part, value] : body["name"].items()) {
      if (!value.is_string()) return invalid_value("name." + part + " must be a string");
    }
    doc["name"] = body["name"];
  }
  if (key == "userName") {
    if (!doc.contains("displayName")) doc["displayName"] = doc["userName"];
    if (!doc.contains("emails")) {
      doc["emails"] = {{{"type", "work"}, {"value", doc["userName"]}, {"primary", true}}};
    }
  }
  return doc;
}

// The group ids a body's `groups` names; nullopt when it names none (memberships kept).
Result<std::optional<std::set<std::string>>> group_ids_from(const json& body) {
  if (!body.is_object() || !body.contains("groups") || body["groups"].is_null()) {
    return std::optional<std::set<std::string>>();
  }
  if (auto checked = check_values("groups", body["groups"]); !checked) return checked.error();
  std::set<std::string> ids;
  for (const auto& group : body["groups"]) ids.insert(group["value"].get<std::string>());
  return std::optional<std::set<std::string>>(std::move(ids));
}

// Writes a user or service principal and its memberships in one transaction. `before` is
// the stored document (null for a new one); `group_ids`, when given, are exactly the groups
// it is to be in (the built-in `users` group always holds every principal).
Status save(Store::Transaction& tx, const ScimService::Kind& kind, const json* before,
            const json& after, const std::optional<std::set<std::string>>& group_ids) {
  const std::string id = after["id"];
  const std::string name = after[kind.key_field];
  for (const auto& [other_id, other] : tx.list(kind.store_kind)) {
    if (other_id != id && scim_lower(other.value(kind.key_field, "")) == scim_lower(name)) {
      return scim_error(
          409, "uniqueness",
          std::string(kind.noun) + " with " + kind.key_field + " " + name + " already exists.");
    }
  }
  PrincipalDirectory<Store::Transaction> directory(tx);
  if (group_ids) {
    for (const auto& group_id : *group_ids) {
      if (!directory.group_name_of_id(group_id)) {
        return invalid_value("Group " + group_id + " does not exist.");
      }
    }
  }
  const json old_member = before ? member_of(kind, *before) : json();
  const json new_member = member_of(kind, after);
  for (auto& [group_name, group] : tx.list(kGroupKind)) {
    auto& members = group["members"];
    if (!members.is_array()) members = json::array();
    const bool was = !old_member.is_null() &&
                     std::find(members.begin(), members.end(), old_member) != members.end();
    bool wanted = was || (!before && group_name == "users");
    if (group_ids) wanted = group_name == "users" || group_ids->count(group.value("id", ""));
    json kept = json::array();
    for (const auto& m : members) {
      if (m != old_member && m != new_member) kept.push_back(m);
    }
    if (wanted) kept.push_back(new_member);
    if (kept != members) {
      group["members"] = std::move(kept);
      tx.put(kGroupKind, group_name, group);
    }
  }
  tx.put(kind.store_kind, id, after);
  return {};
}

// --- PATCH ---------------------------------------------------------------------------------

// The canonical attribute name for a lower-cased PATCH path of this kind, or "".
std::string canonical(const ScimService::Kind& kind, const std::string& lower) {
  if (lower == "groups") return "groups";
  for (const auto& field : kind.fields) {
    if (scim_lower(field) == lower) return field;
  }
  return "";
}

json as_values(const json& value) {
  if (value.is_array()) return value;
  if (value.is_null()) return json::array();
  return json::array({value});
}

// Applies one operation to `resource` (the stored attributes plus `groups` as [{value}]).
Status apply(const ScimService::Kind& kind, json& resource, const std::string& op,
             const std::string& path, const std::optional<std::string>& selected,
             const json& value) {
  const std::string lower = scim_lower(path);
  if ((lower == "name.givenname" || lower == "name.familyname") && kind.fields.count("name")) {
    const std::string part = lower == "name.givenname" ? "givenName" : "familyName";
    if (!resource.contains("name") || !resource["name"].is_object())
      resource["name"] = json::object();
    if (op == "remove") {
      resource["name"].erase(part);
    } else {
      resource["name"][part] = value;
    }
    return {};
  }
  const std::string field = canonical(kind, lower);
  if (field.empty()) {
    return scim_error(400, "invalidPath",
                      "Unsupported attribute path for " + std::string(kind.resource) + ": " + path);
  }
  const bool multi =
      field == "groups" || field == "entitlements" || field == "roles" || field == "emails";
  if (selected && !multi) {
    return scim_error(400, "invalidPath",
                      "Only multi-valued attributes take a [value eq] selector");
  }
  if (!multi) {
    if (op == "remove") {
      if (field == kind.key_field || field == "active") {
        return scim_error(400, "mutability", field + " cannot be removed");
      }
      resource.erase(field);
      return {};
    }
    // A single value may come wrapped as [{"value": ...}] (the service's documented form
    // for `active`), and `active` as the text "false" (the SDK drops a false value).
    json set = value;
    if (set.is_array() && set.size() == 1 && set[0].is_object() && set[0].contains("value")) {
      set = set[0]["value"];
    }
    if (field == "active" && set.is_string()) {
      if (auto parsed = parse_bool(set.get<std::string>())) set = *parsed;
    }
    resource[field] = set;
    return {};
  }
  json current = resource.contains(field) ? as_values(resource[field]) : json::array();
  const json values = as_values(value);
  for (const auto& item : values) {
    if (!item.is_object() || !item.contains("value") || !item["value"].is_string()) {
      return invalid_value(field + " values need a string value");
    }
  }
  auto has = [](const json& list, const json& v) {
    for (const auto& item : list) {
      if (item.value("value", json()) == v) return true;
    }
    return false;
  };
  json next = json::array();
  if (op == "replace") {
    next = values;
  } else if (op == "add") {
    next = current;
    for (const auto& item : values) {
      if (!has(next, item["value"])) next.push_back(item);
    }
  } else {  // remove: the selected value, the listed values, or all of them
    if (!selected && values.empty()) {
      next = json::array();
    } else {
      for (const auto& item : current) {
        const json v = item.value("value", json());
        const bool drop = selected ? v == *selected : has(values, v);
        if (!drop) next.push_back(item);
      }
    }
  }
  resource[field] = std::move(next);
  return {};
}

Status apply_operations(const ScimService::Kind& kind, json& resource, const json& body) {
  if (!body.is_object() || !body.contains("Operations") || !body["Operations"].is_array()) {
    return scim_error(400, "invalidSyntax", "The PATCH request needs an Operations array");
  }
  for (const auto& operation : body["Operations"]) {
    if (!operation.is_object() || !operation.contains("op") || !operation["op"].is_string()) {
      return scim_error(400, "invalidSyntax", "Each operation needs an op");
    }
    const std::string op = scim_lower(operation["op"]);
    if (op != "add" && op != "remove" && op != "replace") {
      return scim_error(
          400, "invalidSyntax",
          "Unsupported op " + operation["op"].dump() + ": expected add, remove or replace");
    }
    const json value = operation.contains("value") ? operation["value"] : json();
    if (operation.contains("path") && !operation["path"].is_null()) {
      if (!operation["path"].is_string())
        return scim_error(400, "invalidPath", "path must be a string");
      auto path = parse_patch_path(operation["path"]);
      if (!path) return path.error();
      if (op != "remove" && value.is_null()) {
        return scim_error(400, "invalidValue", op + " of " + path->attribute + " needs a value");
      }
      if (auto done = apply(kind, resource, op, path->attribute, path->selected_value, value);
          !done)
        return done;
      continue;
    }
    if (op == "remove") return scim_error(400, "noTarget", "remove needs a path");
    if (!value.is_object()) {
      return scim_error(400, "invalidValue", "Without a path, value must be an object");
    }
    for (const auto& [attribute, item] : value.items()) {
      if (attribute == "schemas" || attribute == "id") continue;
      if (auto done = apply(kind, resource, op, attribute, std::nullopt, item); !done) return done;
    }
  }
  return {};
}

std::string principal_id(std::int64_t counter) {
  return std::to_string(kPrincipalIdBase + counter);
}

}  // namespace

void ScimService::recover() {
  (void)context_.store.transaction([](Store::Transaction& tx) -> Status {
    ensure_emulator_user(tx);
    return {};
  });
}

void ScimService::register_routes(Router& router) {
  router.add("GET", std::string(kScimBase) + "Me", [this](const Request&) {
    if (!context_.store.get(kUserKind, kEmulatorUserId)) recover();
    auto me = context_.store.get(kUserKind, kEmulatorUserId);
    if (!me) return scim_error_response(missing(kUsers, kEmulatorUserId));
    return json_response(200, render(kUsers, *me, PrincipalDirectory<Store>(context_.store)));
  });
  for (const Kind* kind : {&kUsers, &kServicePrincipals}) {
    const std::string base = std::string(kScimBase) + kind->resource;
    router.add("GET", base, [this, kind](const Request& r) { return list(*kind, r); });
    router.add("POST", base, [this, kind](const Request& r) { return create(*kind, r); });
    router.add("GET", base + "/*", [this, kind](const Request& r) { return get(*kind, r); });
    router.add("PUT", base + "/*", [this, kind](const Request& r) { return replace(*kind, r); });
    router.add("PATCH", base + "/*", [this, kind](const Request& r) { return patch(*kind, r); });
    router.add("DELETE", base + "/*", [this, kind](const Request& r) { return remove(*kind, r); });
  }
}

Response ScimService::list(const Kind& kind, const Request& request) {
  PrincipalDirectory<Store> directory(context_.store);
  std::vector<json> resources;
  for (const auto& [id, doc] : context_.store.list(kind.store_kind)) {
    resources.push_back(render(kind, doc, directory));
  }
  return scim_list_response(request, std::move(resources));
}

Response ScimService::get(const Kind& kind, const Request& request) {
  auto doc = context_.store.get(kind.store_kind, request.path_tail);
  if (!doc) return scim_error_response(missing(kind, request.path_tail));
  return json_response(200, render(kind, *doc, PrincipalDirectory<Store>(context_.store)));
}

Response ScimService::create(const Kind& kind, const Request& request) {
  DBK_SCIM_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  const json& body = params.json();
  DBK_SCIM_ASSIGN_OR_RESPOND(auto doc, stored_from(kind, body, nullptr));
  DBK_SCIM_ASSIGN_OR_RESPOND(auto group_ids, group_ids_from(body));
  Status created = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    const std::int64_t counter = tx.next_id("scim_principal");
    doc["id"] = principal_id(counter);
    if (!doc.contains(kind.key_field)) {
      // A service principal created without one gets a UUID; from the counter, so that
      // twin emulators hand out the same ones.
      char uuid[40];
      std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012llx",
                    static_cast<unsigned long long>(counter));
      doc[kind.key_field] = uuid;
    }
    if (!doc.contains("displayName")) doc["displayName"] = doc[kind.key_field];
    return save(tx, kind, nullptr, doc, group_ids);
  });
  if (!created) return scim_error_response(created.error());
  return json_response(201, render(kind, doc, PrincipalDirectory<Store>(context_.store)));
}

Response ScimService::replace(const Kind& kind, const Request& request) {
  DBK_SCIM_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  const json& body = params.json();
  const std::string id = request.path_tail;
  json stored;
  Status replaced = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto before = tx.get(kind.store_kind, id);
    if (!before) return missing(kind, id);
    auto doc = stored_from(kind, body, &*before);
    if (!doc) return doc.error();
    auto group_ids = group_ids_from(body);
    if (!group_ids) return group_ids.error();
    (*doc)["id"] = id;
    stored = *doc;
    // PUT replaces the memberships too: no `groups` leaves only the built-in `users`.
    return save(tx, kind, &*before, stored, group_ids->value_or(std::set<std::string>()));
  });
  if (!replaced) return scim_error_response(replaced.error());
  return json_response(200, render(kind, stored, PrincipalDirectory<Store>(context_.store)));
}

Response ScimService::patch(const Kind& kind, const Request& request) {
  DBK_SCIM_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  const std::string id = request.path_tail;
  json stored;
  Status patched = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto before = tx.get(kind.store_kind, id);
    if (!before) return missing(kind, id);
    // The operations act on the whole resource; the result is then stored as a PUT would.
    json resource = *before;
    json groups = json::array();
    for (const auto& group :
         PrincipalDirectory<Store::Transaction>(tx).groups_of(member_of(kind, *before))) {
      groups.push_back({{"value", group["value"]}});
    }
    resource["groups"] = groups;
    if (auto applied = apply_operations(kind, resource, params.json()); !applied) return applied;
    auto doc = stored_from(kind, resource, &*before);
    if (!doc) return doc.error();
    auto group_ids = group_ids_from(resource);
    if (!group_ids) return group_ids.error();
    (*doc)["id"] = id;
    stored = *doc;
    return save(tx, kind, &*before, stored, *group_ids);
  });
  if (!patched) return scim_error_response(patched.error());
  return json_response(200, render(kind, stored, PrincipalDirectory<Store>(context_.store)));
}

Response ScimService::remove(const Kind& kind, const Request& request) {
  const std::string id = request.path_tail;
  if (&kind == &kUsers && id == kEmulatorUserId) {
    return scim_error_response(
        scim_error(400, "mutability", "The user the emulator authenticates cannot be deleted"));
  }
  Status removed = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto before = tx.get(kind.store_kind, id);
    if (!before) return missing(kind, id);
    const json gone = member_of(kind, *before);
    for (auto& [group_name, group] : tx.list(kGroupKind)) {
      auto& members = group["members"];
      auto it = std::find(members.begin(), members.end(), gone);
      if (it == members.end()) continue;
      members.erase(it);
      tx.put(kGroupKind, group_name, group);
    }
    tx.erase(kind.store_kind, id);
    return {};
  });
  if (!removed) return scim_error_response(removed.error());
  return Response{204, {}, {}};
}

}  // namespace dbk::emulator
