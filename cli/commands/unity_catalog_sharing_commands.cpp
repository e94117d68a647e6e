// `dbk unity-catalog recipients|providers ...` and `shares list-permissions|update-permissions`:
// databricks-cli 0.18's Delta Sharing commands (docs/compatibility.md, "Unity Catalog").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "commands/unity_catalog_common.hpp"
#include "output/json_printer.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

using namespace uc;

// --property KEY=VALUE (repeatable) as {"properties": {KEY: VALUE}}. Legacy splits at most
// twice at '=', so a value holding '=' is refused as it is there.
Result<Json> properties_of(const std::vector<std::string>& given) {
  Json map = Json::object();
  for (const auto& text : given) {
    const auto equal = text.find('=');
    if (equal == std::string::npos || text.find('=', equal + 1) != std::string::npos) {
      return usage_error("Invalid format for property. The format should be <key>=<value>.");
    }
    map[text.substr(0, equal)] = text.substr(equal + 1);
  }
  return Json{{"properties", map}};
}

// --allowed-ip-address (repeatable) as an ip_access_list.
Json ip_access_list_of(const std::vector<std::string>& addresses) {
  return Json{{"allowed_ip_addresses", addresses}};
}

// A lone empty value clears the list (legacy: "Specify a single empty string to ...").
bool clears(const std::vector<std::string>& values) {
  return values.size() == 1 && values[0].empty();
}

CommandStatus recipient_create(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  Json request = {{"name", *name}};
  if (auto comment = inv.value("comment")) request["comment"] = *comment;
  if (auto sharing_id = inv.value("sharing-id")) {
    request["data_recipient_global_metastore_id"] = *sharing_id;
    request["authentication_type"] = "DATABRICKS";
  } else {
    request["authentication_type"] = "TOKEN";
  }
  const auto addresses = inv.values("allowed-ip-address");
  if (!addresses.empty()) request["ip_access_list"] = ip_access_list_of(addresses);
  const auto properties = inv.values("property");
  auto parsed = properties_of(properties);
  if (!parsed) return parsed.error();
  if (!properties.empty()) request["properties_kvpairs"] = *parsed;
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_recipient(request));
}

CommandStatus recipient_update(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  Json changes = rename_comment_owner(inv);
  const auto addresses = inv.values("allowed-ip-address");
  if (!addresses.empty()) {
    changes["ip_access_list"] = clears(addresses) ? Json::object() : ip_access_list_of(addresses);
  }
  const auto properties = inv.values("property");
  if (!properties.empty()) {
    if (clears(properties)) {
      changes["properties_kvpairs"] = Json::object();
    } else {
      auto parsed = properties_of(properties);
      if (!parsed) return parsed.error();
      changes["properties_kvpairs"] = *parsed;
    }
  }
  auto body = flags_or_json(inv, std::move(changes));
  if (!body) return body.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().update_recipient(*name, *body));
}

CommandStatus recipient_rotate(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto seconds = inv.int_value("existing-token-expire-in-seconds");
  if (!seconds) return seconds.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().rotate_recipient_token(*name, *seconds));
}

// Delete commands print nothing on success, as legacy.
using Delete = Status (UnityCatalogApi::*)(const std::string&, const CallContext&) const;
Handler deleting(Delete call) {
  return [call](Invocation& inv) -> CommandStatus {
    auto name = required_value(inv, "name");
    if (!name) return name.error();
    auto client = inv.client();
    if (!client) return client.error();
    return (client->unity_catalog().*call)(*name, {});
  };
}

// --recipient-profile-json-file / --recipient-profile-json: the profile as the
// recipient_profile_str legacy sends (json.dumps, indent 2); nullopt when neither is given.
Result<std::optional<std::string>> profile_option(const Invocation& inv) {
  auto file = inv.value("recipient-profile-json-file");
  auto inline_json = inv.value("recipient-profile-json");
  if (!file && !inline_json) return std::optional<std::string>();
  if (file && inline_json) {
    return usage_error(
        "Either --recipient-profile-json-file or --recipient-profile-json should be provided");
  }
  Result<Json> profile = Json();
  if (file) {
    auto text = read_text_file(*file);
    if (!text) {
      return usage_error(
          "Invalid value for '--recipient-profile-json-file': " + text.error().message + ".");
    }
    profile = parse_json_text(*text, *file);
  } else {
    profile = parse_json_argument(*inline_json, "--recipient-profile-json");
  }
  if (!profile) return profile.error();
  return std::optional<std::string>(to_python_json(*profile));
}

CommandStatus provider_create(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto profile = profile_option(inv);
  if (!profile) return profile.error();
  if (!*profile) {
    return usage_error(
        "Either --recipient-profile-json-file or --recipient-profile-json should be provided");
  }
  Json request = {{"name", *name}};
  if (auto comment = inv.value("comment")) request["comment"] = *comment;
  request["recipient_profile_str"] = **profile;
  request["authentication_type"] = "TOKEN";
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_provider(request));
}

CommandStatus provider_update(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  Json changes = rename_comment_owner(inv);
  auto profile = profile_option(inv);
  if (!profile) return profile.error();
  if (*profile) changes["recipient_profile_str"] = **profile;
  auto body = flags_or_json(inv, std::move(changes));
  if (!body) return body.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().update_provider(*name, *body));
}

}  // namespace

void add_uc_sharing_commands(std::vector<CommandSpec>& table) {
  const auto json_file = value("json-file", 0, "PATH", "File with the JSON body.");
  const auto json = value("json", 0, "JSON", "JSON body, inline or @file.json.");
  const auto comment = value("comment", 0, "TEXT", "Free-form text description.");
  const auto name = [](const std::string& help) { return value("name", 0, "TEXT", help); };
  auto address = value("allowed-ip-address", 0, "TEXT",
                       "IPv4 address in CIDR notation allowed to use Delta Sharing; in update, "
                       "one empty value clears the list.");
  address.repeatable = true;
  auto property = value("property", 0, "KEY=VALUE",
                        "Property of the recipient; in update, one empty value removes them all.");
  property.repeatable = true;

  const char* sh = "shares";
  add(table, sh, "list-permissions", "list-share-permissions",
      "List the recipients a share is granted to.",
      printing("name", &UnityCatalogApi::list_share_permissions), {name("Name of the share.")});
  add(table, sh, "update-permissions", "update-share-permissions",
      "Grant or revoke a share to recipients (JSON {\"changes\": [...]}).",
      updating("name", &UnityCatalogApi::update_share_permissions),
      {name("Name of the share."), json_file, json});

  const char* re = "recipients";
  add(table, re, "create", "create-recipient",
      "Create a recipient (TOKEN, or DATABRICKS with --sharing-id).", recipient_create,
      {name("Name of the new recipient."), comment,
       value("sharing-id", 0, "TEXT",
             "Sharing identifier of the recipient's metastore (CLOUD:REGION:UUID)."),
       address, property});
  add(table, re, "list", "list-recipients", "List recipients.",
      printing(&UnityCatalogApi::list_recipients), {});
  add(table, re, "get", "get-recipient", "Get a recipient.",
      printing("name", &UnityCatalogApi::get_recipient), {name("Name of the recipient.")});
  add(table, re, "update", "update-recipient", "Update a recipient (flags, or a JSON PATCH body).",
      recipient_update,
      {name("Name of the recipient."), value("new-name", 0, "TEXT", "New name of the recipient."),
       comment, value("owner", 0, "TEXT", "Owner of the recipient."), address, property, json_file,
       json});
  add(table, re, "rotate-token", "rotate-recipient-token",
      "Give the recipient a new token (and activation link).", recipient_rotate,
      {name("Name of the recipient."),
       value("existing-token-expire-in-seconds", 0, "INTEGER",
             "Expire the existing token this many seconds from now (0: now).")});
  add(table, re, "list-permissions", "list-recipient-permissions",
      "List the shares a recipient is granted.",
      printing("name", &UnityCatalogApi::list_recipient_share_permissions),
      {name("Name of the recipient.")});
  add(table, re, "delete", "delete-recipient", "Delete a recipient.",
      deleting(&UnityCatalogApi::delete_recipient), {name("Name of the recipient.")});

  const auto profile_file = value("recipient-profile-json-file", 0, "PATH",
                                  "File holding the recipient profile (credential file) JSON.");
  const auto profile_json =
      value("recipient-profile-json", 0, "JSON", "The recipient profile JSON, inline.");
  const char* pr = "providers";
  add(table, pr, "create", "create-provider", "Create a provider from a recipient profile.",
      provider_create, {name("Name of the new provider."), comment, profile_file, profile_json});
  add(table, pr, "list", "list-providers", "List providers.",
      printing(&UnityCatalogApi::list_providers), {});
  add(table, pr, "get", "get-provider", "Get a provider.",
      printing("name", &UnityCatalogApi::get_provider), {name("Name of the provider.")});
  add(table, pr, "update", "update-provider", "Update a provider (flags, or a JSON PATCH body).",
      provider_update,
      {name("Name of the provider."), value("new-name", 0, "TEXT", "New name of the provider."),
       comment, value("owner", 0, "TEXT", "Owner of the provider."), profile_file, profile_json,
       json_file, json});
  add(table, pr, "delete", "delete-provider", "Delete a provider.",
      deleting(&UnityCatalogApi::delete_provider), {name("Name of the provider.")});
  add(table, pr, "list-shares", "list-provider-shares", "List the shares of a provider.",
      printing("name", &UnityCatalogApi::list_provider_shares), {name("Name of the provider.")});
}

}  // namespace dbk::cli
