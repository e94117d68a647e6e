#include "integration_env.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace dbk::test {

std::string shared_emulator_url() {
  const char* file = std::getenv("DBK_TEST_EMULATOR_URL_FILE");
  if (file == nullptr)
    throw std::runtime_error("DBK_TEST_EMULATOR_URL_FILE is not set (run through ctest)");
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  if (url.empty()) throw std::runtime_error(std::string("no emulator URL in ") + file);
  return url;
}

Client client_for(const std::string& url, const std::string& token) {
  ClientOptions options;
  options.config.host = url;
  options.config.token = token;
  options.retry.initial_backoff = std::chrono::milliseconds(20);
  options.retry.max_backoff = std::chrono::milliseconds(200);
  options.retry.total_timeout = std::chrono::milliseconds(60000);
  return Client(std::move(options));
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

nlohmann::json admin(const std::string& url, const std::string& method, const std::string& path,
                     const nlohmann::json& body, const std::string& token) {
  static const auto transport = make_cpprest_transport();
  HttpRequest request;
  request.method = method;
  request.url = url + path;
  request.headers = {{"Content-Type", "application/json"}};
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  if (method != "GET") request.body = body.dump();
  auto response = transport->send(request, {});
  if (!response) throw std::runtime_error("admin " + path + ": " + response.error().to_string());
  if (response->status / 100 != 2)
    throw std::runtime_error("admin " + path + ": HTTP " + std::to_string(response->status) + " " +
                             response->body);
  if (response->body.empty()) return nlohmann::json::object();
  return nlohmann::json::parse(response->body);
}

}  // namespace dbk::test
