#pragma once

#include <string>

#include "app/command_spec.hpp"

namespace dbk::cli {

std::string top_help(const std::string& program);
std::string group_help(const std::string& program, const GroupSpec& group);
std::string command_help(const std::string& program, const CommandSpec& command);
/// `dbk jobs get [OPTIONS]` plus positionals.
std::string usage_line(const std::string& program, const CommandSpec& command);
/// "--job-id ID" / "-r, --recursive" as shown in help and docs.
std::string option_label(const OptionSpec& option);
/// An option's help as the references (docs/cli.md, dbk(1)) print it: with its accepted values
/// ("One of: a, b.") and "Repeatable." when it may be given several times.
std::string option_reference_help(const OptionSpec& option);
/// The exit-code table shared by --help and docs/cli.md.
std::string exit_codes_text();
/// Global options as (label, help) rows, shared by help and docs.
std::vector<std::pair<std::string, std::string>> global_option_rows();

}  // namespace dbk::cli
