#include "unity_catalog/uc_grants.hpp"

#include <algorithm>
#include <set>

#include "identity/principals.hpp"

namespace dbk::emulator::uc {
namespace {

// The privileges the service names (the official SDK's Privilege values).
const std::set<std::string>& known_privileges() {
  static const std::set<std::string> names = {"ACCESS",
                                              "ALL_PRIVILEGES",
                                              "APPLY_TAG",
                                              "BROWSE",
                                              "CREATE",
                                              "CREATE_CATALOG",
                                              "CREATE_CLEAN_ROOM",
                                              "CREATE_CONNECTION",
                                              "CREATE_EXTERNAL_LOCATION",
                                              "CREATE_EXTERNAL_TABLE",
                                              "CREATE_EXTERNAL_VOLUME",
                                              "CREATE_FEATURE",
                                              "CREATE_FOREIGN_CATALOG",
                                              "CREATE_FOREIGN_SECURABLE",
                                              "CREATE_FUNCTION",
                                              "CREATE_MANAGED_STORAGE",
                                              "CREATE_MATERIALIZED_VIEW",
                                              "CREATE_MODEL",
                                              "CREATE_PROVIDER",
                                              "CREATE_RECIPIENT",
                                              "CREATE_SCHEMA",
                                              "CREATE_SERVICE_CREDENTIAL",
                                              "CREATE_SHARE",
                                              "CREATE_STORAGE_CREDENTIAL",
                                              "CREATE_TABLE",
                                              "CREATE_VIEW",
                                              "CREATE_VOLUME",
                                              "EXECUTE",
                                              "EXECUTE_CLEAN_ROOM_TASK",
                                              "EXTERNAL_USE_LOCATION",
                                              "EXTERNAL_USE_SCHEMA",
                                              "MANAGE",
                                              "MANAGE_ALLOWLIST",
                                              "MODIFY",
                                              "MODIFY_CLEAN_ROOM",
                                              "READ_FEATURE",
                                              "READ_FILES",
                                              "READ_METADATA",
                                              "READ_PRIVATE_FILES",
                                              "READ_VOLUME",
                                              "REFRESH",
                                              "SELECT",
                                              "SET_SHARE_PERMISSION",
                                              "USAGE",
                                              "USE_CATALOG",
                                              "USE_CONNECTION",
                                              "USE_MARKETPLACE_ASSETS",
                                              "USE_PROVIDER",
                                              "USE_RECIPIENT",
                                              "USE_SCHEMA",
                                              "USE_SHARE",
                                              "WRITE_FILES",
                                              "WRITE_PRIVATE_FILES",
                                              "WRITE_VOLUME"};
  return names;
}

Result<std::vector<std::string>> privileges_of(const json& change, const char* field) {
  std::vector<std::string> out;
  auto it = change.find(field);
  if (it == change.end() || it->is_null()) return out;
  if (!it->is_array()) return invalid_parameter(std::string(field) + " must be a list");
  for (const auto& item : *it) {
    if (!item.is_string()) return invalid_parameter(std::string(field) + " must list strings");
    std::string name = item.get<std::string>();
    for (auto& c : name) c = c == ' ' ? '_' : static_cast<char>(std::toupper(c));
    if (!known_privileges().count(name)) {
      return invalid_parameter("Privilege '" + shown(item.get<std::string>()) +
                               "' is not a valid privilege.");
    }
    out.push_back(name);
  }
  return out;
}

}  // namespace

Result<std::vector<PermissionsChange>> parse_changes(const json& body) {
  auto it = body.find("changes");
  if (it == body.end() || it->is_null()) return std::vector<PermissionsChange>();
  if (!it->is_array()) return invalid_parameter("changes must be a list");
  std::vector<PermissionsChange> changes;
  for (const auto& item : *it) {
    if (!item.is_object()) return invalid_parameter("each change must be an object");
    PermissionsChange change;
    DBK_UC_ASSIGN(auto principal, update_string(item, "principal"));
    if (!principal || principal->empty()) {
      return invalid_parameter("Missing required field: principal");
    }
    change.principal = *principal;
    DBK_UC_ASSIGN(change.add, privileges_of(item, "add"));
    DBK_UC_ASSIGN(change.remove, privileges_of(item, "remove"));
    changes.push_back(std::move(change));
  }
  return changes;
}

Status check_principals(const Store& store, const std::vector<PermissionsChange>& changes) {
  for (const auto& change : changes) {
    if (!principal_exists(store, change.principal)) return principal_missing(change.principal);
  }
  return {};
}

void apply_changes(json& securable, const std::vector<PermissionsChange>& changes) {
  json grants = securable.value("_grants", json::object());
  for (const auto& change : changes) {
    std::set<std::string> held;
    for (const auto& p : grants.value(change.principal, json::array())) held.insert(p);
    for (const auto& p : change.add) held.insert(p);
    for (const auto& p : change.remove) held.erase(p);
    if (held.empty()) {
      grants.erase(change.principal);
    } else {
      grants[change.principal] = json(std::vector<std::string>(held.begin(), held.end()));
    }
  }
  securable["_grants"] = grants;
}

ordered grants_of(const json& securable, const std::optional<std::string>& principal) {
  ordered list = ordered::array();
  const json grants = securable.value("_grants", json::object());
  for (const auto& [who, privileges] : grants.items()) {
    if (principal && who != *principal) continue;
    list.push_back(ordered{{"principal", who}, {"privileges", privileges}});
  }
  ordered body = ordered::object();
  if (!list.empty()) body["privilege_assignments"] = list;
  return body;
}

}  // namespace dbk::emulator::uc
