#include "policies/policy_rules.hpp"

#include <optional>
#include <regex>
#include <set>
#include <vector>

#include "http/request.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

// std::regex matches recursively: bounded inputs keep a hostile value or pattern from
// exhausting the stack of a request thread.
constexpr std::size_t kMaxPatternBytes = 1000;
constexpr std::size_t kMaxMatchedBytes = 1000;

// Attributes whose value is a map from free-form keys: in "spark_conf.spark.a.b" the key
// is everything after the first dot.
const std::set<std::string>& map_attributes() {
  static const std::set<std::string> names = {"spark_conf", "custom_tags", "spark_env_vars"};
  return names;
}

// Attributes computed by the service, not stored on the cluster.
const std::set<std::string>& virtual_attributes() {
  static const std::set<std::string> names = {"cluster_type", "dbus_per_hour"};
  return names;
}

const std::set<std::string>& rule_types() {
  static const std::set<std::string> types = {"fixed", "forbidden", "allowlist", "blocklist",
                                              "regex", "range",     "unlimited"};
  return types;
}

// A JSON pointer for an attribute path; nullopt when the path cannot name a stored value
// (wildcards such as init_scripts.*.dbfs.destination, which are not enforced).
std::optional<json::json_pointer> pointer_of(const std::string& path) {
  const auto dot = path.find('.');
  const std::string head = path.substr(0, dot);
  auto escape = [](std::string token) {
    std::string out;
    for (char c : token) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  };
  if (dot == std::string::npos) return json::json_pointer("/" + escape(head));
  if (map_attributes().count(head)) {
    return json::json_pointer("/" + escape(head) + "/" + escape(path.substr(dot + 1)));
  }
  std::string pointer;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = path.find('.', start);
    const std::string token = path.substr(start, end - start);
    if (token.empty() || token == "*") return std::nullopt;
    pointer += "/" + escape(token);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return json::json_pointer(pointer);
}

// How the service prints a value in its messages: strings bare, others as JSON.
std::string shown(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool same_value(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  // Policies often write numbers and booleans as strings ("true", "2").
  if (a.is_string() != b.is_string()) return shown(a) == shown(b);
  return a == b;
}

std::string failure(const std::string& path, const std::string& what) {
  const auto dot = path.find('.');
  const std::string head = path.substr(0, dot);
  if (what == "must be present" && dot != std::string::npos && map_attributes().count(head)) {
    return "Validation failed for " + head + ", " + path.substr(dot + 1) + " must be present";
  }
  return "Validation failed for " + path + ", " + what;
}

std::string list_text(const json& values) {
  std::string out = "[";
  for (const auto& value : values) out += (out.size() > 1 ? ", " : "") + shown(value);
  return out + "]";
}

Status bad_definition(const std::string& path, const std::string& why) {
  return invalid_parameter("Invalid policy definition for " + path + ": " + why);
}

}  // namespace

Status check_policy_definition(const json& definition) {
  if (!definition.is_object()) return invalid_parameter("Policy definition must be a JSON object");
  for (const auto& [path, rule] : definition.items()) {
    if (path.empty()) return bad_definition("\"\"", "the attribute path is empty");
    if (!rule.is_object() || !rule.contains("type") || !rule["type"].is_string()) {
      return bad_definition(path, "each attribute needs an object with a \"type\"");
    }
    const std::string type = rule["type"];
    if (!rule_types().count(type)) return bad_definition(path, "unknown type \"" + type + "\"");
    if (type == "fixed" && !rule.contains("value"))
      return bad_definition(path, "fixed needs value");
    if ((type == "allowlist" || type == "blocklist") &&
        (!rule.contains("values") || !rule["values"].is_array())) {
      return bad_definition(path, type + " needs a values array");
    }
    if (type == "regex") {
      if (!rule.contains("pattern") || !rule["pattern"].is_string()) {
        return bad_definition(path, "regex needs a pattern");
      }
      if (rule["pattern"].get<std::string>().size() > kMaxPatternBytes) {
        return bad_definition(
            path, "the pattern is longer than " + std::to_string(kMaxPatternBytes) + " bytes");
      }
      try {
        std::regex pattern(rule["pattern"].get<std::string>());
      } catch (const std::regex_error&) {
        return bad_definition(path, "the pattern is not a valid regular expression");
      }
    }
    if (type == "range") {
      for (const char* bound : {"minValue", "maxValue"}) {
        if (rule.contains(bound) && !rule[bound].is_number()) {
          return bad_definition(path, std::string(bound) + " must be a number");
        }
      }
    }
  }
  return {};
}

Result<json> apply_policy(const json& definition, json spec, const std::string& cluster_type) {
  if (auto checked = check_policy_definition(definition); !checked) {
    return invalid_parameter(
        "Requests for this policy cannot be satisfied due to the malformed policy definition: " +
        checked.error().message);
  }
  std::vector<std::string> failures;
  try {
    for (const auto& [path, rule] : definition.items()) {
      const std::string type = rule["type"];
      std::optional<json> value;
      std::optional<json::json_pointer> pointer;
      if (path == "cluster_type") {
        value = cluster_type;
      } else if (virtual_attributes().count(path)) {
        continue;  // dbus_per_hour: the emulator has no DBU prices (docs/emulator.md)
      } else {
        pointer = pointer_of(path);
        if (!pointer) continue;
        if (spec.contains(*pointer)) value = spec.at(*pointer);
      }
      const bool optional = rule.value("isOptional", false);
      if (!value) {
        if (type == "forbidden") continue;
        if (type == "fixed") {
          spec[*pointer] = rule["value"];
        } else if (rule.contains("defaultValue")) {
          spec[*pointer] = rule["defaultValue"];
        } else if (!optional && type != "unlimited") {
          failures.push_back(failure(path, "must be present"));
        }
        continue;
      }
      std::string actual = shown(*value);
      if (actual.size() > 200) {  // messages stay short; cut on a UTF-8 character boundary
        std::size_t cut = 200;
        while (cut > 0 && (static_cast<unsigned char>(actual[cut]) & 0xC0) == 0x80) --cut;
        actual = actual.substr(0, cut) + "...";
      }
      const std::string is = " (is \"" + actual + "\")";
      if (type == "fixed" && !same_value(*value, rule["value"])) {
        failures.push_back(failure(path, "the value must be " + shown(rule["value"]) + is));
      } else if (type == "forbidden") {
        failures.push_back(failure(path, "the value must not be present" + is));
      } else if (type == "allowlist") {
        bool allowed = false;
        for (const auto& candidate : rule["values"])
          allowed = allowed || same_value(*value, candidate);
        if (!allowed) {
          failures.push_back(
              failure(path, "the value must be one of " + list_text(rule["values"]) + is));
        }
      } else if (type == "blocklist") {
        for (const auto& candidate : rule["values"]) {
          if (same_value(*value, candidate)) {
            failures.push_back(
                failure(path, "the value must not be one of " + list_text(rule["values"]) + is));
            break;
          }
        }
      } else if (type == "regex") {
        const std::string text = shown(*value);
        bool matched = false;
        std::string reason;
        if (text.size() > kMaxMatchedBytes) {
          reason = "the value is longer than " + std::to_string(kMaxMatchedBytes) +
                   " bytes, too long to match the pattern ";
        } else {
          try {
            matched = std::regex_match(text, std::regex(rule["pattern"].get<std::string>()));
          } catch (const std::regex_error&) {
            reason = "the value could not be matched against the pattern ";
          }
          if (reason.empty()) reason = "the value must match the pattern ";
        }
        if (!matched) {
          failures.push_back(failure(path, reason + rule["pattern"].get<std::string>() + is));
        }
      } else if (type == "range") {
        if (!value->is_number()) {
          failures.push_back(failure(path, "the value must be a number" + is));
          continue;
        }
        const double number = value->get<double>();
        if (rule.contains("minValue") && number < rule["minValue"].get<double>()) {
          failures.push_back(
              failure(path, "the value must be at least " + shown(rule["minValue"]) + is));
        } else if (rule.contains("maxValue") && number > rule["maxValue"].get<double>()) {
          failures.push_back(
              failure(path, "the value must be at most " + shown(rule["maxValue"]) + is));
        }
      }
    }
  } catch (const nlohmann::json::exception&) {
    // e.g. spark_conf given as a string where the policy expects a map.
    return invalid_parameter(
        "Validation failed: the cluster attributes do not have the shape "
        "the policy's attribute paths expect");
  }
  if (!failures.empty()) {
    std::string message;
    for (const auto& text : failures) message += (message.empty() ? "" : "; ") + text;
    return invalid_parameter(message);
  }
  return spec;
}

}  // namespace dbk::emulator
