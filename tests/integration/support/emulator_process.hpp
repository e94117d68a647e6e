#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace dbk::test {

/// A `dbk emulator` child process on a free loopback port, for tests that need
/// an emulator of their own (faults, tokens, kill -9).
class EmulatorProcess {
 public:
  /// Starts `dbk emulator --port 0 --state <state_dir> <extra_args...>` and waits
  /// for the base URL it prints. Throws std::runtime_error if it does not start.
  explicit EmulatorProcess(std::string state_dir, std::vector<std::string> extra_args = {});
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;

  const std::string& url() const { return url_; }
  /// SIGKILL, as a crash would: nothing is flushed or closed on the way out.
  void kill_hard();
  /// Starts again on the same state folder (and a new port).
  void restart();

 private:
  void launch();
  void stop();

  std::string state_dir_;
  std::vector<std::string> extra_args_;
  std::string url_;
  pid_t pid_ = -1;
};

}  // namespace dbk::test
