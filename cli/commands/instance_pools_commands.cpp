// `dbk instance-pools ...`: legacy databricks-cli 0.18 instance-pools commands
// (docs/emulator.md, "Instance pools").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/instance_pools.hpp"
#include "output/table_printer.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

CommandStatus create(Invocation& inv) {
  auto request = json_body_option(inv);
  if (!request) return request.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto id = client->instance_pools().create(*request);
  if (!id) return id.error();
  return print_json(inv, Json{{"instance_pool_id", *id}});
}

CommandStatus edit(Invocation& inv) {
  auto request = json_body_option(inv);
  if (!request) return request.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->instance_pools().edit(*request);
  return status;
}

CommandStatus remove(Invocation& inv) {
  auto id = required_value(inv, "instance-pool-id");
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->instance_pools().remove(*id);
  return status;
}

CommandStatus get(Invocation& inv) {
  auto id = required_value(inv, "instance-pool-id");
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto pool = client->instance_pools().get(*id);
  if (!pool) return pool.error();
  return print_json(inv, pool->raw);
}

CommandStatus list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto response = client->instance_pools().list_raw();
  if (!response) return response.error();
  if (inv.output_format() == OutputFormat::kJson) return print_json(inv, *response);
  std::vector<std::vector<std::string>> rows;
  const auto pools = response->find("instance_pools");
  for (const auto& entry : pools != response->end() && pools->is_array() ? *pools : Json::array()) {
    InstancePool pool;
    from_json(entry, pool);
    rows.push_back({pool.instance_pool_id, truncate_name(pool.instance_pool_name),
                    std::to_string(pool.stats.idle_count), std::to_string(pool.stats.used_count),
                    std::to_string(pool.stats.pending_idle_count),
                    std::to_string(pool.stats.pending_used_count)});
  }
  print_table(inv, format_headed_table({"ID", "NAME", "IDLE INSTANCES", "USED INSTANCES",
                                        "PENDING IDLE INSTANCES", "PENDING USED INSTANCES"},
                                       rows));
  return 0;
}

}  // namespace

void add_instance_pools_commands(std::vector<CommandSpec>& table) {
  const auto pool_id = value("instance-pool-id", 0, "INSTANCE_POOL_ID", "The instance pool id.");
  const auto json_file = value("json-file", 0, "FILE", "File with the JSON request body.");
  const auto json = value("json", 0, "JSON", "JSON request body, inline or @file.json.");

  auto spec = command("instance-pools", "create",
                      "Create an instance pool; prints {\"instance_pool_id\": ...}.", create);
  spec.options = {json_file, json};
  table.push_back(spec);

  spec = command("instance-pools", "edit", "Replace an instance pool's settings.", edit);
  spec.description = "The JSON is a full pool spec with its instance_pool_id.";
  spec.options = {json_file, json};
  table.push_back(spec);

  spec = command("instance-pools", "delete", "Delete an instance pool permanently.", remove);
  spec.options = {pool_id};
  table.push_back(spec);

  spec = command("instance-pools", "get", "Print an instance pool as JSON.", get);
  spec.options = {pool_id};
  table.push_back(spec);

  spec = command("instance-pools", "list", "List instance pools with their instance counts.", list);
  spec.options = {value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"})};
  table.push_back(spec);
}

}  // namespace dbk::cli
