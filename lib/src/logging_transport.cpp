#include "logging_transport.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "dbk/internal/text.hpp"
#include "dbk/json.hpp"

namespace dbk::detail {
namespace {

using internal::ascii_lower;
using internal::ends_with;

constexpr const char* kMask = "***";
constexpr size_t kMaxStringChars = 128;  // base64 blocks would drown the log

// Field names whose values are credentials. Pagination and idempotency
// tokens are not secret and stay readable.
bool is_secret_name(std::string_view raw) {
  auto name = ascii_lower(raw);
  if (name == "idempotency_token" || name == "page_token" || name == "next_page_token" ||
      name == "prev_page_token") {
    return false;
  }
  // string_value/bytes_value: a secret's value in secrets/put.
  return name == "token" || name == "token_value" || ends_with(name, "_token") ||
         name == "string_value" || name == "bytes_value" ||
         name.find("secret") != std::string::npos || name.find("password") != std::string::npos ||
         name == "authorization" || name == "cookie" || name == "set-cookie" ||
         name.find("api_key") != std::string::npos || name.find("apikey") != std::string::npos;
}

void redact_json(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto& [key, item] : value.items()) {
      if (is_secret_name(key) && !item.is_null()) {
        item = kMask;
      } else {
        redact_json(item);
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) redact_json(item);
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxStringChars) {
      value = text.substr(0, kMaxStringChars) + "... (" + std::to_string(text.size()) + " chars)";
    }
  }
}

std::string redact_form(const std::string& body) {
  std::string out;
  size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    auto pair = body.substr(start, end - start);
    auto equals = pair.find('=');
    if (!out.empty()) out += '&';
    if (equals != std::string::npos && is_secret_name(pair.substr(0, equals))) {
      out += pair.substr(0, equals + 1) + kMask;
    } else {
      out += pair;
    }
    start = end + 1;
  }
  return out;
}

bool is_printable_text(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 || c == '\n' || c == '\r' || c == '\t';
  });
}

std::string cut(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  auto more = text.size() - max_bytes;
  text.resize(max_bytes);
  return text + "... (" + std::to_string(more) + " more bytes)";
}

class LoggingTransport final : public Transport {
 public:
  LoggingTransport(std::shared_ptr<Transport> next, LogSink sink, std::shared_ptr<Clock> clock,
                   size_t max_body_bytes)
      : next_(std::move(next)),
        sink_(std::move(sink)),
        clock_(clock ? std::move(clock) : system_clock()),
        max_body_bytes_(max_body_bytes) {}

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override {
    // One sink call per line; lines of parallel calls may interleave, so each
    // stays self-contained.
    sink_("> " + request.method + " " + redact_url(request.url));
    for (const auto& [name, value] : request.headers) {
      sink_("> " + name + ": " + redact_header(name, value));
    }
    if (!request.body.empty()) {
      sink_("> " + redact_body(request.body,
                               find_header(request.headers, "Content-Type").value_or(""),
                               max_body_bytes_));
    }
    auto start = clock_->now();
    auto result = next_->send(request, context);
    auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_->now() - start).count();
    std::string took = " (" + std::to_string(elapsed) + " ms)";
    if (!result) {
      sink_("< " + result.error().to_string() + took);
      return result;
    }
    std::string reason(http_reason_phrase(result->status));
    sink_("< " + std::to_string(result->status) + (reason.empty() ? "" : " " + reason) + took);
    for (const auto& [name, value] : result->headers) {
      sink_("< " + name + ": " + redact_header(name, value));
    }
    if (!result->body.empty() && request.url.find("/api/2.0/secrets/get") != std::string::npos) {
      // Its one field that matters is the secret's value.
      sink_("< (a secret value: not logged)");
    } else if (!result->body.empty()) {
      sink_("< " + redact_body(result->body,
                               find_header(result->headers, "Content-Type").value_or(""),
                               max_body_bytes_));
    }
    return result;
  }

 private:
  std::shared_ptr<Transport> next_;
  LogSink sink_;
  std::shared_ptr<Clock> clock_;
  size_t max_body_bytes_;
};

}  // namespace

}  // namespace dbk::detail

namespace dbk {

// Here rather than in http.cpp: it shares the notion of a secret name with the log.
std::string redact_url(std::string_view url) {
  std::string out(url);
  // Userinfo sits between "scheme://" and the last '@' of the authority.
  if (auto scheme_end = out.find("://"); scheme_end != std::string::npos) {
    const auto start = scheme_end + 3;
    const auto authority_end = out.find_first_of("/?#", start);
    const auto at =
        out.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end - 1);
    if (at != std::string::npos && at >= start) out.replace(start, at - start, detail::kMask);
  }
  auto question = out.find('?');
  if (question == std::string::npos) return out;
  auto hash = out.find('#', question);
  std::string query =
      out.substr(question + 1, hash == std::string::npos ? hash : hash - question - 1);
  return out.substr(0, question + 1) + detail::redact_form(query) +
         (hash == std::string::npos ? std::string() : out.substr(hash));
}

}  // namespace dbk

namespace dbk::detail {

std::string redact_header(const std::string& name, const std::string& value) {
  if (ascii_lower(name) == "authorization" || ascii_lower(name) == "proxy-authorization") {
    auto space = value.find(' ');
    return space == std::string::npos ? kMask : value.substr(0, space) + " " + kMask;
  }
  return is_secret_name(name) || ascii_lower(name).find("token") != std::string::npos ? kMask
                                                                                      : value;
}

std::string redact_body(const std::string& body, const std::string& content_type,
                        size_t max_bytes) {
  auto first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (body[first] == '{' || body[first] == '[')) {
    // Depth-limited, so redact_json's recursion stays shallow; a text too deep to
    // parse is logged below as plain text (with the credential check).
    auto json = parse_json(body);
    if (json) {
      redact_json(*json);
      return cut(json->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max_bytes);
    }
  }
  if (ascii_lower(content_type).find("x-www-form-urlencoded") != std::string::npos) {
    return cut(redact_form(body), max_bytes);
  }
  if (!is_printable_text(body)) return "[" + std::to_string(body.size()) + " bytes of binary data]";
  // Unparsable text may still hold a credential: mask the value after any secret name.
  std::string text = body;
  static const char* kMarkers[] = {"access_token", "client_secret", "password", "\"token\""};
  for (const char* marker : kMarkers) {
    if (text.find(marker) != std::string::npos)
      return "[" + std::to_string(body.size()) + " bytes, not shown: may contain a credential]";
  }
  return cut(std::move(text), max_bytes);
}

std::shared_ptr<Transport> make_logging_transport(std::shared_ptr<Transport> next, LogSink sink,
                                                  std::shared_ptr<Clock> clock,
                                                  size_t max_body_bytes) {
  return std::make_shared<LoggingTransport>(std::move(next), std::move(sink), std::move(clock),
                                            max_body_bytes);
}

}  // namespace dbk::detail
