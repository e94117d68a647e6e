#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace dbk::emulator {

/// A process the emulator starts: the notebook runtime for a task, or a cluster's driver.
struct ChildCommand {
  std::vector<std::string> args;
  std::vector<std::string> env;
};

/// The emulator's environment without its own token variables, with PYTHONPATH = the
/// runtime folder, then `python_path` (libraries), then the inherited PYTHONPATH.
std::vector<std::string> runtime_environment(const std::filesystem::path& runtime_dir,
                                             const std::vector<std::filesystem::path>& python_path);

/// Forks and execs `command` in `dir` as the leader of a new process group (umask 077),
/// stdout/stderr in dir/stdout.log and dir/stderr.log, stdin from `stdin_fd` (or
/// /dev/null when -1). The child's pid, or -1 when fork failed.
pid_t spawn(ChildCommand& command, const std::filesystem::path& dir, int stdin_fd = -1);

}  // namespace dbk::emulator
