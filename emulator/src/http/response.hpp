#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "dbk/api_error.hpp"
#include "dbk/http.hpp"

namespace dbk::emulator {

/// What a handler answers. The server adds Content-Length, Connection and Date.
struct Response {
  int status = 200;
  HttpHeaders headers;
  std::string body;
};

/// `status` with a JSON body (Content-Type: application/json).
Response json_response(int status, const nlohmann::ordered_json& body);
/// 200 `{}`: the answer of every "void" call (docs/reference/rest-api.md §1).
Response empty_response();
/// `{"error_code": "...", "message": "..."}` with `status` (docs/reference/rest-api.md §2.1).
Response error_response(int status, std::string error_code, std::string message);
/// The same from an ApiError built with http_error() (its http_status; 500 if unset).
Response error_response(const ApiError& error);
/// Raw bytes (e.g. export with direct_download=true).
Response bytes_response(int status, std::string body, std::string content_type);

/// `text` with &, <, > and " escaped, for the HTML pages the emulator serves (exports, run views).
std::string html_escape(std::string_view text);

}  // namespace dbk::emulator

/// In a handler: evaluates `expr` (a dbk::Result), answering its error if it failed,
/// else moves its value into `lhs` (a declaration such as `auto path`).
#define DBK_ASSIGN_OR_RESPOND(lhs, expr) \
  DBK_ASSIGN_OR_RESPOND_IMPL(DBK_RESPOND_CONCAT(dbk_result_, __LINE__), lhs, expr)
#define DBK_ASSIGN_OR_RESPOND_IMPL(tmp, lhs, expr)                    \
  auto tmp = (expr);                                                  \
  if (!tmp.ok()) return ::dbk::emulator::error_response(tmp.error()); \
  lhs = std::move(*tmp)
#define DBK_RESPOND_CONCAT(a, b) DBK_RESPOND_CONCAT_INNER(a, b)
#define DBK_RESPOND_CONCAT_INNER(a, b) a##b
/// In a handler: answers the error of a failed dbk::Status.
#define DBK_RETURN_IF_ERROR(expr)                                                     \
  do {                                                                                \
    auto dbk_status = (expr);                                                         \
    if (!dbk_status.ok()) return ::dbk::emulator::error_response(dbk_status.error()); \
  } while (false)
