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

/// Sleeps; a fake one just advances a fake clock.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

std::shared_ptr<Clock> system_clock();
std::shared_ptr<Sleeper> real_sleeper();

}  // namespace dbk
