// `dbk cluster-policies ...`: legacy databricks-cli 0.18 cluster-policies commands
// (docs/emulator.md, "Cluster policies").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/cluster_policies.hpp"
#include "output/json_printer.hpp"
#include "output/table_printer.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

// --json-file / --json; a definition given as an object becomes the text Python's
// json.dumps makes of it, as databricks-cli 0.18 sent it (the service stores the text).
Result<Json> policy_body(const Invocation& inv) {
  auto request = json_body_option(inv);
  if (!request) return request;
  if (auto it = request->find("definition"); it != request->end() && it->is_object()) {
    *it = to_python_json_compact(*it);
  }
  return request;
}

CommandStatus create(Invocation& inv) {
  auto request = policy_body(inv);
  if (!request) return request.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto id = client->cluster_policies().create(*request);
  if (!id) return id.error();
  return print_json(inv, Json{{"policy_id", *id}});
}

CommandStatus edit(Invocation& inv) {
  auto request = policy_body(inv);
  if (!request) return request.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->cluster_policies().edit(*request);
  return status;
}

CommandStatus remove(Invocation& inv) {
  auto id = required_value(inv, "policy-id");
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->cluster_policies().remove(*id);
  return status;
}

CommandStatus get(Invocation& inv) {
  auto id = required_value(inv, "policy-id");
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto policy = client->cluster_policies().get(*id);
  if (!policy) return policy.error();
  return print_json(inv, policy->raw);
}

CommandStatus list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto response = client->cluster_policies().list_raw();
  if (!response) return response.error();
  if (inv.output_format() == OutputFormat::kJson) return print_json(inv, *response);
  // Legacy _cluster_policies_to_table: id, truncated name, the definition text.
  std::vector<TableRow> rows;
  const auto policies = response->find("policies");
  for (const auto& entry :
       policies != response->end() && policies->is_array() ? *policies : Json::array()) {
    ClusterPolicy policy;
    from_json(entry, policy);
    rows.push_back({policy.policy_id, truncate_name(policy.name), policy.definition});
  }
  print_table(inv, format_plain_table(rows));
  return 0;
}

}  // namespace

void add_cluster_policies_commands(std::vector<CommandSpec>& table) {
  const auto policy_id = value("policy-id", 0, "POLICY_ID", "The cluster policy id.");
  const auto json_file = value("json-file", 0, "FILE", "File with the JSON request body.");
  const auto json = value("json", 0, "JSON", "JSON request body, inline or @file.json.");

  auto spec = command("cluster-policies", "create",
                      "Create a cluster policy; prints {\"policy_id\": ...}.", create);
  spec.description =
      "The JSON holds name and definition; a definition given as a JSON object is sent as "
      "its text.";
  spec.options = {json_file, json};
  table.push_back(spec);

  spec =
      command("cluster-policies", "edit", "Replace a cluster policy's name and definition.", edit);
  spec.description = "The JSON holds policy_id, name and definition.";
  spec.options = {json_file, json};
  table.push_back(spec);

  spec = command("cluster-policies", "delete", "Delete a cluster policy.", remove);
  spec.options = {policy_id};
  table.push_back(spec);

  spec = command("cluster-policies", "get", "Print a cluster policy as JSON.", get);
  spec.options = {policy_id};
  table.push_back(spec);

  spec =
      command("cluster-policies", "list", "List cluster policies: id, name and definition.", list);
  spec.options = {value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"})};
  table.push_back(spec);
}

}  // namespace dbk::cli
