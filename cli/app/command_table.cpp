#include "app/command_table.hpp"

#include <algorithm>

namespace dbk::cli {

const std::vector<GroupSpec>& group_table() {
  static const std::vector<GroupSpec> groups = {
      {"configure", "Write a connection profile to ~/.databrickscfg.", false},
      {"workspace", "Notebooks and folders in the workspace.", false},
      {"fs", "Files in DBFS (also available as the `dbfs` command).", false},
      {"jobs", "Create, list and run jobs.", false},
      {"runs", "Submit, inspect and cancel job runs.", false},
      {"clusters", "Create, edit, resize, list, inspect, start and stop clusters.", false},
      {"secrets", "Secret scopes, secrets and their ACLs.", false},
      {"tokens", "Create, list and revoke personal access tokens.", false},
      {"groups", "Workspace groups and their members.", false},
      {"instance-pools", "Create, edit, list and delete instance pools.", false},
      {"cluster-policies", "Create, edit, list and delete cluster policies.", false},
      {"libraries", "Install and uninstall libraries on clusters; their statuses.", false},
      {"unity-catalog", "Unity Catalog: metastores, catalogs, schemas and tables.", false},
      {"repos", "Git repos cloned into the workspace: create, check out, list, delete.", false},
      {"pipelines", "Delta Live Tables pipelines: settings, updates, start and stop.", false},
      {"stack", "[Beta] Deploy and download stacks of workspace, DBFS and job resources.", false},
      {"score", "Score a Spark ML model natively; compare with Spark's output.", false},
      {"emulator", "Serve a local emulator of a Databricks workspace.", false},
      {"completion", "Print a shell completion script (bash or zsh).", false},
      {"docs", "Print the command reference as Markdown.", true},
  };
  return groups;
}

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = [] {
    std::vector<CommandSpec> rows;
    add_configure_commands(rows);
    add_workspace_commands(rows);
    add_fs_commands(rows);
    add_jobs_commands(rows);
    add_runs_commands(rows);
    add_clusters_commands(rows);
    add_secrets_commands(rows);
    add_tokens_commands(rows);
    add_groups_commands(rows);
    add_instance_pools_commands(rows);
    add_cluster_policies_commands(rows);
    add_libraries_commands(rows);
    add_unity_catalog_commands(rows);
    add_repos_commands(rows);
    add_pipelines_commands(rows);
    add_stack_commands(rows);
    add_score_commands(rows);
    add_emulator_commands(rows);
    add_meta_commands(rows);
    return rows;
  }();
  return table;
}

const GroupSpec* find_group(const std::string& name) {
  for (const auto& group : group_table()) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

const CommandSpec* find_command(const std::string& group, const std::string& verb) {
  for (const auto& command : command_table()) {
    if (command.group != group) continue;
    if (command.verb == verb) return &command;
    if (std::find(command.aliases.begin(), command.aliases.end(), verb) != command.aliases.end()) {
      return &command;
    }
  }
  return nullptr;
}

std::vector<CommandGroup> visible_command_groups() {
  std::vector<CommandGroup> groups;
  for (const auto& command : command_table()) {
    if (command.hidden) continue;
    if (groups.empty() || groups.back().name != command.group) {
      groups.push_back(CommandGroup{command.group, find_group(command.group), {}});
    }
    groups.back().commands.push_back(&command);
  }
  return groups;
}

bool is_sub_group(const std::string& group, const std::string& verb) {
  const std::string prefix = verb + " ";
  for (const auto& command : command_table()) {
    if (command.group == group && command.verb.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

bool is_leaf_group(const std::string& group) {
  for (const auto& command : command_table()) {
    if (command.group == group && command.verb.empty()) return true;
  }
  return false;
}

}  // namespace dbk::cli
