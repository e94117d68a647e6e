#include "pipelines/pipeline_settings.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "http/request.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

// Fields of a create/edit request that steer the call and are not pipeline settings.
const std::set<std::string>& request_only_fields() {
  static const std::set<std::string> fields = {"allow_duplicate_names", "dry_run",
                                               "expected_last_modified", "pipeline_id"};
  return fields;
}

Status expect(bool ok, const std::string& field, const std::string& what) {
  if (ok) return {};
  return invalid_parameter("Invalid value for field '" + field + "': expected " + what + ".");
}

Status check_library(const json& library, std::size_t index) {
  const std::string field = "libraries[" + std::to_string(index) + "]";
  if (!library.is_object() || library.size() != 1) {
    return invalid_parameter("Invalid value for field '" + field +
                             "': a library must set exactly one of notebook, file, glob, jar, "
                             "whl or maven.");
  }
  const std::string kind = library.begin().key();
  const json& value = library.begin().value();
  if (kind == "notebook" || kind == "file") {
    bool ok = value.is_object() && value.contains("path") && value["path"].is_string() &&
              !value["path"].get<std::string>().empty();
    return expect(ok, field + "." + kind, "an object with a non-empty path");
  }
  if (kind == "glob") {
    bool ok = value.is_object() && value.contains("include") && value["include"].is_string();
    return expect(ok, field + ".glob", "an object with an include pattern");
  }
  if (kind == "jar" || kind == "whl") {
    return expect(value.is_string() && !value.get<std::string>().empty(), field + "." + kind,
                  "a non-empty path");
  }
  if (kind == "maven") {
    bool ok =
        value.is_object() && value.contains("coordinates") && value["coordinates"].is_string();
    return expect(ok, field + ".maven", "an object with coordinates");
  }
  return invalid_parameter("Invalid value for field '" + field + "': unknown library type '" +
                           kind + "'.");
}

Status check_settings(const json& request) {
  if (!request.contains("name") || !request["name"].is_string() ||
      request["name"].get<std::string>().empty()) {
    return invalid_parameter("Pipeline name must be specified.");
  }
  for (const char* field : {"storage", "target", "catalog", "schema", "channel", "edition",
                            "budget_policy_id", "root_path", "serverless_compute_id"}) {
    if (request.contains(field)) {
      if (auto ok = expect(request[field].is_string(), field, "a string"); !ok) return ok;
    }
  }
  for (const char* field : {"continuous", "development", "photon", "serverless"}) {
    if (request.contains(field)) {
      if (auto ok = expect(request[field].is_boolean(), field, "a boolean"); !ok) return ok;
    }
  }
  if (request.contains("configuration")) {
    const json& conf = request["configuration"];
    bool ok = conf.is_object() &&
              std::all_of(conf.begin(), conf.end(), [](const json& v) { return v.is_string(); });
    if (auto checked = expect(ok, "configuration", "an object of string values"); !checked)
      return checked;
  }
  for (const char* field : {"clusters", "libraries", "notifications"}) {
    if (request.contains(field)) {
      if (auto ok = expect(request[field].is_array(), field, "a list"); !ok) return ok;
    }
  }
  if (request.contains("clusters")) {
    for (const auto& cluster : request["clusters"]) {
      if (auto ok = expect(cluster.is_object(), "clusters", "a list of objects"); !ok) return ok;
    }
  }
  if (request.contains("libraries")) {
    std::size_t index = 0;
    for (const auto& library : request["libraries"]) {
      if (auto ok = check_library(library, index++); !ok) return ok;
    }
  }
  if (request.contains("trigger") && !request["trigger"].is_object()) {
    return invalid_parameter("Invalid value for field 'trigger': expected an object.");
  }
  if (request.contains("storage") && request.contains("catalog")) {
    return invalid_parameter(
        "The storage location and a Unity Catalog catalog cannot both be set.");
  }
  if (request.contains("target") && request.contains("schema")) {
    return invalid_parameter("Only one of target and schema can be set.");
  }
  return {};
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// SQL LIKE: % any run, _ any one character; iterative with one backtrack point.
bool like(const std::string& text, const std::string& pattern) {
  std::size_t t = 0, p = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || pattern[p] == text[t])) {
      ++t;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

// A tiny tokenizer for the filters: words, 'quoted strings' ('' escapes a quote),
// and the punctuation = ( ) ,.
struct Token {
  enum Kind { kWord, kString, kPunct } kind;
  std::string text;
};

Result<std::vector<Token>> tokenize(const std::string& text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (c == '\'') {
      std::string value;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            value += '\'';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        value += text[i++];
      }
      if (!closed) return invalid_parameter("Invalid filter: unterminated string.");
      tokens.push_back({Token::kString, value});
    } else if (c == '=' || c == '(' || c == ')' || c == ',') {
      tokens.push_back({Token::kPunct, std::string(1, static_cast<char>(c))});
      ++i;
    } else if (std::isalnum(c) || c == '_') {
      std::size_t start = i;
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
        ++i;
      }
      tokens.push_back({Token::kWord, lower(text.substr(start, i - start))});
    } else {
      return invalid_parameter("Invalid filter: unexpected character '" + std::string(1, text[i]) +
                               "'.");
    }
  }
  return tokens;
}

std::vector<std::string> notebook_paths(const json& spec) {
  std::vector<std::string> paths;
  for (const auto& library : spec.value("libraries", json::array())) {
    if (library.is_object() && library.contains("notebook") && library["notebook"].is_object()) {
      paths.push_back(library["notebook"].value("path", ""));
    }
  }
  return paths;
}

}  // namespace

Result<json> pipeline_spec(const json& request, const std::string& id) {
  if (auto checked = check_settings(request); !checked) return checked.error();
  json spec = json::object();
  spec["id"] = id;
  for (const auto& [key, value] : request.items()) {
    if (key != "id" && !request_only_fields().count(key)) spec[key] = value;
  }
  // The service's defaults: a DBFS storage location unless the pipeline publishes to Unity
  // Catalog, the ADVANCED edition, the CURRENT channel.
  if (!spec.contains("storage") && !spec.contains("catalog")) {
    spec["storage"] = "dbfs:/pipelines/" + id;
  }
  if (!spec.contains("edition")) spec["edition"] = "ADVANCED";
  if (!spec.contains("channel")) spec["channel"] = "CURRENT";
  return spec;
}

Result<PipelineFilter> PipelineFilter::parse(const std::string& text) {
  PipelineFilter filter;
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error();
  std::size_t i = 0;
  const auto& t = *tokens;
  auto refuse = [&] {
    return invalid_parameter("Invalid filter '" + text +
                             "': supported are name LIKE '<pattern>', name = '<name>' and "
                             "notebook = '<path>', joined by AND.");
  };
  while (i < t.size()) {
    if (i + 2 >= t.size() || t[i].kind != Token::kWord ||
        (t[i].text != "name" && t[i].text != "notebook") || t[i + 2].kind != Token::kString) {
      return refuse();
    }
    Term term{t[i].text, false, t[i + 2].text};
    if (t[i + 1].kind == Token::kWord && t[i + 1].text == "like" && term.field == "name") {
      term.like = true;
    } else if (!(t[i + 1].kind == Token::kPunct && t[i + 1].text == "=")) {
      return refuse();
    }
    filter.terms_.push_back(term);
    i += 3;
    if (i < t.size()) {
      if (t[i].kind != Token::kWord || t[i].text != "and" || i + 1 == t.size()) return refuse();
      ++i;
    }
  }
  return filter;
}

bool PipelineFilter::matches(const json& spec) const {
  for (const auto& term : terms_) {
    if (term.field == "name") {
      const std::string name = spec.value("name", "");
      if (term.like ? !like(lower(name), lower(term.value)) : name != term.value) return false;
    } else {
      auto paths = notebook_paths(spec);
      if (std::find(paths.begin(), paths.end(), term.value) == paths.end()) return false;
    }
  }
  return true;
}

Result<EventFilter> EventFilter::parse(const std::string& text) {
  EventFilter filter;
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error();
  const auto& t = *tokens;
  auto refuse = [&] {
    return invalid_parameter("Invalid filter '" + text +
                             "': supported are level = '<LEVEL>' and level in ('<LEVEL>', ...).");
  };
  if (t.empty()) return filter;
  if (t.size() < 3 || t[0].kind != Token::kWord || t[0].text != "level") return refuse();
  if (t[1].kind == Token::kPunct && t[1].text == "=") {
    if (t.size() != 3 || t[2].kind != Token::kString) return refuse();
    filter.levels_.push_back(t[2].text);
    return filter;
  }
  if (t[1].kind != Token::kWord || t[1].text != "in" || t[2].text != "(") return refuse();
  std::size_t i = 3;
  while (true) {
    if (i >= t.size() || t[i].kind != Token::kString) return refuse();
    filter.levels_.push_back(t[i].text);
    if (i + 1 >= t.size()) return refuse();
    if (t[i + 1].text == ")") {
      if (i + 2 != t.size()) return refuse();
      return filter;
    }
    if (t[i + 1].text != ",") return refuse();
    i += 2;
  }
}

bool EventFilter::matches(const json& event) const {
  if (levels_.empty()) return true;
  return std::find(levels_.begin(), levels_.end(), event.value("level", "")) != levels_.end();
}

}  // namespace dbk::emulator
