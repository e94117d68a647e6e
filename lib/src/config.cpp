#include "dbk/config.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include "dbk/internal/text.hpp"

namespace dbk {
namespace {

// Reserved section holding default_profile (docs/reference/rest-api.md §4.1).
constexpr const char* kSettingsSection = "__settings__";
constexpr const char* kDefaultSection = "DEFAULT";

using internal::ascii_lower;

// A copy, where the trimmed text outlives the line it came from.
std::string trim(std::string_view text) {
  return std::string(internal::trim(text));
}

ApiError config_error(std::string message) {
  return make_error(error_codes::kConfigError, std::move(message));
}

using Lookup = std::function<std::optional<std::string>(const std::string&)>;

Lookup make_env_lookup(const ConfigOptions& options) {
  if (options.environment) {
    const auto* env = &*options.environment;
    return [env](const std::string& name) -> std::optional<std::string> {
      auto it = env->find(name);
      if (it == env->end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
  }
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::string home_directory(const Lookup& env) {
  if (auto home = env("HOME")) return *home;
  if (const auto* entry = getpwuid(getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    return entry->pw_dir;
  }
  return ".";
}

std::string config_file_path(const Lookup& env) {
  std::string path = env("DATABRICKS_CONFIG_FILE").value_or("~/.databrickscfg");
  if (path == "~" || path.rfind("~/", 0) == 0) path = home_directory(env) + path.substr(1);
  return path;
}

std::optional<bool> parse_bool(const std::string& text) {
  auto value = ascii_lower(trim(text));
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off" || value.empty()) {
    return false;
  }
  return std::nullopt;
}

std::optional<double> parse_number(const std::string& text) {
  auto value = trim(text);
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double number = std::strtod(value.c_str(), &end);
  if (errno != 0 || end != value.c_str() + value.size() || number < 0) return std::nullopt;
  return number;
}

// Every attribute that can come from args, env or a profile, with where it came from.
struct Attribute {
  const char* name;  // SDK name, used in messages and as the file key
  std::vector<const char*> file_keys;
  const char* env;  // nullptr: not read from the environment
  bool is_auth;     // counts for "host or auth came from args/env" (§4.3)
  std::optional<std::string> value;
  std::string source;
};

std::vector<Attribute> make_attributes() {
  // docs/reference/rest-api.md §4.1 (file keys, legacy ones with hyphens) and §4.2 (env).
  return {
      {"host", {"host"}, "DATABRICKS_HOST", true, {}, {}},
      {"token", {"token"}, "DATABRICKS_TOKEN", true, {}, {}},
      {"username", {"username"}, "DATABRICKS_USERNAME", true, {}, {}},
      {"password", {"password"}, "DATABRICKS_PASSWORD", true, {}, {}},
      {"client_id", {"client_id"}, "DATABRICKS_CLIENT_ID", true, {}, {}},
      {"client_secret", {"client_secret"}, "DATABRICKS_CLIENT_SECRET", true, {}, {}},
      {"auth_type", {"auth_type"}, "DATABRICKS_AUTH_TYPE", true, {}, {}},
      {"insecure", {"skip_verify", "insecure"}, "DATABRICKS_INSECURE", false, {}, {}},
      {"jobs_api_version",
       {"jobs-api-version", "jobs_api_version"},
       "DATABRICKS_JOBS_API_VERSION",
       false,
       {},
       {}},
      {"http_timeout_seconds", {"http_timeout_seconds"}, nullptr, false, {}, {}},
      {"retry_timeout_seconds", {"retry_timeout_seconds"}, nullptr, false, {}, {}},
      {"rate_limit", {"rate_limit"}, "DATABRICKS_RATE_LIMIT", false, {}, {}},
  };
}

Attribute& attribute(std::vector<Attribute>& attributes, std::string_view name) {
  for (auto& entry : attributes) {
    if (name == entry.name) return entry;
  }
  std::abort();  // names are compile-time constants of this file
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// Which profile to read, or nullopt for none (§4.3).
Result<std::optional<std::string>> choose_profile(
    const std::optional<std::string>& named, const std::map<std::string, ProfileSection>& sections,
    const std::string& path) {
  auto profile_names = [&] {
    std::vector<std::string> names;
    for (const auto& [name, keys] : sections) {
      if (name != kSettingsSection) names.push_back(name);
    }
    return names.empty() ? std::string("none") : join(names, ", ");
  };
  if (named) {
    if (*named == kSettingsSection) {
      return config_error("'" + *named + "' is a reserved section name, not a profile");
    }
    if (sections.count(*named) == 0) {
      return config_error("profile '" + *named + "' not found in " + path +
                          " (profiles there: " + profile_names() + ")");
    }
    return std::optional<std::string>(*named);
  }
  if (auto settings = sections.find(kSettingsSection); settings != sections.end()) {
    if (auto it = settings->second.find("default_profile"); it != settings->second.end()) {
      if (sections.count(it->second) == 0) {
        return config_error("default_profile '" + it->second + "' of " + path +
                            " is not a profile there (profiles there: " + profile_names() + ")");
      }
      return std::optional<std::string>(it->second);
    }
  }
  if (auto it = sections.find(kDefaultSection); it != sections.end() && !it->second.empty()) {
    return std::optional<std::string>(kDefaultSection);
  }
  return std::optional<std::string>();
}

bool is_section_header(const std::string& line, std::string& name) {
  if (line.size() < 2 || line.front() != '[' || line.back() != ']') return false;
  name = trim(std::string_view(line).substr(1, line.size() - 2));
  return true;
}

}  // namespace

std::string Config::effective_auth_type() const {
  if (!auth_type.empty()) return auth_type;
  // SDK credential chain order (docs/reference/rest-api.md §4.3): pat, basic, ..., oauth-m2m.
  if (!token.empty()) return "pat";
  if (!username.empty() && !password.empty()) return "basic";
  if (!client_id.empty() && !client_secret.empty()) return "oauth-m2m";
  return "";
}

std::string normalize_host(const std::string& host) {
  std::string value = trim(host);
  if (value.empty()) return value;
  auto scheme_end = value.find("://");
  if (scheme_end == std::string::npos) {
    value = "https://" + value;
    scheme_end = 5;
  }
  std::string scheme = ascii_lower(value.substr(0, scheme_end));
  std::string rest = value.substr(scheme_end + 3);
  // A URL copied from the browser may carry ?o=<workspace id> or a #fragment (§6.9).
  rest = rest.substr(0, rest.find_first_of("?#"));
  auto slash = rest.find('/');
  std::string authority = ascii_lower(rest.substr(0, slash));
  std::string path = slash == std::string::npos ? std::string() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  const std::string default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!default_port.empty() && authority.size() > default_port.size() &&
      authority.compare(authority.size() - default_port.size(), default_port.size(),
                        default_port) == 0 &&
      authority.back() != ']') {
    authority.resize(authority.size() - default_port.size());
  }
  return scheme + "://" + authority + path;
}

std::string default_config_file_path() {
  return config_file_path(make_env_lookup({}));
}

Result<std::map<std::string, ProfileSection>> read_config_file(const std::string& path) {
  std::map<std::string, ProfileSection> sections;
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return sections;
    return make_error(error_codes::kIoError,
                      "cannot read config file " + path + ": " + std::strerror(errno));
  }
  std::string line;
  std::string section;
  std::string last_key;
  bool in_section = false;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') continue;
    std::string name;
    if (is_section_header(text, name)) {
      section = name;
      sections[section];  // an empty section still exists as a profile
      in_section = true;
      last_key.clear();
      continue;
    }
    // An indented line continues the previous value (ConfigParser multi-line values).
    if (std::isspace(static_cast<unsigned char>(line.front())) && !last_key.empty()) {
      sections[section][last_key] += "\n" + text;
      continue;
    }
    auto separator = text.find_first_of("=:");
    if (!in_section || separator == std::string::npos) {
      return config_error(path + ":" + std::to_string(number) +
                          ": expected [section] or key = value");
    }
    last_key = ascii_lower(trim(std::string_view(text).substr(0, separator)));
    sections[section][last_key] = trim(std::string_view(text).substr(separator + 1));
  }
  return sections;
}

namespace {

using Attributes = std::vector<Attribute>;

// Steps 1 and 2: explicit values, then the environment; a value once set is never overwritten.
void apply_arguments_and_environment(Attributes& attributes, const ConfigOptions& options,
                                     const Lookup& env) {
  if (options.host) attribute(attributes, "host").value = options.host;
  if (options.token) attribute(attributes, "token").value = options.token;
  for (auto& entry : attributes) {
    if (entry.value) entry.source = "arguments";
  }
  for (auto& entry : attributes) {
    if (entry.value || entry.env == nullptr) continue;
    if (auto value = env(entry.env)) {
      entry.value = value;
      entry.source = std::string("environment variable ") + entry.env;
    }
  }
}

// Step 3: the config file's profile fills what is still unset, unless host/auth came from
// arguments or the environment and no profile is named (docs/reference/rest-api.md §4.3).
Status apply_config_file(Attributes& attributes, const std::optional<std::string>& named_profile,
                         const std::string& path, Config& config) {
  const bool has_direct = std::any_of(attributes.begin(), attributes.end(),
                                      [](const Attribute& a) { return a.is_auth && a.value; });
  if (!named_profile && has_direct) return {};
  auto sections = read_config_file(path);
  if (!sections) return std::move(sections).error();
  if (named_profile && sections->empty()) {
    return config_error("profile '" + *named_profile + "' not found: config file " + path +
                        " does not exist or is empty");
  }
  auto profile = choose_profile(named_profile, *sections, path);
  if (!profile) return std::move(profile).error();
  if (!*profile) return {};
  const auto& section = sections->at(**profile);
  for (auto& entry : attributes) {
    if (entry.value) continue;
    for (const char* key : entry.file_keys) {
      if (auto it = section.find(key); it != section.end() && !it->second.empty()) {
        entry.value = it->second;
        entry.source = "profile " + **profile + " of " + path;
        break;
      }
    }
  }
  config.profile = **profile;
  config.config_file = path;
  return {};
}

// Step 4: the attributes as typed values; a malformed flag or number names where it came from.
Status apply_typed_values(Attributes& attributes, const ConfigOptions& options, Config& config) {
  auto text = [&](const char* name) { return attribute(attributes, name).value.value_or(""); };
  config.host = normalize_host(text("host"));
  config.token = text("token");
  config.username = text("username");
  config.password = text("password");
  config.client_id = text("client_id");
  config.client_secret = text("client_secret");
  config.auth_type = text("auth_type");
  if (auto& version = attribute(attributes, "jobs_api_version"); version.value) {
    config.jobs_api_version = trim(*version.value);
  } else {
    config.jobs_api_version = options.default_jobs_api_version;
  }
  if (auto& insecure = attribute(attributes, "insecure"); insecure.value) {
    auto flag = parse_bool(*insecure.value);
    if (!flag) {
      return config_error("insecure/skip_verify from " + insecure.source +
                          " must be true or false, got '" + *insecure.value + "'");
    }
    config.insecure = *flag;
  }
  for (const char* name : {"http_timeout_seconds", "retry_timeout_seconds", "rate_limit"}) {
    auto& entry = attribute(attributes, name);
    if (!entry.value) continue;
    auto number = parse_number(*entry.value);
    if (!number) {
      return config_error(std::string(name) + " from " + entry.source +
                          " must be a non-negative number, got '" + *entry.value + "'");
    }
    if (std::string_view(name) == "rate_limit") {
      config.rate_limit = *number;
    } else {
      auto value = std::chrono::seconds(static_cast<long long>(*number));
      (std::string_view(name) == "http_timeout_seconds" ? config.http_timeout
                                                        : config.retry_timeout) = value;
    }
  }
  return {};
}

// Step 5: a host, and one way to authorize (or auth_type choosing among several).
Status validate(const Config& config, const std::string& path) {
  if (config.host.empty()) {
    return config_error(
        "no host configured: pass --host, set DATABRICKS_HOST, or add host to a "
        "profile in " +
        path);
  }
  std::vector<std::string> methods;
  if (!config.token.empty()) methods.push_back("pat");
  if (!config.username.empty() || !config.password.empty()) methods.push_back("basic");
  if (!config.client_id.empty() || !config.client_secret.empty()) methods.push_back("oauth-m2m");
  if (methods.size() > 1 && config.auth_type.empty()) {
    return config_error("more than one authorization method configured: " + join(methods, " and ") +
                        "; set auth_type to choose one");
  }
  if (!config.auth_type.empty() && config.auth_type != "pat" && config.auth_type != "basic" &&
      config.auth_type != "oauth-m2m") {
    return config_error("auth_type '" + config.auth_type +
                        "' is not supported; use pat, basic or oauth-m2m");
  }
  return {};
}

// The keys databricks-cli writes, in the order it adds them to a new section.
constexpr const char* kProfileKeyOrder[] = {"host",          "username", "password",        "token",
                                            "refresh_token", "insecure", "jobs-api-version"};

std::vector<std::string> ordered_keys(const ProfileSection& values) {
  std::vector<std::string> keys;
  for (const char* key : kProfileKeyOrder) {
    if (values.count(key)) keys.push_back(key);
  }
  for (const auto& entry : values) {
    if (std::find(keys.begin(), keys.end(), entry.first) == keys.end()) {
      keys.push_back(entry.first);
    }
  }
  return keys;
}

// The file with `profile` holding exactly `values`, edited where it stands as
// databricks-cli's ConfigParser edits it: the section keeps its place (a new DEFAULT goes
// first, another new section last), a kept key keeps its line, a key no longer set goes,
// new keys follow in legacy's order. Unlike ConfigParser, every other line (comments,
// other sections) stays byte for byte.
std::string render_profile(const std::vector<std::string>& lines, const std::string& profile,
                           const ProfileSection& values) {
  std::vector<std::string> out;
  std::vector<std::string> written;  // keys of `values` already written
  bool in_profile = false;           // inside a [profile] block
  bool placed = false;               // the block was written (a repeated block is dropped)
  bool skipping_value = false;       // continuation lines of a dropped or rewritten key
  auto close_block = [&]() {
    if (!in_profile) return;
    // New keys go after the block's last key, before its trailing blank lines.
    std::vector<std::string> trailing;
    while (!out.empty() && trim(out.back()).empty()) {
      trailing.push_back(out.back());
      out.pop_back();
    }
    for (const auto& key : ordered_keys(values)) {
      if (std::find(written.begin(), written.end(), key) == written.end()) {
        out.push_back(key + " = " + values.at(key));
        written.push_back(key);
      }
    }
    out.insert(out.end(), trailing.rbegin(), trailing.rend());
    in_profile = false;
    placed = true;
  };
  bool dropping = false;  // inside a repeated [profile] block
  for (const auto& line : lines) {
    std::string text = trim(line);
    std::string name;
    if (is_section_header(text, name)) {
      close_block();
      skipping_value = false;
      dropping = name == profile && placed;
      in_profile = name == profile && !placed;
      if (!dropping) out.push_back(line);
      continue;
    }
    if (dropping) continue;
    if (!in_profile) {
      out.push_back(line);
      continue;
    }
    const bool continuation = !line.empty() && std::isspace(static_cast<unsigned char>(line[0]));
    if (skipping_value && continuation && !text.empty()) continue;
    skipping_value = false;
    auto separator = text.find_first_of("=:");
    if (text.empty() || text.front() == '#' || text.front() == ';' ||
        separator == std::string::npos) {
      out.push_back(line);
      continue;
    }
    std::string key = ascii_lower(trim(std::string_view(text).substr(0, separator)));
    skipping_value = true;
    auto it = values.find(key);
    if (it == values.end() || std::find(written.begin(), written.end(), key) != written.end()) {
      continue;
    }
    out.push_back(key + " = " + it->second);
    written.push_back(key);
  }
  close_block();
  if (!placed) {
    std::vector<std::string> block{"[" + profile + "]"};
    for (const auto& key : ordered_keys(values)) block.push_back(key + " = " + values.at(key));
    if (profile == "DEFAULT") {
      // ConfigParser writes DEFAULT first: before the first section header.
      auto first = std::find_if(out.begin(), out.end(), [](const std::string& line) {
        std::string name;
        return is_section_header(trim(line), name);
      });
      if (first != out.end()) block.push_back("");
      out.insert(first, block.begin(), block.end());
    } else {
      while (!out.empty() && trim(out.back()).empty()) out.pop_back();
      if (!out.empty()) out.push_back("");
      out.insert(out.end(), block.begin(), block.end());
    }
  }
  std::string content;
  for (const auto& line : out) content += line + '\n';
  return content;
}

}  // namespace

Result<Config> resolve_config(const ConfigOptions& options) {
  const Lookup env = make_env_lookup(options);
  auto attributes = make_attributes();
  apply_arguments_and_environment(attributes, options, env);

  Config config;
  std::optional<std::string> named_profile = options.profile;
  if (!named_profile) named_profile = env("DATABRICKS_CONFIG_PROFILE");
  const std::string path = options.config_file ? *options.config_file : config_file_path(env);
  if (auto applied = apply_config_file(attributes, named_profile, path, config); !applied) {
    return std::move(applied).error();
  }
  if (auto typed = apply_typed_values(attributes, options, config); !typed) {
    return std::move(typed).error();
  }
  if (auto valid = validate(config, path); !valid) return std::move(valid).error();
  return config;
}

Status write_profile(const std::string& path, const std::string& profile,
                     const ProfileSection& values) {
  auto bad = [](const std::string& text) {
    return text.find_first_of("\r\n") != std::string::npos;
  };
  if (profile.empty() || bad(profile) || profile.find_first_of("[]") != std::string::npos ||
      profile == kSettingsSection) {
    return config_error("invalid profile name '" + profile + "'");
  }
  for (const auto& [key, value] : values) {
    if (key.empty() || bad(key) || bad(value) || key.find_first_of("=:[") != std::string::npos) {
      return config_error("invalid config entry for key '" + key + "' (no line breaks allowed)");
    }
  }
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    if (!in && errno != ENOENT) {
      return make_error(error_codes::kIoError,
                        "cannot read config file " + path + ": " + std::strerror(errno));
    }
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  const std::string content = render_profile(lines, profile, values);

  // Atomic replace: temp file in the same directory, fsync, rename.
  std::string temp = path + ".tmp.XXXXXX";
  int fd = mkstemp(temp.data());
  if (fd < 0) {
    return make_error(error_codes::kIoError,
                      "cannot write config file " + path + ": " + std::strerror(errno));
  }
  auto fail = [&](const std::string& what) {
    int saved = errno;
    close(fd);
    unlink(temp.c_str());
    return make_error(error_codes::kIoError,
                      "cannot " + what + " config file " + path + ": " + std::strerror(saved));
  };
  if (fchmod(fd, 0600) != 0) return fail("protect");
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("sync");
  if (close(fd) != 0) {
    unlink(temp.c_str());
    return make_error(error_codes::kIoError, "cannot write config file " + path);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    unlink(temp.c_str());
    return make_error(error_codes::kIoError,
                      "cannot replace config file " + path + ": " + std::strerror(saved));
  }
  return {};
}

}  // namespace dbk
