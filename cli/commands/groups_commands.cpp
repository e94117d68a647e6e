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
CommandStatus change_member(Invocation& inv) {
  auto parent = required_value(inv, "parent-name");
  if (!parent) return parent.error();
  auto member = member_option(inv);
  if (!member) return member.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = (client->groups().*Change)(*parent, *member, {});
  return status;
}

CommandStatus create(Invocation& inv) {
  auto name = required_value(inv, "group-name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto created = client->groups().create(*name);
  if (!created) return created.error();
  return print_json(inv, *created);
}

CommandStatus list_members(Invocation& inv) {
  auto name = required_value(inv, "group-name");
  if (!name) return name.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto members = client->groups().list_members(*name);
  if (!members) return members.error();
  return print_json(inv, members->raw);
}

CommandStatus list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto groups = client->groups().list();
  if (!groups) return groups.error();
  return print_json(inv, groups->raw);
}

CommandStatus list_parents(Invocation& inv) {
  auto member = member_option(inv);
  if (!member) return member.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto parents = client->groups().list_parents(*member);
  if (!parents) return parents.error();
  return print_json(inv, parents->raw);
}

CommandStatus remove(Invocation& inv) {
  // Not required by legacy either: the service names the missing field.
  auto name = inv.value("group-name");
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->groups().remove(name.value_or(""));
  if (!status) return status.error();
  return print_json(inv, nlohmann::ordered_json::object());
}

}  // namespace

void add_groups_commands(std::vector<CommandSpec>& table) {
  const auto parent = value("parent-name", 0, "GROUP", "The parent group (required).");
  const auto user = value("user-name", 0, "USER", "A user (give this or --group-name).");
  const auto group = value("group-name", 0, "GROUP", "A group (give this or --user-name).");
  const auto named = value("group-name", 0, "GROUP", "The group.");

  auto spec = command("groups", "add-member", "Add a user or group to a group.",
                      change_member<&GroupsApi::add_member>);
  spec.options = {parent, user, group};
  table.push_back(spec);

  spec = command("groups", "create", "Create a group; prints {\"group_name\": ...}.", create);
  spec.options = {named};
  table.push_back(spec);

  spec = command("groups", "list-members", "List a group's direct members (JSON).", list_members);
  spec.options = {named};
  table.push_back(spec);

  table.push_back(command("groups", "list", "List every group of the workspace (JSON).", list));

  spec = command("groups", "list-parents", "List the groups a user or group is directly in (JSON).",
                 list_parents);
  spec.options = {user, group};
  table.push_back(spec);

  spec = command("groups", "remove-member", "Remove a user or group from a group.",
                 change_member<&GroupsApi::remove_member>);
  spec.options = {parent, user, group};
  table.push_back(spec);

  spec = command("groups", "delete", "Delete a group.", remove);
  spec.options = {named};
  table.push_back(spec);
}

}  // namespace dbk::cli
