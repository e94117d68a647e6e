// UnityCatalogApi: catalog workspace bindings and lineage.
#include "api_caller.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk {

using Json = UnityCatalogApi::Json;

Result<Json> UnityCatalogApi::get_catalog_bindings(const std::string& name,
                                                   const CallContext& context) const {
  return get_in("workspace-bindings/catalogs", name, context);
}

Result<Json> UnityCatalogApi::update_catalog_bindings(const std::string& name, const Json& changes,
                                                      const CallContext& context) const {
  return update_in("workspace-bindings/catalogs", name, changes, "workspace bindings update",
                   context);
}

Result<Json> UnityCatalogApi::table_lineage(const std::string& table_name,
                                            const CallContext& context) const {
  return caller_->get("/api/2.0/lineage-tracking/table-lineage", {{"table_name", table_name}},
                      context);
}

Result<Json> UnityCatalogApi::column_lineage(const std::string& table_name,
                                             const std::string& column_name,
                                             const CallContext& context) const {
  return caller_->get("/api/2.0/lineage-tracking/column-lineage",
                      {{"table_name", table_name}, {"column_name", column_name}}, context);
}

}  // namespace dbk
