#pragma once

#include <nlohmann/json.hpp>

#include "dbk/result.hpp"

namespace dbk::detail {

/// For "void" calls: the service answers {} on success (reference
/// databricks-api.md §0.1), so only the error matters.
inline Status to_status(const Result<nlohmann::ordered_json>& response) {
  if (!response) return response.error();
  return {};
}

}  // namespace dbk::detail
