#include "util/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace dbk::cli {
namespace {

// What the handler cancels; the scope keeps the object alive while it is installed.
std::atomic<Cancellation*> g_target{nullptr};
static_assert(std::atomic<Cancellation*>::is_always_lock_free);

struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

extern "C" void on_interrupt(int) {
  if (Cancellation* target = g_target.load()) target->cancel();
}

}  // namespace

InterruptScope::InterruptScope() : context_(CallContext::cancellable()) {
  g_target.store(context_.cancellation.get());
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptScope::~InterruptScope() {
  restore();
}

CallContext InterruptScope::rearm() {
  clean_up_ = CallContext::cancellable();
  if (!restored_) g_target.store(clean_up_.cancellation.get());
  return clean_up_;
}

void InterruptScope::restore() {
  if (restored_) return;
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
  g_target.store(nullptr);
  restored_ = true;
}

}  // namespace dbk::cli
