#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/http_body.hpp"
#include "dbk/result.hpp"

namespace dbk {

/// Header list in wire order; lookups are case-insensitive.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive header lookup; returns the first match.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);
/// Replaces (or appends) a header, case-insensitively.
void set_header(HttpHeaders& headers, std::string name, std::string value);

/// Standard reason phrase ("Not Found"); "" for an unknown status.
std::string_view http_reason_phrase(int status);

/// Percent-encodes everything except RFC 3986 unreserved characters
/// (so '/' becomes %2F and ' ' becomes %20); for query keys and values.
std::string url_encode(std::string_view text);

/// Pieces of an absolute http(s) URL. `port` is the explicit port or the
/// scheme's default; `path` starts with '/' (or is empty); `query` has no '?'.
struct UrlParts {
  std::string scheme;  ///< "http" or "https", lower case
  std::string host;
  int port = 0;
  std::string path;
  std::string query;
};
/// Splits an absolute http(s) URL; nullopt when it is not one.
std::optional<UrlParts> parse_url(std::string_view url);

/// Whether sending a request again after an unknown outcome (a lost connection, a
/// 502/504 from a gateway) is safe. The API method that builds a request declares it,
/// since only the method knows; the retry loop asks nothing else (docs/library.md).
enum class Idempotency {
  kNonIdempotent,  ///< a replay could do the work twice (a second job, an appended block)
  kIdempotent,     ///< safe by nature: reads, deletes, settings replaced whole
  kByToken,        ///< made safe by an idempotency token the service deduplicates on
};

/// `url` as it may be printed (logs, errors, progress lines): userinfo becomes "***"
/// ("http://user:pw@h/x" → "http://***@h/x") and secret-looking query values become
/// "***". Every place dbk prints a URL goes through this one function.
std::string redact_url(std::string_view url);

struct HttpRequest {
  std::string method;  ///< "GET", "POST", ...
  std::string url;     ///< absolute: scheme://host[:port][/prefix]/api/2.0/...?query
  HttpHeaders headers;
  HttpBody body;  ///< shared by the request's copies, never copied byte by byte
  /// Undeclared means unsafe: only a refusal (429, 503) is retried.
  Idempotency idempotency = Idempotency::kNonIdempotent;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  /// Set by the retrying transport when an earlier attempt of this request may have
  /// reached the server and done its work (its response was lost, or was a 502/504):
  /// an error such as RESOURCE_ALREADY_EXISTS may then describe that work.
  bool replayed = false;
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
