#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace dbk::emulator {

/// How one child process (pip, git) ended.
struct ChildOutcome {
  bool ok = false;
  std::string message;  ///< on failure: why, with the tail of the child's output
};

/// Runs `command` (argv[0] an absolute path or found on PATH) in its own process group,
/// stdin from /dev/null, stdout and stderr into `log` (private to the user). The child gets
/// the emulator's environment without DBK_* and DATABRICKS_* variables (the token is none
/// of its business), plus `extra_env` ("NAME=value"). Gives up, killing the group, when
/// `stop` becomes true or after `timeout_seconds`. `name` names the child in messages.
/// Blocks the calling thread; never throws.
ChildOutcome run_child(const std::vector<std::string>& command,
                       const std::vector<std::string>& extra_env, const std::filesystem::path& log,
                       const std::atomic<bool>& stop, int timeout_seconds, const std::string& name);

/// The last `bytes` of a log, trailing white space dropped ("..." marks a cut).
std::string log_tail(const std::filesystem::path& log, std::size_t bytes);

}  // namespace dbk::emulator
