#pragma once

#include <chrono>
#include <cstdint>

#include "app/command_spec.hpp"
#include "app/invocation.hpp"
#include "dbk/jobs.hpp"
#include "dbk/run_waiter.hpp"

namespace dbk::cli {

/// --wait, --timeout, --cancel-on-interrupt (docs/reference/rest-api.md §6.1: what the legacy CLI
/// lacks).
std::vector<OptionSpec> wait_options();

/// What --wait, --timeout and --cancel-on-interrupt asked for.
struct WaitRequest {
  bool wait = false;
  std::chrono::milliseconds timeout{0};  ///< 0 = no limit
  bool cancel_on_interrupt = false;
};

/// Reads the wait flags once, before any request is made (a usage error costs no run):
/// --timeout must be a duration, and it and --cancel-on-interrupt need --wait.
Result<WaitRequest> wait_request(const Invocation& inv);

/// Exit code for a finished run: 0 for SUCCESS, 3 for anything else.
int exit_code_for_outcome(const RunOutcome& outcome);

/// Waits for `run_id` with progress on stderr, then prints the final run as JSON on
/// stdout and ends with 0 (SUCCESS), 3 (other outcome), 4 (timeout), 130 (Ctrl-C) or 1.
CommandStatus wait_and_report(Invocation& inv, const JobsApi& jobs, std::int64_t run_id,
                              const WaitRequest& request);

}  // namespace dbk::cli
