#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbk/result.hpp"

namespace dbk {

/// Header list in wire order; lookups are case-insensitive.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive header lookup; returns the first match.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);
/// Replaces (or appends) a header, case-insensitively.
void set_header(HttpHeaders& headers, std::string name, std::string value);

struct HttpRequest {
  std::string method;  ///< "GET", "POST", ...
  std::string url;     ///< absolute: scheme://host[:port][/prefix]/api/2.0/...?query
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

/// Per-call controls that travel through the transport stack.
struct CallContext {
  /// Overall deadline for the call including retries; nullopt = no deadline.
  std::optional<std::chrono::system_clock::time_point> deadline;
  /// Set to true from any thread to abandon the call (best effort).
  std::shared_ptr<std::atomic<bool>> cancelled;

  bool is_cancelled() const { return cancelled && cancelled->load(); }
};

/// The one seam between dbk and the network. An HTTP error status is *not* a
/// transport error: any response that arrived is returned as a value, and only
/// failures to get a response (connect, TLS, timeout, cancel) are ApiErrors.
/// Implementations must be thread-safe and shareable through shared_ptr.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) = 0;
};

/// TLS and connection settings of the default (cpprestsdk) transport.
struct TransportOptions {
  bool verify_tls = true;  ///< turned off only by an explicit opt-in (`insecure`/`skip_verify`)
  std::chrono::seconds http_timeout{60};
  std::string ca_file;    ///< extra trusted CA bundle (PEM), optional
  std::string proxy_url;  ///< explicit proxy; empty = read HTTPS_PROXY/NO_PROXY
};

/// The production transport, backed by cpprestsdk.
std::shared_ptr<Transport> make_cpprest_transport(const TransportOptions& options = {});

}  // namespace dbk
