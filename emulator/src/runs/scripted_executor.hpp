#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "dbk/result.hpp"
#include "runs/task_executor.hpp"

namespace dbk::emulator {

/// Outcomes scripted by tests through POST /__dbk/runs/script:
///   {"match": {"notebook_path"|"task_key"|"job_id": ...},
///    "outcome": {"result_state": "SUCCESS"|"FAILED", "duration_ms": 5000,
///                "notebook_output": {...} | "result": "...", "error": "...",
///                "error_trace": "...", "logs": "...",
///                "life_cycle_state": "INTERNAL_ERROR", "state_message": "..."},
///    "times": 1}            // omitted or 0 = every matching attempt
/// Rules are tried oldest first; durations run on the emulated clock. Rules live in
/// memory only (a restart or /__dbk/reset forgets them).
class ScriptedExecutor {
 public:
  /// Validates and appends a rule; returns its id.
  Result<std::int64_t> add_rule(const nlohmann::json& rule);
  void clear();
  nlohmann::json rules() const;

  /// An attempt when a rule matches (consuming one of its `times`), else null.
  std::unique_ptr<TaskAttempt> try_start(const TaskLaunch& launch);

 private:
  struct Rule {
    std::int64_t id = 0;
    nlohmann::json match;
    nlohmann::json outcome;
    std::int64_t remaining = -1;  ///< -1 = unlimited
  };
  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::int64_t next_id_ = 1;
};

}  // namespace dbk::emulator
