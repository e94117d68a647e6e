#pragma once

#include <atomic>

namespace dbk::cli {

/// Routes SIGINT/SIGTERM to a flag while alive, so that long operations (waiting for
/// a run, copying files) can stop cleanly: cancel the run, remove their temporaries.
/// Restores the previous handlers when destroyed (or on restore()), so a second
/// Ctrl-C afterwards ends the process.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  void restore();
  /// Set once SIGINT or SIGTERM arrived; lock-free, so the handler may set it.
  static const std::atomic<bool>& flag();
  static bool interrupted() { return flag().load(); }

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
  bool restored_ = false;
};

}  // namespace dbk::cli
