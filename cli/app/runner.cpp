#include "app/runner.hpp"

#include <unistd.h>

#include <exception>
#include <iostream>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "app/help.hpp"
#include "app/parser.hpp"
#include "dbk/version.hpp"
#include "output/error_printer.hpp"

namespace dbk::cli {
namespace {

int usage_failure(const ApiError& error, const ParsedLine& line, const std::string& program,
                  std::ostream& err) {
  err << "Error: " << error.message << '\n';
  if (line.command) {
    err << "Usage: " << usage_line(program, *line.command) << '\n'
        << "Try '" << program << " " << line.command->path() << " --help' for help.\n";
  } else if (line.group) {
    err << "Try '" << program << " " << line.group->name << " --help' for help.\n";
  } else {
    err << "Try '" << program << " --help' for help.\n";
  }
  return exit_codes::kUsage;
}

}  // namespace

int run_command(Invocation& invocation) {
  CommandStatus status = invocation.spec().handler(invocation);
  invocation.out().flush();
  if (const auto& error = status.error()) {
    print_error(invocation.err(), *error, invocation.program(),
                invocation.output_format() == OutputFormat::kJson);
  }
  if (!status.note().empty()) invocation.err() << status.note() << '\n' << std::flush;
  return status.exit_code();
}

int run_cli(const std::vector<std::string>& args, const std::string& program, Io io,
            Backend backend) {
  std::ostream& out = *io.out;
  std::ostream& err = *io.err;
  try {
    std::vector<std::string> effective = args;
    std::string shown = program;
    if (program == "dbfs") {
      effective.insert(effective.begin(), "fs");
      shown = "dbfs";
    }
    ParsedLine line;
    auto status = parse_command_line(effective, line);
    if (!status) {
      if (line.globals.help) {
        // `--help` wins over an incomplete command line.
      } else {
        return usage_failure(status.error(), line, shown, err);
      }
    }
    // In `dbfs` mode the group word is implicit.
    std::string help_program = program == "dbfs" ? "dbfs" : shown;
    if (line.globals.help) {
      if (line.command) {
        std::string text = command_help(shown, *line.command);
        if (program == "dbfs") text.replace(text.find("dbfs fs"), 7, "dbfs");
        out << text;
      } else if (line.group && program != "dbfs") {
        out << group_help(shown, *line.group);
      } else if (line.group) {
        out << group_help("dbfs", *line.group);
      } else {
        out << top_help(shown);
      }
      return exit_codes::kOk;
    }
    if (line.globals.version) {
      out << shown << " " << DBK_VERSION << '\n';
      return exit_codes::kOk;
    }
    if (!line.command) {
      if (line.group) {
        err << group_help(shown, *line.group);
      } else {
        err << top_help(shown);
      }
      return exit_codes::kUsage;
    }
    Invocation invocation(*line.command, shown, line.globals, io, std::move(backend));
    for (const auto& [name, on] : line.flags) invocation.set_flag(name, on);
    for (const auto& [name, values] : line.values) {
      for (const auto& v : values) invocation.add_value(name, v);
    }
    for (const auto& [name, v] : line.args) invocation.set_arg(name, v);
    return run_command(invocation);
  } catch (const std::exception& e) {
    out.flush();
    err << "Error: " << e.what() << '\n';
    return exit_codes::kError;
  } catch (...) {
    out.flush();
    err << "Error: unexpected failure\n";
    return exit_codes::kError;
  }
}

int main_entry(int argc, char** argv) {
  std::string argv0 = argc > 0 ? argv[0] : "dbk";
  auto slash = argv0.find_last_of('/');
  std::string base = slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
  std::string program = "dbk";
  if (base == "databricks") program = "databricks";
  if (base == "dbfs") program = "dbfs";
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  Io io{&std::cin, &std::cout, &std::cerr, isatty(0) == 1, isatty(2) == 1, isatty(1) == 1};
  return run_cli(args, program, io);
}

}  // namespace dbk::cli
