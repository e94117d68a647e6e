#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "dbk/retry_options.hpp"

namespace dbk {

/// A one-way stop switch shared by a caller and the calls it started. `cancel()` is
/// async-signal-safe (an atomic store and a write(2) to a self-pipe), so a SIGINT or
/// SIGTERM handler may call it; a thread blocked in `wait_for` wakes at once. It
/// cannot be reset: use a new one for the next operation.
class Cancellation {
 public:
  Cancellation();
  ~Cancellation();
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  /// Safe from any thread and from a signal handler; idempotent.
  void cancel() noexcept;
  bool is_cancelled() const noexcept { return cancelled_.load(); }
  /// Blocks for `duration` or until cancel(), whichever comes first; true when
  /// cancelled (also when it already was).
  bool wait_for(std::chrono::milliseconds duration) const;

 private:
  static_assert(std::atomic<bool>::is_always_lock_free, "cancel() must be signal-safe");
  std::atomic<bool> cancelled_{false};
  int wake_read_ = -1;  ///< readable once cancelled; -1 when no pipe could be made
  int wake_write_ = -1;
};

/// Per-call controls, the last (defaulted) parameter of every service method, waiter
/// and transfer. It travels through the whole transport stack, so it is honoured
/// while a request is in flight and during back-off and rate-limit sleeps. A default
/// CallContext changes nothing: the client's settings apply.
struct CallContext {
  /// Cancels the call (and any call sharing it) at once: CANCELLED. nullptr = cannot be.
  std::shared_ptr<Cancellation> cancellation;
  /// Absolute deadline for the whole call, retries included: DEADLINE_EXCEEDED.
  std::optional<std::chrono::system_clock::time_point> deadline;
  /// Replaces the client's RetryOptions for this call (e.g. max_attempts = 1: no retry).
  std::optional<RetryOptions> retry;
  /// Longest wait for one HTTP attempt's response; a timed-out attempt is retried like
  /// any timeout. nullopt = the client's http_timeout.
  std::optional<std::chrono::milliseconds> attempt_timeout;

  bool is_cancelled() const { return cancellation && cancellation->is_cancelled(); }

  /// A context whose cancellation can be triggered by the caller.
  static CallContext cancellable() {
    CallContext context;
    context.cancellation = std::make_shared<Cancellation>();
    return context;
  }
  /// This context with its deadline at most `timeout` from now.
  CallContext with_timeout(std::chrono::milliseconds timeout) const {
    CallContext copy = *this;
    auto at = std::chrono::system_clock::now() + timeout;
    if (!copy.deadline || at < *copy.deadline) copy.deadline = at;
    return copy;
  }
};

}  // namespace dbk
