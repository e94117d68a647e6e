#include "rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "request_error.hpp"

namespace dbk::detail {
namespace {

class RateLimitingTransport final : public Transport {
 public:
  RateLimitingTransport(std::shared_ptr<Transport> next, double rate, std::shared_ptr<Clock> clock,
                        std::shared_ptr<Sleeper> sleeper)
      : next_(std::move(next)),
        rate_(rate),
        burst_(std::max(1.0, rate)),
        clock_(clock ? std::move(clock) : system_clock()),
        sleeper_(sleeper ? std::move(sleeper) : real_sleeper()),
        tokens_(burst_),
        last_(clock_->now()) {}

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override {
    std::chrono::milliseconds wait{0};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto now = clock_->now();
      double elapsed = std::chrono::duration<double>(now - last_).count();
      if (elapsed > 0) {
        tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
        last_ = now;
      }
      if (tokens_ < 1.0) {
        wait = std::chrono::milliseconds(
            static_cast<long long>(std::ceil((1.0 - tokens_) / rate_ * 1000.0)));
        if (context.deadline && now + wait > *context.deadline) {
          return request_error(error_codes::kTimeout,
                               "deadline exceeded while waiting for the client-side rate limit "
                               "(rate_limit " +
                                   std::to_string(rate_) + " requests/s)",
                               request);
        }
      }
      tokens_ -= 1.0;  // reserve now: later callers queue behind this one
    }
    if (wait.count() > 0 && !sleeper_->sleep_for(wait, context.cancellation.get())) {
      return cancelled_error(request);
    }
    return next_->send(request, context);
  }

 private:
  std::shared_ptr<Transport> next_;
  const double rate_;
  const double burst_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
  std::mutex mutex_;
  double tokens_;
  std::chrono::system_clock::time_point last_;
};

}  // namespace

std::shared_ptr<Transport> make_rate_limiting_transport(std::shared_ptr<Transport> next,
                                                        double requests_per_second,
                                                        std::shared_ptr<Clock> clock,
                                                        std::shared_ptr<Sleeper> sleeper) {
  if (!(requests_per_second > 0) || !std::isfinite(requests_per_second)) return next;
  return std::make_shared<RateLimitingTransport>(std::move(next), requests_per_second,
                                                 std::move(clock), std::move(sleeper));
}

}  // namespace dbk::detail
