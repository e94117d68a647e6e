#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/tokens.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/token/";
}  // namespace

void to_json(nlohmann::ordered_json& j, const CreateTokenRequest& request) {
  j = nlohmann::ordered_json::object();
  if (request.lifetime_seconds) j["lifetime_seconds"] = *request.lifetime_seconds;
  if (request.comment) j["comment"] = *request.comment;
}

void from_json(const nlohmann::ordered_json& j, TokenInfo& info) {
  info.token_id = detail::string_field(j, "token_id");
  info.creation_time = detail::int_field(j, "creation_time");
  info.expiry_time = detail::optional_int_field(j, "expiry_time").value_or(-1);
  info.comment = detail::string_field(j, "comment");
  info.raw = j;
}

void to_json(nlohmann::ordered_json& j, const TokenInfo& info) {
  if (info.raw.is_object()) {
    j = info.raw;
    return;
  }
  j = nlohmann::ordered_json{{"token_id", info.token_id},
                             {"creation_time", info.creation_time},
                             {"expiry_time", info.expiry_time},
                             {"comment", info.comment}};
}

TokensApi::TokensApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Result<CreatedToken> TokensApi::create(const CreateTokenRequest& request,
                                       const CallContext& context) const {
  // A replay would mint a second token, and the first one's value would be lost.
  auto response = caller_->post(std::string(kBase) + "create", nlohmann::ordered_json(request),
                                Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  CreatedToken created;
  created.token_value = detail::string_field(*response, "token_value");
  if (created.token_value.empty()) {
    return make_error(error_codes::kInvalidResponse, "token/create returned no token_value");
  }
  from_json(detail::object_field(*response, "token_info"), created.token_info);
  created.raw = std::move(*response);
  return created;
}

Result<TokenList> TokensApi::list(const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "list", {}, context);
  if (!response) return std::move(response).error();
  if (!response->is_object()) {
    return make_error(error_codes::kInvalidResponse, "token/list did not return an object");
  }
  TokenList list;
  list.token_infos = detail::list_field<TokenInfo>(*response, "token_infos");
  list.raw = std::move(*response);
  return list;
}

Status TokensApi::revoke(const std::string& token_id, const CallContext& context) const {
  return detail::to_delete_status(caller_->post(
      std::string(kBase) + "delete", {{"token_id", token_id}}, Idempotency::kIdempotent, context));
}

}  // namespace dbk
