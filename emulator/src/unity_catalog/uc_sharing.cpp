#include "unity_catalog/uc_sharing.hpp"

namespace dbk::emulator::uc {

ApiError recipient_missing(const std::string& name) {
  return http_error(404, "RECIPIENT_DOES_NOT_EXIST",
                    "Recipient '" + shown(name) + "' does not exist.");
}

Result<Found> find_named(const Store::Transaction& tx, const char* kind, const std::string& name,
                         ApiError (*missing)(const std::string&)) {
  DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
  const std::string key = metastore + "/" + name;
  auto doc = tx.get(kind, key);
  if (!doc) return missing(name);
  return Found{metastore, key, std::move(*doc)};
}

ApiError not_allowed_on(const std::string& method, const std::string& what) {
  return http_error(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + what + ".");
}

std::optional<std::string> before_suffix(const std::string& tail, const std::string& suffix) {
  if (tail.size() <= suffix.size() ||
      tail.compare(tail.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  return tail.substr(0, tail.size() - suffix.size());
}

Status check_share_changes(const Store::Transaction& tx, const std::string& metastore,
                           std::vector<PermissionsChange>& changes) {
  for (auto& change : changes) {
    for (const auto* privileges : {&change.add, &change.remove}) {
      for (const auto& privilege : *privileges) {
        if (privilege != "SELECT") {
          return invalid_parameter("Privilege " + privilege +
                                   " is not applicable to a share: a share grants SELECT.");
        }
      }
    }
    change.principal = lower(change.principal);
    // Revoking from a recipient that is gone is harmless; granting needs one.
    if (!change.add.empty() && !tx.get(kRecipient, metastore + "/" + change.principal)) {
      return recipient_missing(change.principal);
    }
  }
  return {};
}

std::vector<json> shares_granted(const Store::Transaction& tx, const std::string& metastore,
                                 const std::string& recipient) {
  std::vector<json> out;
  for (const auto& [key, share] : tx.list(kShare)) {
    if (key.compare(0, metastore.size() + 1, metastore + "/") != 0) continue;
    auto grants = grants_of(share, recipient);
    if (!grants.contains("privilege_assignments")) continue;
    out.push_back(json{{"share_name", share.value("name", "")},
                       {"privilege_assignments", json(grants["privilege_assignments"])}});
  }
  return out;
}

void move_grants(Store::Transaction& tx, const std::string& metastore, const std::string& from,
                 const std::optional<std::string>& to) {
  for (auto [key, share] : tx.list(kShare)) {
    if (key.compare(0, metastore.size() + 1, metastore + "/") != 0) continue;
    auto grants = share.value("_grants", json::object());
    auto held = grants.find(from);
    if (held == grants.end()) continue;
    json privileges = *held;
    grants.erase(from);
    if (to) grants[*to] = privileges;
    share["_grants"] = grants;
    tx.put(kShare, key, share);
  }
}

}  // namespace dbk::emulator::uc
