#pragma once

#include <mutex>

#include "identity/principals.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// SCIM 2.0 Users and ServicePrincipals (/api/2.0/preview/scim/v2/{Users,ServicePrincipals}:
/// list with filter, attributes, sortBy and paging; get; create; PUT; PATCH; DELETE) and
/// Me, the authenticated user (the emulator has a single user whatever the token, so that
/// clients find their `/Users/<userName>` folder). Durable in the store; group memberships
/// are kept in the group documents that identity/groups_service.cpp serves, so a user's
/// `groups` and a group's `members` always agree (docs/emulator.md, "SCIM").
class ScimService : public Service {
 public:
  explicit ScimService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;
  void recover() override;
  void reset() override { recover(); }

  /// What distinguishes the two resource types.
  struct Kind;

 private:
  Response list(const Kind& kind, const Request& request);
  Response get(const Kind& kind, const Request& request);
  Response create(const Kind& kind, const Request& request);
  Response replace(const Kind& kind, const Request& request);
  Response patch(const Kind& kind, const Request& request);
  Response remove(const Kind& kind, const Request& request);

  ServiceContext& context_;
};

}  // namespace dbk::emulator
