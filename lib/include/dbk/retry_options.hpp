#pragma once

#include <chrono>
#include <functional>

namespace dbk {

/// Retry settings (docs/library.md, "Retries, deadlines and idempotency"): 429, 503,
/// 502, 504 and connection failures are retried; Retry-After is honoured; otherwise
/// capped exponential backoff with jitter; everything within an overall budget.
/// Set per client (ClientOptions::retry) or per call (CallContext::retry).
struct RetryOptions {
  /// Tries including the first; 0 = no count limit, only `total_timeout` bounds the
  /// call, as in the official SDKs (a 429 storm with Retry-After: 0 burns tries fast).
  int max_attempts = 0;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{10000};
  double backoff_multiplier = 2.0;
  std::chrono::milliseconds total_timeout{300000};  ///< overall budget per call
  /// The shorter budget while no connection can be made at all (refused,
  /// unreachable, unknown host; ApiError::is_unreachable): a wrong host or port
  /// fails within seconds, while a server that is restarting still gets a few
  /// tries. Any other retryable failure uses `total_timeout`.
  std::chrono::milliseconds unreachable_timeout{10000};
  /// Returns a factor in [0, 1) scaling the jitter; injectable for tests.
  std::function<double()> jitter;
};

}  // namespace dbk
