// `dbk unity-catalog permissions get|update`: databricks-cli 0.18's permissions commands
// (docs/compatibility.md, "Unity Catalog").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "commands/unity_catalog_common.hpp"

namespace dbk::cli {
namespace {

using namespace uc;

// The securable options (legacy's order) and the type each names, in the SDK's spelling.
const std::pair<const char*, const char*> kSecurables[] = {
    {"metastore", "metastore"},
    {"catalog", "catalog"},
    {"schema", "schema"},
    {"table", "table"},
    {"storage-credential", "storage_credential"},
    {"external-location", "external_location"},
    {"share", "share"}};

// Exactly one securable option, as legacy's OneOfOption requires: (type, name).
Result<std::pair<std::string, std::string>> securable(const Invocation& inv) {
  std::optional<std::pair<std::string, std::string>> found;
  for (const auto& [option, type] : kSecurables) {
    auto value = inv.value(option);
    if (!value) continue;
    if (found) {
      return usage_error(
          "Only one of ['metastore', 'catalog', 'schema', 'table', 'storage-credential', "
          "'external-location', 'share'] should be provided.");
    }
    found = std::make_pair(std::string(type), *value);
  }
  if (!found) {
    return usage_error(
        "One of ['metastore', 'catalog', 'schema', 'table', 'storage-credential', "
        "'external-location', 'share'] must be provided.");
  }
  return *found;
}

CommandStatus permissions_get(Invocation& inv) {
  auto which = securable(inv);
  if (!which) return which.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto& api = client->unity_catalog();
  return print_result(inv, inv.flag("effective")
                               ? api.get_effective_permissions(which->first, which->second)
                               : api.get_permissions(which->first, which->second));
}

CommandStatus permissions_update(Invocation& inv) {
  auto which = securable(inv);
  if (!which) return which.error();
  auto body = json_body_option(inv);
  if (!body) return body.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(
      inv, client->unity_catalog().update_permissions(which->first, which->second, *body));
}

std::vector<OptionSpec> securable_options() {
  return {value("metastore", 0, "ID", "Id of the metastore."),
          value("catalog", 0, "TEXT", "Name of the catalog."),
          value("schema", 0, "TEXT", "Full name of the schema."),
          value("table", 0, "TEXT", "Full name of the table."),
          value("storage-credential", 0, "TEXT", "Name of the storage credential."),
          value("external-location", 0, "TEXT", "Name of the external location."),
          value("share", 0, "TEXT", "Name of the share (dbk only).")};
}

}  // namespace

void add_uc_permissions_commands(std::vector<CommandSpec>& table) {
  auto get_options = securable_options();
  get_options.push_back(
      flag("effective", 0, "Effective permissions, with those inherited from parents."));
  add(table, "permissions", "get", "get-permissions", "Get permissions on a securable.",
      permissions_get, get_options);
  auto update_options = securable_options();
  update_options.push_back(value("json-file", 0, "PATH", "File with the JSON PATCH body."));
  update_options.push_back(
      value("json", 0, "JSON", "JSON PATCH body ({\"changes\": [...]}), inline or @file."));
  add(table, "permissions", "update", "update-permissions", "Update permissions on a securable.",
      permissions_update, update_options);
}

}  // namespace dbk::cli
