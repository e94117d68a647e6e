// `dbk groups ...`: databricks-cli 0.18's groups commands on the Groups 2.0 API
// (docs/compatibility.md, "Groups").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/groups.hpp"

namespace dbk::cli {
namespace {

// Legacy's OneOfOption over --user-name and --group-name (its messages, usage errors).
Result<GroupPrincipal> member_option(const Invocation& inv) {
  GroupPrincipal member{inv.value("user-name"), inv.value("group-name")};
  if (member.user_name && member.group_name) {
    return usage_error("Only one of ['user-name', 'group-name'] should be provided.");
  }
  if (!member.user_name && !member.group_name) {
    return usage_error("Missing None. One of ['user-name', 'group-name'] must be provided.");
  }
  return member;
}

template <Status (GroupsApi::*Change)(const std::string&, const GroupPrincipal&, const CallContext&)
              const>
int change_member(Invocation& inv) {
  auto parent = required_value(inv, "parent-name");
  if (!parent) return inv.fail(parent.error());
  auto member = member_option(inv);
  if (!member) return inv.fail(member.error());
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto status = (client->groups().*Change)(*parent, *member, {});
  return status ? 0 : inv.fail(status.error());
}

int create(Invocation& inv) {
  auto name = required_value(inv, "group-name");
  if (!name) return inv.fail(name.error());
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto created = client->groups().create(*name);
  if (!created) return inv.fail(created.error());
  return print_json(inv, *created);
}

int list_members(Invocation& inv) {
  auto name = required_value(inv, "group-name");
  if (!name) return inv.fail(name.error());
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto members = client->groups().list_members(*name);
  if (!members) return inv.fail(members.error());
  return print_json(inv, members->raw);
}

int list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto groups = client->groups().list();
  if (!groups) return inv.fail(groups.error());
  return print_json(inv, groups->raw);
}

int list_parents(Invocation& inv) {
  auto member = member_option(inv);
  if (!member) return inv.fail(member.error());
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto parents = client->groups().list_parents(*member);
  if (!parents) return inv.fail(parents.error());
  return print_json(inv, parents->raw);
}

int remove(Invocation& inv) {
  // Not required by legacy either: the service names the missing field.
  auto name = inv.value("group-name");
  auto client = inv.client();
  if (!client) return inv.fail(client.error());
  auto status = client->groups().remove(name.value_or(""));
  if (!status) return inv.fail(status.error());
  return print_json(inv, nlohmann::ordered_json::object());
}

CommandSpec command(std::string verb, std::string summary, Handler handler) {
  CommandSpec spec;
  spec.group = "groups";
  spec.verb = std::move(verb);
  spec.summary = std::move(summary);
  spec.handler = std::move(handler);
  return spec;
}

}  // namespace

void add_groups_commands(std::vector<CommandSpec>& table) {
  const auto parent = value("parent-name", 0, "GROUP", "The parent group (required).");
  const auto user = value("user-name", 0, "USER", "A user (give this or --group-name).");
  const auto group = value("group-name", 0, "GROUP", "A group (give this or --user-name).");
  const auto named = value("group-name", 0, "GROUP", "The group.");

  auto spec = command("add-member", "Add a user or group to a group.",
                      change_member<&GroupsApi::add_member>);
  spec.options = {parent, user, group};
  table.push_back(spec);

  spec = command("create", "Create a group; prints {\"group_name\": ...}.", create);
  spec.options = {named};
  table.push_back(spec);

  spec = command("list-members", "List a group's direct members (JSON).", list_members);
  spec.options = {named};
  table.push_back(spec);

  table.push_back(command("list", "List every group of the workspace (JSON).", list));

  spec = command("list-parents", "List the groups a user or group is directly in (JSON).",
                 list_parents);
  spec.options = {user, group};
  table.push_back(spec);

  spec = command("remove-member", "Remove a user or group from a group.",
                 change_member<&GroupsApi::remove_member>);
  spec.options = {parent, user, group};
  table.push_back(spec);

  spec = command("delete", "Delete a group.", remove);
  spec.options = {named};
  table.push_back(spec);
}

}  // namespace dbk::cli
