#include "server/http_server.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <exception>
#include <thread>
#include <vector>

namespace dbk::emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

Response plain_error(int status, const std::string& code, const std::string& message) {
  return error_response(status, code, message);
}

constexpr std::size_t kReadBufferBytes = 64 * 1024;
// A body of this size or more with a Content-Length is read from the socket straight into
// the request's buffer: through Beast's parser every byte would be read into the read
// buffer, then zero-filled and copied into the body string.
constexpr std::size_t kDirectBodyBytes = 64 * 1024;
// A connection keeps its last body's buffer (up to this size, what one multipart put of
// dbk carries and a little more) for its next request: a fresh buffer of megabytes costs
// a page fault and a zeroed page per 4 KiB on its first touch, on every upload.
constexpr std::size_t kRetainedBodyBytes = 17 * 1024 * 1024;

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const ServerOptions& options, RequestDispatcher& dispatcher)
      : stream_(std::move(stream)),
        options_(options),
        dispatcher_(dispatcher),
        timer_(stream_.get_executor()) {
    // Beast reads at most max(512, free capacity) bytes per read_some (up to 64 KiB): an
    // empty buffer would take a 5 MB upload in ~10,000 reads of 512 bytes, each with a
    // timer re-arm and a handler dispatch. 64 KiB of room makes them 80.
    buffer_.reserve(kReadBufferBytes);
  }

  void run() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(options_.idle_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read_header();
                              });
    } else {
      read_header();
    }
  }

 private:
  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser_->body_limit(options_.body_limit);
    beast::get_lowest_layer(stream_).expires_after(options_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return fail(431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request headers are too large.");
    }
    if (ec == http::error::body_limit) return too_large();
    if (ec) {
      if (is_parse_error(ec)) return fail(400, "BAD_REQUEST", "Malformed HTTP request.");
      return close();
    }
    auto& request = parser_->get();
    if (auto length = parser_->content_length(); length && *length > options_.body_limit) {
      return too_large();
    }
    auto expect = request.find(http::field::expect);
    if (expect != request.end() && beast::iequals(expect->value(), "100-continue")) {
      auto continue_response = std::make_shared<http::response<http::empty_body>>(
          http::status::continue_, request.version());
      beast::get_lowest_layer(stream_).expires_after(options_.write_timeout);
      http::async_write(stream_, *continue_response,
                        [self = this->shared_from_this(), continue_response](
                            beast::error_code write_ec, std::size_t) {
                          if (write_ec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    beast::get_lowest_layer(stream_).expires_after(options_.body_timeout);
    if (auto length = parser_->content_length();
        length && !parser_->chunked() && *length >= kDirectBodyBytes) {
      return read_body_direct(static_cast<std::size_t>(*length));
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_body(ec);
                     });
  }

  // The body (of a known length, at most the body limit: on_header checked) goes into
  // its final buffer: first what the header read already took from the socket, then the
  // rest read directly. Bytes of a pipelined next request stay in buffer_.
  void read_body_direct(std::size_t length) {
    body_.resize(length);
    const std::size_t have = std::min(buffer_.size(), length);
    asio::buffer_copy(asio::buffer(body_.data(), have), buffer_.data());
    buffer_.consume(have);
    if (have == length) return on_direct_body({});
    asio::async_read(stream_, asio::buffer(body_.data() + have, length - have),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_direct_body(ec);
                     });
  }

  void on_direct_body(beast::error_code ec) {
    if (ec) return close();  // cut off or timed out: no complete request to answer
    auto message = parser_->release();
    dispatch(message, std::move(body_));
  }

  static bool is_parse_error(beast::error_code ec) {
    return ec.category() == beast::error_code(http::error::bad_target).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
  }

  void on_body(beast::error_code ec) {
    if (ec == http::error::body_limit) return too_large();
    if (ec) {
      if (is_parse_error(ec)) return fail(400, "BAD_REQUEST", "Malformed HTTP request.");
      return close();
    }
    auto message = parser_->release();
    dispatch(message, std::move(message.body()));
  }

  void dispatch(const http::request<http::string_body>& message, std::string body) {
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    request_ = Request();
    request_.method = std::string(message.method_string());
    request_.target = std::string(message.target());
    parse_target(request_.target, request_.path, request_.query);
    for (const auto& field : message) {
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request_.body = std::move(body);

    RequestDispatcher::Plan plan;
    try {
      plan = dispatcher_.plan(request_);
    } catch (const std::exception& e) {
      plan.response = plain_error(500, "INTERNAL_ERROR", e.what());
    } catch (...) {
      plan.response = plain_error(500, "INTERNAL_ERROR", "Internal error");
    }
    if (plan.delay.count() > 0) {
      // Injected latency waits on a timer, not on a server thread.
      timer_.expires_after(plan.delay);
      timer_.async_wait([self = this->shared_from_this(), planned = std::move(plan.response)](
                            beast::error_code) mutable { self->answer(std::move(planned)); });
      return;
    }
    answer(std::move(plan.response));
  }

  void answer(std::optional<Response> planned) {
    Response response;
    if (planned) {
      response = std::move(*planned);
    } else {
      try {
        response = dispatcher_.handle(request_);
      } catch (const std::exception& e) {
        response = plain_error(500, "INTERNAL_ERROR", e.what());
      } catch (...) {
        response = plain_error(500, "INTERNAL_ERROR", "Internal error");
      }
    }
    write(std::move(response), keep_alive_);
  }

  void too_large() {
    fail(
        413, "REQUEST_ENTITY_TOO_LARGE",
        "The request body exceeds the limit of " + std::to_string(options_.body_limit) + " bytes.");
  }

  // Answers an unreadable request and closes: the stream position is unknown after it.
  void fail(int status, const std::string& code, const std::string& message) {
    version_ = 11;
    write(plain_error(status, code, message), false);
  }

  void write(Response response, bool keep_alive) {
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(version_ == 10 ? 10 : 11);
    out->result(static_cast<unsigned>(response.status));
    out->set(http::field::server, "dbk-emulator");
    for (auto& [name, value] : response.headers) out->insert(name, value);
    out->body() = std::move(response.body);
    out->keep_alive(keep_alive);
    out->prepare_payload();
    // Keep a body's buffer for the next request on this connection (its pages are
    // mapped already); free a larger one before a long write.
    if (request_.body.capacity() <= kRetainedBodyBytes &&
        request_.body.capacity() > body_.capacity()) {
      body_ = std::move(request_.body);
    }
    body_.clear();
    request_ = Request();
    beast::get_lowest_layer(stream_).expires_after(options_.write_timeout);
    http::async_write(stream_, *out,
                      [self = this->shared_from_this(), out](beast::error_code ec, std::size_t) {
                        if (ec || !out->keep_alive()) return self->close();
                        self->read_header();
                      });
  }

  void close() {
    beast::error_code ignored;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      // No TLS close_notify round trip: a misbehaving peer must not hold us.
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
  }

  Stream stream_;
  const ServerOptions& options_;
  RequestDispatcher& dispatcher_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string body_;  ///< a direct read's target; between requests, the retained buffer
  Request request_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

class BeastServer final : public HttpServer {
 public:
  BeastServer(const ServerOptions& options, RequestDispatcher& dispatcher)
      : options_(options),
        dispatcher_(dispatcher),
        ioc_(options.threads),
        acceptor_(asio::make_strand(ioc_)) {}

  ~BeastServer() override { stop(); }

  Status listen() {
    beast::error_code ec;
    auto address =
        asio::ip::make_address(options_.host == "localhost" ? "127.0.0.1" : options_.host, ec);
    if (ec)
      return http_error(0, "INVALID_ARGUMENT",
                        "cannot listen on host '" + options_.host + "': not an IP address");
    if (options_.port < 0 || options_.port > 65535) {
      return http_error(0, "INVALID_ARGUMENT", "invalid port " + std::to_string(options_.port));
    }
    if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
      if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
        return http_error(0, "INVALID_ARGUMENT", "TLS needs both a certificate and a key file");
      }
      ssl_.emplace(asio::ssl::context::tls_server);
      ssl_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
      ssl_->use_certificate_chain_file(options_.tls_cert_file, ec);
      if (ec) {
        return http_error(
            0, "INVALID_ARGUMENT",
            "cannot load TLS certificate " + options_.tls_cert_file + ": " + ec.message());
      }
      ssl_->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem, ec);
      if (ec) {
        return http_error(0, "INVALID_ARGUMENT",
                          "cannot load TLS key " + options_.tls_key_file + ": " + ec.message());
      }
    }
    tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return http_error(0, "CONNECTION_ERROR",
                        "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                            ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
    int threads = std::max(1, options_.threads);
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        // A handler bug must not take a server thread down with it.
        while (true) {
          try {
            ioc_.run();
            return;
          } catch (...) {
          }
        }
      });
    }
    return {};
  }

  int port() const override { return port_; }
  bool tls() const override { return ssl_.has_value(); }
  std::uint64_t accept_backoffs() const override { return accept_backoffs_.load(); }

  void stop() override {
    if (stopped_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
    ioc_.stop();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

 private:
  void accept() {
    acceptor_.async_accept(
        asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
          if (ec && !is_about_one_connection(ec)) {
            ++accept_backoffs_;
            // Out of descriptors (or memory), or an error that is not about one client:
            // accepting again at once fails the same way and burns a core. Wait for
            // connections or handles to be released, then try again; pending clients wait
            // in the listen backlog meanwhile.
            accept_backoff_.expires_after(kAcceptBackoff);
            accept_backoff_.async_wait([this](beast::error_code wait_ec) {
              if (!wait_ec && acceptor_.is_open()) accept();
            });
            return;
          }
          if (!ec) {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (ssl_) {
              std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
                  beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *ssl_),
                  options_, dispatcher_)
                  ->run();
            } else {
              std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                           options_, dispatcher_)
                  ->run();
            }
          }
          accept();
        });
  }

  // Errors that concern only the connection being accepted (it was reset or aborted
  // before accept() took it, a firewall refused it): the next accept() may well succeed.
  static bool is_about_one_connection(beast::error_code ec) {
    return ec == asio::error::connection_aborted || ec == asio::error::connection_reset ||
           ec == asio::error::would_block || ec == asio::error::try_again ||
           ec == asio::error::interrupted ||
           ec == beast::error_code(EPROTO, boost::system::system_category()) ||
           ec == beast::error_code(EPERM, boost::system::system_category());
  }

  ServerOptions options_;
  RequestDispatcher& dispatcher_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_backoff_{acceptor_.get_executor()};
  std::optional<asio::ssl::context> ssl_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> accept_backoffs_{0};
};

}  // namespace

void parse_target(const std::string& target, std::string& path,
                  std::multimap<std::string, std::string>& query) {
  size_t question = target.find('?');
  path = percent_decode(std::string_view(target).substr(0, question), false);
  query.clear();
  if (question == std::string::npos) return;
  std::string_view rest = std::string_view(target).substr(question + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    query.emplace(std::move(key), std::move(value));
  }
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const ServerOptions& options,
                                                      RequestDispatcher& dispatcher) {
  auto server = std::make_unique<BeastServer>(options, dispatcher);
  Status status = server->listen();
  if (!status.ok()) return std::move(status).error();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace dbk::emulator
