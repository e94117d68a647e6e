#pragma once

#include <optional>
#include <string>
#include <vector>

#include "unity_catalog/uc_common.hpp"
#include "unity_catalog/uc_grants.hpp"

/// What shares, recipients and providers share: a share's grants (its "_grants") go to
/// recipients of the same metastore, and SELECT is the one privilege a share grants.
namespace dbk::emulator::uc {

ApiError recipient_missing(const std::string& name);

/// A recipient, provider or share of the current metastore, found by its (lower-case) name.
struct Found {
  std::string metastore;
  std::string key;  ///< "<metastore id>/<name>"
  json doc;
};
Result<Found> find_named(const Store::Transaction& tx, const char* kind, const std::string& name,
                         ApiError (*missing)(const std::string&));
/// 405 METHOD_NOT_ALLOWED for a method a sub-resource (`what`) does not take.
ApiError not_allowed_on(const std::string& method, const std::string& what);
/// The part of a path tail before `suffix` ("r/rotate-token" → "r"); nullopt without it.
std::optional<std::string> before_suffix(const std::string& tail, const std::string& suffix);
/// Every change adds or removes only SELECT, and a grant names a recipient of `metastore`;
/// principals become the recipients' (lower-case) names.
Status check_share_changes(const Store::Transaction& tx, const std::string& metastore,
                           std::vector<PermissionsChange>& changes);
/// {share_name, privilege_assignments} of each share of `metastore` granting `recipient`,
/// by share name.
std::vector<json> shares_granted(const Store::Transaction& tx, const std::string& metastore,
                                 const std::string& recipient);
/// A renamed recipient keeps its grants (`to`); a deleted one loses them (nullopt).
void move_grants(Store::Transaction& tx, const std::string& metastore, const std::string& from,
                 const std::optional<std::string>& to);

}  // namespace dbk::emulator::uc
