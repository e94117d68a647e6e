#include "policies/cluster_policies_service.hpp"

#include <cstdio>

#include "dbk/json.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "policies/policy_rules.hpp"
#include "state/store.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr const char* kKind = "cluster_policy";
constexpr const char* kCreator = "emulator@dbk.local";

ApiError no_such_policy(const std::string& id) {
  return not_found("Can't find a cluster policy with id: " + id + ".");
}

// name (1 to 100 characters, unique) and definition (a JSON object as text; "{}" when
// omitted, a policy without rules), as create and edit take them.
Result<json> checked_fields(const json& request) {
  if (!request.contains("name") || !request["name"].is_string() ||
      request["name"].get<std::string>().empty()) {
    return invalid_parameter("Missing required field: name");
  }
  if (request["name"].get<std::string>().size() > 100) {
    return invalid_parameter("Policy name must be at most 100 characters long");
  }
  std::string text = "{}";
  if (request.contains("definition")) {
    if (!request["definition"].is_string()) {
      return invalid_parameter("definition must be a string holding a JSON object");
    }
    text = request["definition"].get<std::string>();
  }
  auto definition = parse_json(text);
  if (!definition)
    return invalid_parameter("Policy definition is not valid JSON: " + definition.error().message);
  if (auto checked = check_policy_definition(*definition); !checked) return checked.error();
  json fields = {{"name", request["name"]}, {"definition", text}};
  for (const char* optional : {"description", "max_clusters_per_user", "libraries"}) {
    if (request.contains(optional)) fields[optional] = request[optional];
  }
  return fields;
}

Status unique_name(const Store& store, const std::string& name, const std::string& except_id) {
  for (const auto& [id, policy] : store.list(kKind)) {
    if (id != except_id && policy.value("name", "") == name) {
      return invalid_parameter("Cluster policy with name '" + name + "' already exists.");
    }
  }
  return {};
}

}  // namespace

ClusterPoliciesService::ClusterPoliciesService(ServiceContext& context) : context_(context) {}

Result<json> ClusterPoliciesService::definition_of(const Store& store,
                                                   const std::string& policy_id) {
  auto policy = store.get(kKind, policy_id);
  if (!policy) return no_such_policy(policy_id);
  auto definition = parse_json(policy->value("definition", "{}"));
  if (!definition)
    return invalid_parameter("The definition of policy " + policy_id + " is not valid JSON");
  return *definition;
}

Result<std::string> ClusterPoliciesService::create(const json& request) {
  auto fields = checked_fields(request);
  if (!fields) return fields.error();
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto unique = unique_name(context_.store, (*fields)["name"].get<std::string>(), "");
      !unique) {
    return unique.error();
  }
  std::string id;
  const std::int64_t now = context_.clock.now_ms();
  auto status = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    // 16 upper-case hex digits like the service's ids; from a counter so that twin
    // emulators hand out the same ids.
    char text[17];
    std::snprintf(text, sizeof text, "D0BC%012llX",
                  static_cast<unsigned long long>(tx.next_id(kKind)));
    id = text;
    json policy = {{"policy_id", id}};
    policy.update(*fields);
    policy["creator_user_name"] = kCreator;
    policy["created_at_timestamp"] = now;
    tx.put(kKind, id, policy);
    return {};
  });
  if (!status) return status.error();
  return id;
}

Status ClusterPoliciesService::edit(const json& request) {
  if (!request.contains("policy_id") || !request["policy_id"].is_string()) {
    return invalid_parameter("Missing required field: policy_id");
  }
  auto fields = checked_fields(request);
  if (!fields) return fields.error();
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string id = request["policy_id"];
  auto policy = context_.store.get(kKind, id);
  if (!policy) return no_such_policy(id);
  if (auto unique = unique_name(context_.store, (*fields)["name"].get<std::string>(), id);
      !unique) {
    return unique.error();
  }
  json edited = {{"policy_id", id}};
  edited.update(*fields);
  edited["creator_user_name"] = (*policy)["creator_user_name"];
  edited["created_at_timestamp"] = (*policy)["created_at_timestamp"];
  return context_.store.put(kKind, id, edited);
}

Status ClusterPoliciesService::remove(const std::string& policy_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!context_.store.get(kKind, policy_id)) return no_such_policy(policy_id);
  return context_.store.erase(kKind, policy_id);
}

void ClusterPoliciesService::register_routes(Router& router) {
  const auto versions = {"2.0"};
  router.add_versions("POST", versions, "policies/clusters/create", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto id, create(params.json()));
    return json_response(200, {{"policy_id", id}});
  });
  router.add_versions("POST", versions, "policies/clusters/edit", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    return status_response(edit(params.json()));
  });
  router.add_versions("POST", versions, "policies/clusters/delete", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto id, params.required_string("policy_id"));
    return status_response(remove(id));
  });
  router.add_versions("GET", versions, "policies/clusters/get", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto id, params.required_string("policy_id"));
    auto policy = context_.store.get(kKind, id);
    if (!policy) return error_response(no_such_policy(id));
    return json_response(200, *policy);
  });
  router.add_versions("GET", versions, "policies/clusters/list", [this](const Request&) {
    json policies = json::array();
    for (const auto& [id, policy] : context_.store.list(kKind)) policies.push_back(policy);
    json body = json::object();
    if (!policies.empty()) body["policies"] = policies;  // empty lists omit the key
    body["total_count"] = policies.size();
    return json_response(200, body);
  });
}

}  // namespace dbk::emulator
