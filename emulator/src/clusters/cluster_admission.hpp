#pragma once

#include <nlohmann/json.hpp>

#include "dbk/result.hpp"

namespace dbk::emulator {

class Store;

/// What clusters/create and clusters/edit check beyond the spec's own shape: the instance
/// pools it names exist (the cluster's node types become the pool's), and the spec
/// satisfies its policy_id's policy, whose fixed values and defaults are filled in.
/// Returns the spec to store, or the service's 400/404 error.
Result<nlohmann::json> admit_cluster(const Store& store, nlohmann::json spec);

}  // namespace dbk::emulator
