#include "dbk/models/clusters.hpp"
#include "models/json_fields.hpp"

namespace dbk {

void from_json(const nlohmann::ordered_json& j, ClusterInfo& info) {
  using namespace detail;
  info.cluster_id = string_field(j, "cluster_id");
  info.cluster_name = string_field(j, "cluster_name");
  info.state = string_field(j, "state");
  info.state_message = string_field(j, "state_message");
  info.spark_version = string_field(j, "spark_version");
  info.node_type_id = string_field(j, "node_type_id");
  info.creator_user_name = string_field(j, "creator_user_name");
  info.cluster_source = string_field(j, "cluster_source");
  info.start_time = int_field(j, "start_time");
  info.terminated_time = optional_int_field(j, "terminated_time");
  info.raw = j;
}

void to_json(nlohmann::ordered_json& j, const ClusterInfo& info) {
  if (info.raw.is_object()) {
    j = info.raw;
    return;
  }
  j = nlohmann::ordered_json{{"cluster_id", info.cluster_id},
                             {"cluster_name", info.cluster_name},
                             {"spark_version", info.spark_version},
                             {"state", info.state}};
  if (!info.state_message.empty()) j["state_message"] = info.state_message;
  if (!info.node_type_id.empty()) j["node_type_id"] = info.node_type_id;
}

void from_json(const nlohmann::ordered_json& j, SparkVersion& version) {
  version.key = detail::string_field(j, "key");
  version.name = detail::string_field(j, "name");
  version.raw = j;
}

void to_json(nlohmann::ordered_json& j, const SparkVersion& version) {
  if (version.raw.is_object()) {
    j = version.raw;
    return;
  }
  j = nlohmann::ordered_json{{"key", version.key}, {"name", version.name}};
}

void from_json(const nlohmann::ordered_json& j, NodeType& node_type) {
  using namespace detail;
  node_type.node_type_id = string_field(j, "node_type_id");
  node_type.memory_mb = int_field(j, "memory_mb");
  node_type.num_cores = double_field(j, "num_cores");
  node_type.description = string_field(j, "description");
  node_type.instance_type_id = string_field(j, "instance_type_id");
  node_type.category = string_field(j, "category");
  node_type.is_deprecated = bool_field(j, "is_deprecated");
  node_type.num_gpus = int_field(j, "num_gpus");
  node_type.raw = j;
}

void to_json(nlohmann::ordered_json& j, const NodeType& node_type) {
  if (node_type.raw.is_object()) {
    j = node_type.raw;
    return;
  }
  j = nlohmann::ordered_json{{"node_type_id", node_type.node_type_id},
                             {"memory_mb", node_type.memory_mb},
                             {"num_cores", node_type.num_cores},
                             {"description", node_type.description}};
}

}  // namespace dbk
