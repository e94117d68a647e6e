#include "dbk/clock.hpp"

#include <thread>

#include "dbk/call_context.hpp"

namespace dbk {
namespace {

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
};

class RealSleeper final : public Sleeper {
 public:
  bool sleep_for(std::chrono::milliseconds duration, const Cancellation* cancellation) override {
    if (cancellation != nullptr) return !cancellation->wait_for(duration);
    if (duration.count() > 0) std::this_thread::sleep_for(duration);
    return true;
  }
};

}  // namespace

std::shared_ptr<Clock> system_clock() {
  static const auto clock = std::make_shared<SystemClock>();
  return clock;
}

std::shared_ptr<Sleeper> real_sleeper() {
  static const auto sleeper = std::make_shared<RealSleeper>();
  return sleeper;
}

}  // namespace dbk
