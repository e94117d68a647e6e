// `dbk secrets ...`: databricks-cli 0.18's secrets commands (docs/compatibility.md, "Secrets").
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/base64.hpp"
#include "dbk/secrets.hpp"
#include "output/table_printer.hpp"
#include "util/json_args.hpp"

extern char** environ;

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

// Legacy's editor template for a secret typed in $EDITOR: the value is what precedes the
// dashed line, trailing newlines stripped.
const std::string kDashMarker = "# " + std::string(70, '-') + "\n";
const std::string kEditorPrompt =
    "# Do not edit the above line. Everything below it will be ignored.\n"
    "# Please input your secret value above the line. Text will be stored in\n"
    "# UTF-8 (MB4) form and any trailing new line will be stripped.\n"
    "# Exit without saving will abort writing secret.";

// Python's truncate_string(s, 100), counting code points as Python does.
std::string truncate(const std::string& text) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (points++ == 100) return text.substr(0, i) + "...";
  }
  return text;
}

Result<OutputFormat> output_option(const Invocation& inv) {
  auto output = inv.value("output");
  if (!output) return inv.output_format();
  std::string lower;
  for (char c : *output) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "json") return OutputFormat::kJson;
  if (lower == "table") return OutputFormat::kTable;
  return usage_error("Invalid value for '--output': output must be \"json\" or \"table\".");
}

// click.edit: the text in a private temporary file opened with $VISUAL, $EDITOR or vi;
// nullopt when the editor left the file untouched (legacy: "No changes made").
Result<std::optional<std::string>> edit_in_editor(const std::string& text) {
  std::string editor = "vi";
  for (const char* name : {"VISUAL", "EDITOR"}) {
    const char* set = std::getenv(name);
    if (set != nullptr && *set != '\0') {
      editor = set;
      break;
    }
  }
  std::error_code ec;
  std::string pattern =
      (std::filesystem::temp_directory_path(ec) / "dbk-secret-XXXXXX.txt").string();
  int fd = ::mkstemps(pattern.data(), 4);  // 0600: the value is a secret
  if (fd < 0) return make_error(error_codes::kIoError, "cannot create a temporary file");
  struct Remove {
    std::string path;
    ~Remove() { ::unlink(path.c_str()); }
  } remove{pattern};
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) return make_error(error_codes::kIoError, "cannot write " + pattern);
  struct stat before {};
  ::stat(pattern.c_str(), &before);
  // The editor command is shell text (it may carry flags), the file its one argument.
  const std::string script = editor + " \"$1\"";
  const char* argv[] = {"sh", "-c", script.c_str(), "sh", pattern.c_str(), nullptr};
  pid_t pid = 0;
  if (::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) !=
      0) {
    return make_error(error_codes::kIoError, "cannot start the editor " + editor);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return make_error(error_codes::kIoError, editor + ": Editing failed");
  }
  struct stat after {};
  ::stat(pattern.c_str(), &after);
  if (after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
      after.st_mtim.tv_nsec == before.st_mtim.tv_nsec) {
    return std::optional<std::string>();
  }
  auto content = read_text_file(pattern);
  if (!content) return std::move(content).error();
  return std::optional<std::string>(std::move(*content));
}

// Legacy _verify_and_translate_options: the request's value from --string-value,
// --binary-file or the editor.
Status fill_value(const Invocation& inv, PutSecretRequest& request) {
  auto string_value = inv.value("string-value");
  auto binary_file = inv.value("binary-file");
  if (string_value && !string_value->empty() && binary_file) {
    return make_error(error_codes::kInvalidArgument,
                      "At most one of ['string-value', 'binary-file'] should be provided.");
  }
  if (string_value) {
    request.string_value = *string_value;
    return {};
  }
  if (binary_file) {
    std::error_code ec;
    if (!std::filesystem::exists(*binary_file, ec)) {
      return usage_error("Invalid value for '--binary-file': Path '" + *binary_file +
                         "' does not exist.");
    }
    auto bytes = read_text_file(*binary_file);
    if (!bytes) return usage_error("Invalid value for '--binary-file': " + bytes.error().message);
    request.bytes_value = base64_encode(*bytes);
    return {};
  }
  auto edited = edit_in_editor("\n\n" + kDashMarker + kEditorPrompt + "\n");
  if (!edited) return std::move(edited).error();
  if (!*edited) {
    return make_error(error_codes::kInvalidArgument,
                      "No changes made, write secret aborted. Please follow the instruction to "
                      "input secret value.");
  }
  const auto marker = (*edited)->find(kDashMarker);
  if (marker == std::string::npos) {
    return make_error(error_codes::kInvalidArgument,
                      "Please DO NOT edit the line with dashes. Write secret aborted.");
  }
  std::string value = (*edited)->substr(0, marker);
  while (!value.empty() && value.back() == '\n') value.pop_back();
  request.string_value = std::move(value);
  return {};
}

CommandStatus create_scope(Invocation& inv) {
  CreateScopeRequest request;
  auto scope = required_value(inv, "scope");
  if (!scope) return scope.error();
  request.scope = *scope;
  request.initial_manage_principal = inv.value("initial-manage-principal");
  request.scope_backend_type = inv.value("scope-backend-type").value_or("DATABRICKS");
  if (request.scope_backend_type != "DATABRICKS" &&
      request.scope_backend_type != "AZURE_KEYVAULT") {
    return usage_error("Invalid value for '--scope-backend-type': '" + request.scope_backend_type +
                       "' is not one of 'AZURE_KEYVAULT', 'DATABRICKS'.");
  }
  auto resource_id = inv.value("resource-id");
  auto dns_name = inv.value("dns-name");
  // Legacy sends the Key Vault only when both are given.
  if (resource_id && dns_name) {
    request.backend_azure_keyvault = Json{{"resource_id", *resource_id}, {"dns_name", *dns_name}};
  }
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->secrets().create_scope(request);
  return status;
}

// The reading commands (list-scopes, list, list-acls, get-acl), once their own options are
// checked: --output, then `fetch` with the client; with JSON output the service's answer as it
// came, else `print_rows` prints its table.
template <typename Fetch, typename PrintRows>
CommandStatus fetch_and_print(Invocation& inv, Fetch fetch, PrintRows print_rows) {
  auto format = output_option(inv);
  if (!format) return format.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto answer = fetch(client->secrets());
  if (!answer) return answer.error();
  if (*format == OutputFormat::kJson) return print_json(inv, answer->raw);
  print_rows(*answer);
  return 0;
}

CommandStatus list_scopes(Invocation& inv) {
  return fetch_and_print(
      inv, [](const SecretsApi& api) { return api.list_scopes(); },
      [&inv](const ListResponse<SecretScope>& scopes) {
        std::vector<TableRow> rows;
        for (const auto& scope : scopes.items) {
          const auto dns = scope.keyvault_metadata.is_object()
                               ? scope.keyvault_metadata.value("dns_name", std::string())
                               : std::string("N/A");
          rows.push_back({truncate(scope.name), scope.backend_type, dns});
        }
        print_table(inv, format_simple_table({"Scope", "Backend", "KeyVault URL"}, rows));
      });
}

CommandStatus delete_scope(Invocation& inv) {
  auto scope = required_value(inv, "scope");
  if (!scope) return scope.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->secrets().delete_scope(*scope);
  return status;
}

CommandStatus put_secret(Invocation& inv) {
  PutSecretRequest request;
  auto scope = required_value(inv, "scope");
  if (!scope) return scope.error();
  auto key = required_value(inv, "key");
  if (!key) return key.error();
  request.scope = *scope;
  request.key = *key;
  if (auto filled = fill_value(inv, request); !filled) return filled.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->secrets().put_secret(request);
  return status;
}

// delete and delete-acl: --scope and one more required option, then one call.
template <Status (SecretsApi::*Call)(const std::string&, const std::string&, const CallContext&)
              const>
Handler scope_and(std::string option) {
  return [option](Invocation& inv) -> CommandStatus {
    auto scope = required_value(inv, "scope");
    if (!scope) return scope.error();
    auto second = required_value(inv, option);
    if (!second) return second.error();
    auto client = inv.client();
    if (!client) return client.error();
    auto status = (client->secrets().*Call)(*scope, *second, {});
    return status;
  };
}

CommandStatus list_secrets(Invocation& inv) {
  auto scope = required_value(inv, "scope");
  if (!scope) return scope.error();
  return fetch_and_print(
      inv, [&scope](const SecretsApi& api) { return api.list_secrets(*scope); },
      [&inv](const ListResponse<SecretMetadata>& secrets) {
        std::vector<TableRow> rows;
        for (const auto& secret : secrets.items) {
          Cell updated = std::string("Not Available");
          if (secret.last_updated_timestamp) updated = *secret.last_updated_timestamp;
          rows.push_back({secret.key, updated});
        }
        print_table(inv, format_simple_table({"Key name", "Last updated"}, rows));
      });
}

Result<std::string> permission_option(const Invocation& inv) {
  auto permission = required_value(inv, "permission");
  if (!permission) return permission;
  if (*permission != "MANAGE" && *permission != "WRITE" && *permission != "READ") {
    return usage_error("Invalid value for '--permission': '" + *permission +
                       "' is not one of 'MANAGE', 'WRITE', 'READ'.");
  }
  return permission;
}

CommandStatus put_acl(Invocation& inv) {
  auto scope = required_value(inv, "scope");
  if (!scope) return scope.error();
  auto principal = required_value(inv, "principal");
  if (!principal) return principal.error();
  auto permission = permission_option(inv);
  if (!permission) return permission.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->secrets().put_acl(*scope, *principal, *permission);
  return status;
}

void print_acls(Invocation& inv, const std::vector<AclItem>& acls) {
  std::vector<TableRow> rows;
  for (const auto& acl : acls) {
    std::string permission = acl.permission;
    for (auto& c : permission) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    rows.push_back({acl.principal, permission});
  }
  print_table(inv, format_simple_table({"Principal", "Permission"}, rows));
}

CommandStatus list_acls(Invocation& inv) {
  auto scope = required_value(inv, "scope");
  if (!scope) return scope.error();
  return fetch_and_print(
      inv, [&scope](const SecretsApi& api) { return api.list_acls(*scope); },
      [&inv](const ListResponse<AclItem>& acls) { print_acls(inv, acls.items); });
}

CommandStatus get_acl(Invocation& inv) {
  auto scope = required_value(inv, "scope");
  if (!scope) return scope.error();
  auto principal = required_value(inv, "principal");
  if (!principal) return principal.error();
  return fetch_and_print(
      inv, [&](const SecretsApi& api) { return api.get_acl(*scope, *principal); },
      [&inv](const AclItem& acl) { print_acls(inv, {acl}); });
}

}  // namespace

void add_secrets_commands(std::vector<CommandSpec>& table) {
  const auto scope = value("scope", 0, "SCOPE", "The name of the secret scope.");
  const auto key = value("key", 0, "KEY", "The name of the secret key.");
  const auto principal =
      value("principal", 0, "PRINCIPAL", "The name of the principal (user or group).");
  const auto output = value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"});

  auto spec = command("secrets", "create-scope", "Create a secret scope.", create_scope);
  spec.options = {
      scope,
      value("initial-manage-principal", 0, "PRINCIPAL",
            "The principal given MANAGE on the new scope (default: you)."),
      value("scope-backend-type", 0, "TYPE", "DATABRICKS (default) or AZURE_KEYVAULT.",
            {"AZURE_KEYVAULT", "DATABRICKS"}),
      value("resource-id", 0, "ID", "Azure Key Vault resource id (AZURE_KEYVAULT only)."),
      value("dns-name", 0, "NAME", "Azure Key Vault DNS name (AZURE_KEYVAULT only).")};
  table.push_back(spec);

  spec = command("secrets", "list-scopes",
                 "List secret scopes (table: scope, backend, Key Vault URL).", list_scopes);
  spec.options = {output};
  table.push_back(spec);

  spec = command("secrets", "delete-scope", "Delete a secret scope with its secrets and ACLs.",
                 delete_scope);
  spec.options = {scope};
  table.push_back(spec);

  spec = command("secrets", "put", "Create or overwrite a secret (alias: write).", put_secret);
  spec.aliases = {"write"};
  spec.description =
      "Give the value with --string-value (stored as UTF-8) or --binary-file (stored as "
      "bytes); with neither, $VISUAL or $EDITOR opens to type it.";
  spec.options = {scope, key, value("string-value", 0, "TEXT", "The value, stored as UTF-8 text."),
                  value("binary-file", 0, "FILE", "A file whose bytes are the value.")};
  table.push_back(spec);

  spec = command("secrets", "delete", "Delete a secret.",
                 scope_and<&SecretsApi::delete_secret>("key"));
  spec.options = {scope, key};
  table.push_back(spec);

  spec = command("secrets", "list", "List a scope's secret keys and update times (never values).",
                 list_secrets);
  spec.options = {scope, output};
  table.push_back(spec);

  spec = command("secrets", "put-acl",
                 "Give a principal a permission on a scope (alias: write-acl).", put_acl);
  spec.aliases = {"write-acl"};
  spec.options = {
      scope, principal,
      value("permission", 0, "PERMISSION", "MANAGE, WRITE or READ.", {"MANAGE", "WRITE", "READ"})};
  table.push_back(spec);

  spec = command("secrets", "delete-acl", "Remove a principal's permission on a scope.",
                 scope_and<&SecretsApi::delete_acl>("principal"));
  spec.options = {scope, principal};
  table.push_back(spec);

  spec = command("secrets", "list-acls", "List the ACLs of a scope.", list_acls);
  spec.options = {scope, output};
  table.push_back(spec);

  spec = command("secrets", "get-acl", "Show a principal's permission on a scope.", get_acl);
  spec.options = {scope, principal, output};
  table.push_back(spec);
}

}  // namespace dbk::cli
