#include "identity/scim_service.hpp"

#include <nlohmann/json.hpp>

#include "http/response.hpp"

namespace dbk::emulator {

void ScimService::register_routes(Router& router) {
  (void)context_;
  router.add("GET", "/api/2.0/preview/scim/v2/Me", [](const Request&) {
    // The fields the SDKs read (id, userName, displayName, active, emails), in the
    // service's shape.
    nlohmann::ordered_json body;
    body["schemas"] = {"urn:ietf:params:scim:schemas:core:2.0:User"};
    body["id"] = "1";
    body["userName"] = kEmulatorUserName;
    body["displayName"] = "dbk emulator";
    body["active"] = true;
    body["emails"] = {{{"type", "work"}, {"value", kEmulatorUserName}, {"primary", true}}};
    return json_response(200, body);
  });
}

}  // namespace dbk::emulator
