#include "runs/child_process.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/files.hpp"

extern char** environ;

namespace dbk::emulator {

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
  // Everything the child needs is built before fork: after it only async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& a : command.args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : command.env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd = dir.string();
  const std::string out_path = (dir / "stdout.log").string();
  const std::string err_path = (dir / "stderr.log").string();

  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setpgid(0, 0);
  ::umask(077);  // what the child writes into DBFS and its folder stays private too
  if (::chdir(cwd.c_str()) != 0) ::_exit(127);
  int in = stdin_fd >= 0 ? stdin_fd : ::open("/dev/null", O_RDONLY);
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, kPrivateFileMode);
  int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, kPrivateFileMode);
  if (in < 0 || out < 0 || err < 0) ::_exit(127);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  // Descriptors of the emulator (sockets, other drivers' control ends) stay behind.
  for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  ::execve(argv[0], argv.data(), envp.data());
  ::_exit(127);
}

}  // namespace dbk::emulator
