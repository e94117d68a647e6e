#pragma once

#include <string>

#include "dbk/api_error.hpp"
#include "dbk/http.hpp"

namespace dbk::detail {

/// The URL path of a request (without host and query), for error messages.
inline std::string request_path(const HttpRequest& request) {
  auto url = parse_url(request.url);
  return url ? url->path : request.url.substr(0, request.url.find('?'));
}

/// An error about `request` that never got (or gave up on) a response: the code and
/// message, plus the request's method and URL path for the caller's message.
inline ApiError request_error(const char* code, std::string message, const HttpRequest& request) {
  ApiError error = make_error(code, std::move(message));
  error.method = request.method;
  error.path = request_path(request);
  return error;
}

/// CANCELLED for a request whose CallContext was cancelled.
inline ApiError cancelled_error(const HttpRequest& request) {
  return request_error(error_codes::kCancelled, "the call was cancelled", request);
}

}  // namespace dbk::detail
