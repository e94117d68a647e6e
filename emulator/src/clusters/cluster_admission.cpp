#include "clusters/cluster_admission.hpp"

#include "http/request.hpp"
#include "policies/cluster_policies_service.hpp"
#include "policies/policy_rules.hpp"
#include "pools/instance_pools_service.hpp"
#include "state/store.hpp"

namespace dbk::emulator {

Result<nlohmann::json> admit_cluster(const Store& store, nlohmann::json spec,
                                     const std::string& cluster_type) {
  // The policy first: it may fix the pool.
  if (spec.contains("policy_id")) {
    if (!spec["policy_id"].is_string()) return invalid_parameter("policy_id must be a string");
    auto definition =
        ClusterPoliciesService::definition_of(store, spec["policy_id"].get<std::string>());
    if (!definition) return definition.error();
    auto applied = apply_policy(*definition, std::move(spec), cluster_type);
    if (!applied) return applied.error();
    spec = std::move(*applied);
  }
  for (const char* field : {"instance_pool_id", "driver_instance_pool_id"}) {
    if (!spec.contains(field)) continue;
    if (!spec[field].is_string())
      return invalid_parameter(std::string(field) + " must be a string");
    auto pool = InstancePoolsService::usable_pool(store, spec[field].get<std::string>());
    if (!pool) return pool.error();
    // Nodes of a pool are the pool's node type; a different one asked for is an error.
    const char* node_field =
        std::string(field) == "instance_pool_id" ? "node_type_id" : "driver_node_type_id";
    if (spec.contains(node_field) && spec[node_field] != (*pool)["node_type_id"]) {
      return invalid_parameter(std::string(node_field) + " " + spec[node_field].dump() +
                               " does not match the node type of instance pool " +
                               spec[field].get<std::string>() + " (" +
                               (*pool)["node_type_id"].get<std::string>() + ")");
    }
    spec[node_field] = (*pool)["node_type_id"];
  }
  return spec;
}

Status check_job_cluster_policies(const Store& store, const nlohmann::json& settings) {
  std::vector<nlohmann::json> specs;
  for (const char* list : {"tasks", "job_clusters"}) {
    if (!settings.contains(list) || !settings[list].is_array()) continue;
    for (const auto& entry : settings[list]) {
      if (entry.is_object() && entry.contains("new_cluster")) specs.push_back(entry["new_cluster"]);
    }
  }
  for (const auto& spec : specs) {
    if (!spec.is_object() || !spec.contains("policy_id")) continue;
    if (!spec["policy_id"].is_string()) return invalid_parameter("policy_id must be a string");
    auto definition =
        ClusterPoliciesService::definition_of(store, spec["policy_id"].get<std::string>());
    if (!definition) return definition.error();
  }
  return {};
}

}  // namespace dbk::emulator
