#pragma once

#include <mutex>
#include <nlohmann/json.hpp>

#include "dbk/result.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/policies/clusters/* (docs/emulator.md, "Cluster policies"). Policies are
/// documents of kind "cluster_policy" in the store.
class ClusterPoliciesService : public Service {
 public:
  explicit ClusterPoliciesService(ServiceContext& context);
  void register_routes(Router& router) override;

  /// The parsed definition of a policy, or 400 INVALID_PARAMETER_VALUE when there is no such
  /// policy (reads the store only).
  static Result<nlohmann::json> definition_of(const Store& store, const std::string& policy_id);

 private:
  Result<std::string> create(const nlohmann::json& request);
  Status edit(const nlohmann::json& request);
  Status remove(const std::string& policy_id);

  ServiceContext& context_;
  std::mutex mutex_;  ///< serialises the name-uniqueness check with the write
};

}  // namespace dbk::emulator
