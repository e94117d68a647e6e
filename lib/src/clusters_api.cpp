#include <set>

#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/clusters.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/clusters/";
// Guards against a server that keeps handing out page tokens.
constexpr int kMaxPages = 10000;
}  // namespace

ClustersApi::ClustersApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Result<std::vector<ClusterInfo>> ClustersApi::list(const CallContext& context) const {
  std::vector<ClusterInfo> clusters;
  std::string page_token;
  std::set<std::string> seen_tokens;
  for (int page = 0; page < kMaxPages; ++page) {
    detail::Query query;
    if (!page_token.empty()) query.emplace_back("page_token", page_token);
    auto response = caller_->get(std::string(kBase) + "list", query, context);
    if (!response) return std::move(response).error();
    auto batch = detail::list_field<ClusterInfo>(*response, "clusters");
    clusters.insert(clusters.end(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
    // Newer servers page with next_page_token (reference databricks-api.md §1.4).
    page_token = detail::string_field(*response, "next_page_token");
    if (page_token.empty() || !seen_tokens.insert(page_token).second) break;
  }
  return clusters;
}

Result<ClusterInfo> ClustersApi::get(const std::string& cluster_id,
                                     const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "get", {{"cluster_id", cluster_id}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<ClusterInfo>(*response, "clusters/get");
}

Status ClustersApi::start(const std::string& cluster_id, const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "start", {{"cluster_id", cluster_id}},
                                         Idempotency::kIdempotent, context));
}

Status ClustersApi::restart(const std::string& cluster_id, const CallContext& context) const {
  return detail::to_status(caller_->post(
      std::string(kBase) + "restart", {{"cluster_id", cluster_id}},
      Idempotency::kNonIdempotent,  // a replay could restart the cluster a second time
      context));
}

Status ClustersApi::terminate(const std::string& cluster_id, const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "delete",
                                         {{"cluster_id", cluster_id}}, Idempotency::kIdempotent,
                                         context));
}

Status ClustersApi::permanent_delete(const std::string& cluster_id,
                                     const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "permanent-delete",
                                         {{"cluster_id", cluster_id}}, Idempotency::kIdempotent,
                                         context));
}

Result<SparkVersions> ClustersApi::spark_versions(const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "spark-versions", {}, context);
  if (!response) return std::move(response).error();
  SparkVersions versions;
  versions.versions = detail::list_field<SparkVersion>(*response, "versions");
  versions.raw = std::move(*response);
  return versions;
}

Result<NodeTypes> ClustersApi::list_node_types(const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "list-node-types", {}, context);
  if (!response) return std::move(response).error();
  NodeTypes node_types;
  node_types.node_types = detail::list_field<NodeType>(*response, "node_types");
  node_types.raw = std::move(*response);
  return node_types;
}

Result<ClusterInfo> ClustersApi::find_by_name(const std::string& name,
                                              const CallContext& context) const {
  auto clusters = list(context);
  if (!clusters) return std::move(clusters).error();
  std::vector<ClusterInfo> matches;
  for (auto& cluster : *clusters) {
    if (cluster.cluster_name == name) matches.push_back(std::move(cluster));
  }
  if (matches.empty()) {
    return make_error(error_codes::kNotFound, "no cluster is named '" + name + "'");
  }
  if (matches.size() > 1) {
    std::string ids;
    for (const auto& match : matches) ids += (ids.empty() ? "" : ", ") + match.cluster_id;
    return make_error(error_codes::kInvalidArgument, std::to_string(matches.size()) +
                                                         " clusters are named '" + name + "' (" +
                                                         ids + "); use a cluster id");
  }
  return std::move(matches.front());
}

}  // namespace dbk
