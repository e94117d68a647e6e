#include "libraries/pip_installer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "state/files.hpp"

extern char** environ;

namespace dbk::emulator {
namespace {

std::string log_tail(const std::filesystem::path& log, std::size_t bytes) {
  std::ifstream in(log, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  while (!all.empty() && (all.back() == '\n' || all.back() == ' ')) all.pop_back();
  return all.size() <= bytes ? all : "..." + all.substr(all.size() - bytes);
}

}  // namespace

PipOutcome run_pip_install(const std::string& python, const std::vector<std::string>& args,
                           const std::filesystem::path& target, const std::filesystem::path& log,
                           const std::atomic<bool>& stop, int timeout_seconds) {
  // Built before fork: after it only async-signal-safe calls.
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
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    // The emulator's token is none of pip's business.
    if (entry.rfind("DBK_", 0) == 0 || entry.rfind("DATABRICKS_", 0) == 0) continue;
    env.push_back(entry);
  }
  std::vector<char*> argv;
  for (auto& a : command) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string log_path = log.string();

  const pid_t pid = ::fork();
  if (pid < 0) return {false, "cannot start pip: fork failed"};
  if (pid == 0) {
    ::setpgid(0, 0);
    ::umask(077);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, kPrivateFileMode);
    if (in < 0 || out < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return {false, "pip could not be waited for"};
    const bool timed_out = std::chrono::steady_clock::now() > deadline;
    if (stop.load() || timed_out) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return {false, stop.load() ? "the emulator stopped during the installation"
                                 : "pip did not finish within " + std::to_string(timeout_seconds) +
                                       " seconds"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(-pid, SIGKILL);  // leftovers of the group
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, {}};
  const std::string code = WIFEXITED(status)
                               ? "exited with code " + std::to_string(WEXITSTATUS(status))
                               : "was killed by signal " + std::to_string(WTERMSIG(status));
  return {false, "pip " + code + ": " + log_tail(log, 2000)};
}

}  // namespace dbk::emulator
