#include "identity/scim_protocol.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace dbk::emulator {
namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

constexpr std::int64_t kMaxCount = 10000;  // the most resources one page holds

const std::set<std::string>& scim_types() {
  static const std::set<std::string> types = {"invalidFilter", "invalidValue", "invalidPath",
                                              "invalidSyntax", "uniqueness",   "mutability",
                                              "noTarget",      "tooMany"};
  return types;
}

bool iequals(const std::string& a, const std::string& b) {
  return scim_lower(a) == scim_lower(b);
}

// The values a dotted path reaches in a resource (several through multi-valued attributes).
void collect(const json& node, const std::vector<std::string>& parts, std::size_t at,
             std::vector<json>& out) {
  if (node.is_array()) {
    for (const auto& item : node) collect(item, parts, at, out);
    return;
  }
  if (at == parts.size()) {
    out.push_back(node);
    return;
  }
  if (!node.is_object()) return;
  if (const json* next = scim_attribute(node, parts[at])) collect(*next, parts, at + 1, out);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool compare(const json& actual, const std::string& op, const json& wanted) {
  if (op == "pr") return !actual.is_null() && !(actual.is_array() && actual.empty());
  if (actual.is_string() && wanted.is_string()) {
    const std::string a = scim_lower(actual.get<std::string>());
    const std::string b = scim_lower(wanted.get<std::string>());
    if (op == "eq") return a == b;
    if (op == "ne") return a != b;
    if (op == "co") return a.find(b) != std::string::npos;
    if (op == "sw") return a.compare(0, b.size(), b) == 0;
    if (op == "ew") return a.size() >= b.size() && a.compare(a.size() - b.size(), b.size(), b) == 0;
    if (op == "gt") return a > b;
    if (op == "ge") return a >= b;
    if (op == "lt") return a < b;
    if (op == "le") return a <= b;
    return false;
  }
  if (op == "eq") return actual == wanted;
  if (op == "ne") return actual != wanted;
  if (actual.is_number() && wanted.is_number()) {
    const double a = actual.get<double>(), b = wanted.get<double>();
    if (op == "gt") return a > b;
    if (op == "ge") return a >= b;
    if (op == "lt") return a < b;
    if (op == "le") return a <= b;
  }
  return false;
}

// Tokens of a filter: words, and quoted strings kept with their quotes.
Result<std::vector<std::string>> tokens_of(const std::string& text) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '"') {
      std::string token = "\"";
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          token += text[i + 1];
          i += 2;
        } else if (text[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          token += text[i++];
        }
      }
      if (!closed)
        return scim_error(400, "invalidFilter", "Unterminated string in filter: " + text);
      tokens.push_back(token);
    } else if (c == '(' || c == ')' || c == '[' || c == ']') {
      return scim_error(400, "invalidFilter",
                        "Grouping and complex attribute filters are not supported: " + text);
    } else {
      std::string token;
      while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '"') {
        token += text[i++];
      }
      tokens.push_back(token);
    }
  }
  return tokens;
}

ordered to_ordered(const json& value) {
  return ordered::parse(value.dump());
}

// Keeps only `names` (and id, schemas), or drops `names`, from a rendered resource.
json project(const json& resource, const std::vector<std::string>& names, bool keep) {
  json out = json::object();
  for (const auto& [key, value] : resource.items()) {
    const bool named = std::any_of(names.begin(), names.end(), [&](const std::string& name) {
      return iequals(name.substr(0, name.find('.')), key);
    });
    const bool always = key == "id" || key == "schemas";
    if (keep ? (named || always) : (!named || always)) out[key] = value;
  }
  return out;
}

std::string sort_key(const json& resource, const std::string& path) {
  std::vector<json> values;
  collect(resource, split(path, '.'), 0, values);
  if (values.empty()) return std::string();
  const json& first = values.front();
  return scim_lower(first.is_string() ? first.get<std::string>() : first.dump());
}

}  // namespace

std::string scim_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

ApiError scim_error(int status, const std::string& scim_type, std::string detail) {
  return http_error(status, scim_type, std::move(detail));
}

Response scim_error_response(const ApiError& error) {
  const int status = error.http_status == 0 ? 500 : error.http_status;
  ordered body;
  body["schemas"] = {"urn:ietf:params:scim:api:messages:2.0:Error"};
  if (scim_types().count(error.error_code)) body["scimType"] = error.error_code;
  body["detail"] = error.message;
  body["status"] = std::to_string(status);
  return json_response(status, body);
}

const json* scim_attribute(const json& object, const std::string& name) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (iequals(it.key(), name)) return &it.value();
  }
  return nullptr;
}

Result<ScimFilter> ScimFilter::parse(const std::string& text) {
  auto tokens = tokens_of(text);
  if (!tokens) return tokens.error();
  ScimFilter filter;
  filter.any_of_.emplace_back();
  std::size_t i = 0;
  const auto bad = [&](const std::string& why) {
    return scim_error(400, "invalidFilter", "Invalid filter '" + text + "': " + why);
  };
  if (tokens->empty()) return bad("it is empty");
  static const std::set<std::string> ops = {"eq", "ne", "co", "sw", "ew",
                                            "gt", "ge", "lt", "le", "pr"};
  while (true) {
    if (i + 1 >= tokens->size()) return bad("a comparison needs an attribute and an operator");
    Comparison comparison;
    comparison.path = (*tokens)[i];
    comparison.op = scim_lower((*tokens)[i + 1]);
    if (comparison.path.empty() || comparison.path[0] == '"' || !ops.count(comparison.op)) {
      return bad("expected <attribute> <operator> <value>");
    }
    i += 2;
    if (comparison.op != "pr") {
      if (i >= tokens->size()) return bad("the operator " + comparison.op + " needs a value");
      const std::string& value = (*tokens)[i++];
      if (value[0] == '"') {
        comparison.value = value.substr(1);
      } else if (iequals(value, "true") || iequals(value, "false")) {
        comparison.value = iequals(value, "true");
      } else if (iequals(value, "null")) {
        comparison.value = nullptr;
      } else {
        try {
          std::size_t used = 0;
          const double number = std::stod(value, &used);
          if (used != value.size()) return bad("the value " + value + " is not valid");
          comparison.value = number;
        } catch (const std::exception&) {
          return bad("the value " + value + " is not valid");
        }
      }
    }
    filter.any_of_.back().push_back(std::move(comparison));
    if (i == tokens->size()) break;
    const std::string joint = scim_lower((*tokens)[i++]);
    if (joint == "or") {
      filter.any_of_.emplace_back();
    } else if (joint != "and") {
      return bad("expected and / or, got " + (*tokens)[i - 1]);
    }
  }
  return filter;
}

bool ScimFilter::matches(const json& resource) const {
  return std::any_of(any_of_.begin(), any_of_.end(), [&](const std::vector<Comparison>& all) {
    return std::all_of(all.begin(), all.end(), [&](const Comparison& c) {
      std::vector<json> values;
      collect(resource, split(c.path, '.'), 0, values);
      if (values.empty()) return c.op == "ne";
      return std::any_of(values.begin(), values.end(),
                         [&](const json& v) { return compare(v, c.op, c.value); });
    });
  });
}

Response scim_list_response(const Request& request, std::vector<json> resources) {
  auto params = Params::from_query(request.query);
  auto start = params.optional_int64("startIndex");
  auto count = params.optional_int64("count");
  if (!start) return scim_error_response(scim_error(400, "invalidValue", start.error().message));
  if (!count) return scim_error_response(scim_error(400, "invalidValue", count.error().message));
  if (auto text = request.query_param("filter"); text && !trim(*text).empty()) {
    auto filter = ScimFilter::parse(*text);
    if (!filter) return scim_error_response(filter.error());
    resources.erase(std::remove_if(resources.begin(), resources.end(),
                                   [&](const json& r) { return !filter->matches(r); }),
                    resources.end());
  }
  if (auto by = request.query_param("sortBy"); by && !by->empty()) {
    const std::string order = scim_lower(request.query_param("sortOrder").value_or("ascending"));
    if (order != "ascending" && order != "descending") {
      return scim_error_response(scim_error(
          400, "invalidValue", "sortOrder must be ascending or descending, got " + order));
    }
    std::stable_sort(resources.begin(), resources.end(), [&](const json& a, const json& b) {
      return order == "ascending" ? sort_key(a, *by) < sort_key(b, *by)
                                  : sort_key(b, *by) < sort_key(a, *by);
    });
  }
  // RFC 7644 §3.4.2.4: a startIndex below 1 is 1, a negative count is 0.
  const std::int64_t total = static_cast<std::int64_t>(resources.size());
  const std::int64_t first = std::max<std::int64_t>(1, start->value_or(1));
  const std::int64_t wanted = std::clamp<std::int64_t>(count->value_or(kMaxCount), 0, kMaxCount);
  std::vector<std::string> attributes, excluded;
  if (auto text = request.query_param("attributes")) attributes = split(*text, ',');
  if (auto text = request.query_param("excludedAttributes")) excluded = split(*text, ',');
  for (auto* names : {&attributes, &excluded}) {
    for (auto& name : *names) name = trim(name);
    names->erase(std::remove(names->begin(), names->end(), std::string()), names->end());
  }
  ordered page = ordered::array();
  for (std::int64_t i = first - 1; i < total && i < first - 1 + wanted; ++i) {
    json resource = std::move(resources[static_cast<std::size_t>(i)]);
    if (!attributes.empty()) resource = project(resource, attributes, true);
    if (!excluded.empty()) resource = project(resource, excluded, false);
    page.push_back(to_ordered(resource));
  }
  ordered body;
  body["totalResults"] = total;
  body["startIndex"] = first;
  body["itemsPerPage"] = page.size();
  body["schemas"] = {"urn:ietf:params:scim:api:messages:2.0:ListResponse"};
  if (!page.empty()) body["Resources"] = page;  // the service omits an empty page
  return json_response(200, body);
}

Result<ScimPatchPath> parse_patch_path(const std::string& path) {
  ScimPatchPath out;
  const auto open = path.find('[');
  if (open == std::string::npos) {
    out.attribute = scim_lower(trim(path));
    if (out.attribute.empty()) return scim_error(400, "invalidPath", "The path is empty");
    return out;
  }
  // attr[value eq "x"]: the one selector clients send (remove a group or an entitlement).
  if (path.back() != ']') return scim_error(400, "invalidPath", "Invalid path " + path);
  out.attribute = scim_lower(trim(path.substr(0, open)));
  auto filter = tokens_of(path.substr(open + 1, path.size() - open - 2));
  if (!filter || filter->size() != 3 || !iequals((*filter)[0], "value") ||
      !iequals((*filter)[1], "eq") || (*filter)[2].empty() || (*filter)[2][0] != '"') {
    return scim_error(400, "invalidPath",
                      "Invalid path " + path + ": only [value eq \"...\"] selects a value");
  }
  out.selected_value = (*filter)[2].substr(1);
  return out;
}

}  // namespace dbk::emulator
