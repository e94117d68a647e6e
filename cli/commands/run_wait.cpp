#include "commands/run_wait.hpp"

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "app/exit_codes.hpp"
#include "commands/common.hpp"
#include "output/terminal_text.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"
#include "util/terminal.hpp"

namespace dbk::cli {
namespace {

// How long the cancel after Ctrl-C may take, retries included: long enough for a few
// tries against a briefly failing service, short enough that an interrupted command
// still ends promptly. A second Ctrl-C abandons it at once.
constexpr std::chrono::seconds kCancelBudget{5};

std::string state_text(const Run& run) {
  std::string text = run.state.life_cycle_state;
  if (run.state.result_state) text += " " + *run.state.result_state;
  return text;
}

/// Progress on stderr: a rewritten status line on a capable TTY, else one plain
/// line per state change.
class Progress {
 public:
  Progress(Invocation& inv, std::int64_t run_id)
      : err_(inv.err()),
        run_id_(run_id),
        live_(live_progress_enabled(inv.io())),
        start_(std::chrono::steady_clock::now()) {
    if (live_) ticker_ = std::thread([this] { tick(); });
  }
  ~Progress() { finish(); }

  void state_changed(const Run& run) {
    std::lock_guard<std::mutex> lock(mutex_);
    state_ = terminal_safe(state_text(run));  // the server's words, redrawn on a terminal
    std::string line = "Run " + std::to_string(run_id_) + ": " + state_ + " (" + elapsed() + ")";
    if (!run.run_page_url.empty() && run.run_page_url != url_) {
      url_ = run.run_page_url;
      line += " " + terminal_safe(url_);
    }
    if (live_) err_ << "\r\033[K";
    err_ << line << '\n' << std::flush;
    if (live_) redraw_locked();
  }

  void finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (done_) return;
      done_ = true;
      if (live_) err_ << "\r\033[K" << std::flush;
    }
    wake_.notify_all();
    if (ticker_.joinable()) ticker_.join();
  }

 private:
  std::string elapsed() const {
    return format_elapsed(std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start_));
  }
  void redraw_locked() {
    err_ << "\r\033[K"
         << "Waiting for run " << run_id_ << ": " << state_ << " " << elapsed() << std::flush;
  }
  void tick() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!done_) {
      wake_.wait_for(lock, std::chrono::seconds(1));
      if (!done_ && !state_.empty()) redraw_locked();
    }
  }

  std::ostream& err_;
  std::int64_t run_id_;
  bool live_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread ticker_;
  std::string state_;
  std::string url_;
  bool done_ = false;
};

// The cancel call gets its own context: the waiting one is already cancelled.
CallContext cancel_context(InterruptScope& scope) {
  auto context = scope.rearm().with_timeout(kCancelBudget);
  RetryOptions retry;
  retry.initial_backoff = std::chrono::milliseconds(250);
  retry.max_backoff = std::chrono::seconds(1);
  retry.total_timeout = kCancelBudget;
  retry.unreachable_timeout = kCancelBudget;
  context.retry = retry;
  return context;
}

CommandStatus handle_interrupt(Invocation& inv, const JobsApi& jobs, std::int64_t run_id,
                               const WaitRequest& request, InterruptScope& scope) {
  bool cancel = request.cancel_on_interrupt;
  if (!cancel && inv.io().stdin_is_tty) {
    scope.restore();  // a second Ctrl-C at the prompt ends the process
    inv.err() << "Cancel run " << run_id << "? [y/N] " << std::flush;
    std::string answer;
    std::getline(inv.in(), answer);
    cancel = !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
  }
  if (!cancel) {
    inv.err() << "Stopped waiting; run " << run_id << " keeps running.\n";
    return exit_codes::kInterrupted;
  }
  auto status = jobs.runs_cancel(run_id, cancel_context(scope));
  if (!status) {
    return CommandStatus(status.error())
        .with_exit_code(exit_codes::kInterrupted)
        .with_note("Run " + std::to_string(run_id) +
                   " may still be running; cancel it with: dbk runs cancel --run-id " +
                   std::to_string(run_id));
  }
  inv.err() << "Cancelled run " << run_id << ".\n";
  return exit_codes::kInterrupted;
}

// Best effort: the failure text lives in runs/get-output `error`, not in state_message
// (docs/reference/rest-api.md §3.3). The run in hand says which run's output to ask for.
std::string failure_detail(const JobsApi& jobs, const Run& run) {
  auto output = jobs.runs_get_output_resolved(run);
  if (output && output->error) return *output->error;
  return "";
}

}  // namespace

std::vector<OptionSpec> wait_options() {
  return {flag("wait", 0, "Wait for the run to finish; exit 0 on SUCCESS, 3 otherwise."),
          value("timeout", 0, "DURATION",
                "With --wait: give up after this long (e.g. 90s, 20m, 2h; exit 4). Default: none."),
          flag("cancel-on-interrupt", 0,
               "With --wait: on Ctrl-C or SIGTERM cancel the run without asking (exit 130).")};
}

Result<WaitRequest> wait_request(const Invocation& inv) {
  WaitRequest request;
  request.wait = inv.flag("wait");
  request.cancel_on_interrupt = inv.flag("cancel-on-interrupt");
  auto timeout = inv.value("timeout");
  if (!request.wait && (timeout || request.cancel_on_interrupt)) {
    return usage_error("--timeout and --cancel-on-interrupt need --wait.");
  }
  if (timeout) {
    auto parsed = parse_duration(*timeout);
    if (!parsed) return parsed.error();
    request.timeout = *parsed;
  }
  return request;
}

int exit_code_for_outcome(const RunOutcome& outcome) {
  return outcome.ok ? exit_codes::kOk : exit_codes::kRunFailed;
}

CommandStatus wait_and_report(Invocation& inv, const JobsApi& jobs, std::int64_t run_id,
                              const WaitRequest& request) {
  WaitOptions options;
  options.timeout = request.timeout;
  options.clock = inv.backend().clock;
  options.sleeper = inv.backend().sleeper;
  InterruptScope scope;
  Progress progress(inv, run_id);
  options.on_state_change = [&](const Run& run) { progress.state_changed(run); };
  auto run = wait_for_run(jobs, run_id, options, scope.context());
  progress.finish();
  if (!run) {
    if (scope.interrupted()) return handle_interrupt(inv, jobs, run_id, request, scope);
    return run.error();
  }
  // The run as the service sent it; the decisions below read only the typed fields.
  print_json(inv, run->raw);
  auto outcome = classify(*run);
  if (outcome.ok) return exit_codes::kOk;
  std::string message =
      "Error: Run " + std::to_string(run_id) + " finished with state " + outcome.state;
  if (!outcome.message.empty()) message += ": " + outcome.message;
  auto detail = failure_detail(jobs, *run);
  if (!detail.empty() && detail != outcome.message) message += " (" + detail + ")";
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  inv.err() << terminal_safe(message) << '\n';
  return exit_code_for_outcome(outcome);
}

}  // namespace dbk::cli
