#include "libraries/pip_installer.hpp"

#include "process/child_process.hpp"

namespace dbk::emulator {

PipOutcome run_pip_install(const std::string& python, const std::vector<std::string>& args,
                           const std::filesystem::path& target, const std::filesystem::path& log,
                           const std::atomic<bool>& stop, int timeout_seconds) {
  std::vector<std::string> command = {python,
                                      "-m",
                                      "pip",
                                      "install",
                                      "--no-input",
                                      "--disable-pip-version-check",
                                      "--no-warn-script-location",
                                      "--quiet",
                                      "--target",
                                      target.string()};
  command.insert(command.end(), args.begin(), args.end());
  ChildOutcome outcome = run_child(command, {}, log, stop, timeout_seconds, "pip");
  return {outcome.ok, std::move(outcome.message)};
}

}  // namespace dbk::emulator
