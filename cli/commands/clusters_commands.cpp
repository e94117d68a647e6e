// `dbk clusters ...`: legacy clusters commands (docs/reference/rest-api.md §5.1).
#include <time.h>

#include <ctime>

#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/clusters.hpp"
#include "dbk/internal/text.hpp"
#include "output/json_printer.hpp"
#include "output/table_printer.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

Result<std::string> cluster_id_option(const Invocation& inv) {
  return required_value(inv, "cluster-id");
}

CommandStatus list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto clusters = client->clusters().list();
  if (!clusters) return clusters.error();
  if (inv.output_format() == OutputFormat::kJson) {
    Json array = Json::array();
    for (const auto& cluster : *clusters) array.push_back(cluster.raw);
    // Legacy prints the list response, which omits "clusters" when there are none.
    return print_json(inv, array.empty() ? Json::object() : Json{{"clusters", array}});
  }
  std::vector<TableRow> rows;
  for (const auto& cluster : *clusters) {
    rows.push_back({cluster.cluster_id, truncate_name(cluster.cluster_name), cluster.state});
  }
  print_table(inv, format_plain_table(rows));
  return 0;
}

CommandStatus get(Invocation& inv) {
  auto id = inv.value("cluster-id");
  auto name = inv.value("cluster-name");
  if (id.has_value() == name.has_value()) {
    return usage_error("Exactly one of --cluster-id or --cluster-name should be provided.");
  }
  auto client = inv.client();
  if (!client) return client.error();
  auto cluster = id ? client->clusters().get(*id) : client->clusters().find_by_name(*name);
  if (!cluster) return cluster.error();
  return print_json(inv, cluster->raw);
}

template <Status (ClustersApi::*Action)(const std::string&, const CallContext&) const>
CommandStatus cluster_action(Invocation& inv) {
  auto id = cluster_id_option(inv);
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = (client->clusters().*Action)(*id, {});
  return status;
}

CommandStatus spark_versions(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto versions = client->clusters().spark_versions();
  if (!versions) return versions.error();
  return print_json(inv, versions->raw);
}

CommandStatus list_node_types(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto types = client->clusters().list_node_types();
  if (!types) return types.error();
  return print_json(inv, types->raw);
}

CommandStatus create(Invocation& inv) {
  auto spec = json_body_option(inv);
  if (!spec) return spec.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto id = client->clusters().create(*spec);
  if (!id) return id.error();
  return print_json(inv, Json{{"cluster_id", *id}});
}

CommandStatus edit(Invocation& inv) {
  auto spec = json_body_option(inv);
  if (!spec) return spec.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->clusters().edit(*spec);
  return status;
}

CommandStatus resize(Invocation& inv) {
  auto id = cluster_id_option(inv);
  if (!id) return id.error();
  auto workers = inv.int_value("num-workers");
  if (!workers) return workers.error();
  if (!*workers) return usage_error("Missing option '--num-workers'.");
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->clusters().resize(*id, **workers);
  return status;
}

// Legacy _cluster_events_to_table: local time with the zone's name, the type, and the
// details as Python prints a dict.
std::string event_time(std::int64_t timestamp_ms) {
  ::tzset();
  const time_t seconds = static_cast<time_t>(timestamp_ms / 1000);
  struct tm local {};
  if (localtime_r(&seconds, &local) == nullptr) return std::to_string(timestamp_ms);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return std::string(text) + " " + ::tzname[local.tm_isdst > 0 ? 1 : 0];
}

CommandStatus events(Invocation& inv) {
  auto id = cluster_id_option(inv);
  if (!id) return id.error();
  Json request{{"cluster_id", *id}};
  for (const char* name : {"start-time", "end-time"}) {
    auto number = inv.int_value(name);
    if (!number) return number.error();
    std::string field(name);
    field[field.find('-')] = '_';
    if (*number) request[field] = **number;
  }
  if (auto order = inv.value("order")) {
    // Accepted in any case, sent as the API spells it.
    request["order"] = internal::ascii_upper(*order);
  }
  request["event_types"] = inv.values("event-type");
  auto offset = inv.int_value("offset");
  if (!offset) return offset.error();
  auto limit = inv.int_value("limit");
  if (!limit) return limit.error();
  if (*offset) request["offset"] = **offset;
  if (*limit) request["limit"] = **limit;
  auto client = inv.client();
  if (!client) return client.error();
  // Every event unless one page was asked for (--offset/--limit): legacy printed the
  // first 50 and no more.
  auto page = (*offset || *limit) ? client->clusters().events(request)
                                  : client->clusters().events_all(request);
  if (!page) return page.error();
  if (inv.output_format() == OutputFormat::kJson) return print_json(inv, page->raw);
  std::vector<TableRow> rows;
  for (const auto& event : page->events) {
    const auto timestamp = event.value("timestamp", Json());
    const auto details = event.value("details", Json::object());
    rows.push_back({timestamp.is_number_integer() ? event_time(timestamp.get<std::int64_t>())
                                                  : std::string("n/a"),
                    event.value("type", std::string()), python_repr(details)});
  }
  print_table(inv, format_plain_table(rows));
  return 0;
}

CommandStatus list_zones(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto zones = client->clusters().list_zones();
  if (!zones) return zones.error();
  return print_json(inv, *zones);
}

}  // namespace

void add_clusters_commands(std::vector<CommandSpec>& table) {
  const auto cluster_id = value("cluster-id", 0, "ID", "The cluster id.");

  const auto json_file = json_file_option();
  const auto json = json_option();

  auto spec =
      command("clusters", "create", "Create a cluster; prints {\"cluster_id\": ...}.", create);
  spec.options = {json_file, json};
  table.push_back(spec);

  spec = command("clusters", "edit", "Replace a cluster's attributes (a running cluster restarts).",
                 edit);
  spec.description = "The JSON is a full cluster spec with its cluster_id.";
  spec.options = {json_file, json};
  table.push_back(spec);

  spec =
      command("clusters", "resize", "Change the number of workers of a running cluster.", resize);
  spec.options = {cluster_id, value("num-workers", 0, "N", "Number of workers.")};
  table.push_back(spec);

  spec = command("clusters", "events", "List a cluster's events (table: time, type, details).",
                 events);
  spec.description =
      "Lists every matching event, following the API's pages. With --offset or --limit it "
      "lists that one page, and the JSON output is the server's page (next_page, "
      "total_count).";
  spec.options = {
      cluster_id,
      value("start-time", 0, "MS", "Only events at or after this epoch-ms time."),
      value("end-time", 0, "MS", "Only events at or before this epoch-ms time."),
      value("order", 0, "ORDER", "ASC or DESC (default, most recent first).", {"ASC", "DESC"}),
      repeated(value("event-type", 0, "TYPE", "Only events of this type.")),
      value("offset", 0, "N", "List one page, from this offset."),
      value("limit", 0, "N", "List one page of N events (at most 500)."),
      value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"})};
  table.push_back(spec);

  table.push_back(command("clusters", "list-zones",
                          "List the zones clusters can be created in (JSON).", list_zones));

  spec = command("clusters", "list", "List clusters: id, name and state.", list);
  spec.options = {value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"})};
  table.push_back(spec);

  spec = command("clusters", "get", "Print a cluster as JSON, by id or by exact name.", get);
  spec.options = {cluster_id, value("cluster-name", 0, "NAME", "The cluster name.")};
  table.push_back(spec);

  spec = command("clusters", "start", "Start a terminated cluster.",
                 cluster_action<&ClustersApi::start>);
  spec.options = {cluster_id};
  table.push_back(spec);

  spec =
      command("clusters", "restart", "Restart a cluster.", cluster_action<&ClustersApi::restart>);
  spec.options = {cluster_id};
  table.push_back(spec);

  spec = command("clusters", "delete", "Terminate a cluster (it stays listed as TERMINATED).",
                 cluster_action<&ClustersApi::terminate>);
  spec.options = {cluster_id};
  table.push_back(spec);

  spec = command("clusters", "permanent-delete", "Delete a cluster permanently.",
                 cluster_action<&ClustersApi::permanent_delete>);
  spec.options = {cluster_id};
  table.push_back(spec);

  table.push_back(command("clusters", "spark-versions", "List available Spark versions (JSON).",
                          spark_versions));
  table.push_back(
      command("clusters", "list-node-types", "List available node types (JSON).", list_node_types));
}

}  // namespace dbk::cli
