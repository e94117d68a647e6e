#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// A member or would-be member of a group: exactly one of the two names.
struct GroupPrincipal {
  std::optional<std::string> user_name;
  std::optional<std::string> group_name;
};

/// `groups/list` and `groups/list-parents` answers.
struct GroupNames {
  std::vector<std::string> group_names;
  nlohmann::ordered_json raw;
};

/// `groups/list-members` answer.
struct GroupMembers {
  std::vector<GroupPrincipal> members;
  nlohmann::ordered_json raw;
};

void to_json(nlohmann::ordered_json& j, const GroupPrincipal& principal);
void from_json(const nlohmann::ordered_json& j, GroupPrincipal& principal);

/// `/api/2.0/groups/...` (Groups API 2.0, docs/emulator.md "Groups"). Thread-safe.
class GroupsApi {
 public:
  explicit GroupsApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// The answer, `{"group_name": ...}`.
  Result<nlohmann::ordered_json> create(const std::string& group_name,
                                        const CallContext& context = {}) const;
  Status add_member(const std::string& parent_name, const GroupPrincipal& member,
                    const CallContext& context = {}) const;
  Status remove_member(const std::string& parent_name, const GroupPrincipal& member,
                       const CallContext& context = {}) const;
  Result<GroupNames> list(const CallContext& context = {}) const;
  Result<GroupMembers> list_members(const std::string& group_name,
                                    const CallContext& context = {}) const;
  /// The groups `member` belongs to directly (not through other groups).
  Result<GroupNames> list_parents(const GroupPrincipal& member,
                                  const CallContext& context = {}) const;
  /// `groups/delete`; an empty name is sent as none (the service's error names the field).
  Status remove(const std::string& group_name, const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
