#include "process/child_process.hpp"

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

std::string log_tail(const std::filesystem::path& log, std::size_t bytes) {
  std::ifstream in(log, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  while (!all.empty() && (all.back() == '\n' || all.back() == ' ')) all.pop_back();
  return all.size() <= bytes ? all : "..." + all.substr(all.size() - bytes);
}

ChildOutcome run_child(const std::vector<std::string>& command,
                       const std::vector<std::string>& extra_env, const std::filesystem::path& log,
                       const std::atomic<bool>& stop, int timeout_seconds,
                       const std::string& name) {
  if (command.empty()) return {false, "no command to run"};
  // Built before fork: after it only async-signal-safe calls.
  std::vector<std::string> args = command;
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    if (entry.rfind("DBK_", 0) == 0 || entry.rfind("DATABRICKS_", 0) == 0) continue;
    env.push_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string log_path = log.string();
  // execvpe's PATH search uses the child's environment; resolve against ours instead.
  const bool search = args[0].find('/') == std::string::npos;

  const pid_t pid = ::fork();
  if (pid < 0) return {false, "cannot start " + name + ": fork failed"};
  if (pid == 0) {
    ::setpgid(0, 0);
    ::umask(077);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, kPrivateFileMode);
    if (in < 0 || out < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (search) {
      ::execvpe(argv[0], argv.data(), envp.data());
    } else {
      ::execve(argv[0], argv.data(), envp.data());
    }
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return {false, name + " could not be waited for"};
    const bool timed_out = std::chrono::steady_clock::now() > deadline;
    if (stop.load() || timed_out) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return {false, stop.load() ? "the emulator stopped while " + name + " ran"
                                 : name + " did not finish within " +
                                       std::to_string(timeout_seconds) + " seconds"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);  // leftovers of the group
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, {}};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return {false, "cannot start " + name + " (is it installed?)"};
  }
  const std::string code = WIFEXITED(status)
                               ? "exited with code " + std::to_string(WEXITSTATUS(status))
                               : "was killed by signal " + std::to_string(WTERMSIG(status));
  return {false, name + " " + code + ": " + log_tail(log, 2000)};
}

}  // namespace dbk::emulator
