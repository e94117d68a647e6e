#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace dbk::emulator {

/// How one `pip install` ended.
struct PipOutcome {
  bool ok = false;
  std::string message;  ///< on failure: why, with the tail of pip's output
};

/// Runs `<python> -m pip install --target <target> <args...>` in its own process group,
/// its output in `log`. Gives up (killing the group) when `stop` becomes true or after
/// `timeout_seconds`. Blocks the calling thread; never throws.
PipOutcome run_pip_install(const std::string& python, const std::vector<std::string>& args,
                           const std::filesystem::path& target, const std::filesystem::path& log,
                           const std::atomic<bool>& stop, int timeout_seconds);

}  // namespace dbk::emulator
