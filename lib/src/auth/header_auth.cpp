#include "auth/auth_transport.hpp"
#include "dbk/base64.hpp"

namespace dbk::detail {
namespace {

// Adds a fixed Authorization header to every request.
class HeaderAuthTransport final : public Transport {
 public:
  HeaderAuthTransport(std::shared_ptr<Transport> next, std::string authorization)
      : next_(std::move(next)), authorization_(std::move(authorization)) {}

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override {
    HttpRequest authorized = request;
    set_header(authorized.headers, "Authorization", authorization_);
    return next_->send(authorized, context);
  }

 private:
  std::shared_ptr<Transport> next_;
  std::string authorization_;
};

}  // namespace

std::shared_ptr<Transport> make_pat_auth(std::shared_ptr<Transport> next, std::string token) {
  return std::make_shared<HeaderAuthTransport>(std::move(next), "Bearer " + token);
}

std::shared_ptr<Transport> make_basic_auth(std::shared_ptr<Transport> next, std::string username,
                                           std::string password) {
  return std::make_shared<HeaderAuthTransport>(std::move(next),
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
