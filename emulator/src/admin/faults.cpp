#include "admin/faults.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "dbk/json.hpp"

namespace dbk::emulator {
namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// Default bodies mirror what the real service sends for these statuses
// (docs/reference/rest-api.md §2.2).
std::pair<std::string, std::string> default_error(int status, const std::string& path) {
  switch (status) {
    case 400:
      return {"BAD_REQUEST", "Bad request."};
    case 401:
      return {"UNAUTHENTICATED", "Invalid access token."};
    case 403:
      return {"PERMISSION_DENIED", "Permission denied."};
    case 404:
      return {"NOT_FOUND", "Not found."};
    case 409:
      return {"ALREADY_EXISTS", "Conflict."};
    case 429:
      return {"REQUEST_LIMIT_EXCEEDED",
              "REQUEST_LIMIT_EXCEEDED: Exceeded workspace rate limit. Please try again later."};
    case 500:
      return {"INTERNAL_ERROR", "Internal error."};
    case 502:
      return {"BAD_GATEWAY", "Bad gateway."};
    case 503:
      return {"TEMPORARILY_UNAVAILABLE",
              "The service at " + path + " is temporarily unavailable. Please try again later."};
    case 504:
      return {"DEADLINE_EXCEEDED", "The request timed out."};
    default:
      return {"UNKNOWN", "Injected fault."};
  }
}

// RFC 9110 field-name: one or more tchar.
bool is_header_name(std::string_view name) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// RFC 9110 field-value: visible characters, spaces and tabs (obs-text allowed), no CR/LF/NUL.
bool is_header_value(std::string_view value) {
  return std::all_of(value.begin(), value.end(),
                     [](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });
}

}  // namespace

Result<std::int64_t> FaultInjector::add(const nlohmann::json& spec) {
  if (!spec.is_object()) return invalid_parameter("A fault rule must be a JSON object");
  Rule rule;
  auto text = [&](const char* key, const char* fallback) -> Result<std::string> {
    auto it = spec.find(key);
    if (it == spec.end() || it->is_null()) return std::string(fallback);
    if (!it->is_string()) return invalid_parameter(std::string("'") + key + "' must be a string");
    return it->get<std::string>();
  };
  auto number = [&](const char* key, std::int64_t fallback) -> Result<std::int64_t> {
    auto it = spec.find(key);
    if (it == spec.end() || it->is_null()) return fallback;
    if (!it->is_number_integer()) {
      return invalid_parameter(std::string("'") + key + "' must be an integer");
    }
    return it->get<std::int64_t>();
  };
  auto method = text("method", "*");
  if (!method.ok()) return std::move(method).error();
  rule.method = upper(*method);
  auto pattern = text("path_pattern", "");
  if (!pattern.ok()) return std::move(pattern).error();
  if (pattern->empty()) {
    pattern = text("path", "*");
    if (!pattern.ok()) return std::move(pattern).error();
  }
  rule.path_pattern = *pattern;
  for (auto [key, target] : {std::pair<const char*, std::int64_t*>{"latency_ms", &rule.latency_ms},
                             {"times", &rule.times},
                             {"offset", &rule.offset}}) {
    auto value = number(key, *target);
    if (!value.ok()) return std::move(value).error();
    *target = *value;
  }
  auto status = number("status", 0);
  if (!status.ok()) return std::move(status).error();
  if (*status != 0 && (*status < 100 || *status > 599)) {
    return invalid_parameter("'status' must be 0 (latency only) or an HTTP status");
  }
  rule.status = static_cast<int>(*status);
  if (rule.latency_ms < 0 || rule.latency_ms > 600000) {
    return invalid_parameter("'latency_ms' must be between 0 and 600000");
  }
  if (rule.offset < 0) return invalid_parameter("'offset' must not be negative");
  if (rule.times < -1 || rule.times == 0) {
    return invalid_parameter("'times' must be a positive count or -1 (forever)");
  }
  if (auto it = spec.find("body"); it != spec.end() && !it->is_null()) {
    rule.body_given = true;
    if (it->is_string()) {
      rule.body = it->get<std::string>();
      bool json = parse_json(rule.body).ok();
      bool html = !rule.body.empty() && rule.body.front() == '<';
      rule.content_type = html ? "text/html" : (json ? "application/json" : "text/plain");
    } else {
      rule.body = it->dump();
      rule.content_type = "application/json";
    }
  }
  auto content_type = text("content_type", "");
  if (!content_type.ok()) return std::move(content_type).error();
  if (!content_type->empty()) rule.content_type = *content_type;
  if (!is_header_value(rule.content_type)) {
    return invalid_parameter("'content_type' must not contain control characters");
  }
  if (auto it = spec.find("headers"); it != spec.end() && !it->is_null()) {
    if (!it->is_object()) return invalid_parameter("'headers' must be an object");
    for (const auto& [name, value] : it->items()) {
      std::string field = value.is_string() ? value.get<std::string>() : value.dump();
      // A CR or LF would let a rule write its own header lines or a second response.
      if (!is_header_name(name)) {
        return invalid_parameter("'headers' name '" + name + "' is not a valid header name");
      }
      if (!is_header_value(field)) {
        return invalid_parameter("'headers' value of '" + name +
                                 "' must not contain control characters (CR, LF, NUL)");
      }
      rule.headers.emplace_back(name, std::move(field));
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  rule.id = next_id_++;
  rules_.push_back(std::move(rule));
  return rules_.back().id;
}

bool FaultInjector::remove(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = std::remove_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == id; });
  bool found = it != rules_.end();
  rules_.erase(it, rules_.end());
  return found;
}

void FaultInjector::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
}

nlohmann::ordered_json FaultInjector::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const Rule& rule : rules_) {
    nlohmann::ordered_json item;
    item["id"] = rule.id;
    item["method"] = rule.method;
    item["path_pattern"] = rule.path_pattern;
    item["status"] = rule.status;
    if (rule.body_given) item["body"] = rule.body;
    item["latency_ms"] = rule.latency_ms;
    item["times"] = rule.times;
    item["offset"] = rule.offset;
    item["matched"] = rule.matched;
    item["applied"] = rule.applied;
    rules.push_back(std::move(item));
  }
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  if (!rules.empty()) body["faults"] = std::move(rules);
  return body;
}

FaultInjector::Decision FaultInjector::apply(const Request& request) {
  Decision decision;
  std::lock_guard<std::mutex> lock(mutex_);
  for (Rule& rule : rules_) {
    if (rule.method != "*" && rule.method != request.method) continue;
    if (::fnmatch(rule.path_pattern.c_str(), request.path.c_str(), 0) != 0) continue;
    ++rule.matched;
    if (rule.matched <= rule.offset) continue;
    if (rule.times != -1 && rule.applied >= rule.times) continue;
    ++rule.applied;
    decision.delay += std::chrono::milliseconds(rule.latency_ms);
    if (rule.status != 0) {
      decision.response = fault_response(rule, request);
      break;
    }
  }
  return decision;
}

Response FaultInjector::fault_response(const Rule& rule, const Request& request) {
  Response response;
  if (rule.body_given) {
    response.status = rule.status;
    response.body = rule.body;
    response.headers.emplace_back("Content-Type", rule.content_type);
  } else if (rule.status >= 400) {
    auto [code, message] = default_error(rule.status, request.path);
    response = error_response(rule.status, code, message);
  } else {
    response = json_response(rule.status, nlohmann::ordered_json::object());
  }
  for (const auto& [name, value] : rule.headers) set_header(response.headers, name, value);
  return response;
}

}  // namespace dbk::emulator
