// `dbk configure`: writes a profile like the legacy command (docs/reference/rest-api.md §5.1,
// §4.1), but never prompts when stdin is not a terminal (docs/reference/rest-api.md §6.8).
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "commands/common.hpp"
#include "dbk/config.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

constexpr const char* kHostPrompt = "Databricks Host (should begin with https://)";

std::string trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

/// Turns terminal echo off while reading a secret (only called on a TTY).
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

std::string prompt(Invocation& inv, const std::string& label, const std::string& fallback,
                   bool hidden) {
  while (true) {
    inv.err() << label;
    if (!fallback.empty()) inv.err() << " [" << (hidden ? std::string("****") : fallback) << "]";
    inv.err() << ": " << std::flush;
    std::string line;
    if (hidden) {
      EchoOff echo_off;
      std::getline(inv.in(), line);
      inv.err() << '\n';
    } else {
      std::getline(inv.in(), line);
    }
    if (!inv.in()) return fallback;
    line = trim(line);
    if (!line.empty()) return line;
    if (!fallback.empty()) return fallback;
  }
}

bool looks_like_url(const std::string& text) {
  return text.rfind("https://", 0) == 0 || text.rfind("http://", 0) == 0;
}

Result<std::string> checked_host(const std::string& host) {
  // Legacy insists on https://; http:// is kept for local emulators (port and path kept, §6.9).
  if (host.rfind("https://", 0) != 0 && host.rfind("http://", 0) != 0) {
    return usage_error("The host does not start with https:// (or http:// for a local emulator).");
  }
  return normalize_host(host);
}

CommandStatus configure(Invocation& inv) {
  if (inv.flag("oauth") || !inv.values("scope").empty()) {
    return make_error(error_codes::kConfigError,
                      "OAuth login is not supported by dbk; configure a token instead");
  }
  const std::string path = default_config_file_path();
  const std::string profile = inv.globals().profile.value_or("DEFAULT");
  auto sections = read_config_file(path);
  if (!sections) return sections.error();
  ProfileSection existing;
  if (auto it = sections->find(profile); it != sections->end()) existing = it->second;

  const bool interactive = inv.io().stdin_is_tty;
  const auto token_file = inv.value("token-file");
  const bool aad = inv.flag("aad-token");
  // Not interactive: always the token flow, token from --token-file or stdin.
  const bool token_mode = inv.flag("token") || token_file || aad || !interactive;

  std::string host;
  // Piped stdin without --host holds the host and then the token, one a line, as
  // databricks-cli reads it (`printf 'https://h\ndapi..\n' | databricks configure
  // --token`); a first line that is not a URL is the token, for DATABRICKS_HOST.
  std::optional<std::string> piped_first_line;
  if (auto given = inv.value("host")) {
    host = *given;
  } else if (!interactive) {
    const char* env = std::getenv("DATABRICKS_HOST");
    const bool env_host = env && *env;
    // The token comes from stdin (so it is read anyway), or no other host is known.
    const bool read_stdin = (!token_file && !aad) || !env_host;
    std::string line;
    if (read_stdin && std::getline(inv.in(), line)) piped_first_line = trim(line);
    if (piped_first_line && looks_like_url(*piped_first_line)) {
      inv.out() << kHostPrompt << ": " << std::flush;  // legacy's stdout, byte for byte
      host = *piped_first_line;
      piped_first_line.reset();
    } else if (env_host) {
      host = env;
    } else {
      return usage_error(
          "No host: when stdin is not a terminal, give --host, set DATABRICKS_HOST, "
          "or send the host and then the token on stdin, one a line.");
    }
  } else {
    auto it = existing.find("host");
    host = prompt(inv, kHostPrompt, it == existing.end() ? "" : it->second, false);
  }
  auto normalized = checked_host(host);
  if (!normalized) return normalized.error();

  // As databricks-cli: the profile's other keys (cluster_id, ...) stay; the credentials
  // and flags it manages are replaced by what this run gives.
  ProfileSection values = existing;
  for (const char* key : {"username", "password", "token", "refresh_token", "insecure"}) {
    values.erase(key);
  }
  values["host"] = *normalized;
  if (token_mode) {
    std::string token;
    if (token_file) {
      auto content = read_text_file(*token_file);
      if (!content) {
        return make_error(error_codes::kIoError,
                          "Unable to read token from \"" + *token_file + "\"");
      }
      token = trim(content->substr(0, content->find('\n')));
    } else if (aad) {
      const char* env = std::getenv("DATABRICKS_AAD_TOKEN");
      if (!env || !*env) {
        return make_error(error_codes::kConfigError,
                          "set DATABRICKS_AAD_TOKEN to an Azure AD token and run again");
      }
      token = env;
    } else if (!interactive) {
      if (piped_first_line) {
        token = *piped_first_line;
      } else {
        std::string line;
        std::getline(inv.in(), line);
        token = trim(line);
      }
    } else {
      auto it = existing.find("token");
      token = prompt(inv, "Token", it == existing.end() ? "" : it->second, true);
    }
    if (token.empty()) return usage_error("No token was given.");
    if (looks_like_url(token)) {
      // A host where the token belongs (e.g. two hosts piped): never store it as one.
      return usage_error(
          "The token looks like a URL; give the host first (or with "
          "--host) and the token after it.");
    }
    values["token"] = token;
  } else {
    auto user = existing.find("username");
    values["username"] = prompt(inv, "Username", user == existing.end() ? "" : user->second, false);
    std::string password;
    while (true) {
      password = prompt(inv, "Password", "", true);
      std::string repeat = prompt(inv, "Repeat for confirmation", "", true);
      if (password == repeat) break;
      inv.err() << "Error: the two entered values do not match\n";
    }
    values["password"] = password;
  }
  if (inv.flag("insecure")) values["insecure"] = "True";
  if (auto version = inv.value("jobs-api-version")) {
    values["jobs-api-version"] = *version;
  } else if (inv.legacy_syntax() && !values.count("jobs-api-version")) {
    // databricks-cli always stores its default, so the file means 2.0 to either CLI
    // (and to `dbk`, whose own default is 2.1). An existing value is kept (legacy reset it).
    values["jobs-api-version"] = "2.0";
  }
  auto status = write_profile(path, profile, values);
  return status;
}

CommandSpec configure_spec() {
  auto spec = command("configure", "",
                      "Write host and credentials to a profile of ~/.databrickscfg (mode 0600).",
                      configure);
  spec.description =
      "On a terminal it prompts like databricks-cli (username/password unless --token). When "
      "stdin is not a terminal it never waits for a person: like databricks-cli it reads the "
      "host and then the token from stdin, one a line (printf 'https://h\\ndapi...\\n' | dbk "
      "configure --token). With --host, or with DATABRICKS_HOST and a first line that is not a "
      "URL, stdin holds only the token (or it comes from --token-file). A token that looks like "
      "a URL is refused.";
  spec.options = {
      flag("token", 't', "Use a personal access token (prompted, hidden)."),
      value("token-file", 'f', "FILE", "Read the token from the first line of FILE."),
      value("host", 0, "URL", "Workspace URL (port and path are kept)."),
      flag("aad-token", 0, "Use the Azure AD token in DATABRICKS_AAD_TOKEN."),
      flag("oauth", 'o', "Not supported (OAuth login); use a token."),
      repeated(value("scope", 's', "SCOPE", "Not supported (OAuth scopes).")),
      flag("insecure", 0, "Do not verify TLS certificates."),
      value("jobs-api-version", 0, "VERSION", "Jobs API version to store.", {"2.0", "2.1"})};
  return spec;
}

}  // namespace

void add_configure_commands(std::vector<CommandSpec>& table) {
  table.push_back(configure_spec());
}

CommandSpec fs_configure_command() {
  // databricks-cli 0.18 registers its configure command under `fs` too (`dbfs configure`).
  CommandSpec spec = configure_spec();
  spec.group = "fs";
  spec.verb = "configure";
  spec.summary = "The same as `configure` (databricks-cli's `dbfs configure`).";
  return spec;
}

}  // namespace dbk::cli
