// UnityCatalogApi: storage credentials, external locations and their validation.
#include "api_caller.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk {

using Json = UnityCatalogApi::Json;

namespace {
constexpr const char* kCredentials = "storage-credentials";
constexpr const char* kLocations = "external-locations";
}  // namespace

Result<Json> UnityCatalogApi::create_storage_credential(const Json& request,
                                                        const CallContext& context) const {
  return create_in(kCredentials, request, "storage credential spec", context);
}

Result<Json> UnityCatalogApi::list_storage_credentials(const CallContext& context) const {
  return list_all(kCredentials, "storage_credentials", {}, context);
}

Result<Json> UnityCatalogApi::get_storage_credential(const std::string& name,
                                                     const CallContext& context) const {
  return get_in(kCredentials, name, context);
}

Result<Json> UnityCatalogApi::update_storage_credential(const std::string& name,
                                                        const Json& changes,
                                                        const CallContext& context) const {
  return update_in(kCredentials, name, changes, "storage credential update", context);
}

Status UnityCatalogApi::delete_storage_credential(const std::string& name, bool force,
                                                  const CallContext& context) const {
  return delete_in(kCredentials, name, force, context);
}

Result<Json> UnityCatalogApi::create_external_location(const Json& request,
                                                       const CallContext& context) const {
  return create_in(kLocations, request, "external location spec", context);
}

Result<Json> UnityCatalogApi::list_external_locations(const CallContext& context) const {
  return list_all(kLocations, "external_locations", {}, context);
}

Result<Json> UnityCatalogApi::get_external_location(const std::string& name,
                                                    const CallContext& context) const {
  return get_in(kLocations, name, context);
}

Result<Json> UnityCatalogApi::update_external_location(const std::string& name, const Json& changes,
                                                       const CallContext& context) const {
  return update_in(kLocations, name, changes, "external location update", context);
}

Status UnityCatalogApi::delete_external_location(const std::string& name, bool force,
                                                 const CallContext& context) const {
  return delete_in(kLocations, name, force, context);
}

Result<Json> UnityCatalogApi::validate_storage_credential(const Json& request,
                                                          const CallContext& context) const {
  return create_in("validate-storage-credentials", request, "validation spec", context);
}

}  // namespace dbk
