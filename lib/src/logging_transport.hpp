#pragma once

#include <memory>
#include <string>

#include "dbk/client.hpp"

namespace dbk::detail {

/// Decorator writing a wire log to `sink`: "> GET url", request headers and
/// body, "< 200 OK (12 ms)", response headers and body. Credentials are
/// redacted (Authorization keeps only its scheme: "Bearer ***"; token, secret
/// and password JSON fields and form values become "***") and bodies are cut
/// at `max_body_bytes`.
std::shared_ptr<Transport> make_logging_transport(std::shared_ptr<Transport> next, LogSink sink,
                                                  std::shared_ptr<Clock> clock,
                                                  size_t max_body_bytes = 2048);

/// A header value as it may appear in a log.
std::string redact_header(const std::string& name, const std::string& value);
/// A body as it may appear in a log: secrets masked, long strings and the whole cut.
std::string redact_body(const std::string& body, const std::string& content_type, size_t max_bytes);

}  // namespace dbk::detail
