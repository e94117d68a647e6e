#include "dbk/testing/fake_clock.hpp"

#include "dbk/call_context.hpp"

namespace dbk::testing {

// 2026-01-01T00:00:00Z: a fixed start keeps test output reproducible.
FakeClock::FakeClock() : now_(std::chrono::system_clock::from_time_t(1767225600)) {}

FakeClock::FakeClock(std::chrono::system_clock::time_point start) : now_(start) {}

std::chrono::system_clock::time_point FakeClock::now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

void FakeClock::set(std::chrono::system_clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ = now;
}

void FakeClock::advance(std::chrono::milliseconds duration) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ += duration;
}

FakeSleeper::FakeSleeper(std::shared_ptr<FakeClock> clock) : clock_(std::move(clock)) {}

bool FakeSleeper::sleep_for(std::chrono::milliseconds duration, const Cancellation* cancellation) {
  if (cancellation != nullptr && cancellation->is_cancelled()) return false;
  std::function<void(std::chrono::milliseconds)> callback;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sleeps_.push_back(duration);
    callback = callback_;
  }
  if (clock_ && duration.count() > 0) clock_->advance(duration);
  if (callback) callback(duration);
  return cancellation == nullptr || !cancellation->is_cancelled();
}

std::vector<std::chrono::milliseconds> FakeSleeper::sleeps() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sleeps_;
}

void FakeSleeper::on_sleep(std::function<void(std::chrono::milliseconds)> callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  callback_ = std::move(callback);
}

}  // namespace dbk::testing
