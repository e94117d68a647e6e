#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "dbk/http.hpp"

namespace dbk::detail {

/// `2 × bytes` lowercase hex digits from a cryptographic source (OpenSSL
/// RAND_bytes, falling back to std::random_device).
std::string random_hex(std::size_t bytes);

/// A fresh run-now / runs-submit idempotency_token: 32 hex digits, well under
/// the 64-character limit (docs/reference/rest-api.md §0.4).
inline std::string make_idempotency_token() {
  return random_hex(16);
}

/// kByToken when `body` carries a non-empty idempotency_token (run-now, runs/submit:
/// the service then returns the run it already started), else kNonIdempotent.
inline Idempotency idempotency_by_token(const nlohmann::ordered_json& body) {
  if (!body.is_object()) return Idempotency::kNonIdempotent;
  auto it = body.find("idempotency_token");
  const bool has_token = it != body.end() && it->is_string() && !it->get<std::string>().empty();
  return has_token ? Idempotency::kByToken : Idempotency::kNonIdempotent;
}

}  // namespace dbk::detail
