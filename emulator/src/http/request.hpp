#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/http.hpp"
#include "dbk/result.hpp"

namespace dbk::emulator {

/// One HTTP request as the handlers see it. Built by the server; read-only for handlers.
struct Request {
  std::string method;  ///< upper case: "GET", "POST", ...
  std::string target;  ///< raw request target, with query
  std::string path;    ///< percent-decoded path, no query ("/api/2.0/dbfs/list")
  std::multimap<std::string, std::string> query;  ///< percent-decoded ('+' = space)
  HttpHeaders headers;                            ///< wire order; use header() to look up
  std::string body;                               ///< raw bytes
  /// What a trailing `*` of the route pattern matched ("" otherwise); set by the Router.
  std::string path_tail;

  /// Case-insensitive header lookup (first match).
  std::optional<std::string> header(std::string_view name) const;
  /// First value of a query parameter.
  std::optional<std::string> query_param(std::string_view name) const;
  /// Media type of Content-Type, lower case, without parameters ("application/json"); "" if none.
  std::string content_type() const;
  /// Any JSON-ish content type (application/json, text/json, *+json) or none at all;
  /// docs/reference/rest-api.md §1 (the legacy CLI sends text/json).
  bool has_json_body() const;
  /// Content-Type says JSON: application/json, text/json or *+json.
  bool declares_json() const;
  bool is_multipart() const { return content_type() == "multipart/form-data"; }
};

/// Builds an ApiError that handlers return and the framework turns into
/// `{"error_code": code, "message": message}` with `status` (see error_response).
ApiError http_error(int status, std::string error_code, std::string message);

// The real service's 400s for bad input (docs/reference/rest-api.md §2.2).
ApiError invalid_parameter(std::string message);  ///< 400 INVALID_PARAMETER_VALUE
ApiError malformed_request(std::string message);  ///< 400 MALFORMED_REQUEST
ApiError not_found(std::string message);          ///< 404 RESOURCE_DOES_NOT_EXIST
ApiError already_exists(std::string message);     ///< 400 RESOURCE_ALREADY_EXISTS

/// Parses JSON a client sent (a body, a form field, an uploaded notebook) through
/// dbk::parse_json: nested deeper than dbk::kMaxJsonDepth → 400 INVALID_PARAMETER_VALUE,
/// not JSON → 400 MALFORMED_REQUEST with `what` naming the text.
Result<nlohmann::json> parse_client_json(std::string_view text,
                                         std::string_view what = "the body of the request");
/// The depth refusal alone, without parsing: nullopt when `text` is not nested too deeply.
std::optional<ApiError> too_deep_json(std::string_view text);

/// Parses a boolean the way the service does: case-insensitive "true"/"false"
/// (Python's `True` from the legacy CLI's forms, docs/reference/rest-api.md §7); nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);

/// Request parameters with typed, validating accessors. POST bodies come from JSON
/// (types checked strictly: a string where a number is expected is a 400), GET/DELETE
/// parameters from the query string (every value is text, so numbers and booleans are
/// parsed from it). Errors name the field, as the real service does.
class Params {
 public:
  /// GET/HEAD/DELETE → query; otherwise the JSON body (empty body = {}). A body that is
  /// not JSON or not an object → 400 MALFORMED_REQUEST. Query parameters are merged in
  /// under the JSON fields for POSTs too (some clients send both).
  static Result<Params> from_request(const Request& request);
  static Params from_json(nlohmann::json object);
  static Params from_query(const std::multimap<std::string, std::string>& query);

  bool has(std::string_view field) const;
  const nlohmann::json& json() const { return object_; }

  /// Missing → 400 INVALID_PARAMETER_VALUE "Missing required field: <field>".
  Result<std::string> required_string(std::string_view field) const;
  Result<std::optional<std::string>> optional_string(std::string_view field) const;
  Result<std::int64_t> required_int64(std::string_view field) const;
  Result<std::optional<std::int64_t>> optional_int64(std::string_view field) const;
  Result<bool> optional_bool(std::string_view field, bool fallback) const;
  /// Any JSON value (object/array) as sent; nullopt when absent or null.
  std::optional<nlohmann::json> optional_json(std::string_view field) const;

 private:
  explicit Params(nlohmann::json object, bool from_text)
      : object_(std::move(object)), from_text_(from_text) {}
  nlohmann::json object_;
  bool from_text_ = false;  ///< values came from a query string (all strings)
};

/// One part of a multipart/form-data body.
struct FormPart {
  std::string name;
  std::string filename;  ///< empty for plain fields
  std::string content_type;
  /// The part's bytes inside the request's body (not copied: an upload's file part
  /// can be up to 2 GB); valid while that request lives.
  std::string_view data;
};

/// Splits a multipart/form-data body (boundary from the Content-Type header);
/// 400 MALFORMED_REQUEST when it cannot be parsed. The parts point into `request.body`.
Result<std::vector<FormPart>> parse_multipart(const Request& request);

}  // namespace dbk::emulator
