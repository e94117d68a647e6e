#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/models/clusters.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// `/api/2.0/clusters/...` (reference databricks-api.md §1.4). Thread-safe.
class ClustersApi {
 public:
  explicit ClustersApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// All clusters; follows `next_page_token` when the server pages.
  Result<std::vector<ClusterInfo>> list(const CallContext& context = {}) const;
  Result<ClusterInfo> get(const std::string& cluster_id, const CallContext& context = {}) const;
  Status start(const std::string& cluster_id, const CallContext& context = {}) const;
  Status restart(const std::string& cluster_id, const CallContext& context = {}) const;
  /// `clusters/delete`, which terminates (the cluster stays listed as TERMINATED).
  Status terminate(const std::string& cluster_id, const CallContext& context = {}) const;
  Status permanent_delete(const std::string& cluster_id, const CallContext& context = {}) const;
  Result<SparkVersions> spark_versions(const CallContext& context = {}) const;
  Result<NodeTypes> list_node_types(const CallContext& context = {}) const;
  /// The one cluster named exactly `name`: RESOURCE_DOES_NOT_EXIST if none,
  /// INVALID_ARGUMENT naming the ids if several.
  Result<ClusterInfo> find_by_name(const std::string& name, const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
