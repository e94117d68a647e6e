// `dbk clusters ...`: legacy clusters commands (reference §5.1).
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/clusters.hpp"
#include "output/table_printer.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

Result<std::string> cluster_id_option(const Invocation& inv) {
  auto id = inv.value("cluster-id");
  if (!id) return usage_error("Missing option '--cluster-id'.");
  return *id;
}

int list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto clusters = client->clusters().list();
  if (!clusters) return inv.fail(clusters.error());
  if (inv.output_format() == OutputFormat::kJson) {
    Json array = Json::array();
    for (const auto& cluster : *clusters) array.push_back(cluster.raw);
    // Legacy prints the list response, which omits "clusters" when there are none.
    return print_json(inv, array.empty() ? Json::object() : Json{{"clusters", array}});
  }
  std::vector<TableRow> rows;
  for (const auto& cluster : *clusters) {
    std::string name = cluster.cluster_name.size() <= 100
                           ? cluster.cluster_name
                           : cluster.cluster_name.substr(0, 100) + "...";
    rows.push_back({cluster.cluster_id, name, cluster.state});
  }
  print_table(inv, format_plain_table(rows));
  return 0;
}

int get(Invocation& inv) {
  auto id = inv.value("cluster-id");
  auto name = inv.value("cluster-name");
  if (id.has_value() == name.has_value()) {
    return inv.fail(
        usage_error("Exactly one of --cluster-id or --cluster-name should be provided."));
  }
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto cluster = id ? client->clusters().get(*id) : client->clusters().find_by_name(*name);
  if (!cluster) return inv.fail(cluster.error());
  return print_json(inv, cluster->raw);
}

template <Status (ClustersApi::*Action)(const std::string&, const CallContext&) const>
int cluster_action(Invocation& inv) {
  auto id = cluster_id_option(inv);
  if (!id) return inv.fail(id.error());
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto status = (client->clusters().*Action)(*id, {});
  return status ? 0 : inv.fail(status.error());
}

int spark_versions(Invocation& inv) {
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto versions = client->clusters().spark_versions();
  if (!versions) return inv.fail(versions.error());
  return print_json(inv, versions->raw);
}

int list_node_types(Invocation& inv) {
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto types = client->clusters().list_node_types();
  if (!types) return inv.fail(types.error());
  return print_json(inv, types->raw);
}

CommandSpec command(std::string verb, std::string summary, Handler handler) {
  CommandSpec spec;
  spec.group = "clusters";
  spec.verb = std::move(verb);
  spec.summary = std::move(summary);
  spec.handler = std::move(handler);
  return spec;
}

}  // namespace

void add_clusters_commands(std::vector<CommandSpec>& table) {
  const auto cluster_id = value("cluster-id", 0, "ID", "The cluster id.");

  auto spec = command("list", "List clusters: id, name and state.", list);
  spec.options = {value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"})};
  table.push_back(spec);

  spec = command("get", "Print a cluster as JSON, by id or by exact name.", get);
  spec.options = {cluster_id, value("cluster-name", 0, "NAME", "The cluster name.")};
  table.push_back(spec);

  spec = command("start", "Start a terminated cluster.", cluster_action<&ClustersApi::start>);
  spec.options = {cluster_id};
  table.push_back(spec);

  spec = command("restart", "Restart a cluster.", cluster_action<&ClustersApi::restart>);
  spec.options = {cluster_id};
  table.push_back(spec);

  spec = command("delete", "Terminate a cluster (it stays listed as TERMINATED).",
                 cluster_action<&ClustersApi::terminate>);
  spec.options = {cluster_id};
  table.push_back(spec);

  spec = command("permanent-delete", "Delete a cluster permanently.",
                 cluster_action<&ClustersApi::permanent_delete>);
  spec.options = {cluster_id};
  table.push_back(spec);

  table.push_back(
      command("spark-versions", "List available Spark versions (JSON).", spark_versions));
  table.push_back(command("list-node-types", "List available node types (JSON).", list_node_types));
}

}  // namespace dbk::cli
