#pragma once

#include <cstdint>
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

/// `token/create` request: both fields optional (no lifetime = the token never expires).
struct CreateTokenRequest {
  std::optional<std::int64_t> lifetime_seconds;
  std::optional<std::string> comment;
};

/// A token as `token/list` shows it: never its value.
struct TokenInfo {
  std::string token_id;
  std::int64_t creation_time = 0;  ///< epoch ms
  std::int64_t expiry_time = -1;   ///< epoch ms; -1 = never
  std::string comment;
  nlohmann::ordered_json raw;
};

/// `token/create` answer: the only time the value is shown.
struct CreatedToken {
  std::string token_value;
  TokenInfo token_info;
  nlohmann::ordered_json raw;
};

struct TokenList {
  std::vector<TokenInfo> token_infos;
  nlohmann::ordered_json raw;
};

void to_json(nlohmann::ordered_json& j, const CreateTokenRequest& request);
void from_json(const nlohmann::ordered_json& j, TokenInfo& info);
void to_json(nlohmann::ordered_json& j, const TokenInfo& info);

/// `/api/2.0/token/...` (Token API 2.0, docs/emulator.md "Tokens"). Thread-safe.
class TokensApi {
 public:
  explicit TokensApi(std::shared_ptr<const detail::ApiCaller> caller);

  Result<CreatedToken> create(const CreateTokenRequest& request,
                              const CallContext& context = {}) const;
  Result<TokenList> list(const CallContext& context = {}) const;
  /// `token/delete`: the token stops authenticating at once.
  Status revoke(const std::string& token_id, const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
