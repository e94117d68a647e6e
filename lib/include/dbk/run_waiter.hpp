#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dbk/call_context.hpp"
#include "dbk/clock.hpp"
#include "dbk/models/jobs.hpp"
#include "dbk/result.hpp"

namespace dbk {

class JobsApi;

/// Poll interval: `elapsed_fraction` of the time waited so far, at least `initial` and at
/// most `max`, plus up to `max_jitter × jitter()`. Like the SDKs' schedule (1 s growing to
/// 10 s, docs/reference/rest-api.md §0.6, §3.4) it backs off to one poll per 10 s, but it
/// grows with the run's age instead of the poll count, so a short run is seen ending
/// within about a second and a long one within a tenth of its time (docs/library.md).
struct PollPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{10000};
  double elapsed_fraction = 0.1;
  std::chrono::milliseconds max_jitter{500};
  std::function<double()> jitter;  ///< in [0, 1); nullptr = random
};

struct WaitOptions {
  std::chrono::milliseconds timeout{0};  ///< 0 = wait forever
  PollPolicy poll;
  std::shared_ptr<Clock> clock;      ///< nullptr = system clock
  std::shared_ptr<Sleeper> sleeper;  ///< nullptr = real sleeps
  /// Called with the first Run seen and whenever life_cycle_state or result_state changes.
  std::function<void(const Run&)> on_state_change;
  bool cancel_on_timeout = false;  ///< cancel the run before reporting the timeout
  /// Once the run has been seen, polls that fail because the host cannot be reached at all
  /// (ApiError::is_unreachable) are retried for this long before the wait gives up: a
  /// gateway restart must not end a wait on a run that goes on regardless. Within `timeout`.
  std::chrono::milliseconds unreachable_grace{300000};
};

/// Polls `runs/get` until the run is TERMINATED, SKIPPED or INTERNAL_ERROR and
/// returns it (whatever its result_state). A timeout gives DEADLINE_EXCEEDED. Cancelling
/// `context` (e.g. from a SIGINT handler) stops the wait at once, also during a poll
/// in flight or its retries, with CANCELLED; the run itself goes on.
Result<Run> wait_for_run(const JobsApi& jobs, std::int64_t run_id, const WaitOptions& options = {},
                         const CallContext& context = {});

enum class RunOutcomeKind {
  kSuccess,        ///< result_state SUCCESS
  kFailed,         ///< any other result_state, or INTERNAL_ERROR without one
  kCanceled,       ///< result_state CANCELED
  kTimedOut,       ///< result_state TIMEDOUT
  kSkipped,        ///< life_cycle_state SKIPPED
  kNotTerminated,  ///< still running
};

struct RunOutcome {
  RunOutcomeKind kind = RunOutcomeKind::kNotTerminated;
  bool ok = false;      ///< only SUCCESS is ok
  std::string state;    ///< result_state, else life_cycle_state
  std::string message;  ///< state_message
};

/// Classifies a run for exit codes; copes with an absent result_state (§3.3).
RunOutcome classify(const Run& run);

}  // namespace dbk
