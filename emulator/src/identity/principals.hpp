#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "state/store.hpp"

namespace dbk::emulator {

/// The workspace user every token authenticates as; jobs, runs and clusters name it as
/// their creator. It is a SCIM user like the others (kind kUserKind) that cannot be deleted.
inline constexpr const char* kEmulatorUserName = "emulator@dbk.local";
inline constexpr const char* kEmulatorUserId = "1000000000000";
/// Store kind of groups, keyed by display name: {id, displayName, members: [{type, name}]}
/// with type "user" (name: userName), "service_principal" (name: applicationId) or
/// "group" (name: displayName) (docs/emulator.md, "Groups").
inline constexpr const char* kGroupKind = "scim_group";
/// Store kinds of SCIM users and service principals, keyed by id. Their group memberships
/// live in the group documents only.
inline constexpr const char* kUserKind = "scim_user";
inline constexpr const char* kServicePrincipalKind = "scim_service_principal";

/// A group document's member entry.
nlohmann::json member_entry(const std::string& type, const std::string& name);

/// The group named `name`, if any.
std::optional<nlohmann::json> find_group(const Store& store, const std::string& name);
/// The user whose userName is `user_name` (case-insensitive, as SCIM compares it).
std::optional<nlohmann::json> find_user(const Store::Entries& users, const std::string& user_name);
/// A user, service principal (by applicationId) or group of the workspace (secret ACLs and
/// group members name principals). The emulator's own user always exists.
bool principal_exists(const Store& store, const std::string& name);
/// Stores the emulator's own user when a fresh (or older, or reset) store lacks it.
void ensure_emulator_user(Store::Transaction& tx);

/// Resolves member entries and SCIM ids against one consistent view of the store (a
/// Store or a Store::Transaction).
template <typename Reader>
class PrincipalDirectory {
 public:
  explicit PrincipalDirectory(const Reader& reader)
      : users_(reader.list(kUserKind)),
        principals_(reader.list(kServicePrincipalKind)),
        groups_(reader.list(kGroupKind)) {}

  /// The member entry of the user, service principal or group with SCIM id `id`.
  std::optional<nlohmann::json> member_of_id(const std::string& id) const {
    for (const auto& [key, user] : users_)
      if (key == id) return member_entry("user", user.value("userName", ""));
    for (const auto& [key, sp] : principals_)
      if (key == id) return member_entry("service_principal", sp.value("applicationId", ""));
    for (const auto& [name, group] : groups_)
      if (group.value("id", "") == id) return member_entry("group", name);
    return std::nullopt;
  }
  /// The SCIM id and resource type ("Users", "ServicePrincipals", "Groups") of a member
  /// entry; nullopt for a member that no longer exists.
  std::optional<std::pair<std::string, std::string>> id_of_member(
      const nlohmann::json& member) const {
    const std::string type = member.value("type", "");
    const std::string name = member.value("name", "");
    if (type == "user") {
      for (const auto& [key, user] : users_)
        if (user.value("userName", "") == name) return std::make_pair(key, "Users");
    } else if (type == "service_principal") {
      for (const auto& [key, sp] : principals_)
        if (sp.value("applicationId", "") == name) return std::make_pair(key, "ServicePrincipals");
    } else {
      for (const auto& [group_name, group] : groups_)
        if (group_name == name) return std::make_pair(group.value("id", ""), "Groups");
    }
    return std::nullopt;
  }
  /// The group with SCIM id `id`: its display name (the store key).
  std::optional<std::string> group_name_of_id(const std::string& id) const {
    for (const auto& [name, group] : groups_)
      if (group.value("id", "") == id) return name;
    return std::nullopt;
  }
  /// The groups `member` is directly in, as a user's or principal's `groups` attribute.
  nlohmann::json groups_of(const nlohmann::json& member) const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, group] : groups_) {
      const auto members = group.value("members", nlohmann::json::array());
      if (std::find(members.begin(), members.end(), member) == members.end()) continue;
      const std::string id = group.value("id", "");
      out.push_back(
          {{"display", name}, {"type", "direct"}, {"value", id}, {"$ref", "Groups/" + id}});
    }
    return out;
  }

 private:
  Store::Entries users_;
  Store::Entries principals_;
  Store::Entries groups_;
};

}  // namespace dbk::emulator
