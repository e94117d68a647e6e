#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dbk::emulator::testing {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(const std::string& name) const;
  nlohmann::json json() const;  ///< parsed body; `null` when it is not JSON
  std::string error_code() const { return json().value("error_code", ""); }
};

/// A tiny blocking HTTP/1.1 client for tests, on Boost.Beast. Keeps one connection open
/// (keep-alive) and reconnects when the server closed it. Not thread-safe: one per thread.
class HttpClient {
 public:
  HttpClient(std::string host, int port, bool tls = false, std::string token = "");
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});
  HttpReply get(const std::string& target) { return request("GET", target); }
  HttpReply post(const std::string& target, const nlohmann::json& body) {
    return request("POST", target, body.dump(), {{"Content-Type", "application/json"}});
  }
  void set_token(std::string token) { token_ = std::move(token); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string token_;
};

/// Percent-encodes a query value.
std::string q(const std::string& value);
/// Standard base64 (tests use it to build bodies).
std::string b64(const std::string& bytes);
std::string unb64(const std::string& text);

/// Sends raw bytes on a fresh connection and returns whatever comes back before the server
/// closes or `timeout_ms` passes (for malformed-request tests).
std::string raw_exchange(int port, const std::string& bytes, int timeout_ms = 3000);

}  // namespace dbk::emulator::testing
