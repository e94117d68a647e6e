#include "http/request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "dbk/internal/text.hpp"
#include "dbk/json.hpp"

namespace dbk::emulator {

namespace {

using internal::ascii_lower;
using internal::ends_with;

// A copy: the trimmed text outlives the header or form line it came from.
std::string trim(std::string_view text) {
  return std::string(internal::trim(text));
}

std::string missing_field(std::string_view field) {
  return "Missing required field: " + std::string(field);
}

std::optional<std::int64_t> parse_int64(std::string_view text) {
  std::string trimmed = trim(text);
  std::int64_t value = 0;
  const char* begin = trimmed.data();
  const char* end = begin + trimmed.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  return value;
}

// A parameter value from multipart headers: name="x"; filename="y".
std::string header_attribute(std::string_view header, std::string_view attribute) {
  std::string lowered = ascii_lower(header);
  std::string needle = std::string(attribute) + "=";
  size_t pos = 0;
  while ((pos = lowered.find(needle, pos)) != std::string::npos) {
    bool boundary = pos == 0 || lowered[pos - 1] == ';' || lowered[pos - 1] == ' ';
    pos += needle.size();
    if (!boundary) continue;
    if (pos < header.size() && header[pos] == '"') {
      size_t close = header.find('"', pos + 1);
      if (close == std::string_view::npos) return std::string(header.substr(pos + 1));
      return std::string(header.substr(pos + 1, close - pos - 1));
    }
    size_t close = header.find(';', pos);
    return trim(header.substr(pos, close == std::string_view::npos ? close : close - pos));
  }
  return "";
}

}  // namespace

std::optional<std::string> Request::header(std::string_view name) const {
  return find_header(headers, name);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string Request::content_type() const {
  auto value = header("Content-Type");
  if (!value) return "";
  std::string_view text = *value;
  text = text.substr(0, text.find(';'));
  return ascii_lower(trim(text));
}

bool Request::declares_json() const {
  std::string type = content_type();
  return type == "application/json" || type == "text/json" ||
         (type.size() > 5 && ends_with(type, "+json"));
}

bool Request::has_json_body() const {
  std::string type = content_type();
  return type.empty() || declares_json() || type == "application/x-www-form-urlencoded" ||
         type == "text/plain";
}

ApiError http_error(int status, std::string error_code, std::string message) {
  ApiError error;
  error.http_status = status;
  error.error_code = std::move(error_code);
  error.message = std::move(message);
  return error;
}

ApiError invalid_parameter(std::string message) {
  return http_error(400, "INVALID_PARAMETER_VALUE", std::move(message));
}
ApiError malformed_request(std::string message) {
  return http_error(400, "MALFORMED_REQUEST", std::move(message));
}
ApiError not_found(std::string message) {
  return http_error(404, "RESOURCE_DOES_NOT_EXIST", std::move(message));
}
ApiError already_exists(std::string message) {
  return http_error(400, "RESOURCE_ALREADY_EXISTS", std::move(message));
}

std::optional<ApiError> too_deep_json(std::string_view text) {
  if (json_nesting_depth(text, kMaxJsonDepth) <= kMaxJsonDepth) return std::nullopt;
  return invalid_parameter("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                           " levels is not accepted");
}

Result<nlohmann::json> parse_client_json(std::string_view text, std::string_view what) {
  if (auto deep = too_deep_json(text)) return std::move(*deep);
  auto parsed = parse_json(text);
  if (!parsed.ok()) {
    return malformed_request("Invalid JSON given in " + std::string(what) + " - failed to parse");
  }
  return parsed;
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string value = ascii_lower(trim(text));
  if (value == "true") return true;
  if (value == "false") return false;
  return std::nullopt;
}

Result<Params> Params::from_request(const Request& request) {
  if (request.method == "GET" || request.method == "HEAD" || request.method == "DELETE") {
    return from_query(request.query);
  }
  nlohmann::json object = nlohmann::json::object();
  bool blank = std::all_of(request.body.begin(), request.body.end(),
                           [](unsigned char c) { return std::isspace(c) != 0; });
  if (!blank) {
    auto parsed = parse_client_json(request.body);
    if (!parsed.ok()) return std::move(parsed).error();
    object = std::move(*parsed);
    if (!object.is_object()) {
      return malformed_request("Invalid JSON given in the body of the request - expected a map");
    }
  }
  for (const auto& [key, value] : request.query) {
    if (!object.contains(key)) object[key] = value;
  }
  return Params(std::move(object), false);
}

Params Params::from_json(nlohmann::json object) {
  if (!object.is_object()) object = nlohmann::json::object();
  return Params(std::move(object), false);
}

Params Params::from_query(const std::multimap<std::string, std::string>& query) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : query) {
    if (!object.contains(key)) object[key] = value;
  }
  return Params(std::move(object), true);
}

bool Params::has(std::string_view field) const {
  auto it = object_.find(field);
  return it != object_.end() && !it->is_null();
}

Result<std::string> Params::required_string(std::string_view field) const {
  auto value = optional_string(field);
  if (!value.ok()) return std::move(value).error();
  if (!value->has_value()) return invalid_parameter(missing_field(field));
  return std::move(**value);
}

Result<std::optional<std::string>> Params::optional_string(std::string_view field) const {
  auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return invalid_parameter("Invalid value for field '" + std::string(field) +
                             "': expected a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::int64_t> Params::required_int64(std::string_view field) const {
  auto value = optional_int64(field);
  if (!value.ok()) return std::move(value).error();
  if (!value->has_value()) return invalid_parameter(missing_field(field));
  return **value;
}

Result<std::optional<std::int64_t>> Params::optional_int64(std::string_view field) const {
  auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return std::optional<std::int64_t>();
  auto bad = [&] {
    return invalid_parameter("Invalid value for field '" + std::string(field) +
                             "': expected an integer");
  };
  if (it->is_number_integer()) return std::optional<std::int64_t>(it->get<std::int64_t>());
  if (it->is_number_float()) {
    double d = it->get<double>();
    auto i = static_cast<std::int64_t>(d);
    if (static_cast<double>(i) == d) return std::optional<std::int64_t>(i);
    return bad();
  }
  // Queries carry text; JSON bodies from some clients quote int64 ids too.
  if (it->is_string()) {
    auto parsed = parse_int64(it->get<std::string>());
    if (parsed) return std::optional<std::int64_t>(*parsed);
  }
  return bad();
}

Result<bool> Params::optional_bool(std::string_view field, bool fallback) const {
  auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) {
    auto parsed = parse_bool(it->get<std::string>());
    if (parsed) return *parsed;
  }
  return invalid_parameter("Invalid value for field '" + std::string(field) +
                           "': expected a boolean");
}

std::optional<nlohmann::json> Params::optional_json(std::string_view field) const {
  auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return std::nullopt;
  return *it;
}

namespace {
// Where `needle` first occurs in `text` at or after `from` (npos if not): glibc's memmem
// skips ahead on a mismatch where std::string::find stops at every byte equal to the
// needle's first, which matters for a delimiter searched through megabytes of upload.
size_t find_from(std::string_view text, std::string_view needle, size_t from) {
  if (from > text.size()) return std::string_view::npos;
  const void* hit = ::memmem(text.data() + from, text.size() - from, needle.data(), needle.size());
  return hit == nullptr ? std::string_view::npos
                        : static_cast<size_t>(static_cast<const char*>(hit) - text.data());
}
}  // namespace

Result<std::vector<FormPart>> parse_multipart(const Request& request) {
  std::string boundary = header_attribute(request.header("Content-Type").value_or(""), "boundary");
  if (boundary.empty()) return malformed_request("multipart/form-data without a boundary");
  const std::string delimiter = "--" + boundary;
  const std::string& body = request.body;
  std::vector<FormPart> parts;
  size_t pos = body.find(delimiter);
  if (pos == std::string::npos) return malformed_request("Malformed multipart/form-data body");
  pos += delimiter.size();
  while (true) {
    if (body.compare(pos, 2, "--") == 0) break;  // closing delimiter
    if (body.compare(pos, 2, "\r\n") != 0) {
      return malformed_request("Malformed multipart/form-data body");
    }
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string::npos) {
      return malformed_request("Malformed multipart/form-data body");
    }
    FormPart part;
    size_t line_start = pos;
    while (line_start < headers_end) {
      size_t line_end = body.find("\r\n", line_start);
      if (line_end == std::string::npos || line_end > headers_end) line_end = headers_end;
      std::string_view line(body.data() + line_start, line_end - line_start);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name = ascii_lower(trim(line.substr(0, colon)));
        std::string value = trim(line.substr(colon + 1));
        if (name == "content-disposition") {
          part.name = header_attribute(value, "name");
          part.filename = header_attribute(value, "filename");
        } else if (name == "content-type") {
          part.content_type = value;
        }
      }
      line_start = line_end + 2;
    }
    size_t data_start = headers_end + 4;
    size_t next = find_from(body, "\r\n" + delimiter, data_start);
    if (next == std::string::npos) return malformed_request("Malformed multipart/form-data body");
    part.data = std::string_view(body).substr(data_start, next - data_start);
    parts.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
  }
  return parts;
}

}  // namespace dbk::emulator
