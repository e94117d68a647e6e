#pragma once

#include <iosfwd>
#include <string>

#include "dbk/api_error.hpp"

namespace dbk::cli {

/// The one-line text form: `Error: CODE: message (HTTP 404, GET /api/2.0/...)`,
/// with a hint for configuration errors. Never contains credentials.
std::string error_text(const ApiError& error, const std::string& program);

/// The `-o json` form: {"error_code", "message", "http_status", "method", "path"}.
std::string error_json(const ApiError& error);

void print_error(std::ostream& err, const ApiError& error, const std::string& program, bool json);

}  // namespace dbk::cli
