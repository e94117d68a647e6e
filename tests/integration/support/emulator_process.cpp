#include "emulator_process.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace dbk::test {

EmulatorProcess::EmulatorProcess(std::string state_dir, std::vector<std::string> extra_args)
    : state_dir_(std::move(state_dir)), extra_args_(std::move(extra_args)) {
  launch();
}

EmulatorProcess::~EmulatorProcess() {
  stop();
}

void EmulatorProcess::launch() {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args = {DBK_CLI_PATH, "emulator", "--host",  "127.0.0.1",
                                   "--port",     "0",        "--state", state_dir_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  // The first line on stdout is the base URL; give a sanitizer build time to start.
  std::string line;
  pollfd pfd{out[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos) {
    if (::poll(&pfd, 1, 30000) <= 0) break;
    char buffer[256];
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  const auto end = line.find('\n');
  if (end == std::string::npos) {
    stop();
    throw std::runtime_error("the emulator did not print its URL; output: " + line);
  }
  url_ = line.substr(0, end);
}

void EmulatorProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void EmulatorProcess::restart() {
  stop();
  launch();
}

void EmulatorProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    ::usleep(100000);
  }
  kill_hard();
}

}  // namespace dbk::test
