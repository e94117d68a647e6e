#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>

#include "dbk/json.hpp"
#include "dbk/retry.hpp"
#include "error_parser.hpp"

namespace dbk {
namespace {

using std::chrono::milliseconds;

// POSTs that create something each time they run (reference databricks-api.md §2.4):
// replaying one after a lost response could start a second run or a second handle.
constexpr std::string_view kNonIdempotentPosts[] = {
    "/jobs/create", "/jobs/run-now", "/jobs/runs/submit", "/dbfs/create", "/dbfs/add-block"};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool carries_idempotency_token(const std::string& body) {
  if (body.find("idempotency_token") == std::string::npos) return false;  // skip parsing
  auto json = parse_json(body);
  if (!json || !json->is_object()) return false;
  auto it = json->find("idempotency_token");
  return it != json->end() && it->is_string() && !it->get<std::string>().empty();
}

// True when sending the request twice has the effect of sending it once.
bool is_replay_safe(const HttpRequest& request) {
  const auto& method = request.method;
  if (method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
      method == "DELETE") {
    return true;
  }
  if (method != "POST") return false;
  auto url = parse_url(request.url);
  std::string path = url ? url->path : request.url.substr(0, request.url.find('?'));
  while (!path.empty() && path.back() == '/') path.pop_back();
  for (auto suffix : kNonIdempotentPosts) {
    if (ends_with(path, suffix)) return carries_idempotency_token(request.body);
  }
  return true;
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
    const bool replay_safe = is_replay_safe(request);
    const auto start = clock_->now();
    const auto budget_end = start + options_.total_timeout;
    const auto unreachable_end =
        start + std::min(options_.unreachable_timeout, options_.total_timeout);
    bool replayed = false;  // an earlier attempt may have done the work
    for (int attempt = 1;; ++attempt) {
      if (context.is_cancelled()) return cancelled(request);
      auto result = next_->send(request, context);
      if (replayed) mark_replayed(result);
      replayed = replayed || may_have_been_applied(result);
      if (!should_retry(result, replay_safe)) return result;
      if (options_.max_attempts > 0 && attempt >= options_.max_attempts) return result;

      const auto now = clock_->now();
      milliseconds delay = backoff(attempt);
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
      if (!sleep(delay, context)) return cancelled(request);
    }
  }

 private:
  // min(max_backoff, initial × multiplier^(attempt-1)), spread by ±25 % of jitter
  // so that parallel clients do not retry in lock-step (a jitter of 0.5 is exact).
  milliseconds backoff(int attempt) const {
    double nominal = static_cast<double>(options_.initial_backoff.count()) *
                     std::pow(options_.backoff_multiplier, attempt - 1);
    nominal = std::min(nominal, static_cast<double>(options_.max_backoff.count()));
    double factor = std::clamp(options_.jitter(), 0.0, 1.0);
    return milliseconds(std::llround(std::max(0.0, nominal * (0.75 + 0.5 * factor))));
  }

  // Sleeps in short slices when the call can be cancelled so that a cancel
  // stops the wait promptly; false when cancelled.
  bool sleep(milliseconds delay, const CallContext& context) {
    if (!context.cancelled) {
      sleeper_->sleep_for(delay);
      return true;
    }
    constexpr milliseconds kSlice{200};
    while (delay.count() > 0) {
      if (context.is_cancelled()) return false;
      auto step = std::min(delay, kSlice);
      sleeper_->sleep_for(step);
      delay -= step;
    }
    return !context.is_cancelled();
  }

  static std::string path_of(const HttpRequest& request) {
    auto url = parse_url(request.url);
    return url ? url->path : request.url.substr(0, request.url.find('?'));
  }

  static ApiError cancelled(const HttpRequest& request) {
    ApiError error = make_error(error_codes::kCancelled, "the call was cancelled");
    error.method = request.method;
    error.path = path_of(request);
    return error;
  }

  static ApiError deadline_exceeded(const HttpRequest& request, const Result<HttpResponse>& last) {
    std::string last_text =
        last ? detail::parse_api_error(*last, request.method, path_of(request)).to_string()
             : last.error().to_string();
    ApiError error = make_error(error_codes::kTimeout,
                                "deadline exceeded while retrying; last error: " + last_text);
    error.method = request.method;
    error.path = path_of(request);
    return error;
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
