#include "app/parser.hpp"

#include <algorithm>
#include <boost/program_options.hpp>

#include "app/command_table.hpp"
#include "dbk/internal/text.hpp"

namespace po = boost::program_options;

namespace dbk::cli {
namespace {

bool command_has_long(const CommandSpec* command, const std::string& name) {
  if (!command) return false;
  return std::any_of(command->options.begin(), command->options.end(),
                     [&](const OptionSpec& o) { return o.long_name == name; });
}

/// A command's own --output that names a file (`dbk score --output FILE`), not a format: the
/// global -o keeps its meaning there, and --output does not set the output format.
bool command_has_file_output(const CommandSpec* command) {
  if (!command) return false;
  return std::any_of(command->options.begin(), command->options.end(), [](const OptionSpec& o) {
    return o.long_name == "output" && !o.is_flag() && o.choices.empty();
  });
}

bool command_has_short(const CommandSpec* command, char name) {
  if (!command) return false;
  return std::any_of(command->options.begin(), command->options.end(),
                     [&](const OptionSpec& o) { return o.short_name == name; });
}

Status set_profile(GlobalOptions& globals, const std::string& value) {
  if (globals.profile) return usage_error("--profile can only be provided once.");
  globals.profile = value;
  return {};
}

Status set_output(GlobalOptions& globals, const std::string& value) {
  auto format = parse_output_format(value);
  if (!format) return format.error();
  globals.output = *format;
  return {};
}

// Stage 1: consumes one global option at tokens[i] (before the verb). Returns
// false when the token is not a global option.
Result<bool> consume_global(const std::vector<std::string>& tokens, std::size_t& i,
                            GlobalOptions& globals) {
  const std::string& token = tokens[i];
  auto take_value = [&](const std::string& option) -> Result<std::string> {
    if (i + 1 >= tokens.size()) {
      return usage_error("Option '" + option + "' requires an argument.");
    }
    i += 2;
    return tokens[i - 1];
  };
  if (token == "--debug") {
    globals.debug = true;
    ++i;
    return true;
  }
  if (token == "-h" || token == "--help") {
    globals.help = true;
    ++i;
    return true;
  }
  if (token == "-v" || token == "--version") {
    globals.version = true;
    ++i;
    return true;
  }
  if (token == "--profile" || token == "-o" || token == "--output") {
    auto value = take_value(token);
    if (!value) return value.error();
    auto status = token == "--profile" ? set_profile(globals, *value) : set_output(globals, *value);
    if (!status) return status.error();
    return true;
  }
  for (const char* prefix : {"--profile=", "--output="}) {
    std::string p = prefix;
    if (token.rfind(p, 0) == 0) {
      std::string value = token.substr(p.size());
      auto status = p == "--profile=" ? set_profile(globals, value) : set_output(globals, value);
      if (!status) return status.error();
      ++i;
      return true;
    }
  }
  if (token.size() > 2 && token.rfind("-o", 0) == 0 && token[2] != '-') {
    auto status = set_output(globals, token.substr(2));
    if (!status) return status.error();
    ++i;
    return true;
  }
  return false;
}

std::string suggestion_for(const std::string& word, const std::vector<std::string>& candidates) {
  for (const auto& candidate : candidates) {
    if (candidate.rfind(word, 0) == 0 || word.rfind(candidate, 0) == 0) {
      return " Did you mean '" + candidate + "'?";
    }
  }
  return "";
}

// What Boost.Program_options is told about a command's line: its own options, the globals
// it leaves their meaning, and its positionals (stored under "arg:NAME").
struct CommandLineSyntax {
  po::options_description options;
  po::positional_options_description positionals;
};

CommandLineSyntax describe_command_line(const CommandSpec& command) {
  CommandLineSyntax syntax;
  auto& description = syntax.options;
  for (const auto& option : command.options) {
    std::string name = option.long_name;
    if (option.short_name) name += std::string(",") + option.short_name;
    // A command's own --output (legacy list commands) still answers to the global -o.
    if (option.long_name == "output" && !option.short_name && !option.choices.empty() &&
        !command_has_short(&command, 'o')) {
      name += ",o";
    }
    if (option.is_flag()) {
      description.add_options()(name.c_str(), po::bool_switch());
    } else if (option.repeatable) {
      description.add_options()(name.c_str(), po::value<std::vector<std::string>>()->composing());
    } else {
      description.add_options()(name.c_str(), po::value<std::string>());
    }
  }
  // Globals, unless the command gives the name another meaning.
  description.add_options()("profile", po::value<std::string>());
  description.add_options()("debug", po::bool_switch());
  description.add_options()("help,h", po::bool_switch());
  if (!command_has_long(&command, "output")) {
    description.add_options()(command_has_short(&command, 'o') ? "output" : "output,o",
                              po::value<std::string>());
  } else if (command_has_file_output(&command) && !command_has_short(&command, 'o')) {
    description.add_options()(",o", po::value<std::string>());  // stored under the key "-o"
  }
  if (!command_has_long(&command, "version")) {
    description.add_options()("version", po::bool_switch());
  }
  for (const auto& spec : command.positionals) {
    description.add_options()(("arg:" + spec.name).c_str(), po::value<std::string>());
    syntax.positionals.add(("arg:" + spec.name).c_str(), 1);
  }
  return syntax;
}

Result<po::variables_map> run_option_parser(const CommandLineSyntax& syntax,
                                            const std::vector<std::string>& rest) {
  po::variables_map vm;
  try {
    auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(rest)
                  .options(syntax.options)
                  .positional(syntax.positionals)
                  .style(style)
                  .run(),
              vm);
  } catch (const po::too_many_positional_options_error&) {
    return usage_error("Got unexpected extra argument.");
  } catch (const po::error& e) {
    return usage_error(std::string(e.what()) + ".");
  }
  return vm;
}

// The global options given after the verb.
Status read_global_options(const CommandSpec& command, const po::variables_map& vm,
                           GlobalOptions& globals) {
  if (vm.count("profile")) {
    auto status = set_profile(globals, vm["profile"].as<std::string>());
    if (!status) return status;
  }
  if (vm["debug"].as<bool>()) globals.debug = true;
  if (vm["help"].as<bool>()) globals.help = true;
  if (vm.count("version") && !command_has_long(&command, "version") && vm["version"].as<bool>()) {
    globals.version = true;
  }
  if (!command_has_long(&command, "output") && vm.count("output")) {
    auto status = set_output(globals, vm["output"].as<std::string>());
    if (!status) return status;
  }
  if (vm.count("-o")) {
    auto status = set_output(globals, vm["-o"].as<std::string>());
    if (!status) return status;
  }
  return {};
}

// Values of an option with a fixed set of choices are matched case-insensitively.
Status check_choices(const OptionSpec& option, const std::vector<std::string>& values) {
  if (option.choices.empty()) return {};
  for (const auto& v : values) {
    auto it = std::find_if(option.choices.begin(), option.choices.end(), [&](const std::string& c) {
      return internal::ascii_lower(c) == internal::ascii_lower(v);
    });
    if (it == option.choices.end()) {
      std::string list;
      for (const auto& c : option.choices) list += (list.empty() ? "" : ", ") + c;
      return usage_error("Invalid value for '--" + option.long_name + "': '" + v +
                         "' is not one of " + list + ".");
    }
  }
  return {};
}

Status read_command_options(const CommandSpec& command, const po::variables_map& vm,
                            ParsedLine& line) {
  for (const auto& option : command.options) {
    if (option.is_flag()) {
      line.flags[option.long_name] = vm[option.long_name].as<bool>();
      continue;
    }
    if (!vm.count(option.long_name)) continue;
    auto& values = line.values[option.long_name];
    if (option.repeatable) {
      values = vm[option.long_name].as<std::vector<std::string>>();
    } else {
      values = {vm[option.long_name].as<std::string>()};
    }
    if (auto status = check_choices(option, values); !status) return status;
  }
  // A command-level --output (jobs list, runs list, clusters list) is the global one.
  if (command_has_long(&command, "output") && !command_has_file_output(&command) &&
      line.values.count("output")) {
    auto status = set_output(line.globals, line.values["output"].back());
    if (!status) return status;
  }
  return {};
}

Status read_positionals(const CommandSpec& command, const po::variables_map& vm, ParsedLine& line) {
  for (const auto& spec : command.positionals) {
    std::string key = "arg:" + spec.name;
    if (vm.count(key)) {
      line.args[spec.name] = vm[key].as<std::string>();
    } else if (spec.required && !line.globals.help) {
      return usage_error("Missing argument '" + spec.name + "'.");
    }
  }
  return {};
}

// Stage 2: the command's own flags and positionals through Boost.Program_options.
Status parse_command_options(const CommandSpec& command, const std::vector<std::string>& rest,
                             ParsedLine& line) {
  auto vm = run_option_parser(describe_command_line(command), rest);
  if (!vm) return vm.error();
  if (auto status = read_global_options(command, *vm, line.globals); !status) return status;
  if (auto status = read_command_options(command, *vm, line); !status) return status;
  return read_positionals(command, *vm, line);
}

}  // namespace

Result<OutputFormat> parse_output_format(const std::string& text) {
  auto value = internal::ascii_lower(text);
  if (value == "json") return OutputFormat::kJson;
  if (value == "table" || value == "text") return OutputFormat::kTable;
  return usage_error("Invalid value for '-o' / '--output': '" + text +
                     "' is not one of 'json', 'table'.");
}

Status parse_command_line(const std::vector<std::string>& args, ParsedLine& line) {
  std::size_t i = 0;
  auto scan_globals = [&]() -> Status {
    while (i < args.size() && !args[i].empty() && args[i][0] == '-') {
      auto consumed = consume_global(args, i, line.globals);
      if (!consumed) return consumed.error();
      if (!*consumed) return usage_error("No such option: " + args[i]);
    }
    return {};
  };
  if (auto status = scan_globals(); !status) return status.error();
  if (i >= args.size()) return {};

  std::vector<std::string> group_names;
  for (const auto& g : group_table()) {
    if (!g.hidden) group_names.push_back(g.name);
  }
  line.group = find_group(args[i]);
  if (!line.group) {
    return usage_error("No such command '" + args[i] + "'." + suggestion_for(args[i], group_names));
  }
  ++i;
  std::string verb;
  if (!is_leaf_group(line.group->name)) {
    if (auto status = scan_globals(); !status) return status.error();
    if (i >= args.size()) return {};  // group level: help or usage
    verb = args[i++];
  }
  line.command = find_command(line.group->name, verb);
  // Sub-groups (`unity-catalog catalogs create`): the verb is two words.
  if (!line.command && !verb.empty() && is_sub_group(line.group->name, verb)) {
    if (i >= args.size()) return {};  // sub-group level: the group's help
    verb += " " + args[i++];
  }
  line.command = find_command(line.group->name, verb);
  if (!line.command) {
    std::vector<std::string> verbs;
    for (const auto& c : command_table()) {
      if (c.group == line.group->name && !c.hidden) verbs.push_back(c.verb);
    }
    return usage_error("No such command '" + line.group->name + " " + verb + "'." +
                       suggestion_for(verb, verbs));
  }
  // Stage-1 --version before a jobs verb still means the dbk version; after
  // the verb the command's own table decides.
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  if (auto status = parse_command_options(*line.command, rest, line); !status) {
    return status.error();
  }
  return {};
}

}  // namespace dbk::cli
