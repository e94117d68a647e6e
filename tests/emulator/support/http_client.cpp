#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "dbk/base64.hpp"
#include "dbk/http.hpp"

namespace dbk::emulator::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpReply::header(const std::string& name) const {
  return find_header(headers, name).value_or("");
}

nlohmann::json HttpReply::json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

struct HttpClient::Impl {
  std::string host;
  int port = 0;
  bool tls = false;
  asio::io_context ioc;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  void connect() {
    plain.reset();
    secure.reset();
    buffer.clear();
    tcp::endpoint endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port));
    if (tls) {
      ssl.set_verify_mode(asio::ssl::verify_none);  // tests use a throwaway self-signed cert
      secure.emplace(beast::tcp_stream(ioc), ssl);
      beast::get_lowest_layer(*secure).connect(endpoint);
      secure->handshake(asio::ssl::stream_base::client);
    } else {
      plain.emplace(ioc);
      plain->connect(endpoint);
    }
  }

  template <typename Fn>
  auto with_stream(Fn&& fn) {
    if (tls) return fn(*secure);
    return fn(*plain);
  }
  bool connected() const { return tls ? secure.has_value() : plain.has_value(); }
};

HttpClient::HttpClient(std::string host, int port, bool tls, std::string token)
    : impl_(std::make_unique<Impl>()), token_(std::move(token)) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->tls = tls;
}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, impl_->host);
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->connected()) impl_->connect();
      http::response<http::string_body> res;
      http::response_parser<http::string_body> parser;
      parser.body_limit(256 * 1024 * 1024);
      impl_->with_stream([&](auto& stream) {
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(120));
        http::write(stream, req);
        http::read(stream, impl_->buffer, parser);
        return 0;
      });
      res = parser.release();
      HttpReply reply;
      reply.status = static_cast<int>(res.result_int());
      for (const auto& field : res) {
        reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      reply.body = std::move(res.body());
      if (!res.keep_alive()) {
        impl_->plain.reset();
        impl_->secure.reset();
      }
      return reply;
    } catch (const std::exception&) {
      // A kept-alive connection the server has since closed: reconnect once.
      impl_->plain.reset();
      impl_->secure.reset();
      if (attempt == 1) throw;
    }
  }
  throw std::runtime_error("unreachable");
}

std::string q(const std::string& value) {
  return url_encode(value);
}
std::string b64(const std::string& bytes) {
  return base64_encode(bytes);
}
std::string unb64(const std::string& text) {
  auto decoded = base64_decode(text);
  if (!decoded.ok()) throw std::runtime_error("bad base64 in reply");
  return *decoded;
}

std::string raw_exchange(int port, const std::string& bytes, int timeout_ms) {
  // Plain POSIX with poll(): Asio's blocking reads wait forever once a socket would
  // block, and a stalled exchange must end after `timeout_ms`.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    for (std::size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    char chunk[4096];
    pollfd waiting{fd, POLLIN, 0};
    while (::poll(&waiting, 1, timeout_ms) > 0) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      out.append(chunk, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

}  // namespace dbk::emulator::testing
