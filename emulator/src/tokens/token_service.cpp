#include "tokens/token_service.hpp"

#include <openssl/crypto.h>

#include "http/member_handler.hpp"
#include "tokens/random_secret.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr const char* kTokenKind = "token";
// The service's per-user quota (its QUOTA_EXCEEDED error).
constexpr std::size_t kMaxTokens = 600;

bool expired(const json& token, std::int64_t now_ms) {
  const auto expiry = token.value("expiry_time", std::int64_t{-1});
  return expiry >= 0 && expiry <= now_ms;
}

// In the service's key order.
nlohmann::ordered_json token_info(const json& token) {
  return {{"token_id", token.value("token_id", std::string())},
          {"creation_time", token.value("creation_time", std::int64_t{0})},
          {"expiry_time", token.value("expiry_time", std::int64_t{-1})},
          {"comment", token.value("comment", std::string())}};
}

}  // namespace

void TokenService::register_routes(Router& router) {
  router.add("POST", "/api/2.0/token/create", member_handler(this, &TokenService::create));
  router.add("GET", "/api/2.0/token/list", member_handler(this, &TokenService::list));
  router.add("POST", "/api/2.0/token/delete", member_handler(this, &TokenService::revoke));
}

bool TokenService::authenticates(const std::string& value) const {
  if (value.empty()) return false;
  const std::string hash = sha256_hex(value);
  const auto now = context_.clock.now_ms();
  for (const auto& [id, token] : context_.store.list(kTokenKind)) {
    const std::string stored = token.value("sha256", std::string());
    if (stored.size() == hash.size() &&
        CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) == 0) {
      return !expired(token, now);
    }
  }
  return false;
}

Response TokenService::create(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto lifetime, params.optional_int64("lifetime_seconds"));
  DBK_ASSIGN_OR_RESPOND(auto comment, params.optional_string("comment"));
  constexpr std::int64_t kMaxLifetimeSeconds = std::int64_t{1} << 40;  // no overflow in ms
  if (lifetime && *lifetime > kMaxLifetimeSeconds) {
    return error_response(invalid_parameter("lifetime_seconds is too large"));
  }
  auto id = random_hex(32);
  auto secret = random_hex(16);
  if (!id || !secret) {
    return error_response(500, "INTERNAL_ERROR", "no random bytes for a new token");
  }
  const std::string value = "dapi" + *secret;
  const auto now = context_.clock.now_ms();
  // No lifetime (or not a positive one) = a token that never expires, as on the service.
  const std::int64_t expiry = lifetime && *lifetime > 0 ? now + *lifetime * 1000 : -1;
  json token = {{"token_id", *id},
                {"creation_time", now},
                {"expiry_time", expiry},
                {"comment", comment.value_or("")},
                {"sha256", sha256_hex(value)}};
  Status stored = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    std::size_t live = 0;
    for (const auto& [key, existing] : tx.list(kTokenKind)) {
      if (!expired(existing, now)) ++live;
    }
    if (live >= kMaxTokens) {
      return http_error(400, "QUOTA_EXCEEDED",
                        "Cannot create more than 600 tokens; revoke some first.");
    }
    // Keyed by a counter, so that lists come in creation order.
    tx.put(kTokenKind, std::to_string(tx.next_id(kTokenKind)), token);
    return {};
  });
  if (!stored) return error_response(stored.error());
  nlohmann::ordered_json body;
  body["token_value"] = value;
  body["token_info"] = token_info(token);
  return json_response(200, body);
}

Response TokenService::list(const Request&) {
  const auto now = context_.clock.now_ms();
  auto infos = nlohmann::ordered_json::array();
  for (const auto& [id, token] : context_.store.list(kTokenKind)) {
    if (!expired(token, now)) infos.push_back(token_info(token));
  }
  return json_response(200, nlohmann::ordered_json{{"token_infos", infos}});
}

Response TokenService::revoke(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto id, params.required_string("token_id"));
  Status removed = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    for (const auto& [key, token] : tx.list(kTokenKind)) {
      if (token.value("token_id", std::string()) != id) continue;
      tx.erase(kTokenKind, key);
      return {};
    }
    return not_found("Token with id " + id + " does not exist.");
  });
  return removed ? empty_response() : error_response(removed.error());
}

}  // namespace dbk::emulator
