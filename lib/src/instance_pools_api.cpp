#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/instance_pools.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/instance-pools/";
}  // namespace

void from_json(const nlohmann::ordered_json& j, InstancePool& pool) {
  using namespace detail;
  pool.instance_pool_id = string_field(j, "instance_pool_id");
  pool.instance_pool_name = string_field(j, "instance_pool_name");
  pool.node_type_id = string_field(j, "node_type_id");
  pool.state = string_field(j, "state");
  const auto& stats = object_field(j, "stats");
  pool.stats.idle_count = int_field(stats, "idle_count");
  pool.stats.used_count = int_field(stats, "used_count");
  pool.stats.pending_idle_count = int_field(stats, "pending_idle_count");
  pool.stats.pending_used_count = int_field(stats, "pending_used_count");
  pool.raw = j;
}

InstancePoolsApi::InstancePoolsApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Result<std::string> InstancePoolsApi::create(const nlohmann::ordered_json& request,
                                             const CallContext& context) const {
  if (!request.is_object()) {
    return make_error(
        error_codes::kInvalidArgument,
        std::string("instance pool spec must be a JSON object, got ") + request.type_name());
  }
  auto response =
      caller_->post(std::string(kBase) + "create", request, Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  auto id = detail::string_field(*response, "instance_pool_id");
  if (id.empty()) {
    return make_error(error_codes::kInvalidResponse,
                      "instance-pools/create returned no instance_pool_id");
  }
  return id;
}

Status InstancePoolsApi::edit(const nlohmann::ordered_json& request,
                              const CallContext& context) const {
  if (!request.is_object()) {
    return make_error(
        error_codes::kInvalidArgument,
        std::string("instance pool spec must be a JSON object, got ") + request.type_name());
  }
  return detail::to_status(
      caller_->post(std::string(kBase) + "edit", request, Idempotency::kIdempotent, context));
}

Status InstancePoolsApi::remove(const std::string& instance_pool_id,
                                const CallContext& context) const {
  return detail::to_delete_status(caller_->post(std::string(kBase) + "delete",
                                                {{"instance_pool_id", instance_pool_id}},
                                                Idempotency::kIdempotent, context));
}

Result<InstancePool> InstancePoolsApi::get(const std::string& instance_pool_id,
                                           const CallContext& context) const {
  auto response =
      caller_->get(std::string(kBase) + "get", {{"instance_pool_id", instance_pool_id}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<InstancePool>(*response, "instance-pools/get");
}

Result<nlohmann::ordered_json> InstancePoolsApi::list_raw(const CallContext& context) const {
  return caller_->get(std::string(kBase) + "list", {}, context);
}

Result<std::vector<InstancePool>> InstancePoolsApi::list(const CallContext& context) const {
  auto response = list_raw(context);
  if (!response) return std::move(response).error();
  return detail::list_field<InstancePool>(*response, "instance_pools");
}

}  // namespace dbk
