#include "app/help.hpp"

#include <algorithm>
#include <sstream>

#include "app/command_table.hpp"

namespace dbk::cli {
namespace {

std::string rows_text(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::ostringstream out;
  for (const auto& row : rows) {
    out << "  " << row.first << std::string(width - row.first.size() + 2, ' ') << row.second
        << '\n';
  }
  return out.str();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> global_option_rows() {
  return {
      {"--profile NAME", "Profile of ~/.databrickscfg to use (default: DEFAULT)."},
      {"--debug", "Log HTTP requests and responses to stderr (credentials redacted)."},
      {"-o, --output FORMAT", "Output format: json or table (case-insensitive)."},
      {"-v, --version", "Print the dbk version and exit."},
      {"-h, --help", "Show help and exit."},
  };
}

std::string exit_codes_text() {
  return "  0    success\n"
         "  1    API, I/O or configuration error\n"
         "  2    usage error (bad flag, argument or JSON)\n"
         "  3    a waited-for run finished, but not with result SUCCESS;\n"
         "       `score --compare-with` found mismatches\n"
         "  4    timed out waiting (--timeout)\n"
         "  130  interrupted (Ctrl-C, SIGTERM) while waiting or copying\n";
}

std::string option_label(const OptionSpec& option) {
  std::string label;
  if (option.short_name) label += std::string("-") + option.short_name + ", ";
  label += "--" + option.long_name;
  if (!option.is_flag()) label += " " + option.value_name;
  return label;
}

std::string option_reference_help(const OptionSpec& option) {
  std::string help = option.help;
  if (!option.choices.empty()) {
    std::string list;
    for (const auto& c : option.choices) list += (list.empty() ? "" : ", ") + c;
    help += " One of: " + list + ".";
  }
  if (option.repeatable) help += " Repeatable.";
  return help;
}

std::string usage_line(const std::string& program, const CommandSpec& command) {
  std::string line = program + " " + command.path();
  if (!command.options.empty()) line += " [OPTIONS]";
  for (const auto& p : command.positionals) line += p.required ? " " + p.name : " [" + p.name + "]";
  return line;
}

std::string top_help(const std::string& program) {
  std::ostringstream out;
  out << "Usage: " << program << " [OPTIONS] COMMAND [ARGS]...\n\n"
      << "  A client for the Databricks Workspace, DBFS, Jobs and Clusters REST APIs,\n"
      << "  compatible with databricks-cli 0.18. Errors go to stderr; JSON to stdout.\n\n"
      << "Options:\n"
      << rows_text(global_option_rows()) << "\nCommands:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& group : group_table()) {
    if (!group.hidden) rows.emplace_back(group.name, group.summary);
  }
  out << rows_text(rows) << "\nExit codes:\n" << exit_codes_text();
  return out.str();
}

std::string group_help(const std::string& program, const GroupSpec& group) {
  std::ostringstream out;
  out << "Usage: " << program << " " << group.name << " [OPTIONS] COMMAND [ARGS]...\n\n  "
      << group.summary << "\n\nOptions:\n"
      << rows_text(global_option_rows()) << "\nCommands:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& command : command_table()) {
    if (command.group != group.name || command.hidden) continue;
    std::string name = command.verb;
    for (const auto& alias : command.aliases) name += ", " + alias;
    rows.emplace_back(name, command.summary);
  }
  out << rows_text(rows);
  return out.str();
}

std::string command_help(const std::string& program, const CommandSpec& command) {
  std::ostringstream out;
  out << "Usage: " << usage_line(program, command) << "\n\n  " << command.summary << "\n";
  if (!command.description.empty()) out << "\n  " << command.description << "\n";
  if (!command.positionals.empty()) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& p : command.positionals) rows.emplace_back(p.name, p.help);
    out << "\nArguments:\n" << rows_text(rows);
  }
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& option : command.options) {
    if (option.hidden) continue;
    std::string help = option.help;
    if (!option.choices.empty()) {
      std::string list;
      for (const auto& c : option.choices) list += (list.empty() ? "" : "|") + c;
      help += " [" + list + "]";
    }
    if (option.repeatable) help += " (repeatable)";
    rows.emplace_back(option_label(option), help);
  }
  for (const auto& row : global_option_rows()) {
    bool overridden = false;
    for (const auto& option : command.options) {
      if (row.first.find("--" + option.long_name) != std::string::npos) overridden = true;
    }
    if (!overridden) {
      rows.push_back(row);
    } else if (row.first == "-o, --output FORMAT" && command.accepts_output &&
               std::any_of(command.options.begin(), command.options.end(), [](const OptionSpec& o) {
                 return o.long_name == "output" && o.choices.empty();
               })) {
      // A command whose --output names a file (`score`) keeps the global -o for the format.
      rows.emplace_back("-o FORMAT", row.second);
    }
  }
  out << "\nOptions:\n" << rows_text(rows);
  return out.str();
}

}  // namespace dbk::cli
