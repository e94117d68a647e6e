#pragma once

#include <mutex>
#include <nlohmann/json.hpp>

#include "dbk/result.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/instance-pools/* (docs/emulator.md, "Instance pools"). Pools are documents of
/// kind "instance_pool" in the store; their stats are counted from the clusters that use
/// them, so they are never stale.
class InstancePoolsService : public Service {
 public:
  explicit InstancePoolsService(ServiceContext& context);
  void register_routes(Router& router) override;

  /// The pool a cluster names in instance_pool_id / driver_instance_pool_id: it must exist
  /// and not be deleted (400 INVALID_PARAMETER_VALUE otherwise). Reads the store only.
  static Result<nlohmann::json> usable_pool(const Store& store, const std::string& pool_id);

 private:
  Result<nlohmann::json> create(const nlohmann::json& request);
  Status edit(const nlohmann::json& request);
  Status remove(const std::string& pool_id);
  nlohmann::json render(const nlohmann::json& pool) const;

  ServiceContext& context_;
  std::mutex mutex_;  ///< serialises read-modify-write of pools
};

}  // namespace dbk::emulator
