#include "auth/auth_transport.hpp"
#include "dbk/base64.hpp"

namespace dbk::detail {
namespace {

// Sets one header to a fixed value on every request.
class FixedHeaderTransport final : public Transport {
 public:
  FixedHeaderTransport(std::shared_ptr<Transport> next, std::string name, std::string value)
      : next_(std::move(next)), name_(std::move(name)), value_(std::move(value)) {}

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override {
    HttpRequest stamped = request;
    set_header(stamped.headers, name_, value_);
    return next_->send(stamped, context);
  }

 private:
  std::shared_ptr<Transport> next_;
  std::string name_;
  std::string value_;
};

}  // namespace

std::shared_ptr<Transport> make_fixed_header(std::shared_ptr<Transport> next, std::string name,
                                             std::string value) {
  return std::make_shared<FixedHeaderTransport>(std::move(next), std::move(name), std::move(value));
}

std::shared_ptr<Transport> make_pat_auth(std::shared_ptr<Transport> next, std::string token) {
  return make_fixed_header(std::move(next), "Authorization", "Bearer " + token);
}

std::shared_ptr<Transport> make_basic_auth(std::shared_ptr<Transport> next, std::string username,
                                           std::string password) {
  return make_fixed_header(std::move(next), "Authorization",
                           "Basic " + base64_encode(username + ":" + password));
}

Result<std::shared_ptr<Transport>> make_auth_transport(std::shared_ptr<Transport> next,
                                                       const Config& config,
                                                       std::shared_ptr<Clock> clock) {
  auto type = config.effective_auth_type();
  if (type.empty()) return next;
  if (type == "pat") {
    if (config.token.empty()) {
      return make_error(error_codes::kConfigError, "auth_type pat needs a token");
    }
    return make_pat_auth(std::move(next), config.token);
  }
  if (type == "basic") {
    if (config.username.empty() || config.password.empty()) {
      return make_error(error_codes::kConfigError,
                        "auth_type basic needs a username and a password");
    }
    return make_basic_auth(std::move(next), config.username, config.password);
  }
  if (type == "oauth-m2m") {
    if (config.client_id.empty() || config.client_secret.empty()) {
      return make_error(error_codes::kConfigError,
                        "auth_type oauth-m2m needs a client_id and a client_secret");
    }
    return make_oauth_m2m_auth(std::move(next), config.host, config.client_id, config.client_secret,
                               std::move(clock));
  }
  return make_error(error_codes::kConfigError,
                    "auth_type " + type + " is not supported; use pat, basic or oauth-m2m");
}

}  // namespace dbk::detail
