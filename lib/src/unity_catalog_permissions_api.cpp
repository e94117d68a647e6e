// UnityCatalogApi: permissions and effective permissions on securables.
#include "api_caller.hpp"
#include "dbk/http.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk {

using Json = UnityCatalogApi::Json;

namespace {

std::string permissions_path(const char* collection, const std::string& type,
                             const std::string& full_name) {
  return std::string("/api/2.1/unity-catalog/") + collection + "/" + url_encode(type) + "/" +
         url_encode(full_name);
}

std::vector<std::pair<std::string, std::string>> principal_query(
    const std::optional<std::string>& principal) {
  if (!principal) return {};
  return {{"principal", *principal}};
}

}  // namespace

Result<Json> UnityCatalogApi::get_permissions(const std::string& securable_type,
                                              const std::string& full_name,
                                              const std::optional<std::string>& principal,
                                              const CallContext& context) const {
  return caller_->get(permissions_path("permissions", securable_type, full_name),
                      principal_query(principal), context);
}

Result<Json> UnityCatalogApi::get_effective_permissions(const std::string& securable_type,
                                                        const std::string& full_name,
                                                        const std::optional<std::string>& principal,
                                                        const CallContext& context) const {
  return caller_->get(permissions_path("effective-permissions", securable_type, full_name),
                      principal_query(principal), context);
}

Result<Json> UnityCatalogApi::update_permissions(const std::string& securable_type,
                                                 const std::string& full_name, const Json& changes,
                                                 const CallContext& context) const {
  if (!changes.is_object()) {
    return make_error(
        error_codes::kInvalidArgument,
        std::string("permissions update must be a JSON object, got ") + changes.type_name());
  }
  // Adding and removing the same privileges again leaves the same grants: safe to replay.
  return caller_->call("PATCH", permissions_path("permissions", securable_type, full_name), {},
                       changes, Idempotency::kIdempotent, context);
}

}  // namespace dbk
