#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/base64.hpp"
#include "dbk/secrets.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/secrets/";
}  // namespace

void to_json(nlohmann::ordered_json& j, const CreateScopeRequest& request) {
  j = nlohmann::ordered_json{{"scope", request.scope}};
  if (request.initial_manage_principal) {
    j["initial_manage_principal"] = *request.initial_manage_principal;
  }
  if (!request.scope_backend_type.empty()) j["scope_backend_type"] = request.scope_backend_type;
  if (!request.backend_azure_keyvault.is_null()) {
    j["backend_azure_keyvault"] = request.backend_azure_keyvault;
  }
}

void to_json(nlohmann::ordered_json& j, const PutSecretRequest& request) {
  j = nlohmann::ordered_json{{"scope", request.scope}, {"key", request.key}};
  if (request.string_value) j["string_value"] = *request.string_value;
  if (request.bytes_value) j["bytes_value"] = *request.bytes_value;
}

void from_json(const nlohmann::ordered_json& j, SecretScope& scope) {
  scope.name = detail::string_field(j, "name");
  scope.backend_type = detail::string_field(j, "backend_type");
  scope.keyvault_metadata = detail::object_field(j, "keyvault_metadata");
  scope.raw = j;
}

void from_json(const nlohmann::ordered_json& j, SecretMetadata& secret) {
  secret.key = detail::string_field(j, "key");
  secret.last_updated_timestamp = detail::optional_int_field(j, "last_updated_timestamp");
  secret.raw = j;
}

void from_json(const nlohmann::ordered_json& j, AclItem& acl) {
  acl.principal = detail::string_field(j, "principal");
  acl.permission = detail::string_field(j, "permission");
  acl.raw = j;
}

void to_json(nlohmann::ordered_json& j, const SecretScope& scope) {
  if (scope.raw.is_object()) {
    j = scope.raw;
    return;
  }
  j = nlohmann::ordered_json{{"name", scope.name}, {"backend_type", scope.backend_type}};
  if (scope.keyvault_metadata.is_object()) j["keyvault_metadata"] = scope.keyvault_metadata;
}

void to_json(nlohmann::ordered_json& j, const SecretMetadata& secret) {
  if (secret.raw.is_object()) {
    j = secret.raw;
    return;
  }
  j = nlohmann::ordered_json{{"key", secret.key}};
  if (secret.last_updated_timestamp) j["last_updated_timestamp"] = *secret.last_updated_timestamp;
}

void to_json(nlohmann::ordered_json& j, const AclItem& acl) {
  if (acl.raw.is_object()) {
    j = acl.raw;
    return;
  }
  j = nlohmann::ordered_json{{"principal", acl.principal}, {"permission", acl.permission}};
}

namespace {

template <typename Item>
Result<ListResponse<Item>> list_response(Result<nlohmann::ordered_json> response, const char* key) {
  if (!response) return std::move(response).error();
  if (!response->is_object()) {
    return make_error(error_codes::kInvalidResponse,
                      std::string("expected a JSON object listing ") + key);
  }
  ListResponse<Item> list;
  list.items = detail::list_field<Item>(*response, key);
  list.raw = std::move(*response);
  return list;
}

}  // namespace

SecretsApi::SecretsApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Status SecretsApi::create_scope(const CreateScopeRequest& request,
                                const CallContext& context) const {
  // A replay after a lost response would answer RESOURCE_ALREADY_EXISTS for our own scope.
  return detail::to_status(caller_->post(std::string(kBase) + "scopes/create",
                                         nlohmann::ordered_json(request),
                                         Idempotency::kNonIdempotent, context));
}

Status SecretsApi::delete_scope(const std::string& scope, const CallContext& context) const {
  return detail::to_delete_status(caller_->post(
      std::string(kBase) + "scopes/delete", {{"scope", scope}}, Idempotency::kIdempotent, context));
}

Result<ListResponse<SecretScope>> SecretsApi::list_scopes(const CallContext& context) const {
  return list_response<SecretScope>(caller_->get(std::string(kBase) + "scopes/list", {}, context),
                                    "scopes");
}

Status SecretsApi::put_secret(const PutSecretRequest& request, const CallContext& context) const {
  if (request.string_value.has_value() == request.bytes_value.has_value()) {
    return make_error(error_codes::kInvalidArgument,
                      "a secret needs exactly one of string_value and bytes_value");
  }
  // The value is replaced whole, so a replay stores the same value again.
  return detail::to_status(caller_->post(std::string(kBase) + "put",
                                         nlohmann::ordered_json(request), Idempotency::kIdempotent,
                                         context));
}

Status SecretsApi::delete_secret(const std::string& scope, const std::string& key,
                                 const CallContext& context) const {
  return detail::to_delete_status(caller_->post(std::string(kBase) + "delete",
                                                {{"scope", scope}, {"key", key}},
                                                Idempotency::kIdempotent, context));
}

Result<ListResponse<SecretMetadata>> SecretsApi::list_secrets(const std::string& scope,
                                                              const CallContext& context) const {
  return list_response<SecretMetadata>(
      caller_->get(std::string(kBase) + "list", {{"scope", scope}}, context), "secrets");
}

Result<std::string> SecretsApi::get_secret(const std::string& scope, const std::string& key,
                                           const CallContext& context) const {
  auto response =
      caller_->get(std::string(kBase) + "get", {{"scope", scope}, {"key", key}}, context);
  if (!response) return std::move(response).error();
  auto value = detail::optional_string_field(*response, "value");
  if (!value) {
    return make_error(error_codes::kInvalidResponse, "secrets/get returned no value");
  }
  auto bytes = base64_decode(*value);
  if (!bytes) {
    return make_error(error_codes::kInvalidResponse,
                      "secrets/get returned a value that is "
                      "not base64");
  }
  return std::move(*bytes);
}

Status SecretsApi::put_acl(const std::string& scope, const std::string& principal,
                           const std::string& permission, const CallContext& context) const {
  return detail::to_status(
      caller_->post(std::string(kBase) + "acls/put",
                    {{"scope", scope}, {"principal", principal}, {"permission", permission}},
                    Idempotency::kIdempotent, context));
}

Status SecretsApi::delete_acl(const std::string& scope, const std::string& principal,
                              const CallContext& context) const {
  return detail::to_delete_status(caller_->post(std::string(kBase) + "acls/delete",
                                                {{"scope", scope}, {"principal", principal}},
                                                Idempotency::kIdempotent, context));
}

Result<AclItem> SecretsApi::get_acl(const std::string& scope, const std::string& principal,
                                    const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "acls/get",
                               {{"scope", scope}, {"principal", principal}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<AclItem>(*response, "secrets/acls/get");
}

Result<ListResponse<AclItem>> SecretsApi::list_acls(const std::string& scope,
                                                    const CallContext& context) const {
  return list_response<AclItem>(
      caller_->get(std::string(kBase) + "acls/list", {{"scope", scope}}, context), "items");
}

}  // namespace dbk
