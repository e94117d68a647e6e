#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/command_spec.hpp"
#include "app/invocation.hpp"
#include "dbk/transfer.hpp"

namespace dbk::cli {

/// Prints `value` as Python's json.dumps(indent=2) plus a newline (docs/reference/rest-api.md
/// §5.2).
int print_json(Invocation& inv, const nlohmann::ordered_json& value);

/// Prints a plain table (no trailing newline from tabulate; click.echo adds one).
void print_table(Invocation& inv, const std::string& table);

/// Per-file lines of a bulk operation, in the results' stable order: `src -> dst`
/// for done, the skip message for skipped (on stdout, as the legacy CLI), errors on
/// stderr. Returns the exit code: 1 when any file failed or was not started.
int report_file_results(Invocation& inv, const std::vector<FileResult>& results);

/// --concurrency N (default 8), validated.
Result<unsigned> concurrency_option(const Invocation& inv);

/// The --version API option of jobs/runs commands: "2.0" or "2.1" (docs/reference/rest-api.md §5).
OptionSpec jobs_api_version_option();

/// The client of a jobs/runs command, on the --version API when given. Under the legacy
/// syntax, a configured or default version other than 2.1 prints databricks-cli 0.18's
/// upgrade warning on stderr (once), as that CLI did before every jobs/runs call.
Result<Client> jobs_client(Invocation& inv);

/// --json-file FILE and --json JSON: the request body of create/edit/submit-style commands,
/// read by json_body_option.
OptionSpec json_file_option();
OptionSpec json_option();

/// The value of a required option, or legacy's usage error "Missing option '--NAME'.".
Result<std::string> required_value(const Invocation& inv, const std::string& name);

/// Reads --json-file / --json (exactly one; the legacy message otherwise): a JSON
/// object, or a usage error.
Result<nlohmann::ordered_json> json_body_option(const Invocation& inv);

/// An option list as legacy's messages print it (a Python list: ['a', 'b']).
std::string python_list(const std::vector<std::string>& names);

/// Legacy truncate_string: names longer than 100 characters end in "...".
std::string truncate_name(const std::string& name);

}  // namespace dbk::cli
