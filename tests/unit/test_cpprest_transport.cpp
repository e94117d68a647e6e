// The cpprest adapter against a real loopback socket: what goes on the wire
// and how failures below HTTP are reported.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <thread>

#include "dbk/http.hpp"

namespace {

// Accepts one connection, stores the raw request, answers with `reply`
// (or holds the connection open without answering when `reply` is empty).
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 1);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string received() {
    thread_.join();
    thread_ = std::thread([] {});
    return received_;
  }

 private:
  void serve() {
    int client = accept(fd_, nullptr, nullptr);
    if (client < 0) return;
    char buffer[65536];
    while (true) {
      auto header_end = received_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = received_.substr(0, header_end);
        for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto at = head.find("content-length:");
        size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 15));
        if (received_.size() >= header_end + 4 + length) break;
      }
      auto n = recv(client, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      received_.append(buffer, static_cast<size_t>(n));
      if (received_[0] == '\x16') break;  // a TLS ClientHello: answer in plain HTTP at once
    }
    if (!reply_.empty()) {
      send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    } else {
      while (!stop_ && recv(client, buffer, sizeof(buffer), 0) > 0) {
      }
    }
    close(client);
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::string received_;
  std::thread thread_;
};

int unused_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);  // nothing listens there any more
  return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("cpprest transport sends bytes and Content-Type exactly and returns the response") {
  OneShotServer server(
      "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nX-Request-Id: r-9\r\n"
      "Content-Length: 28\r\nConnection: close\r\n\r\n{\"error_code\":\"NOT_FOUND\"}\r\n");
  auto transport = dbk::make_cpprest_transport();
  std::string body = std::string("{\"a\":\"\xC3\xA9\"}") + std::string(1, '\0');
  dbk::HttpRequest request{
      "POST",
      "http://127.0.0.1:" + std::to_string(server.port()) + "/prefix/api/2.0/x?path=%2Fa%20b",
      {{"Content-Type", "application/json"}, {"Authorization", "Bearer t"}},
      body};
  auto result = transport->send(request, {});
  REQUIRE(result.ok());
  CHECK(result->status == 404);
  CHECK(dbk::find_header(result->headers, "x-request-id") == "r-9");
  CHECK(result->body == "{\"error_code\":\"NOT_FOUND\"}\r\n");
  auto wire = server.received();
  CHECK_THAT(wire, Catch::StartsWith("POST /prefix/api/2.0/x?path=%2Fa%20b HTTP/1.1\r\n"));
  // cpprest writes "Name:value" without a space, which HTTP allows
  CHECK_THAT(wire, Catch::Contains("\r\nContent-Type:application/json\r\n"));
  CHECK_THAT(wire, Catch::Contains("\r\nAuthorization:Bearer t\r\n"));
  CHECK_THAT(wire, Catch::EndsWith("\r\n\r\n" + body));
}

TEST_CASE("cpprest transport reports a refused connection readably") {
  auto port = unused_port();
  auto result = dbk::make_cpprest_transport()->send(
      dbk::HttpRequest{"GET", "http://127.0.0.1:" + std::to_string(port) + "/api/2.0/x", {}, ""},
      {});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CONNECTION_ERROR");
  CHECK(result.error().message == "cannot connect to 127.0.0.1:" + std::to_string(port) +
                                      ": connection refused or host unreachable");
  CHECK(result.error().path == "/api/2.0/x");
  CHECK(result.error().reason() == dbk::error_reasons::kHostUnreachable);
  CHECK(result.error().is_unreachable());
}

TEST_CASE("cpprest transport gives up at the call's deadline and on cancel") {
  OneShotServer silent("");
  auto transport = dbk::make_cpprest_transport();
  dbk::HttpRequest request{
      "GET", "http://127.0.0.1:" + std::to_string(silent.port()) + "/x", {}, ""};
  dbk::CallContext context;
  context.deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(200);
  auto result = transport->send(request, context);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "DEADLINE_EXCEEDED");

  auto cancelled = dbk::CallContext::cancellable();
  cancelled.cancellation->cancel();
  auto cancel_result = transport->send(request, cancelled);
  REQUIRE_FALSE(cancel_result.ok());
  CHECK(cancel_result.error().error_code == "CANCELLED");
}

TEST_CASE("cpprest transport ends a request in flight when the call is cancelled") {
  OneShotServer silent("");                        // accepts, reads the request, never answers
  auto transport = dbk::make_cpprest_transport();  // http_timeout 60 s
  dbk::HttpRequest request{
      "GET", "http://127.0.0.1:" + std::to_string(silent.port()) + "/api/2.0/x", {}, ""};
  auto context = dbk::CallContext::cancellable();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    context.cancellation->cancel();
  });
  auto result = transport->send(request, context);
  canceller.join();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CANCELLED");
  CHECK(result.error().path == "/api/2.0/x");
}

TEST_CASE("cpprest transport gives up on an attempt after the call's attempt timeout") {
  OneShotServer silent("");
  auto transport = dbk::make_cpprest_transport();  // http_timeout 60 s
  dbk::HttpRequest request{
      "GET", "http://127.0.0.1:" + std::to_string(silent.port()) + "/x", {}, ""};
  dbk::CallContext context;
  context.attempt_timeout = std::chrono::milliseconds(200);
  auto result = transport->send(request, context);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "DEADLINE_EXCEEDED");
  CHECK_THAT(result.error().message, Catch::Contains("attempt timeout"));
}

TEST_CASE("cpprest transport names a host it cannot resolve") {
  auto result = dbk::make_cpprest_transport()->send(
      dbk::HttpRequest{"GET", "http://no-such-host.invalid/api/2.0/x", {}, ""}, {});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CONNECTION_ERROR");
  CHECK_THAT(result.error().message, Catch::Contains("no-such-host.invalid"));
  CHECK(result.error().reason() == dbk::error_reasons::kHostNotFound);
  CHECK(result.error().is_unreachable());
}

TEST_CASE("cpprest transport goes through an explicit proxy") {
  OneShotServer proxy("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  dbk::TransportOptions options;
  options.proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  auto result = dbk::make_cpprest_transport(options)->send(
      dbk::HttpRequest{"GET", "http://workspace.invalid/api/2.0/x?a=1", {}, ""}, {});
  REQUIRE(result.ok());
  CHECK(result->body == "{}");
  CHECK_THAT(proxy.received(),
             Catch::StartsWith("GET http://workspace.invalid:80/api/2.0/x?a=1 HTTP/1.1"));
}

TEST_CASE("cpprest transport reports a failed TLS handshake") {
  OneShotServer plain("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
  dbk::CallContext bounded;  // a broken test must not hang the suite
  bounded.deadline = std::chrono::system_clock::now() + std::chrono::seconds(20);
  auto result = dbk::make_cpprest_transport()->send(
      dbk::HttpRequest{"GET", "https://127.0.0.1:" + std::to_string(plain.port()) + "/x", {}, ""},
      bounded);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "CONNECTION_ERROR");
  CHECK_THAT(result.error().message, Catch::StartsWith("TLS with 127.0.0.1:"));
  CHECK_FALSE(result.error().is_unreachable());  // a server answered: the full budget applies
}

TEST_CASE("cpprest transport rejects URLs it cannot send") {
  auto result =
      dbk::make_cpprest_transport()->send(dbk::HttpRequest{"GET", "/relative", {}, ""}, {});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "INVALID_ARGUMENT");
}
