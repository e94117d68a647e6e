// UnityCatalogApi: Delta Sharing shares.
#include "api_caller.hpp"
#include "dbk/http.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk {

using Json = UnityCatalogApi::Json;

namespace {
constexpr const char* kShares = "shares";
}  // namespace

Result<Json> UnityCatalogApi::create_share(const Json& request, const CallContext& context) const {
  return create_in(kShares, request, "share spec", context);
}

Result<Json> UnityCatalogApi::list_shares(const CallContext& context) const {
  return list_all(kShares, "shares", {}, context);
}

Result<Json> UnityCatalogApi::get_share(const std::string& name, bool include_shared_data,
                                        const CallContext& context) const {
  return caller_->get("/api/2.1/unity-catalog/shares/" + url_encode(name),
                      {{"include_shared_data", include_shared_data ? "true" : "false"}}, context);
}

Result<Json> UnityCatalogApi::update_share(const std::string& name, const Json& changes,
                                           const CallContext& context) const {
  return update_in(kShares, name, changes, "share update", context);
}

Status UnityCatalogApi::delete_share(const std::string& name, const CallContext& context) const {
  return delete_in(kShares, name, std::nullopt, context);
}

}  // namespace dbk
