#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// `/api/2.1/unity-catalog/...`: metastores and their workspace assignment, catalogs,
/// schemas and tables (docs/emulator.md, "Unity Catalog"). Answers are the service's JSON as
/// sent (key order kept), since their shapes grow with the service. Names and full names
/// (`catalog.schema.table`) are percent-encoded into the path; the service validates them.
/// Thread-safe.
class UnityCatalogApi {
 public:
  using Json = nlohmann::ordered_json;

  explicit UnityCatalogApi(std::shared_ptr<const detail::ApiCaller> caller);

  // Metastores. A create is not replayed after a lost response (it would make a second one).
  Result<Json> create_metastore(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_metastores(const CallContext& context = {}) const;
  Result<Json> get_metastore(const std::string& id, const CallContext& context = {}) const;
  /// PATCH metastores/{id} with the fields given.
  Result<Json> update_metastore(const std::string& id, const Json& changes,
                                const CallContext& context = {}) const;
  Status delete_metastore(const std::string& id, bool force, const CallContext& context = {}) const;
  /// The metastore assigned to this workspace (metastore_summary).
  Result<Json> metastore_summary(const CallContext& context = {}) const;
  Result<Json> current_metastore_assignment(const CallContext& context = {}) const;
  /// PUT workspaces/{workspace_id}/metastore: assigns (or reassigns) the workspace.
  Status assign_metastore(std::int64_t workspace_id, const std::string& metastore_id,
                          const std::optional<std::string>& default_catalog_name,
                          const CallContext& context = {}) const;
  Status unassign_metastore(std::int64_t workspace_id, const std::string& metastore_id,
                            const CallContext& context = {}) const;

  // Catalogs, schemas, tables. `full_name` is `catalog`, `catalog.schema` or
  // `catalog.schema.table`. Lists page through everything (max_results=0 and page_token)
  // and answer one object with every item under `catalogs`/`schemas`/`tables`.
  Result<Json> create_catalog(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_catalogs(const CallContext& context = {}) const;
  Result<Json> get_catalog(const std::string& name, const CallContext& context = {}) const;
  Result<Json> update_catalog(const std::string& name, const Json& changes,
                              const CallContext& context = {}) const;
  Status delete_catalog(const std::string& name, bool force, const CallContext& context = {}) const;

  Result<Json> create_schema(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_schemas(const std::string& catalog_name, const CallContext& context = {}) const;
  Result<Json> get_schema(const std::string& full_name, const CallContext& context = {}) const;
  Result<Json> update_schema(const std::string& full_name, const Json& changes,
                             const CallContext& context = {}) const;
  Status delete_schema(const std::string& full_name, bool force,
                       const CallContext& context = {}) const;

  Result<Json> create_table(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_tables(const std::string& catalog_name, const std::string& schema_name,
                           const CallContext& context = {}) const;
  /// table-summaries of a catalog: {"tables": [{"full_name", "table_type"}, ...]}.
  Result<Json> list_table_summaries(const std::string& catalog_name,
                                    const CallContext& context = {}) const;
  Result<Json> get_table(const std::string& full_name, const CallContext& context = {}) const;
  Result<Json> update_table(const std::string& full_name, const Json& changes,
                            const CallContext& context = {}) const;
  Status delete_table(const std::string& full_name, const CallContext& context = {}) const;

  // Storage credentials and external locations (by name). A credential spec holds one cloud
  // credential (`aws_iam_role`, `azure_service_principal`, ...); the service answers it
  // without its secrets. Lists page through everything, as the others do.
  Result<Json> create_storage_credential(const Json& request,
                                         const CallContext& context = {}) const;
  Result<Json> list_storage_credentials(const CallContext& context = {}) const;
  Result<Json> get_storage_credential(const std::string& name,
                                      const CallContext& context = {}) const;
  Result<Json> update_storage_credential(const std::string& name, const Json& changes,
                                         const CallContext& context = {}) const;
  Status delete_storage_credential(const std::string& name, bool force,
                                   const CallContext& context = {}) const;

  Result<Json> create_external_location(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_external_locations(const CallContext& context = {}) const;
  Result<Json> get_external_location(const std::string& name,
                                     const CallContext& context = {}) const;
  Result<Json> update_external_location(const std::string& name, const Json& changes,
                                        const CallContext& context = {}) const;
  Status delete_external_location(const std::string& name, bool force,
                                  const CallContext& context = {}) const;
  /// validate-storage-credentials: {"results": [{operation, result, message}], ...}.
  Result<Json> validate_storage_credential(const Json& request,
                                           const CallContext& context = {}) const;

  // Permissions (grants) on a securable. `securable_type` is metastore, catalog, schema,
  // table, storage_credential, external_location or share; `full_name` its name (the id of
  // a metastore). Answers {"privilege_assignments": [{principal, privileges}]}; effective
  // ones name where an inherited privilege comes from. `principal` limits the answer.
  Result<Json> get_permissions(const std::string& securable_type, const std::string& full_name,
                               const std::optional<std::string>& principal = std::nullopt,
                               const CallContext& context = {}) const;
  Result<Json> get_effective_permissions(const std::string& securable_type,
                                         const std::string& full_name,
                                         const std::optional<std::string>& principal = std::nullopt,
                                         const CallContext& context = {}) const;
  /// PATCH with {"changes": [{principal, add, remove}]}; answers the grants after it.
  Result<Json> update_permissions(const std::string& securable_type, const std::string& full_name,
                                  const Json& changes, const CallContext& context = {}) const;

  // Workspace bindings of a catalog: {"workspaces": [ids]}; the update takes
  // {"assign_workspaces": [...], "unassign_workspaces": [...]} and answers the bindings after.
  Result<Json> get_catalog_bindings(const std::string& name, const CallContext& context = {}) const;
  Result<Json> update_catalog_bindings(const std::string& name, const Json& changes,
                                       const CallContext& context = {}) const;

  // Lineage (/api/2.0/lineage-tracking) of a table (`catalog.schema.table`) or one of its
  // columns: {"upstreams"/"downstreams" ...} as the service answers, `{}` when none.
  Result<Json> table_lineage(const std::string& table_name, const CallContext& context = {}) const;
  Result<Json> column_lineage(const std::string& table_name, const std::string& column_name,
                              const CallContext& context = {}) const;

  // Delta Sharing shares. An update takes `new_name`, `comment`, `owner` and `updates`
  // ([{action: ADD|REMOVE|UPDATE, data_object: {name, data_object_type, ...}}]).
  Result<Json> create_share(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_shares(const CallContext& context = {}) const;
  Result<Json> get_share(const std::string& name, bool include_shared_data,
                         const CallContext& context = {}) const;
  Result<Json> update_share(const std::string& name, const Json& changes,
                            const CallContext& context = {}) const;
  Status delete_share(const std::string& name, const CallContext& context = {}) const;
  /// Grants of a share to recipients: {"privilege_assignments": [{principal, privileges}]}
  /// (every page). The update takes {"changes": [{principal, add, remove}]}.
  Result<Json> list_share_permissions(const std::string& name,
                                      const CallContext& context = {}) const;
  Result<Json> update_share_permissions(const std::string& name, const Json& changes,
                                        const CallContext& context = {}) const;

  // Delta Sharing recipients. A TOKEN recipient (open sharing) gets a token whose activation
  // URL hands out its bearer token once; rotate_recipient_token makes a new one and cuts the
  // old one's life to `existing_token_expire_in_seconds` (0: now) when given.
  Result<Json> create_recipient(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_recipients(const CallContext& context = {}) const;
  Result<Json> get_recipient(const std::string& name, const CallContext& context = {}) const;
  Result<Json> update_recipient(const std::string& name, const Json& changes,
                                const CallContext& context = {}) const;
  Status delete_recipient(const std::string& name, const CallContext& context = {}) const;
  Result<Json> rotate_recipient_token(const std::string& name,
                                      std::optional<std::int64_t> existing_token_expire_in_seconds,
                                      const CallContext& context = {}) const;
  /// The shares a recipient may read: {"permissions_out": [{share_name, privilege_assignments}]}.
  Result<Json> list_recipient_share_permissions(const std::string& name,
                                                const CallContext& context = {}) const;

  // Delta Sharing providers: who shares with this metastore (a TOKEN provider holds the
  // recipient profile its credential file gave).
  Result<Json> create_provider(const Json& request, const CallContext& context = {}) const;
  Result<Json> list_providers(const CallContext& context = {}) const;
  Result<Json> get_provider(const std::string& name, const CallContext& context = {}) const;
  Result<Json> update_provider(const std::string& name, const Json& changes,
                               const CallContext& context = {}) const;
  Status delete_provider(const std::string& name, const CallContext& context = {}) const;
  /// The provider's shares: {"shares": [{name}]} (every page).
  Result<Json> list_provider_shares(const std::string& name, const CallContext& context = {}) const;

 private:
  /// Every item of a paginated list (`what` is the path under unity-catalog/, `field` the
  /// answer's list field), as one object {field: [...]}.
  Result<Json> list_all(const std::string& what, const std::string& field,
                        std::vector<std::pair<std::string, std::string>> query,
                        const CallContext& context) const;
  // The calls every named object shares: `collection` is the path under unity-catalog/.
  Result<Json> create_in(const char* collection, const Json& request, const char* what,
                         const CallContext& context) const;
  Result<Json> get_in(const char* collection, const std::string& name,
                      const CallContext& context) const;
  Result<Json> update_in(const char* collection, const std::string& name, const Json& changes,
                         const char* what, const CallContext& context) const;
  /// DELETE; `force` as a query parameter when set.
  Status delete_in(const char* collection, const std::string& name, std::optional<bool> force,
                   const CallContext& context) const;
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
