#include "error_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <regex>

#include "dbk/internal/text.hpp"
#include "dbk/json.hpp"

namespace dbk::detail {
namespace {

constexpr size_t kMaxMessageChars = 1000;

using internal::ascii_lower;
using internal::trim;

std::string truncate(std::string_view text) {
  if (text.size() <= kMaxMessageChars) return std::string(text);
  return std::string(text.substr(0, kMaxMessageChars)) + "...";
}

// Collapses runs of whitespace and decodes the few entities error pages use.
std::string clean_html_text(std::string_view text) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  std::string out;
  bool space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    bool decoded = false;
    if (c == '&') {
      for (const auto& [entity, ch] : kEntities) {
        if (text.substr(i, entity.size()) == entity) {
          out += ch;
          i += entity.size() - 1;
          decoded = true;
          break;
        }
      }
    }
    if (!decoded) out += c;
  }
  return out;
}

// Text between <tag ...> and </tag>, case-insensitively; nullopt if absent.
std::optional<std::string> element_text(std::string_view body, std::string_view tag) {
  std::string lower = ascii_lower(body);
  auto open = lower.find("<" + std::string(tag));
  while (open != std::string::npos) {
    char next = open + tag.size() + 1 < lower.size() ? lower[open + tag.size() + 1] : '\0';
    if (next == '>' || std::isspace(static_cast<unsigned char>(next))) break;
    open = lower.find("<" + std::string(tag), open + 1);
  }
  if (open == std::string::npos) return std::nullopt;
  auto content = lower.find('>', open);
  if (content == std::string::npos) return std::nullopt;
  auto close = lower.find("</" + std::string(tag), content);
  if (close == std::string::npos) return std::nullopt;
  return clean_html_text(body.substr(content + 1, close - content - 1));
}

// `CODE: message`, the plain-text error format of some gateways (§2.1).
bool split_code_message(std::string_view text, std::string& code, std::string& message) {
  static const std::regex kCodeMessage("^([A-Z][A-Z_]+): ([\\s\\S]*)$");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(text.begin(), text.end(), match, kCodeMessage)) return false;
  code = match[1].str();
  message = truncate(trim(match[2].str()));
  return true;
}

void parse_json_body(const nlohmann::json& body, ApiError& error) {
  if (!body.is_object()) return;
  // error_code is an integer on some legacy endpoints: treat it as absent.
  if (auto it = body.find("error_code"); it != body.end() && it->is_string()) {
    error.error_code = it->get<std::string>();
  }
  if (auto it = body.find("message"); it != body.end() && it->is_string()) {
    error.message = it->get<std::string>();
  }
  if (auto it = body.find("details"); it != body.end() && it->is_array()) error.details = *it;
  if (error.message.empty()) {
    if (auto it = body.find("error"); it != body.end() && it->is_string()) {
      error.message = it->get<std::string>();  // API 1.2, and OAuth endpoints
      if (auto desc = body.find("error_description");
          desc != body.end() && desc->is_string() && !desc->get<std::string>().empty()) {
        error.message += ": " + desc->get<std::string>();
      }
    } else if (auto detail = body.find("detail"); detail != body.end() && detail->is_string()) {
      error.message = detail->get<std::string>();  // SCIM {detail, status, scimType}
    }
  }
  for (const auto& entry : error.details.is_array() ? error.details : nlohmann::json::array()) {
    if (!entry.is_object()) continue;
    auto type = entry.value("@type", std::string());
    auto id = entry.find("request_id");
    if (type.find("RequestInfo") != std::string::npos && id != entry.end() && id->is_string()) {
      error.request_id = id->get<std::string>();
    }
  }
}

void parse_html_body(std::string_view body, ApiError& error) {
  if (looks_like_login_page(body)) {
    error.message =
        "the server answered with a login page instead of an API response; check that the "
        "host is the workspace URL and that the credentials are valid";
    return;
  }
  auto summary = html_summary(body);
  std::string code, message;
  if (split_code_message(summary, code, message)) {
    error.error_code = code;
    error.message = message;
  } else {
    error.message = summary.empty() ? "the server answered with an HTML page" : truncate(summary);
  }
}

}  // namespace

std::string error_code_for_status(int status) {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "RESOURCE_CONFLICT";
    case 429:
      return "TOO_MANY_REQUESTS";
    case 499:
      return "CANCELLED";
    case 500:
      return "INTERNAL_ERROR";
    case 501:
      return "NOT_IMPLEMENTED";
    case 502:
      return "BAD_GATEWAY";
    case 503:
      return "TEMPORARILY_UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      break;
  }
  // Others: the reason phrase in upper snake case (HTML pages per §2.1), else the class.
  std::string code;
  for (char c : http_reason_phrase(status)) {
    code += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (!code.empty()) return code;
  if (status >= 400 && status < 500) return "BAD_REQUEST";
  if (status >= 500) return "INTERNAL_ERROR";
  return "UNKNOWN";
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  text = trim(text);
  if (auto comma = text.find(','); comma != std::string_view::npos) text.remove_prefix(comma + 1);
  std::string value(trim(text));
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char month_name[4] = {};
  char zone[4] = {};
  if (std::sscanf(value.c_str(), "%2d %3s %4d %2d:%2d:%2d %3s", &day, month_name, &year, &hour,
                  &minute, &second, zone) != 7) {
    return std::nullopt;
  }
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (std::string_view(month_name) == kMonths[i]) month = i;
  }
  if (month < 0 || std::string_view(zone) != "GMT" || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60 || year < 1970) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    const HttpHeaders& headers, std::chrono::system_clock::time_point now) {
  auto header = find_header(headers, "Retry-After");
  if (!header) return std::nullopt;
  auto value = trim(*header);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) return std::nullopt;  // absurd; let the caller's backoff decide
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (auto date = find_header(headers, "Date")) {
    if (auto server_now = parse_http_date(*date)) now = *server_now;
  }
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
  return std::max(delay, std::chrono::milliseconds(0));
}

bool looks_like_html(std::string_view body) {
  auto text = trim(body);
  if (text.empty() || text.front() != '<') return false;
  auto head = ascii_lower(text.substr(0, 1024));
  return head.find("<html") != std::string::npos ||
         head.find("<!doctype html") != std::string::npos ||
         head.find("<head") != std::string::npos || head.find("<body") != std::string::npos ||
         head.find("<title") != std::string::npos;
}

bool looks_like_login_page(std::string_view body) {
  if (!looks_like_html(body)) return false;
  auto lower = ascii_lower(body);
  auto title = element_text(lower, "title").value_or("");
  for (const char* marker : {"sign in", "sign-in", "signin", "log in", "login"}) {
    if (title.find(marker) != std::string::npos) return true;
  }
  // Login pages carry a password field or post to a login endpoint.
  return lower.find("type=\"password\"") != std::string::npos ||
         lower.find("/login.html") != std::string::npos ||
         lower.find("/oidc/") != std::string::npos;
}

std::string html_summary(std::string_view body) {
  if (auto pre = element_text(body, "pre"); pre && !pre->empty()) return *pre;
  if (auto title = element_text(body, "title"); title && !title->empty()) return *title;
  return {};
}

ApiError parse_api_error(const HttpResponse& response, std::string method, std::string path,
                         std::chrono::system_clock::time_point now) {
  ApiError error;
  error.http_status = response.status;
  error.method = std::move(method);
  error.path = std::move(path);
  auto body = trim(response.body);
  if (!body.empty() && (body.front() == '{' || body.front() == '[')) {
    // Depth-limited: an error body comes from the server and may be hostile.
    auto json = parse_json(body);
    if (json) {
      parse_json_body(*json, error);
      if (error.message.empty()) error.message = truncate(body);
    } else {
      error.message = truncate(body);
    }
  } else if (looks_like_html(body)) {
    parse_html_body(body, error);
  } else if (!body.empty()) {
    if (!split_code_message(body, error.error_code, error.message)) error.message = truncate(body);
  }
  if (response.status >= 300 && response.status < 400) {
    // cpprest does not follow redirects; for an API call one means a wrong host
    // or a login redirect (docs/reference/rest-api.md §6.3).
    auto location = find_header(response.headers, "Location").value_or("another page");
    error.error_code = "UNEXPECTED_REDIRECT";
    error.message = "the server redirected to " + location +
                    " instead of answering; probably a wrong host or a redirect to a login page";
  }
  if (error.error_code.empty()) error.error_code = error_code_for_status(response.status);
  if (error.message.empty()) {
    auto reason = http_reason_phrase(response.status);
    error.message = reason.empty() ? "empty response body" : std::string(reason);
  }
  if (error.request_id.empty()) {
    error.request_id =
        find_header(response.headers, "x-request-id")
            .value_or(find_header(response.headers, "x-databricks-request-id").value_or(""));
  }
  error.retry_after = parse_retry_after(response.headers, now);
  return error;
}

ApiError parse_api_error(const HttpResponse& response, std::string method, std::string path) {
  return parse_api_error(response, std::move(method), std::move(path),
                         std::chrono::system_clock::now());
}

}  // namespace dbk::detail
