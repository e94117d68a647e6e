#include "app/invocation.hpp"

#include <iostream>

#include "dbk/version.hpp"
#include "output/terminal_text.hpp"

namespace dbk::cli {

ApiError usage_error(std::string message) {
  ApiError error;
  error.error_code = kUsageErrorCode;
  error.message = std::move(message);
  return error;
}

Invocation::Invocation(const CommandSpec& spec, std::string program, GlobalOptions globals, Io io,
                       Backend backend)
    : spec_(spec),
      program_(std::move(program)),
      globals_(std::move(globals)),
      io_(io),
      backend_(std::move(backend)) {}

bool Invocation::flag(const std::string& name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second;
}

std::optional<std::string> Invocation::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Invocation::values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> Invocation::arg(const std::string& name) const {
  auto it = args_.find(name);
  if (it == args_.end()) return std::nullopt;
  return it->second;
}

OutputFormat Invocation::output_format(OutputFormat fallback) const {
  return globals_.output.value_or(fallback);
}

Result<std::optional<std::int64_t>> Invocation::int_value(const std::string& name) const {
  auto text = value(name);
  if (!text) return std::optional<std::int64_t>{};
  try {
    std::size_t used = 0;
    long long number = std::stoll(*text, &used);
    if (used == text->size()) return std::optional<std::int64_t>{number};
  } catch (const std::exception&) {
  }
  return usage_error("Invalid value for '--" + name + "': '" + *text + "' is not a valid integer.");
}

Result<Client> Invocation::client(const std::optional<std::string>& jobs_api_version) {
  if (client_) return *client_;
  ConfigOptions config_options;
  config_options.profile = globals_.profile;
  config_options.environment = backend_.environment;
  if (legacy_syntax()) config_options.default_jobs_api_version = "2.0";
  auto config = resolve_config(config_options);
  if (!config) return config.error();
  ClientOptions options;
  options.config = *config;
  options.transport = backend_.transport;
  options.clock = backend_.clock;
  options.sleeper = backend_.sleeper;
  if (jobs_api_version) options.config.jobs_api_version = *jobs_api_version;
  if (globals_.debug) {
    // The library redacts credentials before calling the sink; the bodies it logs are the
    // server's, so they are printed without escape sequences.
    std::ostream* err = io_.err;
    options.log = [err](const std::string& line) {
      *err << terminal_safe(line) << '\n' << std::flush;
    };
  }
  std::string command = spec_.group + (spec_.verb.empty() ? "" : "_" + spec_.verb);
  options.user_agent = std::string("dbk/") + DBK_VERSION + " cmd/" + command;
  client_.emplace(Client(std::move(options)));
  return *client_;
}

}  // namespace dbk::cli
