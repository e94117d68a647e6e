#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process/child_process.hpp"

namespace dbk::emulator {

/// One all-purpose cluster's long-lived Spark driver: `python -m dbk_runtime driver`, a
/// process group holding the JVM and the SparkContext of one Spark context id. Task
/// processes attach to it through its private connection file (dbk_runtime/driver.py).
class ClusterDriver {
 public:
  ClusterDriver(std::string cluster_id, std::int64_t context_id, std::filesystem::path dir,
                pid_t pid, int control_fd);
  ~ClusterDriver();
  ClusterDriver(const ClusterDriver&) = delete;
  ClusterDriver& operator=(const ClusterDriver&) = delete;

  const std::string& cluster_id() const { return cluster_id_; }
  std::int64_t context_id() const { return context_id_; }
  pid_t pid() const { return pid_; }
  std::filesystem::path info_file() const { return dir_ / "driver.json"; }
  std::filesystem::path log_file() const { return dir_ / "stderr.log"; }
  /// The driver died on its own (not stopped by the emulator).
  bool lost() const { return lost_; }
  /// Asks the driver to cancel the Spark jobs tagged `tag` (a no-op once it is gone).
  void cancel_jobs(const std::string& tag);

 private:
  friend class ClusterDrivers;
  /// Closes the control socket: the driver stops Spark and exits.
  void request_stop();
  /// True once the process has exited (reaped); SIGKILLs the group after the grace time.
  bool reap(bool force);

  std::string cluster_id_;
  std::int64_t context_id_;
  std::filesystem::path dir_;
  pid_t pid_;
  int control_fd_;
  bool ready_ = false;
  bool lost_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_requested_{};
};

/// The drivers of the warm clusters. Used under the run engine's lock only.
class ClusterDrivers {
 public:
  struct Config {
    std::filesystem::path dir;  ///< <state>/drivers (private)
    std::filesystem::path runtime_dir;
    std::filesystem::path dbfs_root;
    std::string spark_master;
  };
  /// What changed since the last sync, for the cluster's state.
  struct Change {
    std::string cluster_id;
    bool ready = false;  ///< a driver became ready; otherwise: a ready driver died
  };

  explicit ClusterDrivers(Config config) : config_(std::move(config)) {}
  ~ClusterDrivers() { stop_all(); }

  /// The cluster's driver for `context_id`, started now when there is none (or only an
  /// older or dead one); null with `error` set when it cannot be started.
  std::shared_ptr<ClusterDriver> ensure(const std::string& cluster_id, std::int64_t context_id,
                                        const std::string& python,
                                        const std::vector<std::filesystem::path>& python_path,
                                        std::string& error);
  /// The cluster's live driver for `context_id`, or null.
  std::shared_ptr<ClusterDriver> find(const std::string& cluster_id, std::int64_t context_id);
  /// Stops drivers whose cluster is no longer RUNNING with the same context id (`running`:
  /// cluster id → spark_context_id), reaps stopped ones, and reports drivers that became
  /// ready or died.
  std::vector<Change> sync(const std::map<std::string, std::int64_t>& running);
  /// Emulator shutdown or reset: every driver stops (SIGKILL after a short grace).
  void stop_all();

 private:
  void retire(std::shared_ptr<ClusterDriver> driver);

  Config config_;
  std::map<std::string, std::shared_ptr<ClusterDriver>> drivers_;  ///< by cluster id
  std::vector<std::shared_ptr<ClusterDriver>> retiring_;           ///< stopping, not reaped
};

}  // namespace dbk::emulator
