#include "dbk/api_error.hpp"

#include <algorithm>

#include "dbk/internal/text.hpp"

namespace dbk {

using internal::icontains;

std::string ApiError::to_string() const {
  std::string out = error_code.empty() ? std::string("ERROR") : error_code;
  out += ": ";
  // 429 bodies often repeat the code inside the message
  // ("REQUEST_LIMIT_EXCEEDED: Exceeded ..."); print it once.
  std::string_view text = message;
  if (!error_code.empty() && text.size() > error_code.size() + 2 &&
      text.substr(0, error_code.size()) == error_code &&
      text.substr(error_code.size(), 2) == ": ") {
    text.remove_prefix(error_code.size() + 2);
  }
  out += text;
  std::string where;
  if (http_status != 0) where = "HTTP " + std::to_string(http_status);
  if (!method.empty() || !path.empty()) {
    if (!where.empty()) where += ", ";
    where += method;
    if (!method.empty() && !path.empty()) where += ' ';
    where += path;
  }
  if (!where.empty()) out += " (" + where + ")";
  return out;
}

bool ApiError::is_not_found() const {
  if (http_status == 404 || error_code == error_codes::kNotFound) return true;
  // docs/reference/rest-api.md §2.1: jobs/get, jobs/runs/get and clusters/get answer
  // 400 INVALID_PARAMETER_VALUE "... does not exist" for a missing id.
  return http_status == 400 && error_code == "INVALID_PARAMETER_VALUE" &&
         (icontains(message, "does not exist") || icontains(message, "doesn't exist"));
}

std::string ApiError::reason() const {
  if (!details.is_array()) return {};
  for (const auto& entry : details) {
    if (!entry.is_object()) continue;
    auto it = entry.find("reason");
    if (it != entry.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

bool ApiError::is_unreachable() const {
  if (error_code != error_codes::kConnectionError) return false;
  auto why = reason();
  return why == error_reasons::kHostUnreachable || why == error_reasons::kHostNotFound;
}

ApiError with_reason(ApiError error, const std::string& reason) {
  if (!error.details.is_array()) error.details = nlohmann::json::array();
  error.details.push_back({{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                           {"reason", reason},
                           {"domain", "dbk"}});
  return error;
}

ApiError make_error(std::string error_code, std::string message) {
  ApiError error;
  error.error_code = std::move(error_code);
  error.message = std::move(message);
  return error;
}

}  // namespace dbk
