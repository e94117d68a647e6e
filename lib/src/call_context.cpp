#include "dbk/call_context.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace dbk {

Cancellation::Cancellation() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
  }
}

Cancellation::~Cancellation() {
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

void Cancellation::cancel() noexcept {
  if (cancelled_.exchange(true)) return;
  if (wake_write_ >= 0) {
    const char byte = 1;
    const int saved = errno;  // a signal handler must leave errno as it found it
    [[maybe_unused]] auto written = ::write(wake_write_, &byte, 1);
    errno = saved;
  }
}

bool Cancellation::wait_for(std::chrono::milliseconds duration) const {
  using std::chrono::milliseconds;
  const auto end = std::chrono::steady_clock::now() + duration;
  while (!is_cancelled()) {
    auto left = std::chrono::duration_cast<milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (wake_read_ < 0) {
      // No pipe (descriptors exhausted): poll the flag in short slices instead.
      std::this_thread::sleep_for(std::min(left, milliseconds(20)));
      continue;
    }
    // The byte is never read: once cancelled the pipe stays readable for every waiter.
    pollfd fd{wake_read_, POLLIN, 0};
    int timeout_ms = static_cast<int>(std::min<long long>(left.count(), 1 << 30));
    if (::poll(&fd, 1, timeout_ms) < 0 && errno != EINTR) {
      std::this_thread::sleep_for(std::min(left, milliseconds(20)));
    }
  }
  return true;
}

}  // namespace dbk
