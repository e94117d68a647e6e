#include "clusters/cluster_manager.hpp"

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <set>
#include <sstream>

#include "clusters/cluster_admission.hpp"
#include "http/request.hpp"
#include "pools/pool_capacity.hpp"
#include "state/store.hpp"

namespace dbk::emulator {
namespace {

constexpr const char* kKind = "cluster";
constexpr const char* kEventKind = "cluster_event";
constexpr const char* kSparkVersion = "15.4.x-scala2.12";

// Fields the service maintains; everything else on a cluster is an attribute the user
// set (create/edit), which clusters/edit replaces as a whole.
const std::set<std::string>& runtime_fields() {
  static const std::set<std::string> fields = {"cluster_id",
                                               "state",
                                               "state_message",
                                               "start_time",
                                               "terminated_time",
                                               "last_state_loss_time",
                                               "last_restarted_time",
                                               "creator_user_name",
                                               "cluster_source",
                                               "default_tags",
                                               "spark_context_id",
                                               "termination_reason",
                                               "driver",
                                               "executors",
                                               "jdbc_port",
                                               "cluster_memory_mb",
                                               "cluster_cores",
                                               "last_activity_time"};
  return fields;
}

nlohmann::json attributes_of(const nlohmann::json& cluster) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : cluster.items()) {
    if (!key.empty() && key[0] != '_' && !runtime_fields().count(key)) out[key] = value;
  }
  return out;
}

nlohmann::json cluster_size(const nlohmann::json& cluster) {
  if (cluster.contains("autoscale")) return {{"autoscale", cluster["autoscale"]}};
  return {{"num_workers", cluster.value("num_workers", 0)}};
}

std::int64_t workers_of(const nlohmann::json& cluster) {
  if (cluster.contains("autoscale") && cluster["autoscale"].is_object()) {
    return cluster["autoscale"].value("min_workers", std::int64_t{0});
  }
  return cluster.value("num_workers", std::int64_t{0});
}

// A stored cluster by id (the caller holds the manager's lock); an unknown id is the
// service's 400 "Cluster <id> does not exist".
Result<nlohmann::json> find_cluster(const Store& store, const std::string& cluster_id) {
  auto cluster = store.get(kKind, cluster_id);
  if (!cluster) return invalid_parameter("Cluster " + cluster_id + " does not exist");
  return std::move(*cluster);
}

// The stored cluster that an edit or resize body names by its cluster_id.
Result<nlohmann::json> requested_cluster(const Store& store, const nlohmann::json& request) {
  if (!request.contains("cluster_id") || !request["cluster_id"].is_string())
    return invalid_parameter("Missing required field: cluster_id");
  return find_cluster(store, request["cluster_id"].get<std::string>());
}

// Puts a cluster into a transient `state` that tick() ends at `at_ms` in `next_state`.
void begin_transition(nlohmann::json& cluster, const char* state, const char* message,
                      std::int64_t at_ms, const char* next_state) {
  cluster["state"] = state;
  cluster["state_message"] = message;
  cluster["_transition_at"] = at_ms;
  cluster["_next_state"] = next_state;
}

Status unexpected_state(const std::string& cluster_id, const nlohmann::json& cluster) {
  return http_error(400, "INVALID_STATE",
                    "Cluster " + cluster_id + " is in unexpected state " +
                        cluster.value("state", std::string()) + ".");
}

// num_workers (0 or more) or autoscale {min_workers, max_workers}, as create/edit/resize take.
Status check_size(const nlohmann::json& spec) {
  if (spec.contains("num_workers") &&
      (!spec["num_workers"].is_number_integer() || spec["num_workers"].get<std::int64_t>() < 0)) {
    return invalid_parameter("num_workers must be a non-negative integer");
  }
  if (spec.contains("autoscale")) {
    const auto& autoscale = spec["autoscale"];
    if (!autoscale.is_object() || !autoscale.contains("min_workers") ||
        !autoscale.contains("max_workers") || !autoscale["min_workers"].is_number_integer() ||
        !autoscale["max_workers"].is_number_integer() ||
        autoscale["min_workers"].get<std::int64_t>() < 0 ||
        autoscale["max_workers"] < autoscale["min_workers"]) {
      return invalid_parameter(
          "autoscale needs integers min_workers and max_workers with 0 <= min_workers <= "
          "max_workers");
    }
  }
  return {};
}

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

void ClusterManager::save(const nlohmann::json& cluster,
                          const std::vector<nlohmann::json>& events) {
  const std::string id = cluster["cluster_id"].get<std::string>();
  (void)store_.transaction([&](Store::Transaction& tx) -> Status {
    tx.put(kKind, id, cluster);
    for (const auto& entry : events) {
      // Keys sort by cluster, then in the order the events happened.
      std::ostringstream key;
      key << id << '/' << std::setw(12) << std::setfill('0') << tx.next_id("cluster_event");
      tx.put(kEventKind, key.str(), entry);
    }
    return {};
  });
}

nlohmann::json ClusterManager::event(const nlohmann::json& cluster, std::int64_t now_ms,
                                     const char* type, nlohmann::json details) const {
  return {{"cluster_id", cluster["cluster_id"]},
          {"timestamp", now_ms},
          {"type", type},
          {"details", std::move(details)}};
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
  save(cluster, {event(cluster, now_ms, "CREATING",
                       {{"cluster_size", cluster_size(cluster)}, {"user", creator_}}),
                 event(cluster, now_ms, "RUNNING",
                       {{"current_num_workers", 0}, {"target_num_workers", 0}})});
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
    const bool resized = cluster.value("state", "") == "RESIZING";
    const std::int64_t at = cluster["_transition_at"].get<std::int64_t>();
    cluster["state"] = target;
    cluster.erase("_transition_at");
    cluster.erase("_next_state");
    std::vector<nlohmann::json> events;
    std::optional<nlohmann::json> reason;
    const std::int64_t workers = workers_of(cluster);
    if (target == "RUNNING" && resized) {
      // The Spark context survives a resize.
      cluster["state_message"] = "";
      const std::int64_t from = cluster.value("_resized_from", workers);
      cluster.erase("_resized_from");
      if (workers > from) {
        events.push_back(
            event(cluster, at, "UPSIZE_COMPLETED",
                  {{"current_num_workers", workers}, {"target_num_workers", workers}}));
      }
    } else if (target == "RUNNING" && (reason = pool_capacity_shortfall(store_, cluster))) {
      // Its pool cannot give the instances: the start fails as on the service.
      cluster["state"] = "TERMINATED";
      cluster["terminated_time"] = now_ms;
      cluster["termination_reason"] = *reason;
      cluster["state_message"] =
          (*reason)["parameters"].value("instance_pool_error_message", std::string());
      events.push_back(event(cluster, at, "TERMINATING", {{"reason", *reason}}));
    } else if (target == "RUNNING") {
      cluster["state_message"] = "";
      cluster["last_restarted_time"] = now_ms;
      cluster["spark_context_id"] = cluster.value("spark_context_id", 0) + 1;
      cluster.erase("termination_reason");
      cluster.erase("terminated_time");
      events.push_back(event(cluster, at, "RUNNING",
                             {{"current_num_workers", workers}, {"target_num_workers", workers}}));
    } else if (target == "TERMINATED") {
      cluster["terminated_time"] = now_ms;
      cluster["state_message"] = "Terminated";
    }
    save(cluster, events);
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
  return find_cluster(store_, cluster_id);
}

Result<nlohmann::json> ClusterManager::create(const nlohmann::json& request, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto admitted = admit_cluster(store_, request);  // a policy may set spark_version
  if (!admitted) return admitted.error();
  const nlohmann::json& spec = *admitted;
  if (!spec.contains("spark_version") || !spec["spark_version"].is_string())
    return invalid_parameter("Missing required field: spark_version");
  if (auto size = check_size(spec); !size) return size.error();
  nlohmann::json cluster = spec;
  cluster["cluster_id"] = new_cluster_id(now_ms);
  cluster["cluster_name"] = spec.value("cluster_name", std::string());
  if (!cluster.contains("node_type_id")) cluster["node_type_id"] = "local";
  if (!cluster.contains("num_workers") && !cluster.contains("autoscale"))
    cluster["num_workers"] = 0;
  begin_transition(cluster, "PENDING", "Starting Spark", now_ms + kStartMs, "RUNNING");
  cluster["start_time"] = now_ms;
  cluster["creator_user_name"] = creator_;
  cluster["cluster_source"] = "API";
  save(cluster, {event(cluster, now_ms, "CREATING",
                       {{"cluster_size", cluster_size(cluster)}, {"user", creator_}})});
  return cluster;
}

Status ClusterManager::start(const std::string& cluster_id, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = find_cluster(store_, cluster_id);
  if (!cluster) return cluster.error();
  if (cluster->value("cluster_source", "") == "JOB")
    return http_error(400, "INVALID_STATE",
                      "Cluster " + cluster_id + " is a job cluster and cannot be started");
  // docs/reference/rest-api.md §1.4: not TERMINATED → "nothing will happen" (we pick the documented
  // no-op).
  if ((*cluster)["state"] != "TERMINATED") return {};
  begin_transition(*cluster, "PENDING", "Starting Spark", now_ms + kStartMs, "RUNNING");
  (*cluster)["start_time"] = now_ms;
  save(*cluster, {event(*cluster, now_ms, "STARTING", {{"user", creator_}})});
  return {};
}

Status ClusterManager::restart(const std::string& cluster_id, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = find_cluster(store_, cluster_id);
  if (!cluster) return cluster.error();
  if ((*cluster)["state"] != "RUNNING") return unexpected_state(cluster_id, *cluster);
  begin_transition(*cluster, "RESTARTING", "Restarting Spark", now_ms + kStartMs, "RUNNING");
  save(*cluster, {event(*cluster, now_ms, "RESTARTING", {{"user", creator_}})});
  return {};
}

Status ClusterManager::terminate(const std::string& cluster_id, std::int64_t now_ms,
                                 const std::string& reason_code) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = find_cluster(store_, cluster_id);
  if (!cluster) return cluster.error();
  const std::string state = (*cluster)["state"];
  if (state == "TERMINATED" || state == "TERMINATING") return {};
  begin_transition(*cluster, "TERMINATING", "Terminating", now_ms + kTerminateMs, "TERMINATED");
  (*cluster)["termination_reason"] = termination_reason(reason_code);
  nlohmann::json details = {{"reason", termination_reason(reason_code)}};
  if (reason_code == "USER_REQUEST") details["user"] = creator_;
  save(*cluster, {event(*cluster, now_ms, "TERMINATING", std::move(details))});
  return {};
}

Status ClusterManager::permanent_delete(const std::string& cluster_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto cluster = find_cluster(store_, cluster_id); !cluster) return cluster.error();
  const std::string prefix = cluster_id + "/";
  return store_.transaction([&](Store::Transaction& tx) -> Status {
    tx.erase(kKind, cluster_id);
    for (const auto& [key, doc] : tx.list(kEventKind)) {
      if (key.compare(0, prefix.size(), prefix) == 0) tx.erase(kEventKind, key);
    }
    return {};
  });
}

Status ClusterManager::edit(const nlohmann::json& request, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = requested_cluster(store_, request);
  if (!cluster) return cluster.error();
  const std::string id = (*cluster)["cluster_id"];
  auto admitted = admit_cluster(store_, request);
  if (!admitted) return admitted.error();
  const nlohmann::json& spec = *admitted;
  if (!spec.contains("spark_version") || !spec["spark_version"].is_string())
    return invalid_parameter("Missing required field: spark_version");
  if (auto size = check_size(spec); !size) return size.error();
  if (cluster->value("cluster_source", "") == "JOB")
    return invalid_parameter("Clusters created by the Databricks Jobs service cannot be edited.");
  const std::string state = cluster->value("state", "");
  if (state != "RUNNING" && state != "TERMINATED") return unexpected_state(id, *cluster);
  const nlohmann::json previous = attributes_of(*cluster);
  for (const auto& [key, value] : previous.items()) cluster->erase(key);
  for (const auto& [key, value] : spec.items()) {
    if (key != "cluster_id" && !key.empty() && key[0] != '_' && !runtime_fields().count(key)) {
      (*cluster)[key] = value;
    }
  }
  if (!cluster->contains("cluster_name")) (*cluster)["cluster_name"] = "";
  if (!cluster->contains("node_type_id")) (*cluster)["node_type_id"] = "local";
  if (!cluster->contains("num_workers") && !cluster->contains("autoscale"))
    (*cluster)["num_workers"] = 0;
  std::vector<nlohmann::json> events = {event(*cluster, now_ms, "EDITED",
                                              {{"previous_attributes", previous},
                                               {"attributes", attributes_of(*cluster)},
                                               {"previous_cluster_size", cluster_size(previous)},
                                               {"cluster_size", cluster_size(*cluster)},
                                               {"user", creator_}})};
  if (state == "RUNNING") {
    // The new attributes take effect through a restart.
    begin_transition(*cluster, "RESTARTING", "Restarting Spark", now_ms + kStartMs, "RUNNING");
    events.push_back(event(*cluster, now_ms, "RESTARTING", {{"user", creator_}}));
  }
  save(*cluster, events);
  return {};
}

Status ClusterManager::resize(const nlohmann::json& request, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = requested_cluster(store_, request);
  if (!cluster) return cluster.error();
  const std::string id = (*cluster)["cluster_id"];
  if (request.contains("num_workers") == request.contains("autoscale"))
    return invalid_parameter("Exactly one of num_workers or autoscale must be specified.");
  if (auto size = check_size(request); !size) return size.error();
  if (cluster->value("state", "") != "RUNNING") return unexpected_state(id, *cluster);
  const std::int64_t from = workers_of(*cluster);
  if (request.contains("num_workers")) {
    (*cluster)["num_workers"] = request["num_workers"];
    cluster->erase("autoscale");
  } else {
    (*cluster)["autoscale"] = request["autoscale"];
    cluster->erase("num_workers");
  }
  const std::int64_t to = workers_of(*cluster);
  begin_transition(*cluster, "RESIZING", "Resizing cluster", now_ms + kStartMs, "RUNNING");
  (*cluster)["_resized_from"] = from;
  save(*cluster,
       {event(*cluster, now_ms, "RESIZING",
              {{"current_num_workers", from}, {"target_num_workers", to}, {"user", creator_}})});
  return {};
}

Result<nlohmann::json> ClusterManager::events(const Params& request) const {
  auto id_param = request.required_string("cluster_id");
  auto start_time = request.optional_int64("start_time");
  auto end_time = request.optional_int64("end_time");
  auto order_param = request.optional_string("order");
  auto offset_param = request.optional_int64("offset");
  auto limit_param = request.optional_int64("limit");
  if (!id_param) return id_param.error();
  for (const auto* field : {&start_time, &end_time, &offset_param, &limit_param}) {
    if (!*field) return field->error();
  }
  if (!order_param) return order_param.error();
  const std::string id = *id_param;
  const std::string order = order_param->value_or("DESC");
  if (order != "ASC" && order != "DESC")
    return invalid_parameter("order must be ASC or DESC, got " + order);
  const std::int64_t offset = offset_param->value_or(0);
  const std::int64_t limit = limit_param->value_or(50);
  if (offset < 0) return invalid_parameter("offset must be non-negative");
  if (limit < 1 || limit > 500) return invalid_parameter("limit must be between 1 and 500");
  std::set<std::string> types;
  if (auto wanted = request.optional_json("event_types")) {
    if (!wanted->is_array()) return invalid_parameter("event_types must be an array");
    for (const auto& type : *wanted) {
      if (!type.is_string()) return invalid_parameter("event_types must be strings");
      types.insert(type.get<std::string>());
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto cluster = find_cluster(store_, id); !cluster) return cluster.error();
  const std::string prefix = id + "/";
  std::vector<nlohmann::json> matching;  // oldest first: keys follow the event order
  for (const auto& [key, doc] : store_.list(kEventKind)) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    const std::int64_t at = doc.value("timestamp", std::int64_t{0});
    if (*start_time && at < **start_time) continue;
    if (*end_time && at > **end_time) continue;
    if (!types.empty() && !types.count(doc.value("type", ""))) continue;
    matching.push_back(doc);
  }
  if (order == "DESC") std::reverse(matching.begin(), matching.end());
  const auto total = static_cast<std::int64_t>(matching.size());
  nlohmann::json page = nlohmann::json::array();
  for (std::int64_t i = offset; i < total && i < offset + limit; ++i) page.push_back(matching[i]);
  nlohmann::json body = nlohmann::json::object();
  if (!page.empty()) body["events"] = page;
  if (offset + limit < total) {
    nlohmann::json next = {
        {"cluster_id", id}, {"order", order}, {"offset", offset + limit}, {"limit", limit}};
    if (*start_time) next["start_time"] = **start_time;
    if (*end_time) next["end_time"] = **end_time;
    if (!types.empty()) next["event_types"] = types;
    body["next_page"] = next;
  }
  body["total_count"] = total;
  return body;
}

namespace {
constexpr const char* kDriverRestarting =
    "The spark driver has stopped unexpectedly and is restarting.";
}  // namespace

std::optional<std::int64_t> ClusterManager::driver_lost(const std::string& cluster_id,
                                                        std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = store_.get(kKind, cluster_id);
  if (!cluster || cluster->value("state", "") != "RUNNING") return std::nullopt;
  const std::int64_t context = cluster->value("spark_context_id", std::int64_t{0}) + 1;
  (*cluster)["spark_context_id"] = context;
  (*cluster)["state_message"] = kDriverRestarting;
  (*cluster)["last_state_loss_time"] = now_ms;
  save(*cluster, {event(*cluster, now_ms, "DRIVER_NOT_RESPONDING",
                        {{"reason", termination_reason("DRIVER_UNRESPONSIVE")}})});
  return context;
}

void ClusterManager::driver_ready(const std::string& cluster_id, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cluster = store_.get(kKind, cluster_id);
  if (!cluster || cluster->value("state_message", "") != kDriverRestarting) return;
  (*cluster)["state_message"] = "";
  save(*cluster, {event(*cluster, now_ms, "DRIVER_HEALTHY", nlohmann::json::object())});
}

Result<std::string> ClusterManager::create_job_cluster(const nlohmann::json& spec,
                                                       std::int64_t run_id, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  // The job's policy is applied now, with cluster_type "job"; a violation fails the run
  // before any cluster exists.
  auto admitted = admit_cluster(store_, spec.is_object() ? spec : nlohmann::json::object(), "job");
  if (!admitted) {
    ApiError error = admitted.error();
    error.message = error.error_code + ": " + error.message;
    return error;
  }
  nlohmann::json cluster = std::move(*admitted);
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
  const auto created = event(cluster, now_ms, "CREATING",
                             {{"cluster_size", cluster_size(cluster)}, {"user", creator_}});
  if (auto reason = pool_capacity_shortfall(store_, cluster)) {
    cluster["state"] = "TERMINATED";
    cluster["terminated_time"] = now_ms;
    cluster["termination_reason"] = *reason;
    cluster["state_message"] =
        (*reason)["parameters"].value("instance_pool_error_message", std::string());
    save(cluster, {created, event(cluster, now_ms, "TERMINATING", {{"reason", *reason}})});
    return http_error(400, "INSTANCE_POOL_MAX_CAPACITY_REACHED",
                      terminated_cluster_message(id, *reason));
  }
  save(cluster, {created, event(cluster, now_ms, "RUNNING",
                                {{"current_num_workers", workers_of(cluster)},
                                 {"target_num_workers", workers_of(cluster)}})});
  return id;
}

}  // namespace dbk::emulator
