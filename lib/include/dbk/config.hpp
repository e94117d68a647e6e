#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "dbk/result.hpp"

namespace dbk {

/// Everything needed to reach and authenticate to one workspace. Field names
/// follow the SDK config attributes (docs/reference/rest-api.md §4.1).
struct Config {
  std::string host;  ///< normalised: scheme://host[:port][/path], no trailing slash
  std::string token;
  std::string username;
  std::string password;
  std::string client_id;
  std::string client_secret;
  std::string auth_type;  ///< "pat", "basic", "oauth-m2m" or empty (inferred)
  std::string profile;    ///< profile the values came from, if any
  std::string config_file;
  std::string jobs_api_version = "2.1";
  bool insecure = false;  ///< skip TLS verification (explicit opt-in only)
  std::chrono::seconds http_timeout{60};
  std::chrono::seconds retry_timeout{300};
  double rate_limit = 0;  ///< requests per second; 0 = unlimited

  /// The auth method that will be used: "pat", "basic", "oauth-m2m" or "" if none.
  std::string effective_auth_type() const;
};

/// What the caller knows before resolution: explicit values win over the
/// environment, which wins over the config file (docs/reference/rest-api.md §4.3, SDK order).
struct ConfigOptions {
  std::optional<std::string> profile;  ///< --profile; else DATABRICKS_CONFIG_PROFILE
  std::optional<std::string> host;
  std::optional<std::string> token;
  std::optional<std::string> config_file;  ///< else DATABRICKS_CONFIG_FILE, else ~/.databrickscfg
  /// Environment to read; nullopt = the process environment. Tests pass a map.
  std::optional<std::map<std::string, std::string>> environment;
  /// Jobs API version when neither the environment nor the profile names one. The
  /// legacy `databricks` command line passes "2.0", the default of databricks-cli 0.18.
  std::string default_jobs_api_version = "2.1";
};

/// Resolves a Config from options, environment and config file. Fails with
/// CONFIG_ERROR when a named profile is missing, when no host is known, or when
/// several auth methods are set without an auth_type.
Result<Config> resolve_config(const ConfigOptions& options = {});

/// Adds https:// when there is no scheme, strips a trailing slash and a default
/// port, keeps any other port and any path prefix.
std::string normalize_host(const std::string& host);

/// One profile section of a config file, keys as written.
using ProfileSection = std::map<std::string, std::string>;

/// Reads all sections of an INI config file (DEFAULT keys are not merged into
/// other sections). Missing file = empty map.
Result<std::map<std::string, ProfileSection>> read_config_file(const std::string& path);

/// Writes or replaces one profile section, keeping the others; the file is
/// written atomically with mode 0600.
Status write_profile(const std::string& path, const std::string& profile,
                     const ProfileSection& values);

/// ~/.databrickscfg, or DATABRICKS_CONFIG_FILE when set.
std::string default_config_file_path();

}  // namespace dbk
