#include "transport_stack.hpp"

#include <algorithm>
#include <cctype>

#include "auth/auth_transport.hpp"
#include "dbk/version.hpp"
#include "logging_transport.hpp"
#include "rate_limiter.hpp"

namespace dbk::detail {
namespace {

// Stands in for a stack that could not be built, so the error reaches the caller.
class FailingTransport final : public Transport {
 public:
  explicit FailingTransport(ApiError error) : error_(std::move(error)) {}
  Result<HttpResponse> send(const HttpRequest&, const CallContext&) override { return error_; }

 private:
  ApiError error_;
};

// User-Agent values are restricted to [A-Za-z0-9_.+-] (docs/reference/rest-api.md §4.7).
std::string sanitize(const std::string& value) {
  std::string out = value;
  for (auto& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '+' &&
        c != '-') {
      c = '-';
    }
  }
  return out;
}

}  // namespace

std::string make_user_agent(const std::string& product, const std::string& auth_type) {
  std::string head = "dbk/" DBK_VERSION;
  std::string extra = product;
  if (product.rfind("dbk/", 0) == 0) {  // "dbk/0.1.0 cmd/jobs_run-now": keep its product
    auto space = product.find(' ');
    head = product.substr(0, space);
    extra = space == std::string::npos ? std::string() : product.substr(space + 1);
  }
  std::string agent = head + " os/linux";
  if (!auth_type.empty()) agent += " auth/" + sanitize(auth_type);
  if (!extra.empty()) agent += " " + extra;
  return agent;
}

std::shared_ptr<Transport> make_transport_stack(const ClientOptions& options) {
  const Config& config = options.config;
  auto clock = options.clock ? options.clock : system_clock();
  auto sleeper = options.sleeper ? options.sleeper : real_sleeper();

  std::shared_ptr<Transport> stack = options.transport;
  if (!stack) {
    TransportOptions transport_options;
    transport_options.verify_tls = !config.insecure;
    transport_options.http_timeout = config.http_timeout;
    stack = make_cpprest_transport(transport_options);
  }
  if (options.log) stack = make_logging_transport(stack, options.log, clock);
  RetryOptions retry = options.retry;
  // Both default to 5 minutes; whichever the user lowered wins.
  retry.total_timeout =
      std::min<std::chrono::milliseconds>(retry.total_timeout, config.retry_timeout);
  stack = make_retrying_transport(stack, retry, clock, sleeper);
  stack = make_rate_limiting_transport(stack, config.rate_limit, clock, sleeper);
  stack = make_fixed_header(stack, "User-Agent",
                            make_user_agent(options.user_agent, config.effective_auth_type()));
  auto authed = make_auth_transport(stack, config, clock);
  if (!authed) return std::make_shared<FailingTransport>(std::move(authed).error());
  return *authed;
}

}  // namespace dbk::detail
