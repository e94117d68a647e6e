#include "pools/pool_capacity.hpp"

#include "state/store.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

std::int64_t workers_of(const json& cluster) {
  if (cluster.contains("autoscale") && cluster["autoscale"].is_object()) {
    return cluster["autoscale"].value("min_workers", std::int64_t{0});
  }
  return cluster.value("num_workers", std::int64_t{0});
}

// Instances `cluster` takes from `pool_id`.
std::int64_t taken_from(const json& cluster, const std::string& pool_id) {
  std::int64_t taken = 0;
  if (cluster.value("instance_pool_id", "") == pool_id) taken += workers_of(cluster);
  if (cluster.value("driver_instance_pool_id", cluster.value("instance_pool_id", "")) == pool_id) {
    taken += 1;
  }
  return taken;
}

}  // namespace

PoolUsage pool_usage(const Store& store, const std::string& pool_id,
                     const std::string& except_cluster_id) {
  PoolUsage usage;
  for (const auto& [id, cluster] : store.list("cluster")) {
    if (id == except_cluster_id) continue;
    const std::string state = cluster.value("state", "");
    if (state == "TERMINATED" || state == "TERMINATING") continue;
    (state == "PENDING" ? usage.pending : usage.used) += taken_from(cluster, pool_id);
  }
  return usage;
}

std::optional<json> pool_capacity_shortfall(const Store& store, const json& cluster) {
  for (const char* field : {"instance_pool_id", "driver_instance_pool_id"}) {
    if (!cluster.contains(field) || !cluster[field].is_string()) continue;
    const std::string pool_id = cluster[field];
    auto pool = store.get("instance_pool", pool_id);
    if (!pool || !pool->contains("max_capacity") || !(*pool)["max_capacity"].is_number_integer())
      continue;
    const std::int64_t capacity = (*pool)["max_capacity"];
    const std::int64_t used = pool_usage(store, pool_id, cluster.value("cluster_id", "")).used;
    const std::int64_t wanted = taken_from(cluster, pool_id);
    if (used + wanted <= capacity) continue;
    return json{{"code", "INSTANCE_POOL_MAX_CAPACITY_REACHED"},
                {"type", "CLIENT_ERROR"},
                {"parameters",
                 {{"instance_pool_id", pool_id},
                  {"instance_pool_error_message",
                   "Instance pool " + pool_id + " has reached its max capacity of " +
                       std::to_string(capacity) + " instances (" + std::to_string(used) +
                       " in use, " + std::to_string(wanted) + " requested)"}}}};
  }
  return std::nullopt;
}

std::string terminated_cluster_message(const std::string& cluster_id, const json& reason) {
  std::string parameters;
  const json parameters_of = reason.value("parameters", json::object());
  for (const auto& [key, value] : parameters_of.items()) {
    parameters += (parameters.empty() ? "" : ", ") + key + ":" +
                  (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return "Cluster " + cluster_id + " was terminated. Reason: " + reason.value("code", "") + " (" +
         reason.value("type", "") + ")." +
         (parameters.empty() ? "" : " Parameters: " + parameters + ".");
}

}  // namespace dbk::emulator
