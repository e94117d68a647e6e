#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace dbk::emulator {

/// The emulator's notion of "now": real time plus an offset that the admin surface
/// controls (POST /__dbk/clock). Every timestamp the API returns comes from here, and
/// everything that waits for time to pass (run durations, timeouts, handle expiry)
/// waits on it, so a test can jump forward instead of sleeping. Thread-safe.
class EmulatedClock {
 public:
  using Listener = std::function<void()>;

  /// Milliseconds since the Unix epoch, emulated.
  std::int64_t now_ms() const;
  std::chrono::system_clock::time_point now() const;

  std::int64_t offset_ms() const;
  /// Moves emulated time forward by `ms` (time never runs back through advance) and wakes
  /// every waiter and listener.
  /// Returns false, changing nothing, when the result would leave [0, kMaxEpochMs].
  bool advance(std::int64_t ms);
  /// Sets emulated now to `epoch_ms` (may go back) and wakes everyone.
  bool set(std::int64_t epoch_ms);  ///< false (no change) outside [0, kMaxEpochMs]
  /// Restores an offset (after restart / reset) without waking anyone.
  /// False (no change) when it would put now outside [0, kMaxEpochMs].
  bool set_offset(std::int64_t offset_ms);

  /// The latest emulated time: the end of year 9999, as far as ISO dates and the
  /// service's int64 millisecond timestamps both go. Far below INT64_MAX, so sums of
  /// the clock and any offset or timeout the API accepts cannot overflow.
  static constexpr std::int64_t kMaxEpochMs = 253402300799999;

  /// Blocks until emulated now ≥ `deadline_ms`, or `max_real_wait` of real time has
  /// passed, or interrupt() is called. Returns true when the deadline was reached.
  /// Callers loop, re-checking their own conditions; clock changes wake them at once.
  bool sleep_until(std::int64_t deadline_ms, std::chrono::milliseconds max_real_wait);
  /// Wakes every sleep_until (e.g. on shutdown) without changing time.
  void interrupt();

  /// Called (on the admin's thread, after the change) whenever the clock is advanced or
  /// set, for components with their own wait loops. Returns an id for remove_listener.
  std::uint64_t add_listener(Listener listener);
  void remove_listener(std::uint64_t id);

 private:
  void notify_all_changed();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t offset_ms_ = 0;
  std::uint64_t generation_ = 0;  ///< bumped by every change and interrupt
  std::uint64_t next_listener_id_ = 1;
  std::map<std::uint64_t, Listener> listeners_;
};

}  // namespace dbk::emulator
