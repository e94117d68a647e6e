#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace dbk {

/// An error as a value, and dbk's one status type (library, emulator, scorer, CLI; the kinds
/// in docs/library.md). Service errors have the HTTP status (`http_status != 0`) and the
/// Databricks `error_code` (`RESOURCE_DOES_NOT_EXIST`, ..., derived from the status when the
/// body has none: docs/reference/rest-api.md §2.1/§2.2). `http_status == 0` for the others:
/// transport errors (CONNECTION_ERROR, DEADLINE_EXCEEDED, CANCELLED, INVALID_RESPONSE: the call
/// may not have reached the service) and local ones (any other code: usage, config, I/O, and
/// the scorer's data errors such as PARQUET_CORRUPT), which carry no method or path.
struct ApiError {
  int http_status = 0;
  std::string error_code;
  std::string message;
  nlohmann::json details;  ///< the `details` array of the body, if any
  std::string request_id;
  std::optional<std::chrono::milliseconds> retry_after;  ///< from a Retry-After header
  std::string method;  ///< the request that failed, for messages: "GET"
  std::string path;    ///< "/api/2.0/workspace/list" (no host, no query)
  /// An earlier attempt of the failed request may have done its work on the server
  /// (see HttpResponse::replayed): a non-idempotent step should check for its own
  /// completed work before it reports this error.
  bool replayed = false;

  /// `CODE: message (HTTP 404, GET /api/2.0/...)`; never contains credentials.
  std::string to_string() const;

  bool is_transport_error() const { return http_status == 0; }  // or a local error
  bool is_not_found() const;
  /// The `reason` of the first ErrorInfo in `details`, or "" when there is none.
  std::string reason() const;
  /// No connection could be made at all (refused, unreachable, unknown host): the
  /// request never reached a server, so the host or port is wrong or it is down.
  bool is_unreachable() const;
};

// Error codes for failures that did not come from the service.
namespace error_codes {
inline constexpr const char* kConnectionError = "CONNECTION_ERROR";
inline constexpr const char* kTimeout = "DEADLINE_EXCEEDED";
inline constexpr const char* kCancelled = "CANCELLED";
inline constexpr const char* kInvalidResponse = "INVALID_RESPONSE";
inline constexpr const char* kInvalidArgument = "INVALID_ARGUMENT";
inline constexpr const char* kIoError = "IO_ERROR";
inline constexpr const char* kConfigError = "CONFIG_ERROR";
inline constexpr const char* kNotFound = "RESOURCE_DOES_NOT_EXIST";
}  // namespace error_codes

// ErrorInfo reasons that dbk puts in `details` of a CONNECTION_ERROR, so that a
// wrong or stopped host can be told from a connection lost mid-request.
namespace error_reasons {
inline constexpr const char* kHostUnreachable = "HOST_UNREACHABLE";  ///< connect failed
inline constexpr const char* kHostNotFound = "HOST_NOT_FOUND";       ///< DNS failed
}  // namespace error_reasons

/// Adds `reason` to `error.details` as a google.rpc.ErrorInfo with domain "dbk",
/// the shape Databricks uses for its own reasons.
ApiError with_reason(ApiError error, const std::string& reason);

/// Builds a client-side error (http_status 0).
ApiError make_error(std::string error_code, std::string message);

/// Thrown only by Result<T>::value() for callers who prefer exceptions.
class ApiException : public std::runtime_error {
 public:
  explicit ApiException(ApiError error)
      : std::runtime_error(error.to_string()), error_(std::move(error)) {}
  const ApiError& error() const noexcept { return error_; }

 private:
  ApiError error_;
};

}  // namespace dbk
