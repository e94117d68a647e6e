#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// `secrets/scopes/create` request (docs/emulator.md, "Secrets").
struct CreateScopeRequest {
  std::string scope;
  std::optional<std::string> initial_manage_principal;  ///< only "users" on most workspaces
  std::string scope_backend_type = "DATABRICKS";        ///< or AZURE_KEYVAULT
  nlohmann::ordered_json backend_azure_keyvault;        ///< {resource_id, dns_name}; null = none
};

/// `secrets/put` request: exactly one of the two values.
struct PutSecretRequest {
  std::string scope;
  std::string key;
  std::optional<std::string> string_value;
  std::optional<std::string> bytes_value;  ///< base64 of the bytes
};

struct SecretScope {
  std::string name;
  std::string backend_type;
  nlohmann::ordered_json keyvault_metadata;  ///< {resource_id, dns_name}; null for DATABRICKS
  nlohmann::ordered_json raw;
};

struct SecretMetadata {
  std::string key;
  std::optional<std::int64_t> last_updated_timestamp;  ///< epoch ms
  nlohmann::ordered_json raw;
};

/// One ACL: `permission` is READ, WRITE or MANAGE.
struct AclItem {
  std::string principal;
  std::string permission;
  nlohmann::ordered_json raw;
};

/// A list answer: the items and the whole response, as the server sent it.
template <typename Item>
struct ListResponse {
  std::vector<Item> items;
  nlohmann::ordered_json raw;
};

void to_json(nlohmann::ordered_json& j, const CreateScopeRequest& request);
void to_json(nlohmann::ordered_json& j, const PutSecretRequest& request);
void from_json(const nlohmann::ordered_json& j, SecretScope& scope);
void from_json(const nlohmann::ordered_json& j, SecretMetadata& secret);
void from_json(const nlohmann::ordered_json& j, AclItem& acl);
void to_json(nlohmann::ordered_json& j, const SecretScope& scope);
void to_json(nlohmann::ordered_json& j, const SecretMetadata& secret);
void to_json(nlohmann::ordered_json& j, const AclItem& acl);

/// `/api/2.0/secrets/...` (Secrets API 2.0, docs/emulator.md "Secrets"). Thread-safe.
class SecretsApi {
 public:
  explicit SecretsApi(std::shared_ptr<const detail::ApiCaller> caller);

  Status create_scope(const CreateScopeRequest& request, const CallContext& context = {}) const;
  Status delete_scope(const std::string& scope, const CallContext& context = {}) const;
  Result<ListResponse<SecretScope>> list_scopes(const CallContext& context = {}) const;
  /// Creates or overwrites the secret.
  Status put_secret(const PutSecretRequest& request, const CallContext& context = {}) const;
  Status delete_secret(const std::string& scope, const std::string& key,
                       const CallContext& context = {}) const;
  /// Keys and update times, never values.
  Result<ListResponse<SecretMetadata>> list_secrets(const std::string& scope,
                                                    const CallContext& context = {}) const;
  /// `secrets/get`: the value's bytes (decoded from the service's base64).
  Result<std::string> get_secret(const std::string& scope, const std::string& key,
                                 const CallContext& context = {}) const;
  Status put_acl(const std::string& scope, const std::string& principal,
                 const std::string& permission, const CallContext& context = {}) const;
  Status delete_acl(const std::string& scope, const std::string& principal,
                    const CallContext& context = {}) const;
  Result<AclItem> get_acl(const std::string& scope, const std::string& principal,
                          const CallContext& context = {}) const;
  Result<ListResponse<AclItem>> list_acls(const std::string& scope,
                                          const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
