#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "dbk/result.hpp"
#include "runs/cluster_drivers.hpp"
#include "runs/task_executor.hpp"

namespace dbk::emulator {

class WorkspaceReader;

/// Where and how the notebook runtime is started (docs/design/notebook-executor.md).
struct ProcessExecutorConfig {
  std::filesystem::path runs_dir;     ///< <state>/runs
  std::filesystem::path dbfs_root;    ///< dbfs:/x == dbfs_root/x
  std::filesystem::path runtime_dir;  ///< emulator/runtime (holds the dbk_runtime package)
  std::string python;                 ///< --python; "" = <repo>/.venv/bin/python, else python3
  std::string spark_master = "local[*]";
  /// The emulator's own URL, for %run / dbutils.notebook.run; looked up at each start, since
  /// the port is known only once the server listens (after the services are built).
  std::function<std::string()> workspace_url;
  std::string workspace_token;
  /// The workspace, looked up at each start (it may be wired after the jobs service).
  std::function<const WorkspaceReader*()> workspace;
};

/// How to start a process attached to a warm cluster's driver (a command execution context).
struct DriverAttachment {
  std::vector<std::string> args;  ///< `<python> -m dbk_runtime context ...`
  std::vector<std::string> env;   ///< runtime PYTHONPATH, the driver's connection file, token
};

/// Runs notebook_task and spark_python_task attempts as `<python> -m dbk_runtime run
/// --task task.json`, one process group per attempt so cancel and timeout reach Spark too.
/// On a warm (all-purpose) cluster the process attaches to the cluster's driver instead of
/// starting a JVM (docs/emulator.md, "Clusters and Spark drivers").
class ProcessExecutor : public TaskExecutor {
 public:
  explicit ProcessExecutor(ProcessExecutorConfig config);
  std::unique_ptr<TaskAttempt> start(const TaskLaunch& launch) override;
  void stop() override { drivers_.stop_all(); }

  /// The interpreter that would be used, or an error naming what is missing.
  std::string resolve_python(std::string& missing) const;

  /// Keeps the drivers in step with the clusters (cluster id → spark_context_id of the
  /// RUNNING all-purpose ones); reports drivers that became ready or died.
  std::vector<ClusterDrivers::Change> sync_drivers(
      const std::map<std::string, std::int64_t>& running) {
    return drivers_.sync(running);
  }
  /// A command execution context on the cluster's driver of `context_id` (started now when
  /// there is none); the error says what is missing.
  Result<DriverAttachment> context_process(const std::string& cluster_id, std::int64_t context_id,
                                           const std::vector<std::filesystem::path>& python_path);
  /// Starts a cluster's driver ahead of any task (after the old one died).
  void start_driver(const std::string& cluster_id, std::int64_t context_id,
                    const std::vector<std::filesystem::path>& python_path);

 private:
  ProcessExecutorConfig config_;
  ClusterDrivers drivers_;
};

}  // namespace dbk::emulator
