#pragma once

#include <string>
#include <vector>

#include "app/invocation.hpp"

namespace dbk::cli {

/// Runs one command line (without argv[0]) and returns the exit code. Never throws.
/// `program` is the name shown in messages: "dbk", "databricks" or "dbfs".
int run_cli(const std::vector<std::string>& args, const std::string& program, Io io);

/// The process entry: picks the legacy personality from argv[0]'s basename
/// (`databricks` = the same tree, `dbfs` = `dbk fs`), wires real stdio, and
/// turns any escaped exception into a one-line error and exit 1.
int main_entry(int argc, char** argv);

}  // namespace dbk::cli
