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
    // Newer servers page with next_page_token (docs/reference/rest-api.md §1.4).
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

Result<std::string> ClustersApi::create(const nlohmann::ordered_json& spec,
                                        const CallContext& context) const {
  if (!spec.is_object()) {
    return make_error(error_codes::kInvalidArgument,
                      std::string("cluster spec must be a JSON object, got ") + spec.type_name());
  }
  // clusters/create takes an optional idempotency_token that the service deduplicates on.
  const auto token = spec.find("idempotency_token");
  const bool has_token = token != spec.end() && token->is_string() && !token->empty();
  auto response =
      caller_->post(std::string(kBase) + "create", spec,
                    has_token ? Idempotency::kByToken : Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  auto id = detail::string_field(*response, "cluster_id");
  if (id.empty()) {
    return make_error(error_codes::kInvalidResponse, "clusters/create returned no cluster_id");
  }
  return id;
}

Status ClustersApi::edit(const nlohmann::ordered_json& spec, const CallContext& context) const {
  if (!spec.is_object()) {
    return make_error(error_codes::kInvalidArgument,
                      std::string("cluster spec must be a JSON object, got ") + spec.type_name());
  }
  return detail::to_status(
      caller_->post(std::string(kBase) + "edit", spec, Idempotency::kIdempotent, context));
}

Status ClustersApi::resize(const std::string& cluster_id, std::int64_t num_workers,
                           const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "resize",
                                         {{"cluster_id", cluster_id}, {"num_workers", num_workers}},
                                         Idempotency::kIdempotent, context));
}

Result<ClusterEventsPage> ClustersApi::events(const nlohmann::ordered_json& request,
                                              const CallContext& context) const {
  // A read, though it is a POST.
  auto response =
      caller_->post(std::string(kBase) + "events", request, Idempotency::kIdempotent, context);
  if (!response) return std::move(response).error();
  ClusterEventsPage page;
  if (auto it = response->find("events"); it != response->end() && it->is_array()) {
    page.events.assign(it->begin(), it->end());
  }
  if (auto it = response->find("next_page"); it != response->end() && it->is_object()) {
    page.next_page = *it;
  }
  if (auto it = response->find("total_count"); it != response->end() && it->is_number_integer()) {
    page.total_count = it->get<std::int64_t>();
  }
  page.raw = std::move(*response);
  return page;
}

Result<ClusterEventsPage> ClustersApi::events_all(nlohmann::ordered_json request,
                                                  const CallContext& context) const {
  ClusterEventsPage all;
  std::set<std::string> seen;  // a server that repeats a next_page must not loop forever
  for (int page = 0; page < kMaxPages; ++page) {
    auto batch = events(request, context);
    if (!batch) return std::move(batch).error();
    all.events.insert(all.events.end(), std::make_move_iterator(batch->events.begin()),
                      std::make_move_iterator(batch->events.end()));
    all.total_count = batch->total_count;
    if (batch->next_page.is_null() || batch->events.empty() ||
        !seen.insert(batch->next_page.dump()).second) {
      break;
    }
    request = std::move(batch->next_page);
  }
  all.raw = nlohmann::ordered_json::object();
  if (!all.events.empty()) all.raw["events"] = all.events;
  all.raw["total_count"] = all.total_count;
  return all;
}

Result<nlohmann::ordered_json> ClustersApi::list_zones(const CallContext& context) const {
  return caller_->get(std::string(kBase) + "list-zones", {}, context);
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
