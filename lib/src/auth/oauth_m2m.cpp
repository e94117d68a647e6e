#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

#include "auth/auth_transport.hpp"
#include "dbk/base64.hpp"
#include "dbk/json.hpp"
#include "error_parser.hpp"

namespace dbk::detail {
namespace {

using std::chrono::seconds;

constexpr const char* kTokenPath = "/oidc/v1/token";  // docs/reference/rest-api.md §4.5
constexpr seconds kDefaultLifetime{3600};
constexpr seconds kRefreshMargin{60};

class OAuthM2MTransport final : public Transport {
 public:
  OAuthM2MTransport(std::shared_ptr<Transport> next, std::string host, std::string client_id,
                    std::string client_secret, std::shared_ptr<Clock> clock)
      : next_(std::move(next)),
        token_url_(std::move(host) + kTokenPath),
        client_id_(std::move(client_id)),
        client_secret_(std::move(client_secret)),
        clock_(clock ? std::move(clock) : system_clock()) {}

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override {
    bool fresh = false;
    auto authorization = authorization_header(context, /*force_refresh=*/false, fresh);
    if (!authorization) return std::move(authorization).error();
    HttpRequest authorized = request;
    set_header(authorized.headers, "Authorization", *authorization);
    auto response = next_->send(authorized, context);
    // A cached token can be revoked before it expires: fetch a new one once.
    if (response && response->status == 401 && !fresh) {
      authorization = authorization_header(context, /*force_refresh=*/true, fresh);
      if (!authorization) return std::move(authorization).error();
      set_header(authorized.headers, "Authorization", *authorization);
      response = next_->send(authorized, context);
    }
    return response;
  }

 private:
  // The mutex is held during the fetch on purpose: concurrent callers wait for
  // one token request instead of stampeding the token endpoint.
  Result<std::string> authorization_header(const CallContext& context, bool force_refresh,
                                           bool& fresh) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = clock_->now();
    if (!force_refresh && !authorization_.empty() && now < refresh_at_) return authorization_;
    auto status = fetch_token(context, now);
    if (!status) return std::move(status).error();
    fresh = true;
    return authorization_;
  }

  Status fetch_token(const CallContext& context, std::chrono::system_clock::time_point now) {
    HttpRequest request;
    request.method = "POST";
    request.url = token_url_;
    request.headers = {
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Accept", "application/json"},
        {"Authorization", "Basic " + base64_encode(client_id_ + ":" + client_secret_)}};
    request.body = "grant_type=client_credentials&scope=all-apis";
    request.idempotency = Idempotency::kIdempotent;  // a second token does no harm
    auto response = next_->send(request, context);
    if (!response) {
      ApiError error = std::move(response).error();
      error.message =
          "cannot get an OAuth token from " + redact_url(token_url_) + ": " + error.message;
      return error;
    }
    if (response->status < 200 || response->status >= 300) {
      ApiError error = parse_api_error(*response, "POST", kTokenPath);
      error.message = "the token endpoint refused client id " + client_id_ + ": " + error.message;
      return error;
    }
    auto parsed = parse_json(response->body);
    nlohmann::json json = parsed ? std::move(*parsed) : nlohmann::json();
    auto token = json.is_object() ? json.find("access_token") : json.end();
    if (!json.is_object() || token == json.end() || !token->is_string() ||
        token->get<std::string>().empty()) {
      ApiError error = make_error(
          error_codes::kInvalidResponse,
          looks_like_html(response->body)
              ? "the token endpoint " + redact_url(token_url_) +
                    " answered with a web page instead of a token; is the host the workspace URL?"
              : "the token endpoint " + redact_url(token_url_) +
                    " answered without an access_token");
      error.http_status = response->status;
      error.method = "POST";
      error.path = kTokenPath;
      return error;
    }
    std::string type = json.value("token_type", std::string("Bearer"));
    if (type.empty()) type = "Bearer";
    seconds lifetime = kDefaultLifetime;
    if (auto it = json.find("expires_in"); it != json.end()) {
      if (it->is_number()) lifetime = seconds(it->get<long long>());
      if (it->is_string()) lifetime = seconds(std::atoll(it->get<std::string>().c_str()));
    }
    // Refresh a minute early, or halfway through a token shorter than two minutes.
    seconds margin = std::min(kRefreshMargin, lifetime / 2);
    authorization_ = type + " " + token->get<std::string>();
    refresh_at_ = now + lifetime - margin;
    return {};
  }

  std::shared_ptr<Transport> next_;
  std::string token_url_;
  std::string client_id_;
  std::string client_secret_;
  std::shared_ptr<Clock> clock_;
  std::mutex mutex_;
  std::string authorization_;
  std::chrono::system_clock::time_point refresh_at_;
};

}  // namespace

std::shared_ptr<Transport> make_oauth_m2m_auth(std::shared_ptr<Transport> next, std::string host,
                                               std::string client_id, std::string client_secret,
                                               std::shared_ptr<Clock> clock) {
  while (!host.empty() && host.back() == '/') host.pop_back();
  return std::make_shared<OAuthM2MTransport>(std::move(next), std::move(host), std::move(client_id),
                                             std::move(client_secret), std::move(clock));
}

}  // namespace dbk::detail
