#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dbk::emulator {

class Store;

/// Instances of one pool that clusters hold: `used` by clusters that are up (RUNNING,
/// RESIZING, RESTARTING), `pending` by clusters still starting (PENDING). A cluster takes
/// its driver from driver_instance_pool_id (else instance_pool_id) and its workers (the
/// floor of an autoscale range) from instance_pool_id.
struct PoolUsage {
  std::int64_t used = 0;
  std::int64_t pending = 0;
};
PoolUsage pool_usage(const Store& store, const std::string& pool_id,
                     const std::string& except_cluster_id = "");

/// Whether `cluster` can take its instances now: nullopt when every pool it names has room
/// within max_capacity next to the clusters that are up; else the termination_reason the
/// service gives a cluster that cannot start (INSTANCE_POOL_MAX_CAPACITY_REACHED, a
/// CLIENT_ERROR with instance_pool_id and instance_pool_error_message).
std::optional<nlohmann::json> pool_capacity_shortfall(const Store& store,
                                                      const nlohmann::json& cluster);

/// The run state message for a job cluster that terminated with `reason`.
std::string terminated_cluster_message(const std::string& cluster_id, const nlohmann::json& reason);

}  // namespace dbk::emulator
