#include "runs/scripted_executor.hpp"

#include "http/request.hpp"

namespace dbk::emulator {
namespace {

class ScriptedAttempt : public TaskAttempt {
 public:
  ScriptedAttempt(TaskOutcome outcome, std::int64_t finish_at_ms)
      : outcome_(std::move(outcome)), finish_at_ms_(finish_at_ms) {}

  std::optional<TaskOutcome> poll(std::int64_t now_ms) override {
    if (cancelled_) {
      TaskOutcome stopped;
      stopped.result_state = "CANCELED";
      return stopped;
    }
    if (now_ms < finish_at_ms_) return std::nullopt;
    return outcome_;
  }
  void cancel() override { cancelled_ = true; }

 private:
  TaskOutcome outcome_;
  std::int64_t finish_at_ms_;
  bool cancelled_ = false;
};

std::string string_field(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool matches(const nlohmann::json& match, const TaskLaunch& launch) {
  for (const auto& [key, value] : match.items()) {
    if (key == "notebook_path") {
      if (!value.is_string() ||
          launch.task.value("notebook_task", nlohmann::json::object()).value("notebook_path", "") !=
              value.get<std::string>())
        return false;
    } else if (key == "python_file") {
      if (!value.is_string() || launch.task.value("spark_python_task", nlohmann::json::object())
                                        .value("python_file", "") != value.get<std::string>())
        return false;
    } else if (key == "task_key") {
      if (!value.is_string() || launch.task_key != value.get<std::string>()) return false;
    } else if (key == "job_id") {
      if (!value.is_number_integer() || launch.job_id != value.get<std::int64_t>()) return false;
    } else {
      return false;  // unknown criteria never match (add_rule rejects them anyway)
    }
  }
  return true;
}

}  // namespace

Result<std::int64_t> ScriptedExecutor::add_rule(const nlohmann::json& rule) {
  if (!rule.is_object()) return invalid_parameter("A script rule must be a JSON object");
  Rule parsed;
  parsed.match = rule.value("match", nlohmann::json::object());
  parsed.outcome = rule.value("outcome", nlohmann::json::object());
  if (!parsed.match.is_object() || !parsed.outcome.is_object())
    return invalid_parameter("'match' and 'outcome' must be objects");
  for (const auto& [key, value] : parsed.match.items()) {
    if (key != "notebook_path" && key != "python_file" && key != "task_key" && key != "job_id")
      return invalid_parameter("Unknown match field: " + key);
    (void)value;
  }
  const std::string result = string_field(parsed.outcome, "result_state");
  const std::string life = string_field(parsed.outcome, "life_cycle_state");
  if (!result.empty() && result != "SUCCESS" && result != "FAILED")
    return invalid_parameter("outcome.result_state must be SUCCESS or FAILED");
  if (!life.empty() && life != "TERMINATED" && life != "INTERNAL_ERROR")
    return invalid_parameter("outcome.life_cycle_state must be TERMINATED or INTERNAL_ERROR");
  if (auto it = parsed.outcome.find("duration_ms");
      it != parsed.outcome.end() && (!it->is_number_integer() || it->get<std::int64_t>() < 0))
    return invalid_parameter("outcome.duration_ms must be a non-negative integer");
  if (auto it = rule.find("times"); it != rule.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
      return invalid_parameter("'times' must be a non-negative integer");
    if (it->get<std::int64_t>() > 0) parsed.remaining = it->get<std::int64_t>();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  parsed.id = next_id_++;
  rules_.push_back(parsed);
  return parsed.id;
}

void ScriptedExecutor::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
}

nlohmann::json ScriptedExecutor::rules() const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto list = nlohmann::json::array();
  for (const auto& rule : rules_) {
    list.push_back({{"id", rule.id},
                    {"match", rule.match},
                    {"outcome", rule.outcome},
                    {"times", rule.remaining < 0 ? 0 : rule.remaining}});
  }
  return list;
}

std::unique_ptr<TaskAttempt> ScriptedExecutor::try_start(const TaskLaunch& launch) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!matches(it->match, launch)) continue;
    const nlohmann::json spec = it->outcome;
    if (it->remaining > 0 && --it->remaining == 0) rules_.erase(it);

    TaskOutcome outcome;
    outcome.life_cycle_state = spec.value("life_cycle_state", std::string("TERMINATED"));
    outcome.result_state = spec.value("result_state", std::string("SUCCESS"));
    if (outcome.life_cycle_state == "INTERNAL_ERROR" && !spec.contains("result_state")) {
      outcome.result_state.clear();  // docs/reference/rest-api.md §3.3: may lack result_state
    }
    outcome.state_message = spec.value("state_message", std::string());
    if (spec.contains("notebook_output") && spec["notebook_output"].is_object()) {
      outcome.notebook_output = spec["notebook_output"];
    } else if (spec.contains("result") && spec["result"].is_string()) {
      outcome.notebook_output = {{"result", spec["result"]}, {"truncated", false}};
    }
    outcome.error = spec.value("error", std::string());
    outcome.error_trace = spec.value("error_trace", std::string());
    outcome.logs = spec.value("logs", std::string());
    if (outcome.result_state == "FAILED" && outcome.error.empty())
      outcome.error = "Scripted failure";
    const std::int64_t duration = spec.value("duration_ms", std::int64_t{0});
    return std::make_unique<ScriptedAttempt>(std::move(outcome), launch.now_ms + duration);
  }
  return nullptr;
}

}  // namespace dbk::emulator
