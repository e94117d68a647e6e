#pragma once

#include <chrono>

#include "dbk/call_context.hpp"

namespace dbk::detail {

/// For best-effort clean-up after a failure or a cancel (closing a DBFS handle,
/// removing a temporary file): not cancellable, so it still runs after Ctrl-C, but
/// bounded to a few seconds and one retry, so an interrupted program ends promptly.
inline CallContext cleanup_context() {
  constexpr std::chrono::seconds kBudget{5};
  CallContext context;
  context.deadline = std::chrono::system_clock::now() + kBudget;
  context.attempt_timeout = kBudget;
  RetryOptions retry;
  retry.max_attempts = 2;
  retry.initial_backoff = std::chrono::milliseconds(200);
  retry.total_timeout = kBudget;
  retry.unreachable_timeout = kBudget;
  context.retry = retry;
  return context;
}

}  // namespace dbk::detail
