#include "dbk/job_template.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace dbk {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

// The text a JSON string needs for `value`, without the surrounding quotes.
std::string json_escaped(const std::string& value) {
  // dump() with the `replace` handler so that invalid UTF-8 in a value cannot throw.
  std::string quoted =
      nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

std::vector<std::string> job_template_placeholders(std::string_view text) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  while ((pos = text.find(kOpen, pos)) != std::string_view::npos) {
    auto end = text.find(kClose, pos + kOpen.size());
    if (end == std::string_view::npos) break;
    std::string name(text.substr(pos + kOpen.size(), end - pos - kOpen.size()));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    pos = end + kClose.size();
  }
  return names;
}

Result<std::string> render_job_template(std::string_view text,
                                        const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  std::vector<std::string> missing;
  std::size_t pos = 0;
  while (true) {
    auto open = text.find(kOpen, pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    auto close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) {
      return make_error(error_codes::kInvalidArgument, "unterminated placeholder: '{{' at offset " +
                                                           std::to_string(open) +
                                                           " has no closing '}}'");
    }
    out.append(text.substr(pos, open - pos));
    std::string name(text.substr(open + kOpen.size(), close - open - kOpen.size()));
    if (auto it = values.find(name); it != values.end()) {
      out += json_escaped(it->second);
    } else if (std::find(missing.begin(), missing.end(), name) == missing.end()) {
      missing.push_back(name);
    }
    pos = close + kClose.size();
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& name : missing) names += (names.empty() ? "" : ", ") + ("{{" + name + "}}");
    return make_error(error_codes::kInvalidArgument, std::string("no value for placeholder") +
                                                         (missing.size() > 1 ? "s " : " ") + names);
  }
  return out;
}

}  // namespace dbk
