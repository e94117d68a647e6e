// The CLI runs cpprestsdk with one I/O thread (docs/architecture.md). Its own test
// binary, since the pool is set once per process: requests made in parallel from many
// caller threads must all be in flight at the same time even so, as parallel transfers
// rely on, and a second sizing must be refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "dbk/http.hpp"
#include "dbk/io_threads.hpp"

namespace {

// Answers nothing until `count` requests are all open at once, then answers each:
// a pool that could serve only one request at a time never gets there.
class BarrierServer {
 public:
  explicit BarrierServer(int count) : count_(count) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, count);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~BarrierServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  void serve() {
    std::vector<int> clients;
    while (static_cast<int>(clients.size()) < count_) {
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) break;
      std::string head;
      char buffer[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        auto n = recv(client, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        head.append(buffer, static_cast<size_t>(n));
      }
      clients.push_back(client);
    }
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    for (int client : clients) {
      if (static_cast<int>(clients.size()) == count_) {
        send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      close(client);
    }
  }

  int count_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("one cpprest I/O thread keeps parallel requests in flight together") {
  REQUIRE(dbk::set_cpprest_io_threads(1));
  CHECK_FALSE(dbk::set_cpprest_io_threads(4));  // once per process, before first use

  constexpr int kRequests = 8;
  BarrierServer server(kRequests);
  // One transport per caller, as separate connections: cpprest reuses a client's
  // connections, and the server needs all of them open at once.
  std::vector<std::thread> callers;
  std::vector<int> statuses(kRequests, -1);
  for (int i = 0; i < kRequests; ++i) {
    callers.emplace_back([&, i] {
      auto transport = dbk::make_cpprest_transport();
      dbk::HttpRequest request;
      request.method = "GET";
      request.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/2.0/x";
      dbk::CallContext context;
      // Only so that a regression fails instead of hanging the suite.
      context.deadline = std::chrono::system_clock::now() + std::chrono::seconds(60);
      auto response = transport->send(request, context);
      statuses[i] = response ? response->status : 0;
    });
  }
  for (auto& caller : callers) caller.join();
  for (int status : statuses) CHECK(status == 200);
}
