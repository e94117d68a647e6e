#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// One library on one cluster: the library as installed (`{"pypi": {...}}`, `{"whl": ...}`,
/// ...), its status (PENDING, RESOLVING, INSTALLING, INSTALLED, FAILED,
/// UNINSTALL_ON_RESTART, SKIPPED) and the service's messages.
struct LibraryStatus {
  nlohmann::ordered_json library;
  std::string status;
  std::vector<std::string> messages;
  bool is_library_for_all_clusters = false;
};

/// The libraries of one cluster (`libraries/cluster-status`).
struct ClusterLibraryStatuses {
  std::string cluster_id;
  std::vector<LibraryStatus> library_statuses;
  nlohmann::ordered_json raw;
};

void from_json(const nlohmann::ordered_json& j, LibraryStatus& status);
void from_json(const nlohmann::ordered_json& j, ClusterLibraryStatuses& statuses);

/// `/api/2.0/libraries/...` (docs/emulator.md, "Libraries"). Thread-safe.
class LibrariesApi {
 public:
  explicit LibrariesApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// Installing a library the cluster already has is a no-op on the service, so a replay
  /// is safe.
  Status install(const std::string& cluster_id,
                 const std::vector<nlohmann::ordered_json>& libraries,
                 const CallContext& context = {}) const;
  /// Marks the libraries to be removed at the cluster's next restart.
  Status uninstall(const std::string& cluster_id,
                   const std::vector<nlohmann::ordered_json>& libraries,
                   const CallContext& context = {}) const;
  Result<ClusterLibraryStatuses> cluster_status(const std::string& cluster_id,
                                                const CallContext& context = {}) const;
  /// `libraries/all-cluster-statuses` as the server sent it ({"statuses": [...]}).
  Result<nlohmann::ordered_json> all_cluster_statuses(const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
