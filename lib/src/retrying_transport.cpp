#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>

#include "dbk/retry.hpp"
#include "error_parser.hpp"
#include "request_error.hpp"

namespace dbk {
namespace {

using std::chrono::milliseconds;

// The request's own declaration (HttpRequest::idempotency) is the only source.
bool is_replay_safe(const HttpRequest& request) {
  return request.idempotency != Idempotency::kNonIdempotent;
}

// 429 and 503 mean the server refused before doing any work, so even an unsafe
// request may be sent again; 502/504 and lost connections may hide a success.
bool should_retry(const Result<HttpResponse>& result, bool replay_safe) {
  if (result) {
    int status = result->status;
    if (status == 429 || status == 503) return true;
    return replay_safe && (status == 502 || status == 504);
  }
  const auto& code = result.error().error_code;
  return replay_safe && (code == error_codes::kConnectionError || code == error_codes::kTimeout);
}

// A failed attempt that may still have reached the server and done its work.
bool may_have_been_applied(const Result<HttpResponse>& result) {
  if (result) return result->status == 502 || result->status == 504;
  const auto& error = result.error();
  return (error.error_code == error_codes::kConnectionError ||
          error.error_code == error_codes::kTimeout) &&
         !error.is_unreachable();
}

void mark_replayed(Result<HttpResponse>& result) {
  if (result) {
    result->replayed = true;
    return;
  }
  ApiError error = std::move(result).error();
  error.replayed = true;
  result = std::move(error);
}

double default_jitter() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

class RetryingTransport final : public Transport {
 public:
  RetryingTransport(std::shared_ptr<Transport> next, RetryOptions options,
                    std::shared_ptr<Clock> clock, std::shared_ptr<Sleeper> sleeper)
      : next_(std::move(next)),
        options_(std::move(options)),
        clock_(clock ? std::move(clock) : system_clock()),
        sleeper_(sleeper ? std::move(sleeper) : real_sleeper()) {
    if (!options_.jitter) options_.jitter = default_jitter;
  }

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override {
    const RetryOptions& options = context.retry ? *context.retry : options_;
    const bool replay_safe = is_replay_safe(request);
    const auto start = clock_->now();
    const auto budget_end = start + options.total_timeout;
    const auto unreachable_end =
        start + std::min(options.unreachable_timeout, options.total_timeout);
    bool replayed = false;  // an earlier attempt may have done the work
    for (int attempt = 1;; ++attempt) {
      if (context.is_cancelled()) return detail::cancelled_error(request);
      auto result = next_->send(request, context);
      if (replayed) mark_replayed(result);
      replayed = replayed || may_have_been_applied(result);
      if (!should_retry(result, replay_safe)) return result;
      if (options.max_attempts > 0 && attempt >= options.max_attempts) return result;

      const auto now = clock_->now();
      milliseconds delay = backoff(options, attempt);
      if (result) {
        if (auto retry_after = detail::parse_retry_after(result->headers, now)) {
          delay = *retry_after;
        }
      }
      if (context.deadline && now + delay > *context.deadline) {
        return deadline_exceeded(request, result);
      }
      // Budget spent: report the last failure as it was.
      const bool unreachable = !result && result.error().is_unreachable();
      if (now + delay > (unreachable ? unreachable_end : budget_end)) return result;
      if (!sleeper_->sleep_for(delay, context.cancellation.get())) {
        return detail::cancelled_error(request);
      }
    }
  }

 private:
  // min(max_backoff, initial × multiplier^(attempt-1)), spread by ±25 % of jitter
  // so that parallel clients do not retry in lock-step (a jitter of 0.5 is exact).
  static milliseconds backoff(const RetryOptions& options, int attempt) {
    double nominal = static_cast<double>(options.initial_backoff.count()) *
                     std::pow(options.backoff_multiplier, attempt - 1);
    nominal = std::min(nominal, static_cast<double>(options.max_backoff.count()));
    double factor = std::clamp(options.jitter ? options.jitter() : default_jitter(), 0.0, 1.0);
    return milliseconds(std::llround(std::max(0.0, nominal * (0.75 + 0.5 * factor))));
  }

  static ApiError deadline_exceeded(const HttpRequest& request, const Result<HttpResponse>& last) {
    std::string last_text =
        last ? detail::parse_api_error(*last, request.method, detail::request_path(request))
                   .to_string()
             : last.error().to_string();
    return detail::request_error(error_codes::kTimeout,
                                 "deadline exceeded while retrying; last error: " + last_text,
                                 request);
  }

  std::shared_ptr<Transport> next_;
  RetryOptions options_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Sleeper> sleeper_;
};

}  // namespace

std::shared_ptr<Transport> make_retrying_transport(std::shared_ptr<Transport> next,
                                                   RetryOptions options,
                                                   std::shared_ptr<Clock> clock,
                                                   std::shared_ptr<Sleeper> sleeper) {
  return std::make_shared<RetryingTransport>(std::move(next), std::move(options), std::move(clock),
                                             std::move(sleeper));
}

}  // namespace dbk
