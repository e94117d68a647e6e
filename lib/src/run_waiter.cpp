#include "dbk/run_waiter.hpp"

#include <algorithm>
#include <random>

#include "dbk/jobs.hpp"

namespace dbk {

namespace {

double random_jitter() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::chrono::milliseconds poll_interval(const PollPolicy& policy,
                                        std::chrono::milliseconds waited) {
  // The SDKs wait min(attempt, 10) s + jitter (docs/reference/rest-api.md §0.6): a run that
  // ends just after the 5th poll is seen 6 s later. A fraction of the time waited bounds
  // that delay by the run's age, with the same 10 s ceiling for long runs.
  const auto grown = std::chrono::milliseconds(static_cast<std::int64_t>(
      policy.elapsed_fraction * static_cast<double>(std::max<std::int64_t>(0, waited.count()))));
  auto base = std::clamp(grown, policy.initial, std::max(policy.initial, policy.max));
  double factor = policy.jitter ? policy.jitter() : random_jitter();
  factor = std::clamp(factor, 0.0, 1.0);
  auto jitter = std::chrono::milliseconds(
      static_cast<std::int64_t>(factor * static_cast<double>(policy.max_jitter.count())));
  return std::max(base + jitter, std::chrono::milliseconds(1));
}

std::string format_duration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
  return std::to_string(duration.count()) + " ms";
}

ApiError cancelled_error(std::int64_t run_id) {
  return make_error(error_codes::kCancelled,
                    "stopped waiting for run " + std::to_string(run_id) + " (the run continues)");
}

}  // namespace

Result<Run> wait_for_run(const JobsApi& jobs, std::int64_t run_id, const WaitOptions& options,
                         const CallContext& context) {
  const auto clock = options.clock ? options.clock : system_clock();
  const auto sleeper = options.sleeper ? options.sleeper : real_sleeper();
  const bool has_deadline = options.timeout.count() > 0;
  const auto started = clock->now();
  const auto deadline = started + options.timeout;

  std::optional<std::pair<std::string, std::optional<std::string>>> last_state;
  std::optional<std::chrono::system_clock::time_point> unreachable_since;
  for (;;) {
    if (context.is_cancelled()) return cancelled_error(run_id);
    auto run = jobs.runs_get(run_id, context);
    if (!run && context.is_cancelled()) return cancelled_error(run_id);
    if (run) {
      unreachable_since.reset();
      auto state = std::make_pair(run->state.life_cycle_state, run->state.result_state);
      if (!last_state || *last_state != state) {
        last_state = state;
        if (options.on_state_change) options.on_state_change(*run);
      }
      if (run->state.is_terminal()) return std::move(*run);
    } else {
      // Only a host that vanished after the run was seen is waited out; anything else
      // (a wrong run id, a wrong host, no permission) ends the wait at once.
      if (!last_state || !run.error().is_unreachable()) return std::move(run).error();
      const auto now = clock->now();
      if (!unreachable_since) unreachable_since = now;
      if (now - *unreachable_since >= options.unreachable_grace) return std::move(run).error();
    }

    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock->now());
    if (has_deadline && remaining.count() <= 0) {
      std::string message = "run " + std::to_string(run_id) + " did not finish within " +
                            format_duration(options.timeout) + " (last state " + last_state->first +
                            ")";
      if (options.cancel_on_timeout) {
        auto cancelled = jobs.runs_cancel(run_id, context);
        message += cancelled ? "; the run was cancelled"
                             : "; cancelling it failed: " + cancelled.error().to_string();
      }
      return make_error(error_codes::kTimeout, message);
    }
    auto interval = poll_interval(
        options.poll,
        std::chrono::duration_cast<std::chrono::milliseconds>(clock->now() - started));
    if (has_deadline) interval = std::min(interval, remaining);
    if (!sleeper->sleep_for(interval, context.cancellation.get())) return cancelled_error(run_id);
  }
}

RunOutcome classify(const Run& run) {
  RunOutcome outcome;
  const auto& state = run.state;
  outcome.message = state.state_message;
  outcome.state = state.result_state.value_or(state.life_cycle_state);
  if (!state.is_terminal()) {
    outcome.kind = RunOutcomeKind::kNotTerminated;
    return outcome;
  }
  if (state.result_state) {
    const auto& result = *state.result_state;
    if (result == result_states::kSuccess) {
      outcome.kind = RunOutcomeKind::kSuccess;
      outcome.ok = true;
    } else if (result == result_states::kCanceled) {
      outcome.kind = RunOutcomeKind::kCanceled;
    } else if (result == result_states::kTimedOut) {
      outcome.kind = RunOutcomeKind::kTimedOut;
    } else if (state.life_cycle_state == life_cycle_states::kSkipped) {
      outcome.kind = RunOutcomeKind::kSkipped;
    } else {
      outcome.kind = RunOutcomeKind::kFailed;
    }
    return outcome;
  }
  // No result_state: SKIPPED, or an INTERNAL_ERROR the legacy CLI crashed on (§3.3).
  outcome.kind = state.life_cycle_state == life_cycle_states::kSkipped ? RunOutcomeKind::kSkipped
                                                                       : RunOutcomeKind::kFailed;
  return outcome;
}

}  // namespace dbk
