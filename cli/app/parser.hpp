#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/command_spec.hpp"
#include "app/invocation.hpp"
#include "dbk/result.hpp"

namespace dbk::cli {

/// What the command line asks for. `command` null means the top level or
/// `group` level (for --help / --version there).
struct ParsedLine {
  const CommandSpec* command = nullptr;
  const GroupSpec* group = nullptr;
  GlobalOptions globals;
  std::map<std::string, bool> flags;
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, std::string> args;
};

/// Two-stage parse (docs/reference/design.md §2.3 point 5): globals and the group/verb
/// words are found by a scan of the leading tokens, then the command's own
/// Boost.Program_options description parses the rest (globals included unless
/// the command reuses the name, like `-o` = --overwrite in workspace import or
/// `--version` = Jobs API version on jobs commands). Failures are usage errors;
/// `line.group`/`line.command` are still set as far as they were recognised.
Status parse_command_line(const std::vector<std::string>& args, ParsedLine& line);

/// Parses -o/--output values case-insensitively (docs/reference/rest-api.md §5.1).
Result<OutputFormat> parse_output_format(const std::string& text);

}  // namespace dbk::cli
