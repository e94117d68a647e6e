#pragma once

#include <cstdint>

#include "app/command_spec.hpp"
#include "app/invocation.hpp"
#include "dbk/jobs.hpp"
#include "dbk/run_waiter.hpp"

namespace dbk::cli {

/// --wait, --timeout, --cancel-on-interrupt (docs/reference/rest-api.md §6.1: what the legacy CLI
/// lacks).
std::vector<OptionSpec> wait_options();

/// Validates --timeout before any request is made (a usage error costs no run).
Status check_wait_options(const Invocation& inv);

/// Exit code for a finished run: 0 for SUCCESS, 3 for anything else.
int exit_code_for_outcome(const RunOutcome& outcome);

/// Waits for `run_id` with progress on stderr, then prints the final run as JSON on
/// stdout and returns 0 (SUCCESS), 3 (other outcome), 4 (timeout), 130 (Ctrl-C) or 1.
int wait_and_report(Invocation& inv, const JobsApi& jobs, std::int64_t run_id);

}  // namespace dbk::cli
