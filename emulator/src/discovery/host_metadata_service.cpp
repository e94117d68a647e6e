#include "discovery/host_metadata_service.hpp"

#include <nlohmann/json.hpp>

#include "http/response.hpp"

namespace dbk::emulator {

void HostMetadataService::register_routes(Router& router) {
  router.add("GET", "/.well-known/databricks-config", [this](const Request&) {
    // A workspace host: its OIDC root under /oidc and its workspace id. No account_id
    // (a workspace without an account console) and no cloud (none is emulated).
    nlohmann::ordered_json body;
    body["oidc_endpoint"] = context_.external_url + "/oidc";
    body["workspace_id"] = kEmulatorWorkspaceId;
    return json_response(200, body);
  });
}

}  // namespace dbk::emulator
