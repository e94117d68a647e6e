#include "api_caller.hpp"

#include <cctype>

#include "dbk/json.hpp"
#include "error_parser.hpp"

namespace dbk::detail {
namespace {

bool is_success(int status) {
  return status >= 200 && status < 300;
}

bool is_blank(std::string_view text) {
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Path of a URL without host (and its path prefix) and query, for error messages.
std::string path_of(const std::string& host, const std::string& url) {
  if (url.compare(0, host.size(), host) == 0 && url.size() > host.size() &&
      url[host.size()] == '/') {
    return url.substr(host.size(), url.find('?', host.size()) - host.size());
  }
  if (auto parts = parse_url(url)) return parts->path;
  return url.substr(0, url.find('?'));
}

// A 2xx answer that is not JSON: usually a wrong host or a login redirect
// (docs/reference/rest-api.md §2.1, §6.3), which the legacy CLI reported as a
// bare JSONDecodeError.
ApiError invalid_response(const HttpResponse& response, std::string method, std::string path) {
  std::string message;
  if (looks_like_html(response.body)) {
    message = looks_like_login_page(response.body)
                  ? "the host answered with a login web page instead of JSON; the host is "
                    "probably not the workspace URL, or the request was redirected to a sign-in "
                    "page because the credentials were not accepted"
                  : "the host answered with a web page (HTML) instead of JSON; probably a wrong "
                    "host or a redirect to a login page";
    if (auto summary = html_summary(response.body); !summary.empty()) {
      message += " (page: \"" + summary.substr(0, 200) + "\")";
    }
  } else {
    auto body = response.body.substr(0, 200);
    message = "the response is not valid JSON: " + body;
    if (response.body.size() > 200) message += "...";
  }
  ApiError error = make_error(error_codes::kInvalidResponse, std::move(message));
  error.http_status = response.status;
  error.method = std::move(method);
  error.path = std::move(path);
  return error;
}

// The JSON of a 2xx answer. Depth-limited: a server's answer (e.g. a job another user
// stored with absurd nesting) must not overflow the stack of every client that reads it.
Result<nlohmann::ordered_json> parse_response(const HttpResponse& response, std::string method,
                                              std::string path) {
  auto json = parse_ordered_json(response.body);
  if (json) return json;
  if (json_nesting_depth(response.body, kMaxJsonDepth) > kMaxJsonDepth) {
    ApiError error = make_error(error_codes::kInvalidResponse,
                                "the response is JSON nested deeper than " +
                                    std::to_string(kMaxJsonDepth) + " levels; not read");
    error.http_status = response.status;
    error.method = std::move(method);
    error.path = std::move(path);
    return error;
  }
  return invalid_response(response, std::move(method), std::move(path));
}

std::string query_string(const Query& query) {
  std::string out;
  char separator = '?';
  for (const auto& [key, value] : query) {
    out += separator;
    out += url_encode(key);
    out += '=';
    out += url_encode(value);
    separator = '&';
  }
  return out;
}

}  // namespace

ApiCaller::ApiCaller(std::string host, std::shared_ptr<Transport> transport)
    : host_(std::move(host)), transport_(std::move(transport)) {
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
}

Result<nlohmann::ordered_json> ApiCaller::get(const std::string& path, const Query& query,
                                              const CallContext& context) const {
  return call("GET", path, query, nullptr, Idempotency::kIdempotent, context);
}

Result<nlohmann::ordered_json> ApiCaller::post(const std::string& path,
                                               const nlohmann::ordered_json& body,
                                               Idempotency idempotency,
                                               const CallContext& context) const {
  return call("POST", path, {}, body, idempotency, context);
}

Result<nlohmann::ordered_json> ApiCaller::call(const std::string& method, const std::string& path,
                                               const Query& query,
                                               const nlohmann::ordered_json& body,
                                               Idempotency idempotency,
                                               const CallContext& context) const {
  HttpRequest request;
  request.method = method;
  request.idempotency = idempotency;
  request.url = host_ + path + query_string(query);
  request.headers.emplace_back("Accept", "application/json");
  if (!body.is_null()) {
    request.headers.emplace_back("Content-Type", "application/json");
    // Invalid UTF-8 in a string must become an error value, not an exception.
    request.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  auto response = send(std::move(request), context);
  if (!response) return std::move(response).error();
  if (is_blank(response->body)) return nlohmann::ordered_json::object();
  return parse_response(*response, method, path);
}

Result<HttpResponse> ApiCaller::send(HttpRequest request, const CallContext& context) const {
  if (!request.url.empty() && request.url.front() == '/') request.url = host_ + request.url;
  if (context.is_cancelled()) {
    ApiError error = make_error(error_codes::kCancelled, "the call was cancelled");
    error.method = request.method;
    error.path = path_of(host_, request.url);
    return error;
  }
  auto response = transport_->send(request, context);
  if (!response) {
    ApiError error = std::move(response).error();
    if (error.method.empty()) error.method = request.method;
    if (error.path.empty()) error.path = path_of(host_, request.url);
    return error;
  }
  if (!is_success(response->status)) {
    ApiError error = parse_api_error(*response, request.method, path_of(host_, request.url));
    error.replayed = response->replayed;
    return error;
  }
  return response;
}

}  // namespace dbk::detail
