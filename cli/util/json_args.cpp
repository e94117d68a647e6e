#include "util/json_args.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/invocation.hpp"
#include "dbk/json.hpp"

namespace dbk::cli {
namespace {

std::string unescape_quotes(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '"') continue;
    out += text[i];
  }
  return out;
}

std::string as_param_string(const nlohmann::ordered_json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  std::error_code code;
  // A directory opens as an empty stream on Linux; say what it is instead.
  if (std::filesystem::is_directory(path, code)) {
    return make_error(error_codes::kIoError, "'" + path + "' is a directory");
  }
  errno = 0;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return make_error(error_codes::kIoError,
                      "cannot read '" + path + "'" +
                          (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()));
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) return make_error(error_codes::kIoError, "cannot read '" + path + "'");
  return content.str();
}

Result<nlohmann::ordered_json> parse_json_text(const std::string& text, const std::string& source) {
  // Refuse over-deep nesting before nlohmann's recursive parser (and every later copy
  // or print of the value) can run out of stack.
  if (json_nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    return usage_error("Invalid JSON in " + source + ": nested deeper than " +
                       std::to_string(kMaxJsonDepth) + " levels.");
  }
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports the byte index; scripts want line and column.
    std::size_t position = e.byte == 0 ? 0 : e.byte - 1;
    if (position > text.size()) position = text.size();
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < position; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    // Keep only nlohmann's explanation after "...: " (drop its own position text).
    auto last = what.rfind(": ");
    std::string reason = last == std::string::npos ? what : what.substr(last + 2);
    return usage_error("Invalid JSON in " + source + " at line " + std::to_string(line) +
                       ", column " + std::to_string(column) + ": " + reason);
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax that nlohmann cannot hold: a number too large for a double ("1e999").
    std::string what = e.what();
    auto bracket = what.find("] ");
    return usage_error("Invalid JSON in " + source + ": " +
                       (bracket == std::string::npos ? what : what.substr(bracket + 2)) + ".");
  }
}

Result<nlohmann::ordered_json> parse_json_argument(const std::string& text,
                                                   const std::string& flag_name) {
  if (!text.empty() && text[0] == '@') {
    auto content = read_text_file(text.substr(1));
    if (!content) {
      return usage_error("Invalid value for " + flag_name + ": " + content.error().message + ".");
    }
    return parse_json_text(*content, text.substr(1));
  }
  auto parsed = parse_json_text(text, flag_name);
  if (!parsed && text.find("\\\"") != std::string::npos) {
    auto retried = parse_json_text(unescape_quotes(text), flag_name);
    if (retried) return retried;
  }
  return parsed;
}

Result<nlohmann::ordered_json> require_json_object(Result<nlohmann::ordered_json> parsed,
                                                   const std::string& source) {
  if (parsed && !parsed->is_object()) {
    return usage_error("Invalid JSON in " + source + ": expected an object, got " +
                       (parsed->is_array() ? "an array" : std::string("a ") + parsed->type_name()) +
                       ".");
  }
  return parsed;
}

Result<std::map<std::string, std::string>> parse_string_map(const std::vector<std::string>& values,
                                                            const std::string& flag_name) {
  std::map<std::string, std::string> params;
  for (const auto& value : values) {
    auto first = value.find_first_not_of(" \t\r\n");
    bool looks_json = first != std::string::npos && (value[first] == '{' || value[first] == '@');
    if (looks_json) {
      auto parsed = parse_json_argument(value.substr(first), flag_name);
      if (!parsed) return parsed.error();
      if (!parsed->is_object()) {
        return usage_error("Invalid value for " + flag_name + ": expected a JSON object.");
      }
      for (auto it = parsed->begin(); it != parsed->end(); ++it) {
        params[it.key()] = as_param_string(it.value());
      }
      continue;
    }
    auto equals = value.find('=');
    if (equals == std::string::npos || equals == 0) {
      return usage_error("Invalid value for " + flag_name + ": '" + value +
                         "' is neither a JSON object nor KEY=VALUE.");
    }
    params[value.substr(0, equals)] = value.substr(equals + 1);
  }
  return params;
}

Result<std::vector<std::string>> parse_string_list(const std::string& text,
                                                   const std::string& flag_name) {
  auto parsed = parse_json_argument(text, flag_name);
  if (!parsed) return parsed.error();
  if (!parsed->is_array()) {
    return usage_error("Invalid value for " + flag_name + ": expected a JSON array.");
  }
  std::vector<std::string> list;
  for (const auto& item : *parsed) list.push_back(as_param_string(item));
  return list;
}

}  // namespace dbk::cli
