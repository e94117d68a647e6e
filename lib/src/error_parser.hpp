#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dbk/api_error.hpp"
#include "dbk/http.hpp"

namespace dbk::detail {

/// Turns an HTTP error response into an ApiError, with every fallback of
/// docs/reference/rest-api.md §2.1 (JSON, API 1.2, SCIM, `CODE: message`
/// text, HTML, empty body). `method`/`path` are copied into the error.
/// Retry-After HTTP-dates without a Date header are taken relative to `now`.
ApiError parse_api_error(const HttpResponse& response, std::string method, std::string path,
                         std::chrono::system_clock::time_point now);
ApiError parse_api_error(const HttpResponse& response, std::string method, std::string path);

/// The Databricks error code implied by an HTTP status alone (§2.2 fallback):
/// 404 → NOT_FOUND, 503 → TEMPORARILY_UNAVAILABLE, ...
std::string error_code_for_status(int status);

/// Retry-After as a delay: integer seconds, or an HTTP-date taken relative to
/// the response's Date header (else `now`). nullopt when absent or unparsable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    const HttpHeaders& headers, std::chrono::system_clock::time_point now);

/// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the weekday being optional.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// True when a body is an HTML page rather than an API answer.
bool looks_like_html(std::string_view body);
/// True when an HTML page looks like a sign-in page (a login redirect).
bool looks_like_login_page(std::string_view body);
/// The readable gist of an HTML page: its <pre> text, else its <title>.
std::string html_summary(std::string_view body);

}  // namespace dbk::detail
