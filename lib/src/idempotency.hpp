#pragma once

#include <cstddef>
#include <string>

namespace dbk::detail {

/// `2 × bytes` lowercase hex digits from a cryptographic source (OpenSSL
/// RAND_bytes, falling back to std::random_device).
std::string random_hex(std::size_t bytes);

/// A fresh run-now / runs-submit idempotency_token: 32 hex digits, well under
/// the 64-character limit (reference databricks-api.md §0.4).
inline std::string make_idempotency_token() {
  return random_hex(16);
}

}  // namespace dbk::detail
