#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dbk {

/// ClusterDetails of `clusters/get` and `clusters/list` (see
/// docs/reference/rest-api.md §1.4). `state` is kept as a string so that unknown states
/// from a newer server pass through.
struct ClusterInfo {
  std::string cluster_id;
  std::string cluster_name;
  std::string
      state;  ///< PENDING, RUNNING, RESTARTING, RESIZING, TERMINATING, TERMINATED, ERROR, UNKNOWN
  std::string state_message;
  std::string spark_version;
  std::string node_type_id;
  std::string creator_user_name;
  std::string cluster_source;
  std::int64_t start_time = 0;
  std::optional<std::int64_t> terminated_time;
  nlohmann::ordered_json raw;
};

struct SparkVersion {
  std::string key;
  std::string name;
  nlohmann::ordered_json raw;
};

/// Answer of `clusters/spark-versions`; `raw` is the whole response.
struct SparkVersions {
  std::vector<SparkVersion> versions;
  nlohmann::ordered_json raw;
};

struct NodeType {
  std::string node_type_id;
  std::int64_t memory_mb = 0;
  double num_cores = 0;
  std::string description;
  std::string instance_type_id;
  std::string category;
  bool is_deprecated = false;
  std::int64_t num_gpus = 0;
  nlohmann::ordered_json raw;
};

/// Answer of `clusters/list-node-types`; `raw` is the whole response.
struct NodeTypes {
  std::vector<NodeType> node_types;
  nlohmann::ordered_json raw;
};

void from_json(const nlohmann::ordered_json& j, ClusterInfo& info);
void to_json(nlohmann::ordered_json& j, const ClusterInfo& info);
void from_json(const nlohmann::ordered_json& j, SparkVersion& version);
void to_json(nlohmann::ordered_json& j, const SparkVersion& version);
void from_json(const nlohmann::ordered_json& j, NodeType& node_type);
void to_json(nlohmann::ordered_json& j, const NodeType& node_type);

}  // namespace dbk
