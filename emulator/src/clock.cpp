#include "clock.hpp"

#include <algorithm>
#include <vector>

namespace dbk::emulator {
namespace {

std::int64_t real_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::int64_t EmulatedClock::now_ms() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return real_now_ms() + offset_ms_;
}

std::chrono::system_clock::time_point EmulatedClock::now() const {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms()));
}

std::int64_t EmulatedClock::offset_ms() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return offset_ms_;
}

bool EmulatedClock::advance(std::int64_t ms) {
  if (ms < 0) return false;
  if (ms == 0) return true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // now stays within [0, kMaxEpochMs] (plus the real time since a set), far from the
    // int64 limits, so this difference cannot overflow.
    if (ms > kMaxEpochMs - (real_now_ms() + offset_ms_)) return false;
    offset_ms_ += ms;
    ++generation_;
  }
  notify_all_changed();
  return true;
}

bool EmulatedClock::set(std::int64_t epoch_ms) {
  if (epoch_ms < 0 || epoch_ms > kMaxEpochMs) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    offset_ms_ = epoch_ms - real_now_ms();
    ++generation_;
  }
  notify_all_changed();
  return true;
}

bool EmulatedClock::set_offset(std::int64_t offset_ms) {
  const std::int64_t real = real_now_ms();
  if (offset_ms < -real || offset_ms > kMaxEpochMs - real) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  offset_ms_ = offset_ms;
  return true;
}

bool EmulatedClock::sleep_until(std::int64_t deadline_ms, std::chrono::milliseconds max_real_wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto real_limit = std::chrono::steady_clock::now() + max_real_wait;
  const std::uint64_t start_generation = generation_;
  while (true) {
    std::int64_t remaining = deadline_ms - (real_now_ms() + offset_ms_);
    if (remaining <= 0) return true;
    if (generation_ != start_generation) return false;  // changed: let the caller re-check
    auto wake = std::min(real_limit,
                         std::chrono::steady_clock::now() + std::chrono::milliseconds(remaining));
    if (changed_.wait_until(lock, wake) == std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= real_limit) {
      return real_now_ms() + offset_ms_ >= deadline_ms;
    }
  }
}

void EmulatedClock::interrupt() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
  }
  changed_.notify_all();
}

std::uint64_t EmulatedClock::add_listener(Listener listener) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::uint64_t id = next_listener_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void EmulatedClock::remove_listener(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  listeners_.erase(id);
}

void EmulatedClock::notify_all_changed() {
  changed_.notify_all();
  std::vector<Listener> listeners;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const auto& listener : listeners) listener();
}

}  // namespace dbk::emulator
