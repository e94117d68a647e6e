#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// The instance counts of a pool (`stats` of instance-pools/get and list).
struct InstancePoolStats {
  std::int64_t idle_count = 0;
  std::int64_t used_count = 0;
  std::int64_t pending_idle_count = 0;
  std::int64_t pending_used_count = 0;
};

/// One instance pool as the service describes it; `raw` keeps every field sent.
struct InstancePool {
  std::string instance_pool_id;
  std::string instance_pool_name;
  std::string node_type_id;
  std::string state;  ///< ACTIVE, STOPPED or DELETED
  InstancePoolStats stats;
  nlohmann::ordered_json raw;
};

void from_json(const nlohmann::ordered_json& j, InstancePool& pool);

/// `/api/2.0/instance-pools/...` (docs/emulator.md, "Instance pools"). Thread-safe.
class InstancePoolsApi {
 public:
  explicit InstancePoolsApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// `instance-pools/create` with the request as given; the new pool's id. Not replayed
  /// after a lost response: a replay would create a second pool.
  Result<std::string> create(const nlohmann::ordered_json& request,
                             const CallContext& context = {}) const;
  /// `instance-pools/edit`: the request (with instance_pool_id) replaces the pool's settings.
  Status edit(const nlohmann::ordered_json& request, const CallContext& context = {}) const;
  Status remove(const std::string& instance_pool_id, const CallContext& context = {}) const;
  Result<InstancePool> get(const std::string& instance_pool_id,
                           const CallContext& context = {}) const;
  /// The list response as the server sent it (`instance_pools` is absent when there are none).
  Result<nlohmann::ordered_json> list_raw(const CallContext& context = {}) const;
  Result<std::vector<InstancePool>> list(const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
