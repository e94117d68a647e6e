#include "clusters/clusters_service.hpp"

#include <filesystem>

#include "http/status_response.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

json spark_versions() {
  json versions = json::array();
  for (const auto& [key, name] : std::vector<std::pair<std::string, std::string>>{
           {"15.4.x-scala2.12", "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
           {"14.3.x-scala2.12", "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"},
           {"13.3.x-scala2.12", "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"}}) {
    versions.push_back({{"key", key}, {"name", name}});
  }
  return {{"versions", versions}};
}

// One node type: this machine. Its node_instance_type names the disk that holds the
// state folder as one local disk, so that clients choosing a node with local storage
// (the Python SDK's select_node_type(local_disk=True)) find it.
json node_types(const std::filesystem::path& state_dir) {
  std::error_code ec;
  const auto space = std::filesystem::space(state_dir, ec);
  const std::int64_t disk_gb = ec ? 0 : static_cast<std::int64_t>(space.capacity >> 30);
  json instance = {{"instance_type_id", "local"},
                   {"local_disks", 1},
                   {"local_disk_size_gb", disk_gb},
                   {"local_nvme_disks", 0},
                   {"local_nvme_disk_size_gb", 0}};
  json local = {{"node_type_id", "local"},
                {"memory_mb", 8192},
                {"num_cores", 4.0},
                {"description", "This machine (the emulator runs Spark locally)"},
                {"instance_type_id", "local"},
                {"category", "General Purpose"},
                {"is_deprecated", false},
                {"num_gpus", 0},
                {"node_instance_type", instance}};
  return {{"node_types", json::array({local})}};
}

template <typename Fn>
Response with_cluster_id(const Request& request, Fn&& fn) {
  auto params = Params::from_request(request);
  if (!params) return error_response(params.error());
  auto id = params->required_string("cluster_id");
  if (!id) return error_response(id.error());
  return fn(*id, *params);
}

}  // namespace

ClustersService::ClustersService(ServiceContext& context)
    : context_(context), clusters_(context.store, "emulator@dbk.local") {}

void ClustersService::recover() {
  clusters_.recover(context_.clock.now_ms());
}

void ClustersService::reset() {
  clusters_.reset(context_.clock.now_ms());
}

void ClustersService::register_routes(Router& router) {
  const std::initializer_list<std::string_view> versions = {"2.0", "2.1"};
  router.add_versions("GET", versions, "clusters/list", [this](const Request&) {
    clusters_.tick(context_.clock.now_ms());
    json list = json::array();
    for (const auto& cluster : clusters_.list()) list.push_back(ClusterManager::render(cluster));
    json body = json::object();
    // docs/reference/rest-api.md §1: empty lists omit the key
    if (!list.empty()) body["clusters"] = list;
    return json_response(200, body);
  });
  router.add_versions("GET", versions, "clusters/get", [this](const Request& request) {
    return with_cluster_id(request, [this](const std::string& id, const Params&) {
      clusters_.tick(context_.clock.now_ms());
      auto cluster = clusters_.get(id);
      if (!cluster) return error_response(cluster.error());
      return json_response(200, ClusterManager::render(*cluster));
    });
  });
  router.add_versions("POST", versions, "clusters/create", [this](const Request& request) {
    auto params = Params::from_request(request);
    if (!params) return error_response(params.error());
    auto cluster = clusters_.create(params->json(), context_.clock.now_ms());
    if (!cluster) return error_response(cluster.error());
    return json_response(200, {{"cluster_id", (*cluster)["cluster_id"]}});
  });
  auto action = [this, &router, versions](const char* name, auto fn) {
    router.add_versions(
        "POST", versions, std::string("clusters/") + name, [this, fn](const Request& request) {
          return with_cluster_id(request, [&](const std::string& id, const Params&) {
            clusters_.tick(context_.clock.now_ms());
            return status_response(fn(id, context_.clock.now_ms()));
          });
        });
  };
  action("start",
         [this](const std::string& id, std::int64_t now) { return clusters_.start(id, now); });
  action("restart",
         [this](const std::string& id, std::int64_t now) { return clusters_.restart(id, now); });
  action("delete",
         [this](const std::string& id, std::int64_t now) { return clusters_.terminate(id, now); });
  action("permanent-delete",
         [this](const std::string& id, std::int64_t) { return clusters_.permanent_delete(id); });
  router.add_versions("POST", versions, "clusters/edit", [this](const Request& request) {
    auto params = Params::from_request(request);
    if (!params) return error_response(params.error());
    clusters_.tick(context_.clock.now_ms());
    return status_response(clusters_.edit(params->json(), context_.clock.now_ms()));
  });
  router.add_versions("POST", versions, "clusters/resize", [this](const Request& request) {
    auto params = Params::from_request(request);
    if (!params) return error_response(params.error());
    clusters_.tick(context_.clock.now_ms());
    return status_response(clusters_.resize(params->json(), context_.clock.now_ms()));
  });
  router.add_versions("POST", versions, "clusters/events", [this](const Request& request) {
    auto params = Params::from_request(request);
    if (!params) return error_response(params.error());
    clusters_.tick(context_.clock.now_ms());
    auto events = clusters_.events(*params);
    if (!events) return error_response(events.error());
    return json_response(200, *events);
  });
  // Every cluster runs on this machine: one zone.
  router.add_versions("GET", versions, "clusters/list-zones", [](const Request&) {
    return json_response(200, json{{"zones", json::array({"local"})}, {"default_zone", "local"}});
  });
  router.add_versions("GET", versions, "clusters/spark-versions",
                      [](const Request&) { return json_response(200, spark_versions()); });
  router.add_versions("GET", versions, "clusters/list-node-types", [this](const Request&) {
    return json_response(200, node_types(context_.state_dir));
  });
}

}  // namespace dbk::emulator
