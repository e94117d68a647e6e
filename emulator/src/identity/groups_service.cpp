#include "identity/groups_service.hpp"

#include <algorithm>

#include "http/member_handler.hpp"
#include "identity/principals.hpp"
#include "identity/scim_protocol.hpp"

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
  return member_entry(type, name);
}

// The Groups 2.0 spelling of a member: {"user_name": ...} (users, and service principals by
// application id) or {"group_name": ...}.
ordered legacy_member(const json& m) {
  const std::string key = m.value("type", std::string()) == "group" ? "group_name" : "user_name";
  return ordered{{key, m.value("name", std::string())}};
}

// The member entry of the user (or service principal, by application id) or group a Groups
// 2.0 request names, as stored; nullopt when there is none.
template <typename Reader>
std::optional<json> existing_member(const Reader& reader, const json& who) {
  const std::string name = who.value("name", std::string());
  if (who.value("type", std::string()) == "group") {
    if (!reader.get(kGroupKind, name)) return std::nullopt;
    return who;
  }
  if (auto user = find_user(reader.list(kUserKind), name)) {
    return member("user", user->value("userName", ""));
  }
  for (const auto& [id, sp] : reader.list(kServicePrincipalKind)) {
    if (sp.value("applicationId", "") == name) return member("service_principal", name);
  }
  return std::nullopt;
}

ApiError group_missing(const std::string& name) {
  return not_found("Group " + name + " does not exist.");
}

ApiError scim_missing(const std::string& id) {
  return scim_error(404, "", "Group with id " + id + " not found.");
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

template <typename Reader>
ordered scim_group(const json& group, const PrincipalDirectory<Reader>& directory) {
  ordered out;
  out["displayName"] = group.value("displayName", std::string());
  ordered members = ordered::array();
  for (const auto& m : group.value("members", json::array())) {
    auto id = directory.id_of_member(m);
    if (!id) continue;
    members.push_back({{"display", m.value("name", std::string())},
                       {"value", id->first},
                       {"$ref", id->second + "/" + id->first}});
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
    ensure_emulator_user(tx);
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
  router.add("POST", "/api/2.0/groups/create", member_handler(this, &GroupsService::create));
  router.add("POST", "/api/2.0/groups/add-member",
             [this](const Request& r) { return change_member(r, true); });
  router.add("POST", "/api/2.0/groups/remove-member",
             [this](const Request& r) { return change_member(r, false); });
  router.add("GET", "/api/2.0/groups/list", member_handler(this, &GroupsService::list));
  router.add("GET", "/api/2.0/groups/list-members",
             member_handler(this, &GroupsService::list_members));
  router.add("GET", "/api/2.0/groups/list-parents",
             member_handler(this, &GroupsService::list_parents));
  router.add("POST", "/api/2.0/groups/delete", member_handler(this, &GroupsService::remove));
  router.add("GET", kScimGroups, member_handler(this, &GroupsService::scim_list));
  router.add("POST", kScimGroups, member_handler(this, &GroupsService::scim_create));
  router.add("GET", std::string(kScimGroups) + "/*",
             member_handler(this, &GroupsService::scim_get));
  router.add("PATCH", std::string(kScimGroups) + "/*",
             member_handler(this, &GroupsService::scim_patch));
  router.add("DELETE", std::string(kScimGroups) + "/*",
             member_handler(this, &GroupsService::scim_delete));
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
    auto found = existing_member(tx, who);
    if (!found) return not_found((user ? "User " : "Group ") + name + " does not exist.");
    who = *found;
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
  auto found = existing_member(context_.store, who);
  if (!found) {
    return error_response(not_found((user ? "User " : "Group ") + name + " does not exist."));
  }
  who = *found;
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
  PrincipalDirectory<Store> directory(context_.store);
  std::vector<json> resources;
  for (const auto& [name, group] : context_.store.list(kGroupKind)) {
    resources.push_back(json::parse(scim_group(group, directory).dump()));
  }
  // Groups list in id order, as users do.
  std::stable_sort(resources.begin(), resources.end(), [](const json& a, const json& b) {
    const std::string x = a.value("id", ""), y = b.value("id", "");
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  return scim_list_response(request, std::move(resources));
}

namespace {

// The member entries a SCIM `members` value names ([{value: id}]); 400 for an unknown id.
template <typename Reader>
Result<std::vector<json>> members_of_ids(const PrincipalDirectory<Reader>& directory,
                                         const json& values) {
  std::vector<json> out;
  for (const auto& item : values.is_array() ? values : json::array({values})) {
    if (!item.is_object() || !item.contains("value") || !item["value"].is_string()) {
      return scim_error(400, "invalidValue", "members entries need a string value");
    }
    auto entry = directory.member_of_id(item["value"].get<std::string>());
    if (!entry) {
      return scim_error(400, "invalidValue",
                        "Member " + item["value"].get<std::string>() + " does not exist.");
    }
    out.push_back(*entry);
  }
  return out;
}

}  // namespace

Response GroupsService::scim_create(const Request& request) {
  DBK_SCIM_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_SCIM_ASSIGN_OR_RESPOND(auto name, params.required_string("displayName"));
  if (name.empty()) {
    return scim_error_response(scim_error(400, "invalidValue", "displayName must not be empty."));
  }
  json stored;
  Status created = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (tx.get(kGroupKind, name)) {
      return scim_error(409, "uniqueness", "Group with name " + name + " already exists.");
    }
    json members = json::array();
    if (params.json().contains("members")) {
      auto named =
          members_of_ids(PrincipalDirectory<Store::Transaction>(tx), params.json()["members"]);
      if (!named) return named.error();
      for (auto& entry : *named) {
        if (std::find(members.begin(), members.end(), entry) == members.end())
          members.push_back(entry);
      }
    }
    stored = {{"id", std::to_string(tx.next_id("scim_group"))},
              {"displayName", name},
              {"members", members}};
    tx.put(kGroupKind, name, stored);
    return {};
  });
  if (!created) return scim_error_response(created.error());
  return json_response(201, scim_group(stored, PrincipalDirectory<Store>(context_.store)));
}

std::optional<std::string> GroupsService::name_of_id(const std::string& id) const {
  return PrincipalDirectory<Store>(context_.store).group_name_of_id(id);
}

Response GroupsService::scim_get(const Request& request) {
  auto name = name_of_id(request.path_tail);
  auto group = name ? find_group(context_.store, *name) : std::nullopt;
  if (!group) return scim_error_response(scim_missing(request.path_tail));
  return json_response(200, scim_group(*group, PrincipalDirectory<Store>(context_.store)));
}

Response GroupsService::scim_patch(const Request& request) {
  DBK_SCIM_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  const json& body = params.json();
  if (!body.contains("Operations") || !body["Operations"].is_array()) {
    return scim_error_response(
        scim_error(400, "invalidSyntax", "The PATCH request needs an Operations array"));
  }
  const std::string id = request.path_tail;
  json stored;
  Status patched = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    PrincipalDirectory<Store::Transaction> directory(tx);
    auto name = directory.group_name_of_id(id);
    if (!name) return scim_missing(id);
    json group = *tx.get(kGroupKind, *name);
    json members = group["members"];
    for (const auto& operation : body["Operations"]) {
      const std::string op = scim_lower(operation.value("op", ""));
      if (op != "add" && op != "remove" && op != "replace") {
        return scim_error(400, "invalidSyntax",
                          "Each operation needs an op: add, remove or replace");
      }
      const json value = operation.contains("value") ? operation["value"] : json();
      ScimPatchPath path;
      if (operation.contains("path") && operation["path"].is_string()) {
        auto parsed = parse_patch_path(operation["path"]);
        if (!parsed) return parsed.error();
        path = *parsed;
      } else if (op != "remove" && value.is_object() && value.size() == 1 &&
                 scim_attribute(value, "members")) {
        path.attribute = "members";  // {"value": {"members": [...]}}
      } else {
        return scim_error(400, "invalidPath",
                          "Group PATCH supports the members path only (renaming is not modelled)");
      }
      if (path.attribute != "members") {
        return scim_error(400, "invalidPath",
                          "Group PATCH supports the members path only (renaming is not modelled)");
      }
      const json listed = operation.contains("path") ? value
                          : value.is_object()        ? *scim_attribute(value, "members")
                                                     : json();
      std::vector<json> named;
      if (!listed.is_null()) {
        auto resolved = members_of_ids(directory, listed);
        if (!resolved) return resolved.error();
        named = *resolved;
      }
      if (path.selected_value) {
        auto entry = directory.member_of_id(*path.selected_value);
        if (entry) named.push_back(*entry);
      }
      for (const auto& entry : named) {
        if (entry == member("group", *name)) {
          return scim_error(400, "invalidValue", "A group cannot be a member of itself.");
        }
      }
      auto contains = [](const json& list, const json& entry) {
        return std::find(list.begin(), list.end(), entry) != list.end();
      };
      if (op == "replace") members = json::array();
      if (op == "remove") {
        json kept = json::array();
        const bool all = named.empty() && !path.selected_value;
        for (const auto& m : members) {
          if (!all && std::find(named.begin(), named.end(), m) == named.end()) kept.push_back(m);
        }
        members = kept;
      } else {
        for (const auto& entry : named) {
          if (!contains(members, entry)) members.push_back(entry);
        }
      }
    }
    group["members"] = members;
    tx.put(kGroupKind, *name, group);
    stored = group;
    return {};
  });
  if (!patched) return scim_error_response(patched.error());
  return json_response(200, scim_group(stored, PrincipalDirectory<Store>(context_.store)));
}

Response GroupsService::scim_delete(const Request& request) {
  auto name = name_of_id(request.path_tail);
  if (!name) return scim_error_response(scim_missing(request.path_tail));
  Status removed = delete_group(*name);
  return removed ? Response{204, {}, {}} : scim_error_response(removed.error());
}

}  // namespace dbk::emulator
