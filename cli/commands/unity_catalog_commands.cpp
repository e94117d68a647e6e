// `dbk unity-catalog ...`: databricks-cli 0.18's unity-catalog commands for metastores,
// catalogs, schemas and tables (docs/compatibility.md, "Unity Catalog").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "commands/unity_catalog_common.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk::cli {
namespace uc {

CommandStatus print_result(Invocation& inv, const Result<Json>& result) {
  if (!result) return result.error();
  return print_json(inv, *result);
}

Handler printing(NoArg call) {
  return [call](Invocation& inv) -> CommandStatus {
    auto client = inv.client();
    if (!client) return client.error();
    return print_result(inv, (client->unity_catalog().*call)({}));
  };
}

Handler printing(const char* option, OneArg call) {
  return [option, call](Invocation& inv) -> CommandStatus {
    auto value = required_value(inv, option);
    if (!value) return value.error();
    auto client = inv.client();
    if (!client) return client.error();
    return print_result(inv, (client->unity_catalog().*call)(*value, {}));
  };
}

Handler updating(const char* option, WithBody call) {
  return [option, call](Invocation& inv) -> CommandStatus {
    auto value = required_value(inv, option);
    if (!value) return value.error();
    auto body = json_body_option(inv);
    if (!body) return body.error();
    auto client = inv.client();
    if (!client) return client.error();
    return print_result(inv, (client->unity_catalog().*call)(*value, *body, {}));
  };
}

void add(std::vector<CommandSpec>& table, const std::string& sub_group, const std::string& verb,
         const std::string& legacy_verb, const std::string& summary, Handler handler,
         std::vector<OptionSpec> options) {
  auto spec = command(kGroup, sub_group + " " + verb, summary, std::move(handler));
  spec.options = std::move(options);
  spec.accepts_output = false;
  table.push_back(spec);
  if (legacy_verb.empty()) return;  // a command legacy added without a verb-noun name
  spec.verb = legacy_verb;
  spec.hidden = true;
  table.push_back(spec);
}

Json rename_comment_owner(const Invocation& inv) {
  Json changes = Json::object();
  if (auto value = inv.value("new-name")) changes["new_name"] = *value;
  if (auto value = inv.value("comment")) changes["comment"] = *value;
  if (auto value = inv.value("owner")) changes["owner"] = *value;
  return changes;
}

Result<Json> flags_or_json(const Invocation& inv, Json from_flags) {
  if (from_flags.empty()) return json_body_option(inv);
  if (inv.value("json-file") || inv.value("json")) {
    return usage_error("Cannot specify JSON if any other update flags are specified");
  }
  return from_flags;
}

}  // namespace uc

namespace {

using namespace uc;

// ---- metastores ----

CommandStatus metastore_create(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto root = required_value(inv, "storage-root");
  if (!root) return root.error();
  Json request = {{"name", *name}, {"storage_root", *root}};
  if (auto region = inv.value("region")) request["region"] = *region;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_metastore(request));
}

CommandStatus metastore_update(Invocation& inv) {
  auto id = required_value(inv, "id");
  if (!id) return id.error();
  Json changes = Json::object();
  const std::pair<const char*, const char*> fields[] = {
      {"new-name", "new_name"},
      {"storage-root-credential-id", "storage_root_credential_id"},
      {"delta-sharing-scope", "delta_sharing_scope"},
      {"delta-sharing-organization-name", "delta_sharing_organization_name"},
      {"owner", "owner"}};
  for (const auto& [option, field] : fields) {
    if (auto value = inv.value(option)) changes[field] = *value;
  }
  auto lifetime = inv.int_value("delta-sharing-recipient-token-lifetime-in-seconds");
  if (!lifetime) return lifetime.error();
  if (*lifetime) changes["delta_sharing_recipient_token_lifetime_in_seconds"] = **lifetime;
  auto body = flags_or_json(inv, std::move(changes));
  if (!body) return body.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().update_metastore(*id, *body));
}

CommandStatus metastore_delete(Invocation& inv) {
  auto id = required_value(inv, "id");
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  return client->unity_catalog().delete_metastore(*id, inv.flag("force"));
}

Result<std::int64_t> workspace_id(const Invocation& inv) {
  if (!inv.value("workspace-id")) return usage_error("Missing option '--workspace-id'.");
  auto id = inv.int_value("workspace-id");
  if (!id) return id.error();
  return **id;
}

CommandStatus metastore_assign(Invocation& inv) {
  auto workspace = workspace_id(inv);
  if (!workspace) return workspace.error();
  auto metastore = required_value(inv, "metastore-id");
  if (!metastore) return metastore.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->unity_catalog().assign_metastore(
      *workspace, *metastore, inv.value("default-catalog-name").value_or("hive_metastore"));
  if (!status) return status.error();
  return print_json(inv, Json::object());  // legacy prints the empty answer
}

CommandStatus metastore_unassign(Invocation& inv) {
  auto workspace = workspace_id(inv);
  if (!workspace) return workspace.error();
  auto metastore = required_value(inv, "metastore-id");
  if (!metastore) return metastore.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->unity_catalog().unassign_metastore(*workspace, *metastore);
  if (!status) return status.error();
  return print_json(inv, Json::object());
}

// ---- catalogs ----

CommandStatus catalog_create(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  Json request = {{"name", *name}};
  if (auto comment = inv.value("comment")) request["comment"] = *comment;
  if (auto provider = inv.value("provider")) request["provider_name"] = *provider;
  if (auto share = inv.value("share")) request["share_name"] = *share;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_catalog(request));
}

// Legacy's --purge: each table (but information_schema's) and each schema (but
// information_schema) deleted and named on stdout, then the catalog.
CommandStatus catalog_delete(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto& uc = client->unity_catalog();
  if (inv.flag("purge")) {
    auto tables = uc.list_table_summaries(*name);
    if (!tables) return tables.error();
    for (const auto& table : tables->value("tables", Json::array())) {
      const std::string full_name = table.value("full_name", "");
      const auto first = full_name.find('.');
      const auto second = full_name.find('.', first == std::string::npos ? first : first + 1);
      if (first != std::string::npos &&
          full_name.substr(first + 1, second - first - 1) == "information_schema") {
        continue;
      }
      inv.out() << "Deleting table: " << full_name << '\n';
      if (auto status = uc.delete_table(full_name); !status) return status.error();
    }
    auto schemas = uc.list_schemas(*name);
    if (!schemas) return schemas.error();
    for (const auto& schema : schemas->value("schemas", Json::array())) {
      if (schema.value("name", "") == "information_schema") continue;
      const std::string full_name = schema.value("full_name", "");
      inv.out() << "Purging schema: " << full_name << '\n';
      if (auto status = uc.delete_schema(full_name, false); !status) return status.error();
    }
    inv.out().flush();
  }
  return uc.delete_catalog(*name, false);
}

// ---- schemas ----

CommandStatus schema_create(Invocation& inv) {
  auto catalog = required_value(inv, "catalog-name");
  if (!catalog) return catalog.error();
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  Json request = {{"catalog_name", *catalog}, {"name", *name}};
  if (auto comment = inv.value("comment")) request["comment"] = *comment;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_schema(request));
}

CommandStatus schema_delete(Invocation& inv) {
  auto name = required_value(inv, "full-name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto& uc = client->unity_catalog();
  if (inv.flag("purge")) {
    const auto dot = name->find('.');
    if (dot == std::string::npos || name->find('.', dot + 1) != std::string::npos) {
      return usage_error("Invalid value for '--full-name': expected <catalog>.<schema>.");
    }
    const std::string catalog = name->substr(0, dot);
    const std::string schema = name->substr(dot + 1);
    inv.out() << "Purging all tables from schema " << schema << " in catalog " << catalog << '\n';
    inv.out().flush();
    auto tables = uc.list_tables(catalog, schema);
    if (!tables) return tables.error();
    for (const auto& table : tables->value("tables", Json::array())) {
      const std::string full_name = table.value("full_name", "");
      inv.out() << "Deleting table: " << full_name << '\n';
      if (auto status = uc.delete_table(full_name); !status) return status.error();
    }
    inv.out().flush();
  }
  return uc.delete_schema(*name, false);
}

// ---- tables ----

CommandStatus table_create(Invocation& inv) {
  auto body = json_body_option(inv);
  if (!body) return body.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_table(*body));
}

CommandStatus table_list(Invocation& inv) {
  auto catalog = required_value(inv, "catalog-name");
  if (!catalog) return catalog.error();
  auto schema = required_value(inv, "schema-name");
  if (!schema) return schema.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().list_tables(*catalog, *schema));
}

CommandStatus table_delete(Invocation& inv) {
  auto name = required_value(inv, "full-name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  return client->unity_catalog().delete_table(*name);
}

}  // namespace

void add_unity_catalog_commands(std::vector<CommandSpec>& table) {
  const auto json_file = value("json-file", 0, "PATH", "File with the JSON request body.");
  const auto json = value("json", 0, "JSON", "JSON request body, inline or @file.json.");
  const auto metastore_id = value("id", 0, "METASTORE_ID", "The metastore id.");
  const auto name = [](const std::string& help) { return value("name", 0, "TEXT", help); };
  const auto full_name = [](const std::string& help) {
    return value("full-name", 0, "TEXT", help);
  };

  add(table, "metastores", "create", "create-metastore", "Create a metastore.", metastore_create,
      {name("Name of the new metastore."),
       value("storage-root", 0, "TEXT", "Storage root URL for the new metastore."),
       value("region", 0, "TEXT", "Region for the new metastore.")});
  add(table, "metastores", "list", "list-metastores", "List metastores.",
      printing(&UnityCatalogApi::list_metastores), {});
  add(table, "metastores", "get", "get-metastore", "Get a metastore.",
      printing("id", &UnityCatalogApi::get_metastore), {metastore_id});
  add(table, "metastores", "update", "update-metastore",
      "Update a metastore (flags, or a JSON PATCH body).", metastore_update,
      {metastore_id, value("new-name", 0, "TEXT", "New name of the metastore."),
       value("storage-root-credential-id", 0, "TEXT",
             "Storage credential id to access the storage root."),
       value("delta-sharing-scope", 0, "TEXT", "INTERNAL or INTERNAL_AND_EXTERNAL."),
       value("delta-sharing-recipient-token-lifetime-in-seconds", 0, "INTEGER",
             "Lifetime of Delta Sharing recipient tokens; 0 for no expiration."),
       value("delta-sharing-organization-name", 0, "TEXT",
             "Organization name of a Delta Sharing entity."),
       value("owner", 0, "TEXT", "Owner of the metastore."), json_file, json});
  add(table, "metastores", "delete", "delete-metastore", "Delete a metastore.", metastore_delete,
      {metastore_id, flag("force", 'f', "Delete the metastore even when it is not empty.")});
  add(table, "metastores", "get-summary", "metastore-summary",
      "Get summary info of the current metastore.", printing(&UnityCatalogApi::metastore_summary),
      {});
  add(table, "metastores", "assign", "assign-metastore", "Assign a metastore to a workspace.",
      metastore_assign,
      {value("workspace-id", 0, "WORKSPACE_ID", "The workspace to assign."),
       value("metastore-id", 0, "METASTORE_ID", "The metastore to assign to the workspace."),
       value("default-catalog-name", 0, "TEXT",
             "Default catalog of the workspace (default: \"hive_metastore\").")});
  add(table, "metastores", "unassign", "unassign-metastore",
      "Unassign a metastore from a workspace.", metastore_unassign,
      {value("workspace-id", 0, "WORKSPACE_ID", "The workspace."),
       value("metastore-id", 0, "METASTORE_ID", "The metastore to unassign.")});
  add(table, "metastores", "get-assignment", "get-metastore-assignment",
      "Get the metastore assignment of this workspace.",
      printing(&UnityCatalogApi::current_metastore_assignment), {});

  add(table, "catalogs", "create", "create-catalog", "Create a catalog.", catalog_create,
      {name("Name of the new catalog."), value("comment", 0, "TEXT", "Free-form description."),
       value("provider", 0, "TEXT", "Provider of a Delta Sharing catalog."),
       value("share", 0, "TEXT", "Share of a Delta Sharing catalog.")});
  add(table, "catalogs", "list", "list-catalogs", "List catalogs.",
      printing(&UnityCatalogApi::list_catalogs), {});
  add(table, "catalogs", "get", "get-catalog", "Get a catalog.",
      printing("name", &UnityCatalogApi::get_catalog), {name("Name of the catalog.")});
  add(table, "catalogs", "update", "update-catalog", "Update a catalog with a JSON PATCH body.",
      updating("name", &UnityCatalogApi::update_catalog),
      {name("Name of the catalog."), json_file, json});
  add(table, "catalogs", "delete", "delete-catalog", "Delete a catalog.", catalog_delete,
      {name("Name of the catalog."),
       flag("purge", 'p', "Delete its schemas and tables first, naming each.")});

  add(table, "schemas", "create", "create-schema", "Create a schema.", schema_create,
      {value("catalog-name", 0, "TEXT", "Parent catalog of the new schema."),
       name("Name of the new schema, relative to its catalog."),
       value("comment", 0, "TEXT", "Free-form description.")});
  add(table, "schemas", "list", "list-schemas", "List the schemas of a catalog.",
      printing("catalog-name", &UnityCatalogApi::list_schemas),
      {value("catalog-name", 0, "TEXT", "The parent catalog."),
       value("name-pattern", 0, "TEXT", "Accepted for compatibility; every schema is listed.")});
  add(table, "schemas", "get", "get-schema", "Get a schema.",
      printing("full-name", &UnityCatalogApi::get_schema), {full_name("<catalog>.<schema>.")});
  add(table, "schemas", "update", "update-schema", "Update a schema with a JSON PATCH body.",
      updating("full-name", &UnityCatalogApi::update_schema),
      {full_name("<catalog>.<schema>."), json_file, json});
  add(table, "schemas", "delete", "delete-schema", "Delete a schema.", schema_delete,
      {full_name("<catalog>.<schema>."),
       flag("purge", 'p', "Delete its tables first, naming each.")});

  add(table, "tables", "create", "create-table", "Create a table from a JSON spec.", table_create,
      {json_file, json});
  add(table, "tables", "list", "list-tables", "List the tables of a schema.", table_list,
      {value("catalog-name", 0, "TEXT", "The parent catalog."),
       value("schema-name", 0, "TEXT", "The parent schema."),
       value("name-pattern", 0, "TEXT", "Accepted for compatibility; every table is listed.")});
  add(table, "tables", "list-summaries", "list-table-summaries",
      "List the tables of a catalog (full name and type).",
      printing("catalog-name", &UnityCatalogApi::list_table_summaries),
      {value("catalog-name", 0, "TEXT", "The catalog.")});
  add(table, "tables", "get", "get-table", "Get a table.",
      printing("full-name", &UnityCatalogApi::get_table),
      {full_name("<catalog>.<schema>.<table>.")});
  add(table, "tables", "update", "update-table", "Update a table with a JSON PATCH body.",
      updating("full-name", &UnityCatalogApi::update_table),
      {full_name("<catalog>.<schema>.<table>."), json_file, json});
  add(table, "tables", "delete", "delete-table", "Delete a table.", table_delete,
      {full_name("<catalog>.<schema>.<table>.")});
  add_uc_storage_commands(table);
  add_uc_permissions_commands(table);
  add_uc_lineage_binding_commands(table);
  add_uc_shares_commands(table);
  add_uc_sharing_commands(table);
}

}  // namespace dbk::cli
