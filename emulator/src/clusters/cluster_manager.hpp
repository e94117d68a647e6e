#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::emulator {

class Store;
class Params;

/// The emulated clusters. One all-purpose cluster ("dbk-local", RUNNING) exists from the
/// start so that `clusters list` yields an existing_cluster_id; job runs with new_cluster
/// get an ephemeral JOB cluster that terminates with the run. State changes happen on the
/// emulated clock (tick), persisted in the store (kind "cluster").
class ClusterManager {
 public:
  /// Emulated time a cluster spends in PENDING / RESTARTING / TERMINATING.
  static constexpr std::int64_t kStartMs = 3000;
  static constexpr std::int64_t kTerminateMs = 1000;
  static constexpr const char* kDefaultClusterId = "0101-000000-dbklocal";

  ClusterManager(Store& store, std::string creator) : store_(store), creator_(std::move(creator)) {}

  /// Loads clusters from the store; creates the default cluster when there is none.
  void recover(std::int64_t now_ms);
  void reset(std::int64_t now_ms);

  /// Advances PENDING/RESTARTING/RESIZING → RUNNING, TERMINATING → TERMINATED.
  void tick(std::int64_t now_ms);

  std::vector<nlohmann::json> list() const;
  /// 400 INVALID_PARAMETER_VALUE "Cluster <id> does not exist" (docs/reference/rest-api.md §1.4,
  /// §0.3).
  Result<nlohmann::json> get(const std::string& cluster_id) const;
  Result<nlohmann::json> create(const nlohmann::json& spec, std::int64_t now_ms);
  /// TERMINATED → PENDING → RUNNING; in any other state a documented no-op.
  Status start(const std::string& cluster_id, std::int64_t now_ms);
  Status restart(const std::string& cluster_id, std::int64_t now_ms);
  /// clusters/delete: → TERMINATING → TERMINATED with termination_reason USER_REQUEST.
  Status terminate(const std::string& cluster_id, std::int64_t now_ms,
                   const std::string& reason_code = "USER_REQUEST");
  Status permanent_delete(const std::string& cluster_id);
  /// clusters/edit: `spec` (with cluster_id) replaces the cluster's attributes. A RUNNING
  /// cluster restarts with them; a TERMINATED one keeps them for its next start; any other
  /// state → 400 INVALID_STATE. Job clusters cannot be edited.
  Status edit(const nlohmann::json& spec, std::int64_t now_ms);
  /// clusters/resize (num_workers or autoscale): RUNNING only; RESIZING → RUNNING.
  Status resize(const nlohmann::json& request, std::int64_t now_ms);
  /// clusters/events: the cluster's events filtered by time and type, paged
  /// (offset/limit, default 50, at most 500), with next_page and total_count.
  Result<nlohmann::json> events(const Params& request) const;

  /// The cluster's Spark driver died: as on Databricks the cluster stays RUNNING while a new
  /// driver starts (new spark_context_id, a state_message, a DRIVER_NOT_RESPONDING event).
  /// The new spark_context_id, or nothing when the cluster is not RUNNING.
  std::optional<std::int64_t> driver_lost(const std::string& cluster_id, std::int64_t now_ms);
  /// The cluster's (new) driver is up: DRIVER_HEALTHY after a loss, state_message cleared.
  void driver_ready(const std::string& cluster_id, std::int64_t now_ms);

  /// A RUNNING job cluster for one run (cluster_source JOB). Its policy (policy_id) is
  /// applied with cluster_type "job"; a violation is the run's error, "<CODE>: <message>".
  /// A cluster whose pool is at max_capacity is kept TERMINATED with the service's reason
  /// and the run's error says so.
  Result<std::string> create_job_cluster(const nlohmann::json& spec, std::int64_t run_id,
                                         std::int64_t now_ms);
  /// The public view (no private fields).
  static nlohmann::json render(const nlohmann::json& cluster);

 private:
  void save(const nlohmann::json& cluster);
  /// Saves the cluster and appends its events in one store transaction.
  void save(const nlohmann::json& cluster, const std::vector<nlohmann::json>& events);
  nlohmann::json event(const nlohmann::json& cluster, std::int64_t now_ms, const char* type,
                       nlohmann::json details) const;
  std::string new_cluster_id(std::int64_t now_ms);

  Store& store_;
  std::string creator_;
  mutable std::mutex mutex_;
};

}  // namespace dbk::emulator
