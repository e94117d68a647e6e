#pragma once

#include "dbk/call_context.hpp"

namespace dbk::cli {

/// While alive, SIGINT and SIGTERM cancel a CallContext instead of ending the process:
/// the handler only calls Cancellation::cancel (async-signal-safe), and every call,
/// back-off sleep and poll running under the context stops at once. The previous
/// handlers come back on restore() or destruction. One scope at a time.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  /// The context to run the interruptible work under.
  const CallContext& context() const { return context_; }
  /// True once SIGINT or SIGTERM arrived.
  bool interrupted() const { return context_.is_cancelled(); }
  /// After an interrupt: a fresh context that the next signal cancels, for clean-up
  /// work that a second Ctrl-C must still be able to abandon.
  CallContext rearm();
  /// Restores the previous handlers (a later Ctrl-C ends the process as usual).
  void restore();

 private:
  CallContext context_;
  CallContext clean_up_;
  bool restored_ = false;
};

}  // namespace dbk::cli
