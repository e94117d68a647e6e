// `dbk unity-catalog storage-credentials|external-locations ...`: databricks-cli 0.18's
// commands for them (docs/compatibility.md, "Unity Catalog").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "commands/unity_catalog_common.hpp"

namespace dbk::cli {
namespace {

using namespace uc;

// The cloud credential flags of a command: (option prefix + name) per field, grouped by the
// credential object they fill. `prefix` is "" for storage-credentials, "cred-" for validate.
struct CredentialFlag {
  const char* object;
  const char* field;
  const char* option;  // without the prefix
  const char* validate_option;
  const char* help;
};

const std::vector<CredentialFlag>& credential_flags() {
  static const std::vector<CredentialFlag> flags = {
      {"aws_iam_role", "role_arn", "aws-iam-role-arn", "cred-aws-iam-role",
       "ARN of the AWS IAM role for S3 data access."},
      {"azure_service_principal", "directory_id", "az-sp-directory-id", "cred-az-directory-id",
       "Directory (tenant) id of the Azure AD application."},
      {"azure_service_principal", "application_id", "az-sp-application-id",
       "cred-az-application-id", "Application id of the Azure AD application."},
      {"azure_service_principal", "client_secret", "az-sp-client-secret", "cred-az-client-secret",
       "Client secret of the Azure AD application (visible in process lists: prefer --json-file)."},
      {"azure_managed_identity", "access_connector_id", "az-mi-access-connector-id",
       "cred-az-mi-access-connector-id", "Azure resource id of the Access Connector."},
      {"azure_managed_identity", "managed_identity_id", "az-mi-id", "cred-az-mi-id",
       "Azure resource id of a user-assigned managed identity."},
      {"gcp_service_account_key", "email", "gcp-sak-email", "cred-gcp-sak-email",
       "Email of the GCP service account."},
      {"gcp_service_account_key", "private_key_id", "gcp-sak-private-key-id",
       "cred-gcp-sak-private-key-id", "Id of the GCP service account's private key."},
      {"gcp_service_account_key", "private_key", "gcp-sak-private-key", "cred-gcp-sak-private-key",
       "The GCP service account's RSA private key (visible in process lists: prefer "
       "--json-file)."},
  };
  return flags;
}

// The credential objects the flags given describe, merged into `body`.
void fill_credential(const Invocation& inv, bool validate, Json& body) {
  for (const auto& flag : credential_flags()) {
    auto value = inv.value(validate ? flag.validate_option : flag.option);
    if (value) body[flag.object][flag.field] = *value;
  }
}

std::vector<OptionSpec> credential_options(bool validate) {
  std::vector<OptionSpec> options;
  for (const auto& flag : credential_flags()) {
    options.push_back(value(validate ? flag.validate_option : flag.option, 0, "TEXT", flag.help));
  }
  return options;
}

void set_if(const Invocation& inv, const char* option, const char* field, Json& body) {
  if (auto value = inv.value(option)) body[field] = *value;
}

// --read-only / --no-read-only (legacy: one boolean flag pair, unset by default).
Result<std::optional<bool>> read_only(const Invocation& inv) {
  if (inv.flag("read-only") && inv.flag("no-read-only")) {
    return usage_error("--read-only and --no-read-only are mutually exclusive.");
  }
  if (inv.flag("read-only")) return std::optional<bool>(true);
  if (inv.flag("no-read-only")) return std::optional<bool>(false);
  return std::optional<bool>();
}

// ---- storage credentials ----

CommandStatus credential_create(Invocation& inv) {
  Json request = Json::object();
  set_if(inv, "name", "name", request);
  set_if(inv, "comment", "comment", request);
  fill_credential(inv, false, request);
  auto body = flags_or_json(inv, std::move(request));
  if (!body) return body.error();
  if (inv.flag("skip-validation")) (*body)["skip_validation"] = true;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_storage_credential(*body));
}

CommandStatus credential_update(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  Json changes = Json::object();
  set_if(inv, "new-name", "new_name", changes);
  set_if(inv, "comment", "comment", changes);
  set_if(inv, "owner", "owner", changes);
  fill_credential(inv, false, changes);
  auto body = flags_or_json(inv, std::move(changes));
  if (!body) return body.error();
  if (inv.flag("skip-validation")) (*body)["skip_validation"] = true;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().update_storage_credential(*name, *body));
}

CommandStatus credential_delete(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  return client->unity_catalog().delete_storage_credential(*name, inv.flag("force"));
}

// ---- external locations ----

Result<Json> location_flags(const Invocation& inv, bool update) {
  Json body = Json::object();
  set_if(inv, update ? "new-name" : "name", update ? "new_name" : "name", body);
  set_if(inv, "url", "url", body);
  set_if(inv, "storage-credential-name", "credential_name", body);
  auto only = read_only(inv);
  if (!only) return only.error();
  if (*only) body["read_only"] = **only;
  set_if(inv, "comment", "comment", body);
  if (update) set_if(inv, "owner", "owner", body);
  if (body.empty() && !update && !inv.value("json") && !inv.value("json-file")) {
    return usage_error(
        "Must provide name, url and storage-credential-name or use JSON specification");
  }
  return flags_or_json(inv, std::move(body));
}

CommandStatus location_create(Invocation& inv) {
  auto body = location_flags(inv, false);
  if (!body) return body.error();
  if (inv.flag("skip-validation")) (*body)["skip_validation"] = true;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_external_location(*body));
}

CommandStatus location_update(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto body = location_flags(inv, true);
  if (!body) return body.error();
  if (inv.flag("skip-validation")) (*body)["skip_validation"] = true;
  if (inv.flag("force")) (*body)["force"] = true;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().update_external_location(*name, *body));
}

CommandStatus location_delete(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  return client->unity_catalog().delete_external_location(*name, inv.flag("force"));
}

CommandStatus location_validate(Invocation& inv) {
  Json request = Json::object();
  set_if(inv, "name", "external_location_name", request);
  set_if(inv, "url", "url", request);
  set_if(inv, "cred-name", "storage_credential_name", request);
  fill_credential(inv, true, request);
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().validate_storage_credential(request));
}

}  // namespace

void add_uc_storage_commands(std::vector<CommandSpec>& table) {
  const auto json_file = value("json-file", 0, "PATH", "File with the JSON request body.");
  const auto json = value("json", 0, "JSON", "JSON request body, inline or @file.json.");
  const auto skip = flag("skip-validation", 's', "Skip the validation of the credential.");
  const auto comment = value("comment", 0, "TEXT", "Free-form text description.");
  const auto owner = value("owner", 0, "TEXT", "Owner of the object.");
  const auto name = [](const std::string& help) { return value("name", 0, "TEXT", help); };
  auto with = [](std::vector<OptionSpec> options, const std::vector<OptionSpec>& more) {
    options.insert(options.end(), more.begin(), more.end());
    return options;
  };

  const char* sc = "storage-credentials";
  add(table, sc, "create", "create-storage-credential", "Create a storage credential.",
      credential_create,
      with({name("Name of the new storage credential.")},
           with(credential_options(false), {comment, skip, json_file, json})));
  add(table, sc, "list", "list-storage-credentials", "List storage credentials.",
      printing(&UnityCatalogApi::list_storage_credentials),
      {value("name-pattern", 0, "TEXT",
             "Accepted for compatibility; every credential is listed.")});
  add(table, sc, "get", "get-storage-credential", "Get a storage credential.",
      printing("name", &UnityCatalogApi::get_storage_credential),
      {name("Name of the storage credential.")});
  add(table, sc, "update", "update-storage-credential",
      "Update a storage credential (flags, or a JSON PATCH body).", credential_update,
      with({name("Name of the storage credential."),
            value("new-name", 0, "TEXT", "New name of the storage credential.")},
           with(credential_options(false), {comment, owner, skip, json_file, json})));
  add(table, sc, "delete", "delete-storage-credential", "Delete a storage credential.",
      credential_delete,
      {name("Name of the storage credential."),
       flag("force", 'f', "Delete it even when external locations depend on it.")});

  const char* el = "external-locations";
  const std::vector<OptionSpec> location_options = {
      value("url", 0, "TEXT", "Cloud storage URL of the location."),
      value("storage-credential-name", 0, "TEXT", "Storage credential to access the location."),
      flag("read-only", 0, "The location is read-only."),
      flag("no-read-only", 0, "The location is not read-only."), comment};
  add(table, el, "create", "create-external-location", "Create an external location.",
      location_create,
      with({name("Name of the new external location.")},
           with(location_options, {skip, json_file, json})));
  add(table, el, "list", "list-external-locations", "List external locations.",
      printing(&UnityCatalogApi::list_external_locations), {});
  add(table, el, "get", "get-external-location", "Get an external location.",
      printing("name", &UnityCatalogApi::get_external_location),
      {name("Name of the external location.")});
  add(table, el, "update", "update-external-location",
      "Update an external location (flags, or a JSON PATCH body).", location_update,
      with({name("Name of the external location."),
            value("new-name", 0, "TEXT", "New name of the external location.")},
           with(location_options,
                {owner, flag("force", 'f', "Update it even when objects depend on it."), skip,
                 json_file, json})));
  add(table, el, "delete", "delete-external-location", "Delete an external location.",
      location_delete,
      {name("Name of the external location."),
       flag("force", 'f', "Delete it even when objects depend on it.")});
  add(table, el, "validate", "validate-external-location",
      "Validate an external location or URL with a storage credential.", location_validate,
      with({name("Name of the external location to validate."),
            value("url", 0, "TEXT", "A storage URL to validate."),
            value("cred-name", 0, "TEXT", "Name of the storage credential to validate with.")},
           credential_options(true)));
}

}  // namespace dbk::cli
