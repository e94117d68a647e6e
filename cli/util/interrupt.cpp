#include "util/interrupt.hpp"

#include <csignal>

namespace dbk::cli {
namespace {

// Set from the SIGINT/SIGTERM handler; lock-free, so async-signal-safe.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
}

}  // namespace

InterruptScope::InterruptScope() {
  g_interrupted.store(false);
  previous_int_ = std::signal(SIGINT, on_interrupt);
  previous_term_ = std::signal(SIGTERM, on_interrupt);
}

InterruptScope::~InterruptScope() {
  restore();
}

void InterruptScope::restore() {
  if (restored_) return;
  std::signal(SIGINT, previous_int_ == SIG_ERR ? SIG_DFL : previous_int_);
  std::signal(SIGTERM, previous_term_ == SIG_ERR ? SIG_DFL : previous_term_);
  restored_ = true;
}

const std::atomic<bool>& InterruptScope::flag() {
  return g_interrupted;
}

}  // namespace dbk::cli
