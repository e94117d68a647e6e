#include "http/response.hpp"

namespace dbk::emulator {

Response json_response(int status, const nlohmann::ordered_json& body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  // Invalid UTF-8 in stored data must not turn into an exception mid-response.
  response.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

Response empty_response() {
  return json_response(200, nlohmann::ordered_json::object());
}

Response error_response(int status, std::string error_code, std::string message) {
  nlohmann::ordered_json body;
  body["error_code"] = std::move(error_code);
  body["message"] = std::move(message);
  return json_response(status, body);
}

Response error_response(const ApiError& error) {
  return error_response(error.http_status == 0 ? 500 : error.http_status, error.error_code,
                        error.message);
}

Response bytes_response(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace dbk::emulator
