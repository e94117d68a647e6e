// `dbk unity-catalog lineage table|column` and `catalogs get-bindings|update-bindings`:
// databricks-cli 0.18's lineage and workspace-binding commands (docs/compatibility.md,
// "Unity Catalog").
#include <algorithm>
#include <map>

#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "commands/unity_catalog_common.hpp"

namespace dbk::cli {
namespace {

using namespace uc;

// The tables a lineage answer names in one direction: the legacy form
// (`downstream_tables`: [{catalog_name, schema_name, name}]) or the current one
// (`downstreams`: [{tableInfo: {...}}]).
std::vector<std::string> lineage_tables(const Json& answer, bool downstream) {
  std::vector<std::string> out;
  auto add = [&](const Json& table) {
    if (!table.is_object()) return;
    out.push_back(table.value("catalog_name", "") + "." + table.value("schema_name", "") + "." +
                  table.value("name", ""));
  };
  auto legacy = answer.find(downstream ? "downstream_tables" : "upstream_tables");
  if (legacy != answer.end() && legacy->is_array()) {
    for (const auto& table : *legacy) add(table);
  }
  auto current = answer.find(downstream ? "downstreams" : "upstreams");
  if (current != answer.end() && current->is_array()) {
    for (const auto& entry : *current) {
      if (entry.is_object() && entry.contains("tableInfo")) add(entry["tableInfo"]);
    }
  }
  return out;
}

// Legacy's graph: `digraph "lineage graph of T" {` and one `"a" -> "b","c";` line per table
// with downstream tables, up to --level steps downstream and upstream of T.
CommandStatus lineage_table(Invocation& inv) {
  auto table = required_value(inv, "table-name");
  if (!table) return table.error();
  auto level = inv.int_value("level");
  if (!level) return level.error();
  const std::int64_t levels = level->value_or(1);
  auto client = inv.client();
  if (!client) return client.error();
  auto& api = client->unity_catalog();
  std::vector<std::string> order;  // sources in the order found
  std::map<std::string, std::vector<std::string>> edges;
  auto edge = [&](const std::string& from, const std::string& to) {
    auto& targets = edges[from];
    if (targets.empty()) order.push_back(from);
    if (std::find(targets.begin(), targets.end(), to) == targets.end()) targets.push_back(to);
  };
  for (bool downstream : {true, false}) {
    std::vector<std::string> current = {*table};
    std::vector<std::string> seen = {*table};
    for (std::int64_t step = 0; step < levels && !current.empty(); ++step) {
      std::vector<std::string> next;
      for (const auto& name : current) {
        auto answer = api.table_lineage(name);
        if (!answer) return answer.error();
        for (const auto& other : lineage_tables(*answer, downstream)) {
          downstream ? edge(name, other) : edge(other, name);
          if (std::find(seen.begin(), seen.end(), other) == seen.end()) {
            seen.push_back(other);
            next.push_back(other);
          }
        }
      }
      current = std::move(next);
    }
  }
  std::string lines;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i) lines += "\n\t";
    lines += "\"" + order[i] + "\" -> ";
    const auto& targets = edges[order[i]];
    for (std::size_t j = 0; j < targets.size(); ++j)
      lines += (j ? ",\"" : "\"") + targets[j] + "\"";
    lines += ";";
  }
  inv.out() << "digraph \"lineage graph of " << *table << "\" {\n\t" << lines << "\n}\n";
  inv.out().flush();
  return 0;
}

CommandStatus lineage_column(Invocation& inv) {
  auto table = required_value(inv, "table-name");
  if (!table) return table.error();
  auto column = required_value(inv, "column-name");
  if (!column) return column.error();
  auto client = inv.client();
  if (!client) return client.error();
  return print_result(inv, client->unity_catalog().column_lineage(*table, *column));
}

}  // namespace

void add_uc_lineage_binding_commands(std::vector<CommandSpec>& table) {
  add(table, "catalogs", "get-bindings", "get-catalog-bindings",
      "Get the workspace bindings of a catalog.",
      printing("name", &UnityCatalogApi::get_catalog_bindings),
      {value("name", 0, "TEXT", "Name of the catalog.")});
  add(table, "catalogs", "update-bindings", "update-catalog-bindings",
      "Update the workspace bindings of a catalog with a JSON PATCH body.",
      updating("name", &UnityCatalogApi::update_catalog_bindings),
      {value("name", 0, "TEXT", "Name of the catalog."),
       value("json-file", 0, "PATH", "File with the JSON PATCH body."),
       value("json", 0, "JSON",
             "JSON PATCH body ({\"assign_workspaces\": [...], \"unassign_workspaces\": [...]}).")});
  add(table, "lineage", "table", "list-table-lineages",
      "Print the lineage of a table as a graph (dot).", lineage_table,
      {value("table-name", 0, "TEXT", "Full name of the table (<catalog>.<schema>.<table>)."),
       value("level", 0, "INTEGER", "Steps of lineage to follow each way (default 1).")});
  add(table, "lineage", "column", "list-column-lineages", "List the lineage of a column.",
      lineage_column,
      {value("table-name", 0, "TEXT", "Full name of the table (<catalog>.<schema>.<table>)."),
       value("column-name", 0, "TEXT", "Name of the column.")});
}

}  // namespace dbk::cli
