#pragma once

#include <optional>
#include <string>
#include <vector>

#include "unity_catalog/uc_common.hpp"

/// Grants on a securable, kept in its document under "_grants" ({principal: [privilege]}),
/// as the permissions and share-permissions endpoints read and change them.
namespace dbk::emulator::uc {

struct PermissionsChange {
  std::string principal;
  std::vector<std::string> add;
  std::vector<std::string> remove;
};

/// The `changes` of a PATCH body, privileges checked against the service's names and
/// normalised (upper case, '_' for spaces: "all privileges" is ALL_PRIVILEGES).
Result<std::vector<PermissionsChange>> parse_changes(const json& body);
/// Every principal a change names is a user or group of the workspace. Call outside a
/// transaction (the store is not re-entrant).
Status check_principals(const Store& store, const std::vector<PermissionsChange>& changes);
void apply_changes(json& securable, const std::vector<PermissionsChange>& changes);
/// {"privilege_assignments": [{principal, privileges}]}, by principal, empty list left out.
ordered grants_of(const json& securable, const std::optional<std::string>& principal);

}  // namespace dbk::emulator::uc
