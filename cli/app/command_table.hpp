#pragma once

#include <string>
#include <vector>

#include "app/command_spec.hpp"

namespace dbk::cli {

/// The static command tree, in help order.
const std::vector<GroupSpec>& group_table();
const std::vector<CommandSpec>& command_table();

const GroupSpec* find_group(const std::string& name);
/// The command `group verb` (verb or alias); `verb` empty for group-less commands.
const CommandSpec* find_command(const std::string& group, const std::string& verb);
/// A group's visible commands in table order, as the references (docs/cli.md, dbk(1)) list them.
struct CommandGroup {
  std::string name;
  const GroupSpec* spec = nullptr;  ///< null for a group missing from group_table()
  std::vector<const CommandSpec*> commands;
};
std::vector<CommandGroup> visible_command_groups();
/// True when `verb` is the first word of two-word verbs of `group` ("catalogs" of
/// "unity-catalog catalogs create").
bool is_sub_group(const std::string& group, const std::string& verb);
/// True when `group` is itself a command (configure, emulator, completion, docs).
bool is_leaf_group(const std::string& group);

// Each commands/*.cpp contributes its rows.
void add_configure_commands(std::vector<CommandSpec>& table);
/// `fs configure`: the configure command under the fs group, as legacy has it.
CommandSpec fs_configure_command();
void add_workspace_commands(std::vector<CommandSpec>& table);
void add_fs_commands(std::vector<CommandSpec>& table);
void add_jobs_commands(std::vector<CommandSpec>& table);
void add_runs_commands(std::vector<CommandSpec>& table);
void add_clusters_commands(std::vector<CommandSpec>& table);
void add_secrets_commands(std::vector<CommandSpec>& table);
void add_tokens_commands(std::vector<CommandSpec>& table);
void add_groups_commands(std::vector<CommandSpec>& table);
void add_instance_pools_commands(std::vector<CommandSpec>& table);
void add_repos_commands(std::vector<CommandSpec>& table);
void add_pipelines_commands(std::vector<CommandSpec>& table);
void add_stack_commands(std::vector<CommandSpec>& table);
void add_cluster_policies_commands(std::vector<CommandSpec>& table);
void add_libraries_commands(std::vector<CommandSpec>& table);
void add_unity_catalog_commands(std::vector<CommandSpec>& table);
void add_score_commands(std::vector<CommandSpec>& table);
void add_emulator_commands(std::vector<CommandSpec>& table);
void add_meta_commands(std::vector<CommandSpec>& table);  ///< completion, docs

}  // namespace dbk::cli
