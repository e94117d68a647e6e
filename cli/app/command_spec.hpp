#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/command_status.hpp"

namespace dbk::cli {

class Invocation;

/// One flag of a command. An empty `value_name` makes it a boolean switch.
struct OptionSpec {
  std::string long_name;   ///< "job-id" (without dashes)
  char short_name = 0;     ///< 'r', or 0 for none
  std::string value_name;  ///< "ID"; empty = flag
  std::string help;
  bool repeatable = false;           ///< may be given several times (values are collected)
  std::vector<std::string> choices;  ///< accepted values (case-insensitive), for help/completion
  bool hidden = false;

  bool is_flag() const { return value_name.empty(); }
};

struct PositionalSpec {
  std::string name;  ///< upper case in usage lines: "SRC"
  std::string help;
  bool required = true;
};

/// A command's body: reads the Invocation, prints its results, returns its errors.
using Handler = std::function<CommandStatus(Invocation&)>;

/// One leaf of the command tree `dbk <group> [<verb>]`. This table drives
/// parsing, help, shell completion and docs/cli.md (docs/reference/design.md §2.3 point 5).
struct CommandSpec {
  std::string group;                 ///< "jobs"
  std::string verb;                  ///< "run-now"; empty for group-less commands ("configure")
  std::vector<std::string> aliases;  ///< other verbs with the same meaning ("list" for "ls")
  std::string summary;               ///< one line
  std::string description;           ///< optional paragraph for --help and docs
  std::vector<OptionSpec> options;
  std::vector<PositionalSpec> positionals;
  Handler handler;
  bool hidden = false;
  bool accepts_output = true;  ///< whether the global -o/--output applies

  std::string path() const { return verb.empty() ? group : group + " " + verb; }
};

struct GroupSpec {
  std::string name;
  std::string summary;
  bool hidden = false;
};

// Small constructors so the command files read like a table.

/// A row of the table: `group verb` (verb empty for a group-less command) run by `handler`.
inline CommandSpec command(std::string group, std::string verb, std::string summary,
                           Handler handler) {
  CommandSpec spec;
  spec.group = std::move(group);
  spec.verb = std::move(verb);
  spec.summary = std::move(summary);
  spec.handler = std::move(handler);
  return spec;
}

inline OptionSpec flag(std::string long_name, char short_name, std::string help) {
  OptionSpec spec;
  spec.long_name = std::move(long_name);
  spec.short_name = short_name;
  spec.help = std::move(help);
  return spec;
}

inline OptionSpec value(std::string long_name, char short_name, std::string value_name,
                        std::string help, std::vector<std::string> choices = {}) {
  OptionSpec spec;
  spec.long_name = std::move(long_name);
  spec.short_name = short_name;
  spec.value_name = std::move(value_name);
  spec.help = std::move(help);
  spec.choices = std::move(choices);
  return spec;
}

inline OptionSpec repeated(OptionSpec spec) {
  spec.repeatable = true;
  return spec;
}

inline PositionalSpec positional(std::string name, std::string help, bool required = true) {
  return PositionalSpec{std::move(name), std::move(help), required};
}

}  // namespace dbk::cli
