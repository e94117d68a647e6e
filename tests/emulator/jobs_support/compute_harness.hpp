#pragma once

// JobsHarness plus the Instance Pools, Cluster Policies and Libraries services on the same
// store and router (docs/emulator.md, "Instance pools, cluster policies and libraries").

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "jobs_harness.hpp"
#include "libraries/libraries_service.hpp"
#include "policies/cluster_policies_service.hpp"
#include "pools/instance_pools_service.hpp"

namespace dbk::emulator::testing {

inline const std::string kLocal = "0101-000000-dbklocal";

inline std::filesystem::path temp_folder(const std::string& prefix) {
  return std::filesystem::temp_directory_path() / (prefix + std::to_string(std::random_device{}()));
}

/// JobsHarness plus the three services under test, on one store and router.
struct ComputeHarness : JobsHarness {
  explicit ComputeHarness(std::filesystem::path state_dir = {},
                          std::filesystem::path runtime_dir = {}, std::string python = {})
      : JobsHarness(std::move(state_dir), std::move(runtime_dir), std::move(python)) {
    pools = std::make_unique<dbk::emulator::InstancePoolsService>(*context);
    policies = std::make_unique<dbk::emulator::ClusterPoliciesService>(*context);
    libraries = std::make_unique<dbk::emulator::LibrariesService>(*context, clusters->clusters());
    libraries->recover();
    pools->register_routes(router);
    policies->register_routes(router);
    libraries->register_routes(router);
  }
  ~ComputeHarness() { libraries->stop(); }

  std::string create_pool(const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json request = {{"instance_pool_name", "pool"}, {"node_type_id", "local"}};
    request.update(extra);
    auto reply = post("/api/2.0/instance-pools/create", request);
    REQUIRE(reply.status == 200);
    return reply.body["instance_pool_id"];
  }
  std::string create_policy(const std::string& name, const nlohmann::json& definition) {
    auto reply = post("/api/2.0/policies/clusters/create",
                      {{"name", name}, {"definition", definition.dump()}});
    REQUIRE(reply.status == 200);
    return reply.body["policy_id"];
  }
  Reply create_cluster(const nlohmann::json& extra) {
    nlohmann::json spec = {{"cluster_name", "c"}, {"spark_version", "15.4.x-scala2.12"}};
    spec.update(extra);
    return post("/api/2.0/clusters/create", spec);
  }

  std::unique_ptr<dbk::emulator::InstancePoolsService> pools;
  std::unique_ptr<dbk::emulator::ClusterPoliciesService> policies;
  std::unique_ptr<dbk::emulator::LibrariesService> libraries;
};

}  // namespace dbk::emulator::testing
