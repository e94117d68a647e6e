#pragma once

#include <memory>
#include <string>

#include "dbk/client.hpp"

namespace dbk::detail {

/// Builds the Client's transport stack, outermost first:
///   auth → user agent → rate limit → retry → logging → base transport
/// (base = options.transport, else cpprestsdk with TLS/timeouts from the config).
/// Auth sits on top so the OAuth token request itself is rate limited, retried
/// and logged (redacted). A config the stack cannot honour (e.g. an unknown
/// auth_type) yields a transport that fails every call with that CONFIG_ERROR,
/// so errors stay values.
std::shared_ptr<Transport> make_transport_stack(const ClientOptions& options);

/// "dbk/<version> os/linux auth/<type>" plus the caller's product part
/// (docs/reference/rest-api.md §4.7). A product part starting with "dbk/"
/// replaces the default product.
std::string make_user_agent(const std::string& product, const std::string& auth_type);

}  // namespace dbk::detail
