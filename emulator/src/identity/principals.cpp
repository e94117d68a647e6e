#include "identity/principals.hpp"

#include "identity/scim_protocol.hpp"

namespace dbk::emulator {

nlohmann::json member_entry(const std::string& type, const std::string& name) {
  return {{"type", type}, {"name", name}};
}

std::optional<nlohmann::json> find_group(const Store& store, const std::string& name) {
  return store.get(kGroupKind, name);
}

std::optional<nlohmann::json> find_user(const Store::Entries& users, const std::string& user_name) {
  const std::string wanted = scim_lower(user_name);
  for (const auto& [id, user] : users) {
    if (scim_lower(user.value("userName", "")) == wanted) return user;
  }
  return std::nullopt;
}

bool principal_exists(const Store& store, const std::string& name) {
  if (name == kEmulatorUserName) return true;
  if (find_group(store, name) || find_user(store.list(kUserKind), name)) return true;
  for (const auto& [id, sp] : store.list(kServicePrincipalKind)) {
    if (sp.value("applicationId", "") == name) return true;
  }
  return false;
}

void ensure_emulator_user(Store::Transaction& tx) {
  if (tx.get(kUserKind, kEmulatorUserId)) return;
  tx.put(kUserKind, kEmulatorUserId,
         {{"id", kEmulatorUserId},
          {"userName", kEmulatorUserName},
          {"displayName", "dbk emulator"},
          {"active", true},
          {"emails", {{{"type", "work"}, {"value", kEmulatorUserName}, {"primary", true}}}},
          {"entitlements",
           {{{"value", "allow-cluster-create"}},
            {{"value", "allow-instance-pool-create"}},
            {{"value", "databricks-sql-access"}},
            {{"value", "workspace-access"}}}}});
}

}  // namespace dbk::emulator
