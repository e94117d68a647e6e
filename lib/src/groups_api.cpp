#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/groups.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {

constexpr const char* kBase = "/api/2.0/groups/";

Status check_principal(const GroupPrincipal& principal) {
  if (principal.user_name.has_value() == principal.group_name.has_value()) {
    return make_error(error_codes::kInvalidArgument,
                      "give exactly one of a user name and a group name");
  }
  return {};
}

Result<GroupNames> group_names(Result<nlohmann::ordered_json> response, const char* what) {
  if (!response) return std::move(response).error();
  if (!response->is_object()) {
    return make_error(error_codes::kInvalidResponse,
                      std::string(what) + " did not return an object");
  }
  GroupNames names;
  if (auto it = response->find("group_names"); it != response->end() && it->is_array()) {
    for (const auto& name : *it) {
      if (name.is_string()) names.group_names.push_back(name.get<std::string>());
    }
  }
  names.raw = std::move(*response);
  return names;
}

}  // namespace

void to_json(nlohmann::ordered_json& j, const GroupPrincipal& principal) {
  j = nlohmann::ordered_json::object();
  if (principal.user_name) j["user_name"] = *principal.user_name;
  if (principal.group_name) j["group_name"] = *principal.group_name;
}

void from_json(const nlohmann::ordered_json& j, GroupPrincipal& principal) {
  principal.user_name = detail::optional_string_field(j, "user_name");
  principal.group_name = detail::optional_string_field(j, "group_name");
}

GroupsApi::GroupsApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Result<nlohmann::ordered_json> GroupsApi::create(const std::string& group_name,
                                                 const CallContext& context) const {
  // A replay would answer RESOURCE_ALREADY_EXISTS for the group the first attempt made.
  return caller_->post(std::string(kBase) + "create", {{"group_name", group_name}},
                       Idempotency::kNonIdempotent, context);
}

Status GroupsApi::add_member(const std::string& parent_name, const GroupPrincipal& member,
                             const CallContext& context) const {
  if (auto bad = check_principal(member); !bad) return bad;
  nlohmann::ordered_json body = member;
  body["parent_name"] = parent_name;
  // Membership is a set: adding a member twice leaves one membership.
  return detail::to_status(
      caller_->post(std::string(kBase) + "add-member", body, Idempotency::kIdempotent, context));
}

Status GroupsApi::remove_member(const std::string& parent_name, const GroupPrincipal& member,
                                const CallContext& context) const {
  if (auto bad = check_principal(member); !bad) return bad;
  nlohmann::ordered_json body = member;
  body["parent_name"] = parent_name;
  return detail::to_delete_status(
      caller_->post(std::string(kBase) + "remove-member", body, Idempotency::kIdempotent, context));
}

Result<GroupNames> GroupsApi::list(const CallContext& context) const {
  return group_names(caller_->get(std::string(kBase) + "list", {}, context), "groups/list");
}

Result<GroupMembers> GroupsApi::list_members(const std::string& group_name,
                                             const CallContext& context) const {
  auto response =
      caller_->get(std::string(kBase) + "list-members", {{"group_name", group_name}}, context);
  if (!response) return std::move(response).error();
  if (!response->is_object()) {
    return make_error(error_codes::kInvalidResponse,
                      "groups/list-members did not return an object");
  }
  GroupMembers members;
  members.members = detail::list_field<GroupPrincipal>(*response, "members");
  members.raw = std::move(*response);
  return members;
}

Result<GroupNames> GroupsApi::list_parents(const GroupPrincipal& member,
                                           const CallContext& context) const {
  if (auto bad = check_principal(member); !bad) return std::move(bad).error();
  detail::Query query;
  if (member.user_name) query.emplace_back("user_name", *member.user_name);
  if (member.group_name) query.emplace_back("group_name", *member.group_name);
  return group_names(caller_->get(std::string(kBase) + "list-parents", query, context),
                     "groups/list-parents");
}

Status GroupsApi::remove(const std::string& group_name, const CallContext& context) const {
  // An empty name is left out, so that the service names the missing field.
  auto body = nlohmann::ordered_json::object();
  if (!group_name.empty()) body["group_name"] = group_name;
  return detail::to_delete_status(
      caller_->post(std::string(kBase) + "delete", body, Idempotency::kIdempotent, context));
}

}  // namespace dbk
