#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/cluster_policies.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/policies/clusters/";

// The service takes the definition as a JSON string; a document given as an object is
// sent as its text (databricks-cli 0.18 did the same).
Result<nlohmann::ordered_json> policy_request(nlohmann::ordered_json request) {
  if (!request.is_object()) {
    return make_error(
        error_codes::kInvalidArgument,
        std::string("cluster policy must be a JSON object, got ") + request.type_name());
  }
  if (auto it = request.find("definition"); it != request.end() && it->is_object()) {
    *it = it->dump();
  }
  return request;
}
}  // namespace

void from_json(const nlohmann::ordered_json& j, ClusterPolicy& policy) {
  using namespace detail;
  policy.policy_id = string_field(j, "policy_id");
  policy.name = string_field(j, "name");
  policy.definition = string_field(j, "definition");
  policy.raw = j;
}

ClusterPoliciesApi::ClusterPoliciesApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Result<std::string> ClusterPoliciesApi::create(nlohmann::ordered_json request,
                                               const CallContext& context) const {
  auto body = policy_request(std::move(request));
  if (!body) return std::move(body).error();
  auto response =
      caller_->post(std::string(kBase) + "create", *body, Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  auto id = detail::string_field(*response, "policy_id");
  if (id.empty()) {
    return make_error(error_codes::kInvalidResponse,
                      "policies/clusters/create returned no policy_id");
  }
  return id;
}

Status ClusterPoliciesApi::edit(nlohmann::ordered_json request, const CallContext& context) const {
  auto body = policy_request(std::move(request));
  if (!body) return std::move(body).error();
  return detail::to_status(
      caller_->post(std::string(kBase) + "edit", *body, Idempotency::kIdempotent, context));
}

Status ClusterPoliciesApi::remove(const std::string& policy_id, const CallContext& context) const {
  return detail::to_delete_status(caller_->post(std::string(kBase) + "delete",
                                                {{"policy_id", policy_id}},
                                                Idempotency::kIdempotent, context));
}

Result<ClusterPolicy> ClusterPoliciesApi::get(const std::string& policy_id,
                                              const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "get", {{"policy_id", policy_id}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<ClusterPolicy>(*response, "policies/clusters/get");
}

Result<nlohmann::ordered_json> ClusterPoliciesApi::list_raw(const CallContext& context) const {
  return caller_->get(std::string(kBase) + "list", {}, context);
}

Result<std::vector<ClusterPolicy>> ClusterPoliciesApi::list(const CallContext& context) const {
  auto response = list_raw(context);
  if (!response) return std::move(response).error();
  return detail::list_field<ClusterPolicy>(*response, "policies");
}

}  // namespace dbk
