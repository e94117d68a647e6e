#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "dbk/result.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace dbk::emulator {

/// What the server asks of the application, in two steps so that injected latency can
/// be waited for on a timer instead of blocking a server thread.
class RequestDispatcher {
 public:
  struct Plan {
    std::chrono::milliseconds delay{0};  ///< wait this long before answering
    std::optional<Response> response;    ///< set = answer this and skip handle()
  };
  virtual ~RequestDispatcher() = default;
  virtual Plan plan(Request& request) = 0;
  virtual Response handle(Request& request) = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  ///< 0 = any free port
  int threads = 4;
  std::string tls_cert_file;  ///< both set = HTTPS only
  std::string tls_key_file;
  std::size_t body_limit = 64 * 1024 * 1024;  ///< larger bodies get 413
  std::size_t header_limit = 64 * 1024;       ///< larger headers get 431
  std::chrono::seconds idle_timeout{60};      ///< keep-alive / header read
  std::chrono::seconds body_timeout{300};     ///< reading one request body
  std::chrono::seconds write_timeout{300};    ///< writing one response
};

/// How long the server waits before accepting again after accept() found no free
/// descriptor (EMFILE/ENFILE) or memory: retrying at once would fail the same way and burn
/// a core, while clients wait in the listen backlog.
inline constexpr std::chrono::milliseconds kAcceptBackoff{100};

/// HTTP/1.1 server on Boost.Beast: one io_context run by a pool of threads, keep-alive,
/// limits and timeouts so that no client can hang or crash it. Prints nothing.
class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> start(const ServerOptions& options,
                                                   RequestDispatcher& dispatcher);
  virtual ~HttpServer() = default;
  virtual int port() const = 0;
  virtual bool tls() const = 0;
  /// How many times accept() failed for lack of descriptors or memory (or with another
  /// error that is not about one connection). Each failure is followed by a back-off
  /// (kAcceptBackoff), so this grows by about ten a second while the shortage lasts
  /// instead of as fast as the CPU can retry.
  virtual std::uint64_t accept_backoffs() const = 0;
  /// Stops accepting, drops connections and joins the threads. Idempotent.
  virtual void stop() = 0;
};

/// Splits a request target into a decoded path and decoded query parameters.
void parse_target(const std::string& target, std::string& path,
                  std::multimap<std::string, std::string>& query);

}  // namespace dbk::emulator
