#include "clusters/cluster_manager.hpp"

#include <ctime>
#include <iomanip>
#include <sstream>

#include "http/request.hpp"
#include "state/store.hpp"

namespace dbk::emulator {
namespace {

constexpr const char* kKind = "cluster";
constexpr const char* kSparkVersion = "15.4.x-scala2.12";

nlohmann::json termination_reason(const std::string& code) {
  return {{"code", code},
          {"type", code == "JOB_FINISHED" || code == "USER_REQUEST" ? "SUCCESS" : "SERVICE_FAULT"},
          {"parameters", nlohmann::json::object()}};
}

}  // namespace

nlohmann::json ClusterManager::render(const nlohmann::json& cluster) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : cluster.items()) {
    if (!key.empty() && key[0] != '_') out[key] = value;
  }
  return out;
}

void ClusterManager::save(const nlohmann::json& cluster) {
  (void)store_.put(kKind, cluster["cluster_id"].get<std::string>(), cluster);
}

std::string ClusterManager::new_cluster_id(std::int64_t now_ms) {
  // Same shape as the service's ids (0925-141122-narcs242): MMDD-HHMMSS-<8 chars>.
  std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  auto n = store_.next_id("cluster");
  std::ostringstream id;
  id << std::setfill('0') << std::setw(2) << utc.tm_mon + 1 << std::setw(2) << utc.tm_mday << '-'
     << std::setw(2) << utc.tm_hour << std::setw(2) << utc.tm_min << std::setw(2) << utc.tm_sec
     << "-dbk" << std::setw(5) << (n ? *n : 0);
  return id.str();
}

void ClusterManager::recover(std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (store_.get(kKind, kDefaultClusterId)) return;
  if (!store_.list(kKind).empty()) return;  // the default cluster was permanently deleted
  nlohmann::json cluster = {{"cluster_id", kDefaultClusterId},
                            {"cluster_name", "dbk-local"},
                            {"spark_version", kSparkVersion},
                            {"node_type_id", "local"},
                            {"driver_node_type_id", "local"},
                            {"num_workers", 0},
                            {"autotermination_minutes", 0},
                            {"state", "RUNNING"},
                            {"state_message", ""},
                            {"start_time", now_ms},
                            {"last_state_loss_time", now_ms},
                            {"creator_user_name", creator_},
                            {"cluster_source", "UI"},
                            {"spark_conf", {{"spark.master", "local[*]"}}},
                            {"custom_tags", nlohmann::json::object()},
                            {"default_tags",
                             {{"Vendor", "Databricks"},
                              {"Creator", creator_},
                              {"ClusterName", "dbk-local"},
                              {"ClusterId", kDefaultClusterId}}},
                            {"spark_context_id", 1}};
  save(cluster);
}

void ClusterManager::reset(std::int64_t now_ms) {
  recover(now_ms);
}

void ClusterManager::tick(std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, cluster] : store_.list(kKind)) {
    if (!cluster.contains("_transition_at")) continue;
    if (cluster["_transition_at"].get<std::int64_t>() > now_ms) continue;
    const std::string target = cluster.value("_next_state", "RUNNING");
    cluster["state"] = target;
    cluster.erase("_transition_at");
    cluster.erase("_next_state");
    if (target == "RUNNING") {
      cluster["state_message"] = "";
      cluster["last_restarted_time"] = now_ms;
      cluster["spark_context_id"] = cluster.value("spark_context_id", 0) + 1;
      cluster.erase("termination_reason");
      cluster.erase("terminated_time");
    } else if (target == "TERMINATED") {
      cluster["terminated_time"] = now_ms;
      cluster["state_message"] = "Terminated";
    }
    save(cluster);
  }
}

std::vector<nlohmann::json> ClusterManager::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<nlohmann::json> out;
  for (auto& [id, cluster] : store_.list(kKind)) out.push_back(cluster);
  return out;
}

Result<nlohmann::json> ClusterManager::get(const std::string& cluster_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = store_.get(kKind, cluster_id);
  if (!cluster) return invalid_parameter("Cluster " + cluster_id + " does not exist");
  return *cluster;
}

Result<nlohmann::json> ClusterManager::create(const nlohmann::json& spec, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!spec.contains("spark_version") || !spec["spark_version"].is_string())
    return invalid_parameter("Missing required field: spark_version");
  nlohmann::json cluster = spec;
  cluster["cluster_id"] = new_cluster_id(now_ms);
  cluster["cluster_name"] = spec.value("cluster_name", std::string());
  if (!cluster.contains("node_type_id")) cluster["node_type_id"] = "local";
  if (!cluster.contains("num_workers") && !cluster.contains("autoscale"))
    cluster["num_workers"] = 0;
  cluster["state"] = "PENDING";
  cluster["state_message"] = "Starting Spark";
  cluster["start_time"] = now_ms;
  cluster["creator_user_name"] = creator_;
  cluster["cluster_source"] = "API";
  cluster["_transition_at"] = now_ms + kStartMs;
  cluster["_next_state"] = "RUNNING";
  save(cluster);
  return cluster;
}

Status ClusterManager::start(const std::string& cluster_id, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = store_.get(kKind, cluster_id);
  if (!cluster) return invalid_parameter("Cluster " + cluster_id + " does not exist");
  if (cluster->value("cluster_source", "") == "JOB")
    return http_error(400, "INVALID_STATE",
                      "Cluster " + cluster_id + " is a job cluster and cannot be started");
  // reference §1.4: not TERMINATED → "nothing will happen" (we pick the documented no-op).
  if ((*cluster)["state"] != "TERMINATED") return {};
  (*cluster)["state"] = "PENDING";
  (*cluster)["state_message"] = "Starting Spark";
  (*cluster)["start_time"] = now_ms;
  (*cluster)["_transition_at"] = now_ms + kStartMs;
  (*cluster)["_next_state"] = "RUNNING";
  save(*cluster);
  return {};
}

Status ClusterManager::restart(const std::string& cluster_id, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = store_.get(kKind, cluster_id);
  if (!cluster) return invalid_parameter("Cluster " + cluster_id + " does not exist");
  if ((*cluster)["state"] != "RUNNING") {
    return http_error(400, "INVALID_STATE",
                      "Cluster " + cluster_id + " is in unexpected state " +
                          (*cluster)["state"].get<std::string>() + ".");
  }
  (*cluster)["state"] = "RESTARTING";
  (*cluster)["state_message"] = "Restarting Spark";
  (*cluster)["_transition_at"] = now_ms + kStartMs;
  (*cluster)["_next_state"] = "RUNNING";
  save(*cluster);
  return {};
}

Status ClusterManager::terminate(const std::string& cluster_id, std::int64_t now_ms,
                                 const std::string& reason_code) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = store_.get(kKind, cluster_id);
  if (!cluster) return invalid_parameter("Cluster " + cluster_id + " does not exist");
  const std::string state = (*cluster)["state"];
  if (state == "TERMINATED" || state == "TERMINATING") return {};
  (*cluster)["state"] = "TERMINATING";
  (*cluster)["state_message"] = "Terminating";
  (*cluster)["termination_reason"] = termination_reason(reason_code);
  (*cluster)["_transition_at"] = now_ms + kTerminateMs;
  (*cluster)["_next_state"] = "TERMINATED";
  save(*cluster);
  return {};
}

Status ClusterManager::permanent_delete(const std::string& cluster_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!store_.get(kKind, cluster_id))
    return invalid_parameter("Cluster " + cluster_id + " does not exist");
  return store_.erase(kKind, cluster_id);
}

std::string ClusterManager::create_job_cluster(const nlohmann::json& spec, std::int64_t run_id,
                                               std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json cluster = spec.is_object() ? spec : nlohmann::json::object();
  const std::string id = new_cluster_id(now_ms);
  cluster["cluster_id"] = id;
  cluster["cluster_name"] = "job-run-" + std::to_string(run_id);
  if (!cluster.contains("spark_version")) cluster["spark_version"] = kSparkVersion;
  if (!cluster.contains("num_workers") && !cluster.contains("autoscale"))
    cluster["num_workers"] = 0;
  // Whatever node type was asked for, it runs on this machine.
  cluster["state"] = "RUNNING";
  cluster["state_message"] = "";
  cluster["start_time"] = now_ms;
  cluster["creator_user_name"] = creator_;
  cluster["cluster_source"] = "JOB";
  cluster["spark_context_id"] = 1;
  save(cluster);
  return id;
}

}  // namespace dbk::emulator
