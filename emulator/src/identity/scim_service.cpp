#include "identity/scim_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/response.hpp"

namespace dbk::emulator {

void ScimService::register_routes(Router& router) {
  router.add("GET", "/api/2.0/preview/scim/v2/Me", [this](const Request&) {
    // The fields the SDKs read (id, userName, displayName, active, emails), in the
    // service's shape.
    nlohmann::ordered_json body;
    body["schemas"] = {"urn:ietf:params:scim:schemas:core:2.0:User"};
    body["id"] = "1";
    body["userName"] = kEmulatorUserName;
    body["displayName"] = "dbk emulator";
    body["active"] = true;
    body["emails"] = {{{"type", "work"}, {"value", kEmulatorUserName}, {"primary", true}}};
    // The groups the user is directly in (identity/groups_service.cpp keeps them).
    auto groups = nlohmann::ordered_json::array();
    const nlohmann::json me = {{"type", "user"}, {"name", kEmulatorUserName}};
    for (const auto& [name, group] : context_.store.list(kGroupKind)) {
      const auto members = group.value("members", nlohmann::json::array());
      if (std::find(members.begin(), members.end(), me) == members.end()) continue;
      const std::string id = group.value("id", std::string());
      groups.push_back(
          {{"display", name}, {"type", "direct"}, {"value", id}, {"$ref", "Groups/" + id}});
    }
    body["groups"] = groups;
    return json_response(200, body);
  });
}

}  // namespace dbk::emulator
