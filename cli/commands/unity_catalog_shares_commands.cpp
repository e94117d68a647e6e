// `dbk unity-catalog shares ...`: databricks-cli 0.18's share commands
// (docs/compatibility.md, "Unity Catalog").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "commands/unity_catalog_common.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

using namespace uc;

CommandStatus share_create(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().create_share(Json{{"name", *name}}));
}

CommandStatus share_get(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  bool include = true;
  if (auto value = inv.value("include-shared-data")) {
    std::string text = *value;
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (text == "true" || text == "1" || text == "yes" || text == "y" || text == "t") {
      include = true;
    } else if (text == "false" || text == "0" || text == "no" || text == "n" || text == "f") {
      include = false;
    } else {
      return usage_error("Invalid value for '--include-shared-data': '" + *value +
                         "' is not a valid boolean.");
    }
  }
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().get_share(*name, include));
}

Json table_object(const std::string& name) {
  return Json{{"data_object_type", "TABLE"}, {"name", name}};
}

CommandStatus share_update(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  Json changes = rename_comment_owner(inv);
  Json updates = Json::array();
  for (const auto& table : inv.values("add-table")) {
    updates.push_back(Json{{"action", "ADD"}, {"data_object", table_object(table)}});
  }
  for (const auto& table : inv.values("remove-table")) {
    updates.push_back(Json{{"action", "REMOVE"}, {"data_object", table_object(table)}});
  }
  if (!updates.empty()) changes["updates"] = updates;
  auto body = flags_or_json(inv, std::move(changes));
  if (!body) return body.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().update_share(*name, *body));
}

// add/update/remove-schema and -table: one update of one data object, from the flags or a
// --json/--json-file data object (whose type must match).
Handler object_update(const char* action, bool table) {
  return [action, table](Invocation& inv) -> CommandStatus {
    auto share = required_value(inv, "share");
    if (!share) return share.error();
    const char* type = table ? "TABLE" : "SCHEMA";
    Json object;
    if (inv.value("json") || inv.value("json-file")) {
      auto body = json_body_option(inv);
      if (!body) return body.error();
      object = std::move(*body);
      auto given = object.find("data_object_type");
      if ((!table && given == object.end()) ||
          (given != object.end() && (!given->is_string() || *given != type))) {
        return usage_error(std::string("Must specify data_object_type as \"") + type + "\"" +
                           (table ? " or not specify data_object_type at all" : ""));
      }
    } else {
      object = Json{{"data_object_type", type}};
      const char* option = table ? "table" : "schema";
      auto name = inv.value(option);
      const bool remove = std::string(action) == "REMOVE";
      if (table && remove && name && inv.value("shared-as")) {
        return usage_error("You can only pass in either --table or --shared_as and not both.");
      }
      if (!name && !(table && remove && inv.value("shared-as"))) {
        return usage_error(std::string("Missing option '--") + option + "'.");
      }
      if (name) object["name"] = *name;
      if (!remove) {
        if (auto value = inv.value("comment")) object["comment"] = *value;
      }
      if (table) {
        if (auto value = inv.value("shared-as")) object["shared_as"] = *value;
        if (!remove) {
          if (inv.flag("cdf") && inv.flag("no-cdf")) {
            return usage_error("--cdf and --no-cdf are mutually exclusive.");
          }
          if (inv.flag("cdf") || inv.flag("no-cdf")) object["cdf_enabled"] = inv.flag("cdf");
          if (auto value = inv.value("partitions")) {
            auto partitions = parse_json_argument(*value, "--partitions");
            if (!partitions) return partitions.error();
            object["partitions"] = *partitions;
          }
          auto version = inv.int_value("start-version");
          if (!version) return version.error();
          if (*version) object["start_version"] = **version;
        }
      }
    }
    Json body = {{"updates", Json::array({Json{{"action", action}, {"data_object", object}}})}};
    auto client = inv.client();
    if (!client) return client.error();
    return print_result(inv, client->unity_catalog().update_share(*share, body));
  };
}

CommandStatus share_delete(Invocation& inv) {
  auto name = required_value(inv, "name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  return client->unity_catalog().delete_share(*name);
}

}  // namespace

void add_uc_shares_commands(std::vector<CommandSpec>& table) {
  const auto json_file = value("json-file", 0, "PATH", "File with the JSON body.");
  const auto json = value("json", 0, "JSON", "JSON body, inline or @file.json.");
  const auto share = value("share", 0, "TEXT", "Name of the share to update.");
  const auto comment = value("comment", 0, "TEXT", "Free-form text description.");
  const auto name = [](const std::string& help) { return value("name", 0, "TEXT", help); };
  const char* sh = "shares";
  add(table, sh, "create", "create-share", "Create a share.", share_create,
      {name("Name of the new share.")});
  add(table, sh, "list", "list-shares", "List shares.", printing(&UnityCatalogApi::list_shares),
      {});
  add(table, sh, "get", "get-share", "Get a share.", share_get,
      {name("Name of the share."),
       value("include-shared-data", 0, "BOOLEAN", "Include the shared objects (default true).")});
  auto add_table = value("add-table", 0, "NAME", "Full name of a table to add (repeatable).");
  add_table.repeatable = true;
  add_table.hidden = true;
  auto remove_table = value("remove-table", 0, "NAME", "Full name of a table to remove.");
  remove_table.repeatable = true;
  remove_table.hidden = true;
  add(table, sh, "update", "update-share", "Update a share (flags, or a JSON PATCH body).",
      share_update,
      {name("Name of the share."), value("new-name", 0, "TEXT", "New name of the share."), comment,
       value("owner", 0, "TEXT", "Owner of the share."), add_table, remove_table, json_file, json});
  const std::vector<OptionSpec> schema_options = {
      value("schema", 0, "TEXT", "Full name of the schema."), comment};
  const std::vector<OptionSpec> table_options = {
      value("table", 0, "TEXT", "Full name of the table."),
      value("shared-as", 0, "TEXT", "Name the table is shared as."),
      comment,
      value("partitions", 0, "JSON", "Partition specification of the shared table."),
      flag("cdf", 0, "Share the table's change data feed."),
      flag("no-cdf", 0, "Do not share the table's change data feed."),
      value("start-version", 0, "INTEGER", "First version of the table that is shared.")};
  auto options = [&](const std::vector<OptionSpec>& own) {
    std::vector<OptionSpec> out = {share};
    out.insert(out.end(), own.begin(), own.end());
    out.push_back(json_file);
    out.push_back(json);
    return out;
  };
  for (const auto& [verb, action] :
       {std::pair<const char*, const char*>{"add", "ADD"}, {"update", "UPDATE"}}) {
    add(table, sh, std::string(verb) + "-schema", "",
        std::string(verb == std::string("add") ? "Add" : "Update") + " a shared schema.",
        object_update(action, false), options(schema_options));
    add(table, sh, std::string(verb) + "-table", "",
        std::string(verb == std::string("add") ? "Add" : "Update") + " a shared table.",
        object_update(action, true), options(table_options));
  }
  add(table, sh, "remove-schema", "", "Remove a shared schema.", object_update("REMOVE", false),
      options({value("schema", 0, "TEXT", "Full name of the schema.")}));
  add(table, sh, "remove-table", "", "Remove a shared table (by name or shared-as name).",
      object_update("REMOVE", true),
      options({value("table", 0, "TEXT", "Full name of the table."),
               value("shared-as", 0, "TEXT", "Name the table is shared as.")}));
  add(table, sh, "delete", "delete-share", "Delete a share.", share_delete,
      {name("Name of the share.")});
}

}  // namespace dbk::cli
