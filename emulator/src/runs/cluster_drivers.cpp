#include "runs/cluster_drivers.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "state/files.hpp"

namespace dbk::emulator {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kStopGrace{10};  // EOF on stdin → SIGKILL of the group

}  // namespace

ClusterDriver::ClusterDriver(std::string cluster_id, std::int64_t context_id, fs::path dir,
                             pid_t pid, int control_fd)
    : cluster_id_(std::move(cluster_id)),
      context_id_(context_id),
      dir_(std::move(dir)),
      pid_(pid),
      control_fd_(control_fd) {}

ClusterDriver::~ClusterDriver() {
  if (control_fd_ >= 0) ::close(control_fd_);
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void ClusterDriver::cancel_jobs(const std::string& tag) {
  if (control_fd_ < 0 || pid_ <= 0) return;
  const std::string line = "cancel " + tag + "\n";
  // MSG_NOSIGNAL: a driver that just died must not take the emulator down with SIGPIPE.
  (void)::send(control_fd_, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void ClusterDriver::request_stop() {
  if (control_fd_ >= 0) ::close(control_fd_);
  control_fd_ = -1;
  if (!stopping_) {
    stopping_ = true;
    stop_requested_ = std::chrono::steady_clock::now();
  }
}

bool ClusterDriver::reap(bool force) {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (!force && !(stopping_ && std::chrono::steady_clock::now() - stop_requested_ > kStopGrace))
      return false;
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ::kill(-pid_, SIGKILL);  // the JVM goes with its driver
  pid_ = -1;
  if (control_fd_ >= 0) ::close(control_fd_);
  control_fd_ = -1;
  if (!stopping_) lost_ = true;
  return true;
}

std::shared_ptr<ClusterDriver> ClusterDrivers::ensure(const std::string& cluster_id,
                                                      std::int64_t context_id,
                                                      const std::string& python,
                                                      const std::vector<fs::path>& python_path,
                                                      std::string& error) {
  auto it = drivers_.find(cluster_id);
  if (it != drivers_.end()) {
    const auto& driver = it->second;
    if (driver->context_id() == context_id && !driver->reap(false)) return driver;
    retire(driver);
    drivers_.erase(it);
  }
  // A folder per Spark context: a task that attached to the old one never reads the new file.
  const fs::path dir = config_.dir / (cluster_id + "-" + std::to_string(context_id));
  std::error_code ec;
  fs::remove_all(dir, ec);
  Status made = create_private_directories(dir);
  if (!made.ok()) {
    error = "Cannot create the driver folder: " + made.error().message;
    return nullptr;
  }
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    error = "Cannot start the cluster's Spark driver: socketpair failed";
    return nullptr;
  }
  ChildCommand command;
  command.args = {
      python,        "-m",
      "dbk_runtime", "driver",
      "--dbfs-root", config_.dbfs_root.string(),
      "--master",    config_.spark_master.empty() ? std::string("local[*]") : config_.spark_master,
      "--info",      (dir / "driver.json").string()};
  command.env = runtime_environment(config_.runtime_dir, python_path);
  const pid_t pid = spawn(command, dir, fds[1]);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    error = "Cannot start the cluster's Spark driver: fork failed";
    return nullptr;
  }
  auto driver = std::make_shared<ClusterDriver>(cluster_id, context_id, dir, pid, fds[0]);
  drivers_[cluster_id] = driver;
  return driver;
}

std::shared_ptr<ClusterDriver> ClusterDrivers::find(const std::string& cluster_id,
                                                    std::int64_t context_id) {
  auto it = drivers_.find(cluster_id);
  if (it == drivers_.end() || it->second->context_id() != context_id || it->second->pid() <= 0)
    return nullptr;
  return it->second;
}

void ClusterDrivers::retire(std::shared_ptr<ClusterDriver> driver) {
  driver->request_stop();
  // A driver still starting does not read its stdin yet: nothing to wait for.
  if (!driver->reap(!driver->ready_)) retiring_.push_back(std::move(driver));
}

std::vector<ClusterDrivers::Change> ClusterDrivers::sync(
    const std::map<std::string, std::int64_t>& running) {
  std::vector<Change> changes;
  for (auto it = drivers_.begin(); it != drivers_.end();) {
    auto& driver = it->second;
    auto cluster = running.find(it->first);
    if (cluster == running.end() || cluster->second != driver->context_id()) {
      retire(driver);  // terminated, restarting, restarted or deleted
      it = drivers_.erase(it);
      continue;
    }
    if (driver->reap(false)) {
      if (driver->ready_) changes.push_back({it->first, false});
      it = drivers_.erase(it);
      continue;
    }
    std::error_code ec;
    if (!driver->ready_ && fs::exists(driver->info_file(), ec)) {
      driver->ready_ = true;
      changes.push_back({it->first, true});
    }
    ++it;
  }
  for (auto it = retiring_.begin(); it != retiring_.end();)
    it = (*it)->reap(false) ? retiring_.erase(it) : it + 1;
  return changes;
}

void ClusterDrivers::stop_all() {
  for (auto& [id, driver] : drivers_) retire(driver);
  drivers_.clear();
  // A short wait lets Spark shut down cleanly; then the rest is killed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!retiring_.empty()) {
    const bool force = std::chrono::steady_clock::now() > deadline;
    for (auto it = retiring_.begin(); it != retiring_.end();)
      it = (*it)->reap(force) ? retiring_.erase(it) : it + 1;
    if (!retiring_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace dbk::emulator
