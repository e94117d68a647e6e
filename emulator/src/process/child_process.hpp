#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace dbk::emulator {

// Every process the emulator starts goes through this file: the notebook runtime of a task
// and a cluster's Spark driver (started and left running), pip and git (run to completion).
// Each child leads its own process group (so a cancel reaches its children too), has umask
// 077, writes its output into private logs and inherits no descriptor of the emulator
// (sockets, other children's control ends) beyond 0-2.

/// A process started in the background.
struct ChildCommand {
  std::vector<std::string> args;  ///< args[0]: an absolute path
  std::vector<std::string> env;   ///< "NAME=value", the whole environment
};

/// The emulator's environment for the notebook runtime and drivers: without the emulator's
/// and the workspace's token variables, with PYTHONPATH = the runtime folder, then
/// `python_path` (libraries), then the inherited PYTHONPATH.
std::vector<std::string> runtime_environment(const std::filesystem::path& runtime_dir,
                                             const std::vector<std::filesystem::path>& python_path);

/// Forks and execs `command` in `dir`, stdout/stderr in dir/stdout.log and dir/stderr.log,
/// stdin from `stdin_fd` (or /dev/null when -1). The child's pid, or -1 when fork failed.
pid_t spawn(ChildCommand& command, const std::filesystem::path& dir, int stdin_fd = -1);

/// How one child process run to completion (pip, git) ended.
struct ChildOutcome {
  bool ok = false;
  std::string message;  ///< on failure: why, with the tail of the child's output
};

/// Runs `command` (argv[0] an absolute path or found on PATH), stdin from /dev/null, stdout
/// and stderr into `log`. The child gets the emulator's environment without DBK_* and
/// DATABRICKS_* variables (the token is none of its business), plus `extra_env`
/// ("NAME=value"). Gives up, killing the group, when `stop` becomes true or after
/// `timeout_seconds`. `name` names the child in messages. Blocks the calling thread; never
/// throws.
ChildOutcome run_child(const std::vector<std::string>& command,
                       const std::vector<std::string>& extra_env, const std::filesystem::path& log,
                       const std::atomic<bool>& stop, int timeout_seconds, const std::string& name);

/// The last `bytes` of a log, trailing white space dropped ("..." marks a cut).
std::string log_tail(const std::filesystem::path& log, std::size_t bytes);

}  // namespace dbk::emulator
