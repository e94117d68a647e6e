#pragma once

#include <string>
#include <vector>

#include "app/invocation.hpp"

namespace dbk::cli {

/// Runs one command line (without argv[0]) and returns the exit code. Never throws.
/// `program` is the name shown in messages: "dbk", "databricks" or "dbfs". `backend`
/// replaces the network, clock and environment (tests pass the dbk::testing fakes).
int run_cli(const std::vector<std::string>& args, const std::string& program, Io io,
            Backend backend = {});

/// Runs the invocation's handler and ends it: a returned error is printed on stderr
/// (text, or JSON under -o json; then the status's note) and mapped to the exit code.
/// The one place where command errors are printed; tests call it in place of run_cli.
int run_command(Invocation& invocation);

/// The process entry: picks the legacy personality from argv[0]'s basename
/// (`databricks` = the same tree, `dbfs` = `dbk fs`), wires real stdio, and
/// turns any escaped exception into a one-line error and exit 1.
int main_entry(int argc, char** argv);

}  // namespace dbk::cli
