// UnityCatalogApi: Delta Sharing recipients, providers and the grants of shares.
#include "api_caller.hpp"
#include "dbk/http.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk {

using Json = UnityCatalogApi::Json;

namespace {
constexpr const char* kRecipients = "recipients";
constexpr const char* kProviders = "providers";

std::string under(const char* collection, const std::string& name, const char* what) {
  return std::string(collection) + "/" + url_encode(name) + "/" + what;
}
}  // namespace

Result<Json> UnityCatalogApi::list_share_permissions(const std::string& name,
                                                     const CallContext& context) const {
  return list_all(under("shares", name, "permissions"), "privilege_assignments", {}, context);
}

Result<Json> UnityCatalogApi::update_share_permissions(const std::string& name, const Json& changes,
                                                       const CallContext& context) const {
  if (!changes.is_object()) {
    return make_error(
        error_codes::kInvalidArgument,
        std::string("share permissions update must be a JSON object, got ") + changes.type_name());
  }
  // Adding and removing the same privileges again leaves the same grants: safe to replay.
  return caller_->call("PATCH", "/api/2.1/unity-catalog/" + under("shares", name, "permissions"),
                       {}, changes, Idempotency::kIdempotent, context);
}

// ---- Recipients ----

Result<Json> UnityCatalogApi::create_recipient(const Json& request,
                                               const CallContext& context) const {
  return create_in(kRecipients, request, "recipient spec", context);
}

Result<Json> UnityCatalogApi::list_recipients(const CallContext& context) const {
  return list_all(kRecipients, "recipients", {}, context);
}

Result<Json> UnityCatalogApi::get_recipient(const std::string& name,
                                            const CallContext& context) const {
  return get_in(kRecipients, name, context);
}

Result<Json> UnityCatalogApi::update_recipient(const std::string& name, const Json& changes,
                                               const CallContext& context) const {
  return update_in(kRecipients, name, changes, "recipient update", context);
}

Status UnityCatalogApi::delete_recipient(const std::string& name,
                                         const CallContext& context) const {
  return delete_in(kRecipients, name, std::nullopt, context);
}

Result<Json> UnityCatalogApi::rotate_recipient_token(
    const std::string& name, std::optional<std::int64_t> existing_token_expire_in_seconds,
    const CallContext& context) const {
  Json body = {{"name", name}};
  if (existing_token_expire_in_seconds) {
    body["existing_token_expire_in_seconds"] = *existing_token_expire_in_seconds;
  }
  // A replay would make (and hand out the activation URL of) yet another token.
  return caller_->post("/api/2.1/unity-catalog/" + under(kRecipients, name, "rotate-token"), body,
                       Idempotency::kNonIdempotent, context);
}

Result<Json> UnityCatalogApi::list_recipient_share_permissions(const std::string& name,
                                                               const CallContext& context) const {
  return list_all(under(kRecipients, name, "share-permissions"), "permissions_out", {}, context);
}

// ---- Providers ----

Result<Json> UnityCatalogApi::create_provider(const Json& request,
                                              const CallContext& context) const {
  return create_in(kProviders, request, "provider spec", context);
}

Result<Json> UnityCatalogApi::list_providers(const CallContext& context) const {
  return list_all(kProviders, "providers", {}, context);
}

Result<Json> UnityCatalogApi::get_provider(const std::string& name,
                                           const CallContext& context) const {
  return get_in(kProviders, name, context);
}

Result<Json> UnityCatalogApi::update_provider(const std::string& name, const Json& changes,
                                              const CallContext& context) const {
  return update_in(kProviders, name, changes, "provider update", context);
}

Status UnityCatalogApi::delete_provider(const std::string& name, const CallContext& context) const {
  return delete_in(kProviders, name, std::nullopt, context);
}

Result<Json> UnityCatalogApi::list_provider_shares(const std::string& name,
                                                   const CallContext& context) const {
  return list_all(under(kProviders, name, "shares"), "shares", {}, context);
}

}  // namespace dbk
