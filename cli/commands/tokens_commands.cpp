// `dbk tokens ...`: databricks-cli 0.18's tokens commands (docs/compatibility.md, "Tokens").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/tokens.hpp"

namespace dbk::cli {
namespace {

// Legacy's default lifetime: 90 days.
constexpr std::int64_t kDefaultLifetimeSeconds = 60 * 60 * 24 * 90;

CommandStatus create(Invocation& inv) {
  auto comment = required_value(inv, "comment");
  if (!comment) return comment.error();
  auto lifetime = inv.int_value("lifetime-seconds");
  if (!lifetime) return lifetime.error();
  CreateTokenRequest request;
  request.lifetime_seconds = lifetime->value_or(kDefaultLifetimeSeconds);
  request.comment = *comment;
  auto client = inv.client();
  if (!client) return client.error();
  auto created = client->tokens().create(request);
  if (!created) return created.error();
  // The one time the value is shown: on stdout, as legacy prints it.
  return print_json(inv, created->raw);
}

CommandStatus list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto tokens = client->tokens().list();
  if (!tokens) return tokens.error();
  return print_json(inv, tokens->raw);
}

CommandStatus revoke(Invocation& inv) {
  auto id = required_value(inv, "token-id");
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->tokens().revoke(*id);
  if (!status) return status.error();
  // Legacy prints the (empty) answer.
  return print_json(inv, nlohmann::ordered_json::object());
}

}  // namespace

void add_tokens_commands(std::vector<CommandSpec>& table) {
  auto spec =
      command("tokens", "create", "Create a personal access token; prints it once (JSON).", create);
  spec.options = {value("lifetime-seconds", 0, "SECONDS",
                        "How long the token lives (default 7776000 seconds, 90 days)."),
                  value("comment", 0, "TEXT", "What the token is for (required).")};
  table.push_back(spec);

  table.push_back(
      command("tokens", "list", "List your valid tokens (JSON; never their values).", list));

  spec = command("tokens", "revoke", "Revoke a token: it stops working at once.", revoke);
  spec.options = {value("token-id", 0, "ID", "The id of the token to revoke.")};
  table.push_back(spec);
}

}  // namespace dbk::cli
