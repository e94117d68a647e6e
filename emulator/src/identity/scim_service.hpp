#pragma once

#include "identity/principals.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// GET /api/2.0/preview/scim/v2/Me: the authenticated user, so that clients can find
/// their default `/Users/<userName>` folder (dbk jobs --var defaults, the SDK's
/// `current_user.me()`). The emulator has a single user whatever the token.
class ScimService : public Service {
 public:
  explicit ScimService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  ServiceContext& context_;
};

}  // namespace dbk::emulator
