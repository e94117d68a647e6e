#include "server/request_policy.hpp"

#include <algorithm>
#include <cctype>

#include "dbk/internal/text.hpp"

namespace dbk::emulator {
namespace {

using internal::ascii_lower;

// "h", "h:1", "[::1]", "[::1]:1" → the host, lower case, brackets removed; "" when the
// text is not of that shape (a port that is not all digits, stray brackets).
std::string host_part(std::string_view text) {
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return "";
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "";
      port = rest.substr(1);
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
    if (host.find_first_of("[]") != std::string_view::npos) return "";
  }
  if (!std::all_of(port.begin(), port.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return "";
  }
  return ascii_lower(host);
}

// The host of "scheme://host[:port][/...]"; "" for anything else ("null", no scheme).
std::string url_host(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  return host_part(rest);
}

bool is_state_changing(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// JSON the way the clients label it (the SDKs: application/json, the legacy CLI:
// text/json) and multipart/form-data (the legacy CLI's `dbfs put` of a file, the Python
// SDK's workspace upload), and application/octet-stream (the raw bytes the Go CLI sends
// to workspace-files/import-file: a browser asks first with a CORS preflight, which the
// emulator never grants). text/plain and form-urlencoded, which a web page may send
// without a preflight, are not among them.
bool client_content_type(const Request& request) {
  return request.declares_json() || request.is_multipart() ||
         request.content_type() == "application/octet-stream";
}

}  // namespace

RequestPolicy::RequestPolicy(bool token_configured, const std::string& bound_host,
                             const std::string& external_url)
    : token_configured_(token_configured) {
  for (const char* host : {"localhost", "127.0.0.1", "::1"}) allow_host(host);
  allow_host(host_part(bound_host.find(':') != std::string::npos && bound_host.front() != '['
                           ? "[" + bound_host + "]"
                           : bound_host));
  if (!external_url.empty()) allow_host(url_host(external_url));
}

void RequestPolicy::allow_host(std::string host) {
  host = ascii_lower(host);
  if (host.empty() || std::find(hosts_.begin(), hosts_.end(), host) != hosts_.end()) return;
  hosts_.push_back(std::move(host));
}

bool RequestPolicy::allowed_host(const std::string& host_and_port) const {
  std::string host = host_part(host_and_port);
  return !host.empty() && std::find(hosts_.begin(), hosts_.end(), host) != hosts_.end();
}

bool RequestPolicy::allowed_origin(const std::string& origin) const {
  std::string host = url_host(origin);
  return !host.empty() && std::find(hosts_.begin(), hosts_.end(), host) != hosts_.end();
}

std::optional<Response> RequestPolicy::check(const Request& request) const {
  if (token_configured_) return std::nullopt;
  {
    // A missing Host (HTTP/1.0 tools) cannot come from a browser, so it is no rebinding.
    if (auto host = request.header("Host"); host && !allowed_host(*host)) {
      return error_response(403, "PERMISSION_DENIED",
                            "Host '" + *host +
                                "' is not this emulator's address. Without a token the "
                                "emulator answers only requests addressed to localhost or "
                                "the address it listens on.");
    }
    if (auto origin = request.header("Origin"); origin && !allowed_origin(*origin)) {
      return error_response(403, "PERMISSION_DENIED",
                            "Cross-origin requests from '" + *origin +
                                "' are refused. Without a token the emulator answers only "
                                "its own origin (localhost or the address it listens on).");
    }
    if (is_state_changing(request.method) && !request.body.empty() &&
        !client_content_type(request)) {
      return error_response(
          415, "BAD_REQUEST",
          "Content-Type '" + request.content_type() + "' is not accepted for " + request.method +
              " without a token: send the body as application/json (or multipart/form-data "
              "for file uploads).");
    }
  }
  return std::nullopt;
}

}  // namespace dbk::emulator
