#pragma once

#include <chrono>
#include <memory>

namespace dbk {

/// Wall clock, injectable so that retry and wait logic can be tested instantly.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

class Cancellation;

/// Sleeps; a fake one just advances a fake clock. Every sleep in dbk (back-off,
/// rate limit, run polling) goes through one, so it can be cut short.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  /// Sleeps for `duration`, returning early when `cancellation` (may be null) is
  /// cancelled; false when it was cancelled, before or during the sleep.
  virtual bool sleep_for(std::chrono::milliseconds duration,
                         const Cancellation* cancellation = nullptr) = 0;
};

std::shared_ptr<Clock> system_clock();
std::shared_ptr<Sleeper> real_sleeper();

}  // namespace dbk
