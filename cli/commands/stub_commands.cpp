#include "app/command_table.hpp"

namespace dbk::cli {
void add_configure_commands(std::vector<CommandSpec>&) {}
void add_workspace_commands(std::vector<CommandSpec>&) {}
void add_fs_commands(std::vector<CommandSpec>&) {}
void add_jobs_commands(std::vector<CommandSpec>&) {}
void add_runs_commands(std::vector<CommandSpec>&) {}
void add_clusters_commands(std::vector<CommandSpec>&) {}
void add_meta_commands(std::vector<CommandSpec>&) {}
}  // namespace dbk::cli
