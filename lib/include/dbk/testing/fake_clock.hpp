#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "dbk/clock.hpp"

namespace dbk::testing {

/// A Clock that moves only when told to. Starts at 2026-01-01T00:00:00Z.
class FakeClock : public Clock {
 public:
  FakeClock();
  explicit FakeClock(std::chrono::system_clock::time_point start);

  std::chrono::system_clock::time_point now() const override;
  void set(std::chrono::system_clock::time_point now);
  void advance(std::chrono::milliseconds duration);

 private:
  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point now_;
};

/// A Sleeper that returns at once, advancing a FakeClock and recording each sleep.
/// A sleep whose cancellation is already triggered records nothing and returns false;
/// one cancelled by the on_sleep callback (standing for "during the sleep") returns false.
class FakeSleeper : public Sleeper {
 public:
  explicit FakeSleeper(std::shared_ptr<FakeClock> clock);

  bool sleep_for(std::chrono::milliseconds duration,
                 const Cancellation* cancellation = nullptr) override;
  std::vector<std::chrono::milliseconds> sleeps() const;
  /// Called after each sleep (e.g. to cancel a call from "another thread").
  void on_sleep(std::function<void(std::chrono::milliseconds)> callback);

 private:
  std::shared_ptr<FakeClock> clock_;
  mutable std::mutex mutex_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::function<void(std::chrono::milliseconds)> callback_;
};

}  // namespace dbk::testing
