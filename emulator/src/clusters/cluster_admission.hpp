#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dbk/result.hpp"

namespace dbk::emulator {

class Store;

/// What clusters/create and clusters/edit check beyond the spec's own shape: the instance
/// pools it names exist (the cluster's node types become the pool's), and the spec
/// satisfies its policy_id's policy, whose fixed values and defaults are filled in.
/// Returns the spec to store, or the service's 400/404 error. `cluster_type` is the
/// policy's virtual attribute: "all-purpose" (clusters/create, edit) or "job" (a job run's
/// new cluster).
Result<nlohmann::json> admit_cluster(const Store& store, nlohmann::json spec,
                                     const std::string& cluster_type = "all-purpose");

/// jobs/create, reset, update and runs/submit: every policy_id in the job's new clusters
/// (tasks[].new_cluster, job_clusters[].new_cluster) names an existing policy. The
/// policies themselves are applied when a run starts the cluster.
Status check_job_cluster_policies(const Store& store, const nlohmann::json& settings);

}  // namespace dbk::emulator
