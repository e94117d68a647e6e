#pragma once

#include <optional>
#include <string>

#include "service.hpp"

namespace dbk::emulator {

/// Groups and their memberships: the Groups 2.0 API (/api/2.0/groups/*, used by the legacy
/// `groups` commands) and SCIM Groups (/api/2.0/preview/scim/v2/Groups, used by the SDKs),
/// over one durable store (docs/emulator.md, "Groups"). The built-in groups `admins` and
/// `users` always exist and hold the workspace user.
class GroupsService : public Service {
 public:
  explicit GroupsService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;
  void recover() override;
  void reset() override { recover(); }

 private:
  Response create(const Request& request);
  Response change_member(const Request& request, bool add);
  Response list(const Request& request);
  Response list_members(const Request& request);
  Response list_parents(const Request& request);
  Response remove(const Request& request);
  Response scim_list(const Request& request);
  Response scim_create(const Request& request);
  Response scim_get(const Request& request);
  Response scim_patch(const Request& request);
  Response scim_delete(const Request& request);
  /// The display name (store key) of the group with SCIM id `id`.
  std::optional<std::string> name_of_id(const std::string& id) const;
  /// Deletes the group and its memberships in other groups.
  Status delete_group(const std::string& name);

  ServiceContext& context_;
};

}  // namespace dbk::emulator
