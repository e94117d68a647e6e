#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "dbk/result.hpp"
#include "service.hpp"

namespace dbk::emulator {

class ClusterManager;

/// /api/2.0/libraries/* (docs/emulator.md, "Libraries"). Each library of a cluster is a
/// document of kind "library" in the store; a background thread moves it PENDING →
/// INSTALLING → INSTALLED or FAILED while its cluster runs. PyPI packages and wheels are
/// installed with pip into <state>/libraries/<n>, a folder that tasks on the cluster get on
/// their PYTHONPATH; other kinds end FAILED with the reason. Uninstalled libraries stay
/// (UNINSTALL_ON_RESTART) until the cluster's next restart.
class LibrariesService : public Service {
 public:
  LibrariesService(ServiceContext& context, ClusterManager& clusters);
  ~LibrariesService() override;
  void register_routes(Router& router) override;
  void recover() override;
  void reset() override;
  void stop() override;

  /// The folders of the libraries installed on `cluster_id`, for a task's PYTHONPATH.
  static std::vector<std::filesystem::path> python_paths(const Store& store,
                                                         const std::filesystem::path& state_dir,
                                                         const std::string& cluster_id);

 private:
  Status install(const std::string& cluster_id, const nlohmann::json& libraries);
  Status uninstall(const std::string& cluster_id, const nlohmann::json& libraries);
  Result<nlohmann::json> cluster_status(const std::string& cluster_id);
  nlohmann::json all_statuses();
  /// Drops libraries uninstalled before their cluster's last restart.
  void drop_uninstalled();
  /// Installs one PENDING library of a running cluster; false when there was none.
  bool install_next();
  void worker();

  ServiceContext& context_;
  ClusterManager& clusters_;
  std::mutex mutex_;  ///< serialises read-modify-write of library documents
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace dbk::emulator
