#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/models/clusters.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// One page of `clusters/events` (or every page, joined).
struct ClusterEventsPage {
  std::vector<nlohmann::ordered_json> events;  ///< as the server sent them
  nlohmann::ordered_json next_page;            ///< the request for the next page; null at the end
  std::int64_t total_count = 0;
  nlohmann::ordered_json raw;
};

/// `/api/2.0/clusters/...` (docs/reference/rest-api.md §1.4). Thread-safe.
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
  /// `clusters/create` with the spec as given; the new cluster's id. Replayed after a
  /// lost response only when the spec carries an `idempotency_token`.
  Result<std::string> create(const nlohmann::ordered_json& spec,
                             const CallContext& context = {}) const;
  /// `clusters/edit`: the spec (with cluster_id) replaces the cluster's attributes.
  Status edit(const nlohmann::ordered_json& spec, const CallContext& context = {}) const;
  Status resize(const std::string& cluster_id, std::int64_t num_workers,
                const CallContext& context = {}) const;
  /// `clusters/events` for one request body (cluster_id, start_time, end_time, order,
  /// event_types, offset, limit).
  Result<ClusterEventsPage> events(const nlohmann::ordered_json& request,
                                   const CallContext& context = {}) const;
  /// Every page from `request` on, following next_page; next_page is null in the result.
  Result<ClusterEventsPage> events_all(nlohmann::ordered_json request,
                                       const CallContext& context = {}) const;
  /// `clusters/list-zones`: {zones, default_zone} as the server sent them.
  Result<nlohmann::ordered_json> list_zones(const CallContext& context = {}) const;
  Result<SparkVersions> spark_versions(const CallContext& context = {}) const;
  Result<NodeTypes> list_node_types(const CallContext& context = {}) const;
  /// The one cluster named exactly `name`: RESOURCE_DOES_NOT_EXIST if none,
  /// INVALID_ARGUMENT naming the ids if several.
  Result<ClusterInfo> find_by_name(const std::string& name, const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
