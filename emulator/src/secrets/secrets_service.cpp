#include "secrets/secrets_service.hpp"

#include "dbk/base64.hpp"
#include "http/member_handler.hpp"
#include "identity/principals.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr const char* kScopeKind = "secret_scope";
constexpr const char* kSecretKind = "secret";
constexpr const char* kAclKind = "secret_acl";
// The service's documented limits (docs/emulator.md, "Secrets").
constexpr std::size_t kMaxNameLength = 128;
constexpr std::size_t kMaxValueBytes = 128 * 1024;
constexpr std::size_t kMaxSecretsPerScope = 1000;
constexpr std::size_t kMaxScopes = 1000;

// Documents of one scope are keyed "<scope>/<name>": '/' cannot occur in a scope name.
std::string member_key(const std::string& scope, const std::string& name) {
  return scope + "/" + name;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (unsigned char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

ApiError scope_missing(const std::string& scope) {
  return not_found("Scope " + scope + " does not exist!");
}

Status check_name(const std::string& what, const std::string& name) {
  if (valid_name(name)) return {};
  return invalid_parameter(what + " name '" + name +
                           "' is invalid: it must consist of alphanumeric characters, dashes, "
                           "underscores, and periods, and may not exceed 128 characters.");
}

bool valid_permission(const std::string& permission) {
  return permission == "READ" || permission == "WRITE" || permission == "MANAGE";
}

Response respond(const Status& status) {
  return status ? empty_response() : error_response(status.error());
}

// Every document of `kind` in `scope`, in key order.
template <typename Source>
std::vector<json> scope_members(const Source& source, const char* kind, const std::string& scope) {
  std::vector<json> out;
  const std::string prefix = scope + "/";
  for (const auto& [key, document] : source.list(kind)) {
    if (key.compare(0, prefix.size(), prefix) == 0) out.push_back(document);
  }
  return out;
}

}  // namespace

void SecretsService::register_routes(Router& router) {
  router.add("POST", "/api/2.0/secrets/scopes/create",
             member_handler(this, &SecretsService::create_scope));
  router.add("POST", "/api/2.0/secrets/scopes/delete",
             member_handler(this, &SecretsService::delete_scope));
  router.add("GET", "/api/2.0/secrets/scopes/list",
             member_handler(this, &SecretsService::list_scopes));
  router.add("POST", "/api/2.0/secrets/put", member_handler(this, &SecretsService::put_secret));
  router.add("POST", "/api/2.0/secrets/delete",
             member_handler(this, &SecretsService::delete_secret));
  router.add("GET", "/api/2.0/secrets/list", member_handler(this, &SecretsService::list_secrets));
  router.add("GET", "/api/2.0/secrets/get", member_handler(this, &SecretsService::get_secret));
  router.add("POST", "/api/2.0/secrets/acls/put", member_handler(this, &SecretsService::put_acl));
  router.add("POST", "/api/2.0/secrets/acls/delete",
             member_handler(this, &SecretsService::delete_acl));
  router.add("GET", "/api/2.0/secrets/acls/get", member_handler(this, &SecretsService::get_acl));
  router.add("GET", "/api/2.0/secrets/acls/list", member_handler(this, &SecretsService::list_acls));
}

Response SecretsService::create_scope(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  DBK_ASSIGN_OR_RESPOND(auto principal, params.optional_string("initial_manage_principal"));
  DBK_ASSIGN_OR_RESPOND(auto backend, params.optional_string("scope_backend_type"));
  DBK_RETURN_IF_ERROR(check_name("Scope", scope));
  if (backend && *backend != "DATABRICKS") {
    if (*backend == "AZURE_KEYVAULT") {
      // Key Vault scopes need Azure AD tokens and an Azure workspace.
      return error_response(
          invalid_parameter("Scope with Azure KeyVault must have userAADToken defined!"));
    }
    return error_response(invalid_parameter("Invalid value for scope_backend_type: " + *backend));
  }
  if (principal && principal->empty()) {
    return error_response(invalid_parameter("initial_manage_principal must not be empty"));
  }
  const std::string manager = principal ? *principal : std::string(kEmulatorUserName);
  if (!principal_exists(context_.store, manager)) {
    return error_response(not_found("Principal " + manager + " does not exist!"));
  }
  const auto now = context_.clock.now_ms();
  return respond(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (tx.get(kScopeKind, scope)) {
      return http_error(400, "RESOURCE_ALREADY_EXISTS", "Scope " + scope + " already exists!");
    }
    if (tx.list(kScopeKind).size() >= kMaxScopes) {
      return http_error(400, "RESOURCE_LIMIT_EXCEEDED",
                        "Maximum number of secret scopes (1000) exceeded");
    }
    tx.put(kScopeKind, scope,
           json{{"name", scope}, {"backend_type", "DATABRICKS"}, {"created_ms", now}});
    tx.put(kAclKind, member_key(scope, manager),
           json{{"principal", manager}, {"permission", "MANAGE"}});
    return {};
  }));
}

Response SecretsService::delete_scope(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  return respond(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (!tx.get(kScopeKind, scope)) return scope_missing(scope);
    for (const char* kind : {kSecretKind, kAclKind}) {
      for (const auto& member : scope_members(tx, kind, scope)) {
        const char* field = kind == kSecretKind ? "key" : "principal";
        tx.erase(kind, member_key(scope, member.value(field, std::string())));
      }
    }
    tx.erase(kScopeKind, scope);
    return {};
  }));
}

Response SecretsService::list_scopes(const Request&) {
  json scopes = json::array();
  for (const auto& [name, scope] : context_.store.list(kScopeKind)) {
    scopes.push_back({{"name", name}, {"backend_type", scope.value("backend_type", "DATABRICKS")}});
  }
  json body = json::object();
  if (!scopes.empty()) body["scopes"] = scopes;  // the service omits empty lists
  return json_response(200, body);
}

Response SecretsService::put_secret(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  DBK_ASSIGN_OR_RESPOND(auto key, params.required_string("key"));
  DBK_ASSIGN_OR_RESPOND(auto string_value, params.optional_string("string_value"));
  DBK_ASSIGN_OR_RESPOND(auto bytes_value, params.optional_string("bytes_value"));
  DBK_RETURN_IF_ERROR(check_name("Secret key", key));
  if (string_value.has_value() == bytes_value.has_value()) {
    return error_response(invalid_parameter(
        string_value ? "Only one of string_value and bytes_value may be specified"
                     : "Must specify exactly one of string_value and bytes_value"));
  }
  std::string bytes;
  if (bytes_value) {
    auto decoded = base64_decode(*bytes_value);
    if (!decoded) return error_response(malformed_request("bytes_value is not valid base64"));
    bytes = std::move(*decoded);
  } else {
    bytes = *string_value;
  }
  if (bytes.size() > kMaxValueBytes) {
    return error_response(invalid_parameter("Size of the secret value (" +
                                            std::to_string(bytes.size()) +
                                            " bytes) exceeds the limit of 128 KB"));
  }
  const auto now = context_.clock.now_ms();
  return respond(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (!tx.get(kScopeKind, scope)) return scope_missing(scope);
    const auto id = member_key(scope, key);
    if (!tx.get(kSecretKind, id) &&
        scope_members(tx, kSecretKind, scope).size() >= kMaxSecretsPerScope) {
      return http_error(400, "RESOURCE_LIMIT_EXCEEDED",
                        "Maximum number of secrets (1000) in scope " + scope + " exceeded");
    }
    tx.put(kSecretKind, id,
           json{{"key", key}, {"value", base64_encode(bytes)}, {"last_updated_timestamp", now}});
    return {};
  }));
}

Response SecretsService::delete_secret(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  DBK_ASSIGN_OR_RESPOND(auto key, params.required_string("key"));
  return respond(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (!tx.get(kScopeKind, scope)) return scope_missing(scope);
    if (!tx.get(kSecretKind, member_key(scope, key))) {
      return not_found("Secret " + key + " does not exist in scope " + scope + "!");
    }
    tx.erase(kSecretKind, member_key(scope, key));
    return {};
  }));
}

Response SecretsService::list_secrets(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  if (!context_.store.get(kScopeKind, scope)) return error_response(scope_missing(scope));
  json secrets = json::array();
  for (const auto& secret : scope_members(context_.store, kSecretKind, scope)) {
    secrets.push_back(
        {{"key", secret.value("key", std::string())},
         {"last_updated_timestamp", secret.value("last_updated_timestamp", std::int64_t{0})}});
  }
  json body = json::object();
  if (!secrets.empty()) body["secrets"] = secrets;
  return json_response(200, body);
}

Response SecretsService::get_secret(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  DBK_ASSIGN_OR_RESPOND(auto key, params.required_string("key"));
  if (!context_.store.get(kScopeKind, scope)) return error_response(scope_missing(scope));
  auto secret = context_.store.get(kSecretKind, member_key(scope, key));
  if (!secret) {
    return error_response(not_found("Secret " + key + " does not exist in scope " + scope + "!"));
  }
  return json_response(200, json{{"key", key}, {"value", secret->value("value", std::string())}});
}

Response SecretsService::put_acl(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  DBK_ASSIGN_OR_RESPOND(auto principal, params.required_string("principal"));
  DBK_ASSIGN_OR_RESPOND(auto permission, params.required_string("permission"));
  if (!valid_permission(permission)) {
    return error_response(
        invalid_parameter("Invalid permission " + permission + ": give READ, WRITE or MANAGE"));
  }
  if (!principal_exists(context_.store, principal)) {
    return error_response(not_found("Principal " + principal + " does not exist!"));
  }
  return respond(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (!tx.get(kScopeKind, scope)) return scope_missing(scope);
    tx.put(kAclKind, member_key(scope, principal),
           json{{"principal", principal}, {"permission", permission}});
    return {};
  }));
}

Response SecretsService::delete_acl(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  DBK_ASSIGN_OR_RESPOND(auto principal, params.required_string("principal"));
  return respond(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    if (!tx.get(kScopeKind, scope)) return scope_missing(scope);
    if (!tx.get(kAclKind, member_key(scope, principal))) {
      return not_found("ACL for principal " + principal + " on scope " + scope +
                       " does not exist!");
    }
    tx.erase(kAclKind, member_key(scope, principal));
    return {};
  }));
}

Response SecretsService::get_acl(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  DBK_ASSIGN_OR_RESPOND(auto principal, params.required_string("principal"));
  if (!context_.store.get(kScopeKind, scope)) return error_response(scope_missing(scope));
  auto acl = context_.store.get(kAclKind, member_key(scope, principal));
  if (!acl) {
    return error_response(
        not_found("ACL for principal " + principal + " on scope " + scope + " does not exist!"));
  }
  return json_response(200, *acl);
}

Response SecretsService::list_acls(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto scope, params.required_string("scope"));
  if (!context_.store.get(kScopeKind, scope)) return error_response(scope_missing(scope));
  json items = json::array();
  for (const auto& acl : scope_members(context_.store, kAclKind, scope)) items.push_back(acl);
  json body = json::object();
  if (!items.empty()) body["items"] = items;
  return json_response(200, body);
}

}  // namespace dbk::emulator
