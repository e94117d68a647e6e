#pragma once

#include <nlohmann/json.hpp>

#include "dbk/result.hpp"

namespace dbk::detail {

/// For "void" calls: the service answers {} on success (see
/// docs/reference/rest-api.md §0.1), so only the error matters.
inline Status to_status(const Result<nlohmann::ordered_json>& response) {
  if (!response) return response.error();
  return {};
}

/// The Status of a delete. When a retry after a lost response (ApiError::replayed)
/// finds nothing to delete, the lost first attempt deleted it: that is success.
inline Status to_delete_status(const Result<nlohmann::ordered_json>& response) {
  if (!response && response.error().replayed && response.error().is_not_found()) return {};
  return to_status(response);
}

}  // namespace dbk::detail
