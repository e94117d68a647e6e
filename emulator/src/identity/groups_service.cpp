#include "identity/groups_service.hpp"

#include <algorithm>

#include "identity/principals.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

constexpr const char* kBuiltinGroups[] = {"admins", "users"};
constexpr const char* kScimGroups = "/api/2.0/preview/scim/v2/Groups";

bool is_builtin(const std::string& name) {
  return std::any_of(std::begin(kBuiltinGroups), std::end(kBuiltinGroups),
                     [&](const char* builtin) { return name == builtin; });
}

json member(const std::string& type, const std::string& name) {
  return {{"type", type}, {"name", name}};
}

// The Groups 2.0 spelling of a member: {"user_name": ...} or {"group_name": ...}.
ordered legacy_member(const json& m) {
  const std::string key = m.value("type", std::string()) == "user" ? "user_name" : "group_name";
  return ordered{{key, m.value("name", std::string())}};
}

ApiError group_missing(const std::string& name) {
  return not_found("Group " + name + " does not exist.");
}

// The member named by exactly one of user_name and group_name.
Result<json> member_param(const Params& params) {
  auto user = params.optional_string("user_name");
  if (!user) return std::move(user).error();
  auto group = params.optional_string("group_name");
  if (!group) return std::move(group).error();
  if (user->has_value() == group->has_value()) {
    return invalid_parameter("Exactly one of user_name and group_name must be specified.");
  }
  return *user ? member("user", **user) : member("group", **group);
}

ordered scim_group(const json& group) {
  ordered out;
  out["displayName"] = group.value("displayName", std::string());
  ordered members = ordered::array();
  for (const auto& m : group.value("members", json::array())) {
    const auto name = m.value("name", std::string());
    const bool user = m.value("type", std::string()) == "user";
    members.push_back({{"display", name},
                       {"value", user ? std::string("1") : name},
                       {"$ref", std::string(user ? "Users/1" : "Groups/") + (user ? "" : name)}});
  }
  if (!members.empty()) out["members"] = members;
  out["id"] = group.value("id", std::string());
  out["schemas"] = {"urn:ietf:params:scim:schemas:core:2.0:Group"};
  return out;
}

}  // namespace

void GroupsService::recover() {
  // A store opened by an older emulator, or just reset, lacks the built-in groups.
  (void)context_.store.transaction([&](Store::Transaction& tx) -> Status {
    for (const char* name : kBuiltinGroups) {
      if (tx.get(kGroupKind, name)) continue;
      tx.put(kGroupKind, name,
             json{{"id", std::to_string(tx.next_id("scim_group"))},
                  {"displayName", name},
                  {"members", json::array({member("user", kEmulatorUserName)})}});
    }
    return {};
  });
}

void GroupsService::register_routes(Router& router) {
  router.add("POST", "/api/2.0/groups/create", [this](const Request& r) { return create(r); });
  router.add("POST", "/api/2.0/groups/add-member",
             [this](const Request& r) { return change_member(r, true); });
  router.add("POST", "/api/2.0/groups/remove-member",
             [this](const Request& r) { return change_member(r, false); });
  router.add("GET", "/api/2.0/groups/list", [this](const Request& r) { return list(r); });
  router.add("GET", "/api/2.0/groups/list-members",
             [this](const Request& r) { return list_members(r); });
  router.add("GET", "/api/2.0/groups/list-parents",
             [this](const Request& r) { return list_parents(r); });
  router.add("POST", "/api/2.0/groups/delete", [this](const Request& r) { return remove(r); });
  router.add("GET", kScimGroups, [this](const Request& r) { return scim_list(r); });
  router.add("POST", kScimGroups, [this](const Request& r) { return scim_create(r); });
  router.add("GET", std::string(kScimGroups) + "/*",
             [this](const Request& r) { return scim_get(r); });
  router.add("DELETE", std::string(kScimGroups) + "/*",
             [this](const Request& r) { return scim_delete(r); });
}

Response GroupsService::create(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto name, params.required_string("group_name"));
  if (name.empty()) return error_response(invalid_parameter("Group name must not be empty."));
  Status created = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (tx.get(kGroupKind, name) || name == kEmulatorUserName) {
      return already_exists("Group with name " + name + " already exists.");
    }
    tx.put(kGroupKind, name,
           json{{"id", std::to_string(tx.next_id("scim_group"))},
                {"displayName", name},
                {"members", json::array()}});
    return {};
  });
  if (!created) return error_response(created.error());
  return json_response(200, ordered{{"group_name", name}});
}

Response GroupsService::change_member(const Request& request, bool add) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto parent, params.required_string("parent_name"));
  DBK_ASSIGN_OR_RESPOND(auto who, member_param(params));
  const std::string name = who.value("name", std::string());
  const bool user = who.value("type", std::string()) == "user";
  Status changed = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    auto group = tx.get(kGroupKind, parent);
    if (!group) return group_missing(parent);
    if (user ? name != kEmulatorUserName : !tx.get(kGroupKind, name)) {
      return not_found((user ? "User " : "Group ") + name + " does not exist.");
    }
    if (!user && name == parent) {
      return invalid_parameter("A group cannot be a member of itself.");
    }
    auto& members = (*group)["members"];
    auto it = std::find(members.begin(), members.end(), who);
    if (add) {
      if (it != members.end()) return {};  // already a member: nothing to do
      members.push_back(who);
    } else {
      if (it == members.end()) {
        return not_found(name + " is not a member of group " + parent + ".");
      }
      members.erase(it);
    }
    tx.put(kGroupKind, parent, *group);
    return {};
  });
  return changed ? empty_response() : error_response(changed.error());
}

Response GroupsService::list(const Request&) {
  ordered names = ordered::array();
  for (const auto& [name, group] : context_.store.list(kGroupKind)) names.push_back(name);
  return json_response(200, ordered{{"group_names", names}});
}

Response GroupsService::list_members(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto name, params.required_string("group_name"));
  auto group = find_group(context_.store, name);
  if (!group) return error_response(group_missing(name));
  ordered members = ordered::array();
  for (const auto& m : group->value("members", json::array())) members.push_back(legacy_member(m));
  return json_response(200, ordered{{"members", members}});
}

Response GroupsService::list_parents(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto who, member_param(params));
  const std::string name = who.value("name", std::string());
  const bool user = who.value("type", std::string()) == "user";
  if (user ? name != kEmulatorUserName : !find_group(context_.store, name)) {
    return error_response(not_found((user ? "User " : "Group ") + name + " does not exist."));
  }
  ordered names = ordered::array();
  for (const auto& [group_name, group] : context_.store.list(kGroupKind)) {
    const auto members = group.value("members", json::array());
    if (std::find(members.begin(), members.end(), who) != members.end()) {
      names.push_back(group_name);
    }
  }
  return json_response(200, ordered{{"group_names", names}});
}

Status GroupsService::delete_group(const std::string& name) {
  if (is_builtin(name)) return invalid_parameter("Cannot delete the built-in group " + name + ".");
  return context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (!tx.get(kGroupKind, name)) return group_missing(name);
    tx.erase(kGroupKind, name);
    // It stops being a member anywhere.
    const json gone = member("group", name);
    for (auto& [other_name, other] : tx.list(kGroupKind)) {
      auto& members = other["members"];
      auto it = std::find(members.begin(), members.end(), gone);
      if (it == members.end()) continue;
      members.erase(it);
      tx.put(kGroupKind, other_name, other);
    }
    return {};
  });
}

Response GroupsService::remove(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto name, params.required_string("group_name"));
  Status removed = delete_group(name);
  return removed ? empty_response() : error_response(removed.error());
}

Response GroupsService::scim_list(const Request& request) {
  // The SDKs filter by name: `displayName eq "x"` is the one filter served.
  std::optional<std::string> wanted;
  if (auto filter = request.query_param("filter")) {
    const std::string prefix = "displayName eq ";
    if (filter->compare(0, prefix.size(), prefix) == 0) {
      std::string value = filter->substr(prefix.size());
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      wanted = value;
    }
  }
  ordered resources = ordered::array();
  for (const auto& [name, group] : context_.store.list(kGroupKind)) {
    if (!wanted || *wanted == name) resources.push_back(scim_group(group));
  }
  ordered body;
  body["totalResults"] = resources.size();
  body["startIndex"] = 1;
  body["itemsPerPage"] = resources.size();
  body["schemas"] = {"urn:ietf:params:scim:api:messages:2.0:ListResponse"};
  body["Resources"] = resources;
  return json_response(200, body);
}

Response GroupsService::scim_create(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto name, params.required_string("displayName"));
  if (name.empty()) return error_response(invalid_parameter("displayName must not be empty."));
  json stored;
  Status created = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (tx.get(kGroupKind, name)) {
      return http_error(409, "RESOURCE_ALREADY_EXISTS",
                        "Group with name " + name + " already exists.");
    }
    stored = {{"id", std::to_string(tx.next_id("scim_group"))},
              {"displayName", name},
              {"members", json::array()}};
    tx.put(kGroupKind, name, stored);
    return {};
  });
  if (!created) return error_response(created.error());
  return json_response(201, scim_group(stored));
}

Response GroupsService::scim_get(const Request& request) {
  for (const auto& [name, group] : context_.store.list(kGroupKind)) {
    if (group.value("id", std::string()) == request.path_tail) {
      return json_response(200, scim_group(group));
    }
  }
  return error_response(not_found("Group with id " + request.path_tail + " not found."));
}

Response GroupsService::scim_delete(const Request& request) {
  for (const auto& [name, group] : context_.store.list(kGroupKind)) {
    if (group.value("id", std::string()) != request.path_tail) continue;
    Status removed = delete_group(name);
    return removed ? Response{204, {}, {}} : error_response(removed.error());
  }
  return error_response(not_found("Group with id " + request.path_tail + " not found."));
}

}  // namespace dbk::emulator
