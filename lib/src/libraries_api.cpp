#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/libraries.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/libraries/";

nlohmann::ordered_json libraries_body(const std::string& cluster_id,
                                      const std::vector<nlohmann::ordered_json>& libraries) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& library : libraries) list.push_back(library);
  return {{"cluster_id", cluster_id}, {"libraries", std::move(list)}};
}
}  // namespace

void from_json(const nlohmann::ordered_json& j, LibraryStatus& status) {
  using namespace detail;
  status.library = object_field(j, "library");
  status.status = string_field(j, "status");
  status.is_library_for_all_clusters = bool_field(j, "is_library_for_all_clusters");
  status.messages.clear();
  if (auto it = j.find("messages"); it != j.end() && it->is_array()) {
    for (const auto& message : *it) {
      if (message.is_string()) status.messages.push_back(message.get<std::string>());
    }
  }
}

void from_json(const nlohmann::ordered_json& j, ClusterLibraryStatuses& statuses) {
  statuses.cluster_id = detail::string_field(j, "cluster_id");
  statuses.library_statuses = detail::list_field<LibraryStatus>(j, "library_statuses");
  statuses.raw = j;
}

LibrariesApi::LibrariesApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Status LibrariesApi::install(const std::string& cluster_id,
                             const std::vector<nlohmann::ordered_json>& libraries,
                             const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "install",
                                         libraries_body(cluster_id, libraries),
                                         Idempotency::kIdempotent, context));
}

Status LibrariesApi::uninstall(const std::string& cluster_id,
                               const std::vector<nlohmann::ordered_json>& libraries,
                               const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "uninstall",
                                         libraries_body(cluster_id, libraries),
                                         Idempotency::kIdempotent, context));
}

Result<ClusterLibraryStatuses> LibrariesApi::cluster_status(const std::string& cluster_id,
                                                            const CallContext& context) const {
  auto response =
      caller_->get(std::string(kBase) + "cluster-status", {{"cluster_id", cluster_id}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<ClusterLibraryStatuses>(*response, "libraries/cluster-status");
}

Result<nlohmann::ordered_json> LibrariesApi::all_cluster_statuses(
    const CallContext& context) const {
  return caller_->get(std::string(kBase) + "all-cluster-statuses", {}, context);
}

}  // namespace dbk
