#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/command_spec.hpp"
#include "dbk/api_error.hpp"
#include "dbk/client.hpp"
#include "dbk/clock.hpp"
#include "dbk/http.hpp"
#include "dbk/result.hpp"

namespace dbk::cli {

enum class OutputFormat { kTable, kJson };

/// Flags accepted at every level of the tree (docs/reference/rest-api.md §5: --profile, --debug;
/// plus -o).
struct GlobalOptions {
  std::optional<std::string> profile;
  bool debug = false;
  std::optional<OutputFormat> output;
  bool help = false;
  bool version = false;
};

/// Where a command reads and writes; tests substitute string streams.
struct Io {
  std::istream* in;
  std::ostream* out;
  std::ostream* err;
  bool stdin_is_tty = false;
  bool stderr_is_tty = false;
  bool stdout_is_tty = false;
};

/// What an Invocation's client stands on; an unset member means the real one. Tests and
/// programs that embed the CLI pass the dbk::testing fakes, so that commands run against
/// a scripted service with no network, no sleeps and no config file.
struct Backend {
  std::shared_ptr<Transport> transport;  ///< nullptr = HTTP (cpprestsdk)
  std::shared_ptr<Clock> clock;          ///< nullptr = the system clock; the run waiter's too
  std::shared_ptr<Sleeper> sleeper;      ///< nullptr = real sleeps; the run waiter's too
  /// The environment the config is resolved from (DATABRICKS_HOST, HOME, ...);
  /// nullopt = the process environment.
  std::optional<std::map<std::string, std::string>> environment;
};

/// Error code of usage errors raised by the CLI itself (exit 2).
inline constexpr const char* kUsageErrorCode = "INVALID_USAGE";
ApiError usage_error(std::string message);

/// A parsed command line ready to run: the command, its option values,
/// positionals and the global options, plus lazily created client.
class Invocation {
 public:
  Invocation(const CommandSpec& spec, std::string program, GlobalOptions globals, Io io,
             Backend backend = {});

  const CommandSpec& spec() const { return spec_; }
  const std::string& program() const { return program_; }
  /// Called as `databricks` or `dbfs`: legacy defaults apply (Jobs API 2.0, its warning).
  bool legacy_syntax() const { return program_ != "dbk"; }
  const GlobalOptions& globals() const { return globals_; }
  const Io& io() const { return io_; }
  std::ostream& out() const { return *io_.out; }
  std::ostream& err() const { return *io_.err; }
  std::istream& in() const { return *io_.in; }
  const Backend& backend() const { return backend_; }

  bool flag(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  /// Positional by spec name ("SRC"); nullopt when not given.
  std::optional<std::string> arg(const std::string& name) const;

  /// -o/--output, else `fallback`.
  OutputFormat output_format(OutputFormat fallback = OutputFormat::kTable) const;

  /// The option as an integer; a usage error when it is not one.
  Result<std::optional<std::int64_t>> int_value(const std::string& name) const;

  /// Resolves the config (profile, env, file) and builds a client, once.
  /// `jobs_api_version` overrides the configured Jobs API version when set; without
  /// either, it is 2.1, or 2.0 under the legacy syntax (databricks-cli 0.18's default).
  Result<Client> client(const std::optional<std::string>& jobs_api_version = std::nullopt);
  bool has_client() const { return client_.has_value(); }

  // Filled by the parser.
  void set_flag(const std::string& name, bool on) { flags_[name] = on; }
  void add_value(const std::string& name, std::string v) { values_[name].push_back(std::move(v)); }
  void set_arg(const std::string& name, std::string v) { args_[name] = std::move(v); }

 private:
  std::map<std::string, bool> flags_;
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, std::string> args_;
  const CommandSpec& spec_;
  std::string program_;
  GlobalOptions globals_;
  Io io_;
  Backend backend_;
  std::optional<Client> client_;
};

}  // namespace dbk::cli
