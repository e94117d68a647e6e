// The production Transport on cpprestsdk (docs/reference/design.md §4). All
// cpprest and PPLX types stay in this file.
#include <cpprest/http_client.h>
#include <cpprest/rawptrstream.h>
#include <pplx/threadpool.h>

#include <algorithm>
#include <boost/asio/ssl.hpp>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>

#include "dbk/http.hpp"
#include "dbk/internal/text.hpp"
#include "dbk/io_threads.hpp"

namespace dbk {
namespace {

namespace http = web::http;
using std::chrono::milliseconds;

using internal::ascii_lower;

std::string env(const char* upper, const char* lower) {
  if (const char* value = std::getenv(upper); value != nullptr && *value != '\0') return value;
  if (const char* value = std::getenv(lower); value != nullptr && *value != '\0') return value;
  return {};
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]";
}

// NO_PROXY: comma-separated host names or domain suffixes, "*" for all.
bool bypasses_proxy(const std::string& host) {
  if (is_loopback(host)) return true;  // the emulator must never go through a proxy
  std::string list = env("NO_PROXY", "no_proxy");
  size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string entry = list.substr(start, end - start);
    entry.erase(std::remove_if(entry.begin(), entry.end(),
                               [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
                entry.end());
    entry = ascii_lower(entry.substr(0, entry.find(':')));
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    if (entry == "*") return true;
    if (!entry.empty() &&
        (host == entry || (host.size() > entry.size() &&
                           host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
                           host[host.size() - entry.size() - 1] == '.'))) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

ApiError transport_error(const char* code, std::string message, const HttpRequest& request,
                         const UrlParts& url) {
  ApiError error = make_error(code, std::move(message));
  error.method = request.method;
  error.path = url.path;
  return error;
}

// What a caller can act on, from the many ways a request can fail below HTTP.
ApiError describe_failure(const std::exception_ptr& failure, const HttpRequest& request,
                          const UrlParts& url, std::chrono::seconds http_timeout) {
  const std::string where = url.host + ":" + std::to_string(url.port);
  try {
    std::rethrow_exception(failure);
  } catch (const pplx::task_canceled&) {
    return transport_error(error_codes::kCancelled, "the request to " + where + " was cancelled",
                           request, url);
  } catch (const http::http_exception& e) {
    const auto& code = e.error_code();
    std::string what = e.what();
    std::string lower = ascii_lower(what + " " + code.message());
    if (code == std::errc::timed_out || lower.find("timed out") != std::string::npos ||
        lower.find("timeout") != std::string::npos) {
      return transport_error(error_codes::kTimeout,
                             "no response from " + where + " within " +
                                 std::to_string(http_timeout.count()) + " s (http_timeout)",
                             request, url);
    }
    if (lower.find("ssl") != std::string::npos || lower.find("certificate") != std::string::npos ||
        lower.find("handshake") != std::string::npos) {
      return transport_error(error_codes::kConnectionError,
                             "TLS with " + where + " failed: " + what +
                                 " (check the host, the CA bundle, or the proxy)",
                             request, url);
    }
    if (lower.find("error resolving") != std::string::npos ||
        lower.find("host not found") != std::string::npos) {
      return with_reason(
          transport_error(error_codes::kConnectionError,
                          "cannot resolve host " + url.host + " (check the host name)", request,
                          url),
          error_reasons::kHostNotFound);
    }
    if (lower.find("failed to connect") != std::string::npos ||
        code == std::errc::connection_refused) {
      // cpprest reports a refused connection as host_unreachable, so the text
      // names both rather than guess which of the two the kernel said.
      std::string why = code ? code.message() : std::string("connection failed");
      if (code == std::errc::connection_refused || code == std::errc::host_unreachable) {
        why = "connection refused or host unreachable";
      }
      return with_reason(transport_error(error_codes::kConnectionError,
                                         "cannot connect to " + where + ": " + why, request, url),
                         error_reasons::kHostUnreachable);
    }
    std::string detail = what;
    if (code && detail.find(code.message()) == std::string::npos) detail += ": " + code.message();
    return transport_error(error_codes::kConnectionError,
                           "request to " + where + " failed: " + detail, request, url);
  } catch (const std::exception& e) {
    return transport_error(error_codes::kConnectionError,
                           "request to " + where + " failed: " + e.what(), request, url);
  } catch (...) {
    return transport_error(error_codes::kConnectionError,
                           "request to " + where + " failed for an unknown reason", request, url);
  }
}

class CppRestTransport final : public Transport {
 public:
  explicit CppRestTransport(TransportOptions options) : options_(std::move(options)) {}

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override {
    auto url = parse_url(request.url);
    if (!url) {
      return make_error(
          error_codes::kInvalidArgument,
          "not an absolute http(s) URL: " + request.url.substr(0, request.url.find('?')));
    }
    if (context.is_cancelled()) {
      return transport_error(error_codes::kCancelled, "the call was cancelled", request, *url);
    }
    if (context.deadline && std::chrono::system_clock::now() >= *context.deadline) {
      return transport_error(error_codes::kTimeout, "deadline exceeded before the request was sent",
                             request, *url);
    }
    std::shared_ptr<http::client::http_client> client;
    try {
      client = client_for(*url);
    } catch (const std::exception& e) {
      return transport_error(
          error_codes::kInvalidArgument,
          std::string("cannot use ") + url->scheme + "://" + url->host + ": " + e.what(), request,
          *url);
    }

    http::http_request message;
    try {
      message = build_message(request, *url);
    } catch (const std::exception& e) {
      return transport_error(error_codes::kInvalidArgument,
                             std::string("cannot build the request: ") + e.what(), request, *url);
    }

    // The continuation only fills the promise; the caller's thread does all the
    // waiting, so no pool thread ever blocks (docs/reference/design.md §4).
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    auto future = promise->get_future();
    pplx::cancellation_token_source cancel;
    // Kept for error messages, and to keep the body alive: cpprest reads it in place
    // (build_message) until the request is done, which is before this copy is released.
    auto failure_request = request;
    auto parts = *url;
    auto timeout = options_.http_timeout;
    try {
      client->request(message, cancel.get_token())
          .then([](http::http_response response) {
            return response.extract_vector().then([response](std::vector<unsigned char> body) {
              HttpResponse out;
              out.status = response.status_code();
              for (const auto& [name, value] : response.headers())
                out.headers.emplace_back(name, value);
              out.body.assign(body.begin(), body.end());
              return out;
            });
          })
          .then([promise, failure_request, parts, timeout](pplx::task<HttpResponse> task) {
            try {
              promise->set_value(task.get());  // already done: get() does not block here
            } catch (...) {
              promise->set_value(
                  describe_failure(std::current_exception(), failure_request, parts, timeout));
            }
          });
    } catch (...) {
      return describe_failure(std::current_exception(), request, *url, timeout);
    }

    // Wait in short slices so that a cancel, the call's deadline or its attempt timeout
    // takes effect at once, although cpprest's own timeout applies per network leg only
    // and a signal handler cannot call pplx's cancel() itself.
    constexpr milliseconds kSlice{50};
    const auto sent_at = std::chrono::steady_clock::now();
    // Cancelling closes the connection; the continuation then settles the promise on a pool
    // thread. Waiting briefly for that leaves no work behind once send() returns (nothing
    // outstanding at exit), and the bound keeps a cancel prompt if the pool is busy.
    auto abandon = [&] {
      cancel.cancel();
      future.wait_for(milliseconds(500));
    };
    for (;;) {
      auto slice = kSlice;
      if (context.deadline) {
        auto left = std::chrono::duration_cast<milliseconds>(*context.deadline -
                                                             std::chrono::system_clock::now());
        if (left.count() <= 0) {
          abandon();
          return transport_error(
              error_codes::kTimeout,
              "deadline exceeded waiting for " + parts.host + ":" + std::to_string(parts.port),
              request, *url);
        }
        slice = std::min(slice, left);
      }
      if (context.attempt_timeout) {
        auto left = std::chrono::duration_cast<milliseconds>(
            *context.attempt_timeout - (std::chrono::steady_clock::now() - sent_at));
        if (left.count() <= 0) {
          abandon();
          return transport_error(
              error_codes::kTimeout,
              "no response from " + parts.host + ":" + std::to_string(parts.port) + " within " +
                  std::to_string(context.attempt_timeout->count()) + " ms (attempt timeout)",
              request, *url);
        }
        slice = std::min(slice, left);
      }
      if (future.wait_for(slice) == std::future_status::ready) return future.get();
      if (context.is_cancelled()) {
        abandon();
        return transport_error(error_codes::kCancelled, "the call was cancelled", request, *url);
      }
    }
  }

 private:
  http::http_request build_message(const HttpRequest& request, const UrlParts& url) const {
    http::http_request message(request.method);
    std::string target = url.path.empty() ? "/" : url.path;
    if (!url.query.empty()) target += "?" + url.query;
    message.set_request_uri(web::uri(target));
    std::string content_type;
    for (const auto& [name, value] : request.headers) {
      if (ascii_lower(name) == "content-type") {
        content_type = value;
      } else {
        message.headers().add(name, value);
      }
    }
    if (!request.body.empty() || !content_type.empty()) {
      // The stream overload sends the Content-Type exactly as given (no charset
      // added) and the body as raw bytes, read in place from the shared body: an upload
      // is not copied again here (send() keeps the body alive until cpprest is done).
      auto stream = concurrency::streams::rawptr_stream<std::uint8_t>::open_istream(
          reinterpret_cast<const std::uint8_t*>(request.body.data()), request.body.size());
      message.set_body(
          stream, request.body.size(),
          content_type.empty() ? std::string("application/octet-stream") : content_type);
    }
    return message;
  }

  // One http_client per scheme://host:port: cpprest keeps connections per client.
  std::shared_ptr<http::client::http_client> client_for(const UrlParts& url) {
    std::string key = url.scheme + "://" + url.host + ":" + std::to_string(url.port);
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = clients_.find(key); it != clients_.end()) return it->second;
    http::client::http_client_config config;
    // A zero or negative timeout would fail every request at once.
    config.set_timeout(options_.http_timeout.count() > 0 ? options_.http_timeout
                                                         : std::chrono::seconds(60));
    config.set_validate_certificates(options_.verify_tls);
    // Request bodies go out in chunks of this size, each a read of the body stream and
    // a socket write with task continuations; the default 64 KiB costs 16 of those per
    // MiB of an upload (multipart DBFS puts are up to 16 MiB).
    config.set_chunksize(1024 * 1024);
    if (!options_.ca_file.empty()) {
      auto ca_file = options_.ca_file;
      config.set_ssl_context_callback([ca_file](boost::asio::ssl::context& ssl) {
        boost::system::error_code ignored;  // a bad file surfaces as a handshake failure
        ssl.load_verify_file(ca_file, ignored);
      });
    }
    std::string proxy = options_.proxy_url;
    if (proxy.empty()) {
      proxy = url.scheme == "https" ? env("HTTPS_PROXY", "https_proxy")
                                    : env("HTTP_PROXY", "http_proxy");
    }
    if (!proxy.empty() && !bypasses_proxy(ascii_lower(url.host))) {
      if (!web::uri::validate(proxy)) {
        // never echo the value: it may hold proxy credentials
        throw std::invalid_argument("the proxy setting is not a valid URL");
      }
      web::uri proxy_uri(proxy);
      web::web_proxy web_proxy(proxy_uri);
      // http://user:password@proxy:3128 → basic proxy credentials
      if (auto user_info = proxy_uri.user_info(); !user_info.empty()) {
        auto colon = user_info.find(':');
        web_proxy.set_credentials(web::credentials(
            web::uri::decode(user_info.substr(0, colon)),
            colon == std::string::npos ? std::string()
                                       : web::uri::decode(user_info.substr(colon + 1))));
      }
      config.set_proxy(web_proxy);
    }
    auto client = std::make_shared<http::client::http_client>(web::uri(key), config);
    clients_.emplace(key, client);
    return client;
  }

  TransportOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<http::client::http_client>> clients_;
};

}  // namespace

bool set_cpprest_io_threads(std::size_t threads) {
  try {
    crossplat::threadpool::initialize_with_threads(std::max<std::size_t>(1, threads));
    return true;
  } catch (const std::exception&) {  // cpprestsdk: "already been initialized"
    return false;
  }
}

std::shared_ptr<Transport> make_cpprest_transport(const TransportOptions& options) {
  return std::make_shared<CppRestTransport>(options);
}

}  // namespace dbk
