#include "unity_catalog/uc_common.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "discovery/host_metadata_service.hpp"
#include "http/request.hpp"
#include "state/store.hpp"

namespace dbk::emulator::uc {

std::string shown(const std::string& name) {
  std::string out;
  for (unsigned char c : name.substr(0, 120)) {
    if (c < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (name.size() > 120) out += "...";
  return out;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Status check_name(const char* what, const std::string& name) {
  if (name.empty()) return invalid_parameter(std::string(what) + " name must not be empty.");
  if (name.size() > kMaxNameLength) {
    return invalid_parameter(std::string(what) + " name '" + shown(name) + "' is longer than " +
                             std::to_string(kMaxNameLength) + " characters.");
  }
  for (unsigned char c : name) {
    if (c == '.' || c == ' ' || c == '/' || c < 0x20 || c == 0x7f) {
      return invalid_parameter(std::string("Invalid ") + lower(what) + " name '" + shown(name) +
                               "': names cannot contain '.', ' ', '/' or control characters.");
    }
  }
  return {};
}

ApiError missing(int level, const std::string& full_name) {
  return http_error(404, std::string(kCodes[level]) + "_DOES_NOT_EXIST",
                    std::string(kNouns[level]) + " '" + shown(full_name) + "' does not exist.");
}

ApiError metastore_missing(const std::string& id) {
  return http_error(404, "METASTORE_DOES_NOT_EXIST",
                    "Metastore '" + shown(id) + "' does not exist.");
}

ApiError no_current_metastore() {
  return http_error(404, "METASTORE_DOES_NOT_EXIST",
                    "No metastore assigned for the current workspace.");
}

ApiError principal_missing(const std::string& principal) {
  return http_error(404, "PRINCIPAL_DOES_NOT_EXIST",
                    "Could not find principal with name " + shown(principal) + ".");
}

// "c.s.t" split into `level` validated, lower-cased parts.
Result<std::vector<std::string>> split_full_name(const std::string& full_name, int level) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = full_name.find('.', start);
    parts.push_back(full_name.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (static_cast<int>(parts.size()) != level) {
    static const char* shapes[] = {"", "<catalog>", "<catalog>.<schema>",
                                   "<catalog>.<schema>.<table>"};
    return invalid_parameter("Invalid " + lower(kNouns[level]) + " full name '" + shown(full_name) +
                             "': expected " + shapes[level] + ".");
  }
  for (int i = 0; i < level; ++i) {
    if (auto status = check_name(kNouns[i + 1], parts[i]); !status) return status.error();
    parts[i] = lower(parts[i]);
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    if (i) out += '.';
    out += parts[i];
  }
  return out;
}

std::string metastore_id_of(std::int64_t n) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "0dbc0000-0000-4000-8000-%012lld",
                static_cast<long long>(n));
  return buffer;
}

// The metastore assigned to the emulator's workspace.
Result<std::string> current_metastore(const Store::Transaction& tx) {
  auto assignment = tx.get(kAssignment, kEmulatorWorkspaceId);
  if (!assignment) return no_current_metastore();
  return assignment->value("metastore_id", std::string());
}

// A string field of an update, or nullopt when absent or null (the legacy CLI sends every
// flag, unset ones as null).
Result<std::optional<std::string>> update_string(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return invalid_parameter(std::string(field) + " must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<json> request_body(const Request& request) {
  auto params = Params::from_request(request);
  if (!params) return std::move(params).error();
  return params->json();
}

// `force` of a DELETE: a query parameter (official clients) or a JSON body (legacy CLI).
Result<bool> delete_force(const Request& request) {
  if (auto value = request.query_param("force")) {
    auto parsed = parse_bool(*value);
    if (!parsed) return invalid_parameter("force must be true or false");
    return *parsed;
  }
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return false;
  auto body = parse_client_json(request.body);
  if (!body) return std::move(body).error();
  if (!body->is_object() || !body->contains("force") || (*body)["force"].is_null()) return false;
  if (!(*body)["force"].is_boolean()) return invalid_parameter("force must be a boolean");
  return (*body)["force"].get<bool>();
}

ordered public_fields(const json& document) {
  ordered out = ordered::object();
  for (const auto& [key, value] : document.items()) {
    if (!key.empty() && key[0] != '_') out[key] = value;
  }
  return out;
}

// The page a list answers: everything without max_results (the unpaginated form), else at
// most max_results (0: the server's page length) after the page_token.
Result<ordered> page_of(const Request& request, std::vector<json> items, const char* field,
                        const char* key) {
  std::optional<std::int64_t> max_results;
  if (auto value = request.query_param("max_results")) {
    try {
      std::size_t used = 0;
      max_results = std::stoll(*value, &used);
      if (used != value->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return invalid_parameter("max_results must be an integer");
    }
    if (*max_results < 0)
      return invalid_parameter("max_results must be greater than or equal to 0");
  }
  std::size_t begin = 0;
  if (auto token = request.query_param("page_token"); token && !token->empty()) {
    // The token is the key (name) of the last item of the previous page.
    while (begin < items.size() && items[begin].value(key, "") <= *token) ++begin;
  }
  std::size_t end = items.size();
  if (max_results) {
    std::int64_t length = *max_results == 0 ? kPageLength : std::min(*max_results, kPageLength);
    end = std::min(items.size(), begin + static_cast<std::size_t>(length));
  }
  ordered body = ordered::object();
  ordered list = ordered::array();
  for (std::size_t i = begin; i < end; ++i) list.push_back(public_fields(items[i]));
  if (!list.empty()) body[field] = list;
  if (end < items.size()) body["next_page_token"] = items[end - 1].value(key, "");
  return body;
}

Result<std::optional<std::string>> new_name_of(const json& body, const std::string& current,
                                               const char* what) {
  std::optional<std::string> rename;
  for (const char* field : {"new_name", "name"}) {
    DBK_UC_ASSIGN(auto value, update_string(body, field));
    if (value && lower(*value) != current) {
      DBK_UC_TRY(check_name(what, *value));
      rename = lower(*value);
    }
  }
  return rename;
}

}  // namespace dbk::emulator::uc
