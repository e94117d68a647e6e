#include "pools/instance_pools_service.hpp"

#include <algorithm>
#include <iomanip>
#include <set>
#include <sstream>

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "pools/pool_capacity.hpp"
#include "state/store.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr const char* kKind = "instance_pool";
constexpr const char* kCreator = "emulator@dbk.local";

// Fields the service maintains; every other field of a pool is a setting of the request.
const std::set<std::string>& service_fields() {
  static const std::set<std::string> fields = {"instance_pool_id", "default_tags", "state", "stats",
                                               "status"};
  return fields;
}

Status check_settings(const json& request) {
  for (const char* field : {"instance_pool_name", "node_type_id"}) {
    if (!request.contains(field) || !request[field].is_string() ||
        request[field].get<std::string>().empty()) {
      return invalid_parameter(std::string("Missing required field: ") + field);
    }
  }
  if (request["instance_pool_name"].get<std::string>().size() > 100) {
    return invalid_parameter("instance_pool_name must be at most 100 characters long");
  }
  for (const char* field :
       {"min_idle_instances", "max_capacity", "idle_instance_autotermination_minutes"}) {
    if (request.contains(field) &&
        (!request[field].is_number_integer() || request[field].get<std::int64_t>() < 0)) {
      return invalid_parameter(std::string(field) + " must be a non-negative integer");
    }
  }
  if (request.contains("max_capacity") && request.contains("min_idle_instances") &&
      request["min_idle_instances"] > request["max_capacity"]) {
    return invalid_parameter("min_idle_instances cannot be greater than max_capacity");
  }
  if (request.contains("custom_tags") && !request["custom_tags"].is_object()) {
    return invalid_parameter("custom_tags must be an object");
  }
  return {};
}

}  // namespace

InstancePoolsService::InstancePoolsService(ServiceContext& context) : context_(context) {}

Result<json> InstancePoolsService::usable_pool(const Store& store, const std::string& pool_id) {
  auto pool = store.get(kKind, pool_id);
  if (!pool || pool->value("state", "") == "DELETED") {
    return invalid_parameter("Instance pool " + pool_id + " does not exist");
  }
  return *pool;
}

json InstancePoolsService::render(const json& pool) const {
  json out = json::object();
  for (const auto& [key, value] : pool.items()) {
    if (!key.empty() && key[0] != '_') out[key] = value;
  }
  // Instances held by clusters that are up are used, by clusters starting pending-used;
  // the pool keeps min_idle_instances more ready, within max_capacity.
  const PoolUsage usage = pool_usage(context_.store, pool["instance_pool_id"]);
  std::int64_t idle =
      pool.value("state", "") == "ACTIVE" ? pool.value("min_idle_instances", std::int64_t{0}) : 0;
  if (pool.contains("max_capacity")) {
    idle = std::max<std::int64_t>(
        0, std::min(idle, pool["max_capacity"].get<std::int64_t>() - usage.used - usage.pending));
  }
  out["stats"] = {{"used_count", usage.used},
                  {"idle_count", idle},
                  {"pending_used_count", usage.pending},
                  {"pending_idle_count", 0}};
  out["status"] = json::object();
  return out;
}

Result<json> InstancePoolsService::create(const json& request) {
  if (auto checked = check_settings(request); !checked) return checked.error();
  std::lock_guard<std::mutex> lock(mutex_);
  json pool = json::object();
  auto status = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    // Shaped like the service's ids (0101-120000-brick1-pool-ABCD1234); a counter, not the
    // clock, so that twin emulators hand out the same ids.
    std::ostringstream id;
    id << "0101-000000-dbk-pool-" << std::setw(8) << std::setfill('0') << tx.next_id(kKind);
    pool["instance_pool_id"] = id.str();
    for (const auto& [key, value] : request.items()) {
      if (!key.empty() && key[0] != '_' && !service_fields().count(key)) pool[key] = value;
    }
    pool["default_tags"] = {{"Vendor", "Databricks"},
                            {"DatabricksInstancePoolCreatorId", kCreator},
                            {"DatabricksInstancePoolId", id.str()}};
    pool["state"] = "ACTIVE";
    tx.put(kKind, id.str(), pool);
    return {};
  });
  if (!status) return status.error();
  return pool;
}

Status InstancePoolsService::edit(const json& request) {
  if (!request.contains("instance_pool_id") || !request["instance_pool_id"].is_string()) {
    return invalid_parameter("Missing required field: instance_pool_id");
  }
  if (auto checked = check_settings(request); !checked) return checked.error();
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string id = request["instance_pool_id"];
  auto pool = usable_pool(context_.store, id);
  if (!pool) return pool.error();
  if ((*pool)["node_type_id"] != request["node_type_id"]) {
    return invalid_parameter("The node type of an instance pool cannot be changed (it is " +
                             (*pool)["node_type_id"].get<std::string>() + ")");
  }
  json edited = json::object();
  for (const auto& key : service_fields()) {
    if (pool->contains(key)) edited[key] = (*pool)[key];
  }
  for (const auto& [key, value] : request.items()) {
    if (!key.empty() && key[0] != '_' && !service_fields().count(key)) edited[key] = value;
  }
  return context_.store.put(kKind, id, edited);
}

Status InstancePoolsService::remove(const std::string& pool_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto pool = usable_pool(context_.store, pool_id);
  if (!pool) return pool.error();
  // Kept as DELETED (get still answers; list and new clusters no longer see it).
  (*pool)["state"] = "DELETED";
  return context_.store.put(kKind, pool_id, *pool);
}

void InstancePoolsService::register_routes(Router& router) {
  const auto versions = {"2.0"};
  router.add_versions("POST", versions, "instance-pools/create", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto pool, create(params.json()));
    return json_response(200, {{"instance_pool_id", pool["instance_pool_id"]}});
  });
  router.add_versions("POST", versions, "instance-pools/edit", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    return status_response(edit(params.json()));
  });
  router.add_versions("POST", versions, "instance-pools/delete", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto id, params.required_string("instance_pool_id"));
    return status_response(remove(id));
  });
  router.add_versions("GET", versions, "instance-pools/get", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto id, params.required_string("instance_pool_id"));
    auto pool = context_.store.get(kKind, id);
    if (!pool) return error_response(invalid_parameter("Instance pool " + id + " does not exist"));
    return json_response(200, render(*pool));
  });
  router.add_versions("GET", versions, "instance-pools/list", [this](const Request&) {
    json pools = json::array();
    for (const auto& [key, pool] : context_.store.list(kKind)) {
      if (pool.value("state", "") != "DELETED") pools.push_back(render(pool));
    }
    json body = json::object();
    if (!pools.empty()) body["instance_pools"] = pools;  // empty lists omit the key
    return json_response(200, body);
  });
}

}  // namespace dbk::emulator
