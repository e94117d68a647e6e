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

namespace {

// Everything a child needs, built before fork: after it only async-signal-safe calls.
struct ExecPlan {
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string cwd;       ///< empty: the emulator's
  std::string out_path;  ///< stdout
  std::string err_path;  ///< stderr; empty: with stdout
  int stdin_fd = -1;     ///< -1: /dev/null
  bool search_path = false;
};

ExecPlan plan_for(std::vector<std::string>& args, std::vector<std::string>& env) {
  ExecPlan plan;
  for (auto& a : args) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  for (auto& e : env) plan.envp.push_back(e.data());
  plan.envp.push_back(nullptr);
  // execvpe's PATH search uses the child's environment; resolve against ours instead.
  plan.search_path = !args.empty() && args[0].find('/') == std::string::npos;
  return plan;
}

pid_t fork_and_exec(const ExecPlan& plan) {
  const pid_t pid = ::fork();
  if (pid != 0) {
    if (pid > 0) ::setpgid(pid, pid);  // also from the parent: a kill right away reaches the group
    return pid;
  }
  ::setpgid(0, 0);
  ::umask(077);  // what the child writes (DBFS files, its folder) stays private too
  if (!plan.cwd.empty() && ::chdir(plan.cwd.c_str()) != 0) ::_exit(127);
  const int in = plan.stdin_fd >= 0 ? plan.stdin_fd : ::open("/dev/null", O_RDONLY);
  const int out = ::open(plan.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, kPrivateFileMode);
  const int err = plan.err_path.empty() ? out
                                        : ::open(plan.err_path.c_str(),
                                                 O_WRONLY | O_CREAT | O_TRUNC, kPrivateFileMode);
  if (in < 0 || out < 0 || err < 0) ::_exit(127);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  if (plan.search_path) {
    ::execvpe(plan.argv[0], plan.argv.data(), plan.envp.data());
  } else {
    ::execve(plan.argv[0], plan.argv.data(), plan.envp.data());
  }
  ::_exit(127);
}

}  // namespace

std::vector<std::string> runtime_environment(
    const std::filesystem::path& runtime_dir,
    const std::vector<std::filesystem::path>& python_path) {
  std::vector<std::string> env;
  std::string pythonpath = "PYTHONPATH=" + runtime_dir.string();
  for (const auto& folder : python_path) pythonpath += ":" + folder.string();  // libraries
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    if (entry.rfind("PYTHONPATH=", 0) == 0) {
      pythonpath += ":" + entry.substr(11);
      continue;
    }
    if (entry.rfind("DBK_EMULATOR_TOKEN=", 0) == 0 || entry.rfind("DBK_WORKSPACE_TOKEN=", 0) == 0) {
      continue;
    }
    env.push_back(entry);
  }
  env.push_back(pythonpath);
  env.push_back("PYTHONUNBUFFERED=1");
  return env;
}

pid_t spawn(ChildCommand& command, const std::filesystem::path& dir, int stdin_fd) {
  ExecPlan plan = plan_for(command.args, command.env);
  plan.search_path = false;
  plan.cwd = dir.string();
  plan.out_path = (dir / "stdout.log").string();
  plan.err_path = (dir / "stderr.log").string();
  plan.stdin_fd = stdin_fd;
  return fork_and_exec(plan);
}

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
  std::vector<std::string> args = command;
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    if (entry.rfind("DBK_", 0) == 0 || entry.rfind("DATABRICKS_", 0) == 0) continue;
    env.push_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  ExecPlan plan = plan_for(args, env);
  plan.out_path = log.string();

  const pid_t pid = fork_and_exec(plan);
  if (pid < 0) return {false, "cannot start " + name + ": fork failed"};
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
