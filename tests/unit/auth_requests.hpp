// What the auth transports' tests send and check: a bare request, and the Authorization
// header a transport put on it.
#pragma once

#include <string>
#include <utility>

#include "dbk/http.hpp"

/// A GET of `url` without headers or body, as a client hands it to an auth transport.
inline dbk::HttpRequest get_request(std::string url) {
  return dbk::HttpRequest{"GET", std::move(url), {}, ""};
}

/// The Authorization header of `request`; empty when there is none.
inline std::string authorization_of(const dbk::HttpRequest& request) {
  return dbk::find_header(request.headers, "Authorization").value_or("");
}
