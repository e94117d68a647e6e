#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// Checks a policy definition (the parsed JSON object of a cluster policy) when it is
/// stored: each entry maps an attribute path to a rule of a known type with the fields
/// that type needs. 400 INVALID_PARAMETER_VALUE naming the first bad entry.
Status check_policy_definition(const nlohmann::json& definition);

/// Applies a policy to a cluster spec (clusters/create and clusters/edit with policy_id):
/// fixed values and defaults are filled in, and every rule (fixed, forbidden, allowlist,
/// blocklist, regex, range, unlimited) is checked. Returns the spec to store, or 400
/// INVALID_PARAMETER_VALUE listing every violation as the service does
/// ("Validation failed for <attribute>, ...", joined by "; "). `cluster_type` is the
/// virtual attribute of that name ("all-purpose" or "job"). See docs/emulator.md.
Result<nlohmann::json> apply_policy(const nlohmann::json& definition, nlohmann::json spec,
                                    const std::string& cluster_type);

}  // namespace dbk::emulator
