#include "jobs/job_settings.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "http/request.hpp"
#include "jobs/quartz_cron.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

/// Fields that belong to the task in the 2.1 shape but sit at the top level in 2.0.
const std::vector<std::string>& single_task_fields() {
  static const std::vector<std::string> fields = {
      "existing_cluster_id",       "new_cluster",     "libraries", "max_retries",
      "min_retry_interval_millis", "retry_on_timeout"};
  return fields;
}

bool valid_task_key(const std::string& key) {
  if (key.empty() || key.size() > 100) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

/// A task key for a 2.0 job seen through 2.1, derived from the job name.
std::string default_task_key(const json& settings) {
  std::string name = settings.value("name", std::string());
  std::string key;
  for (char c : name) {
    key += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  }
  if (key.size() > 100) key.resize(100);
  return key.empty() ? "task" : key;
}

Status validate(const json& settings) {
  const auto& tasks = settings["tasks"];
  std::set<std::string> keys;
  for (const auto& task : tasks) {
    if (!task.is_object()) return invalid_parameter("Each task must be an object");
    if (!task.contains("task_key") || !task["task_key"].is_string())
      return invalid_parameter("Missing required field: task_key");
    const std::string key = task["task_key"];
    if (!valid_task_key(key))
      return invalid_parameter("Invalid task_key '" + key +
                               "': only alphanumeric characters, '-' and '_' are allowed, "
                               "at most 100 characters");
    if (!keys.insert(key).second) return invalid_parameter("Task key " + key + " is not unique");
  }
  for (const auto& task : tasks) {
    for (const auto& dep : task.value("depends_on", json::array())) {
      const std::string upstream = dep.is_object() ? dep.value("task_key", "") : "";
      if (keys.count(upstream) == 0) {
        return invalid_parameter("Invalid dependency graph, task '" +
                                 task["task_key"].get<std::string>() +
                                 "' depends on nonexistent task '" + upstream + "'");
      }
    }
  }
  // Cycles: repeatedly drop tasks whose dependencies are all dropped.
  std::set<std::string> done;
  bool progress = true;
  while (progress && done.size() < keys.size()) {
    progress = false;
    for (const auto& task : tasks) {
      const std::string key = task["task_key"];
      if (done.count(key)) continue;
      bool ready = true;
      for (const auto& dep : task.value("depends_on", json::array()))
        if (!done.count(dep.value("task_key", ""))) ready = false;
      if (ready) {
        done.insert(key);
        progress = true;
      }
    }
  }
  if (done.size() < keys.size())
    return invalid_parameter("Invalid dependency graph: cycle detected");

  if (settings.contains("schedule") && !settings["schedule"].is_null()) {
    const auto& schedule = settings["schedule"];
    if (!schedule.is_object() || !schedule.contains("quartz_cron_expression") ||
        !schedule["quartz_cron_expression"].is_string())
      return invalid_parameter("Missing required field: schedule.quartz_cron_expression");
    auto cron = QuartzCron::parse(schedule["quartz_cron_expression"]);
    if (!cron) return cron.error();
    const std::string zone = schedule.value("timezone_id", std::string("UTC"));
    if (!QuartzCron::known_timezone(zone)) return invalid_parameter("Invalid timezone_id: " + zone);
  }
  if (settings.contains("max_concurrent_runs")) {
    const auto& value = settings["max_concurrent_runs"];
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() > 1000)
      return invalid_parameter("max_concurrent_runs must be between 0 and 1000");
  }
  return {};
}

}  // namespace

int jobs_api_version(const std::string& path) {
  if (path.rfind("/api/2.0/", 0) == 0) return 20;
  if (path.rfind("/api/2.2/", 0) == 0) return 22;
  return 21;
}

const std::vector<std::string>& task_type_keys() {
  static const std::vector<std::string> keys = {
      "notebook_task",  "spark_python_task", "spark_jar_task",     "spark_submit_task",
      "pipeline_task",  "python_wheel_task", "sql_task",           "dbt_task",
      "run_job_task",   "condition_task",    "for_each_task",      "clean_rooms_notebook_task",
      "dashboard_task", "power_bi_task",     "gen_ai_compute_task"};
  return keys;
}

std::string task_type_of(const json& task) {
  for (const auto& key : task_type_keys())
    if (task.contains(key) && !task[key].is_null()) return key;
  return {};
}

Result<json> normalize_job_settings(const json& settings, int api_version) {
  (void)api_version;
  if (!settings.is_object()) return invalid_parameter("Job settings must be a JSON object");
  json out = settings;
  if (!out.contains("tasks") || out["tasks"].is_null()) {
    json task = json::object();
    bool single = false;
    for (const auto& key : task_type_keys()) {
      if (out.contains(key)) {
        task[key] = out[key];
        out.erase(key);
        single = true;
      }
    }
    for (const auto& key : single_task_fields()) {
      if (out.contains(key)) {
        task[key] = out[key];
        out.erase(key);
      }
    }
    if (single) {
      task["task_key"] = default_task_key(out);
      out["tasks"] = json::array({task});
      out["format"] = "SINGLE_TASK";
    } else {
      out["tasks"] = json::array();
      if (!out.contains("format")) out["format"] = "MULTI_TASK";
    }
  } else {
    if (!out["tasks"].is_array()) return invalid_parameter("tasks must be an array");
    if (!out.contains("format")) out["format"] = "MULTI_TASK";
  }
  if (!out.contains("name")) out["name"] = "Untitled";
  if (!out.contains("email_notifications")) out["email_notifications"] = json::object();
  if (!out.contains("timeout_seconds")) out["timeout_seconds"] = 0;
  if (!out.contains("max_concurrent_runs")) out["max_concurrent_runs"] = 1;
  if (out.contains("schedule") && out["schedule"].is_object() &&
      !out["schedule"].contains("pause_status"))
    out["schedule"]["pause_status"] = "UNPAUSED";
  if (auto status = validate(out); !status) return status.error();
  return out;
}

json render_job_settings(const json& stored, int api_version) {
  json out = stored;
  if (api_version == 20 && stored.value("format", "") == "SINGLE_TASK" &&
      stored["tasks"].size() == 1) {
    json task = stored["tasks"][0];
    task.erase("task_key");
    task.erase("depends_on");
    for (const auto& [key, value] : task.items()) out[key] = value;
    out.erase("tasks");
  }
  return out;
}

Result<json> update_job_settings(const json& stored, const json& new_settings,
                                 const json& fields_to_remove, int api_version) {
  if (!new_settings.is_null() && !new_settings.is_object())
    return invalid_parameter("new_settings must be a JSON object");
  json out = stored;
  json patch = new_settings.is_null() ? json::object() : new_settings;
  // 2.0-shaped fields on a single-task job go to its task.
  if (!patch.contains("tasks") && out["tasks"].size() == 1) {
    for (const auto& key : task_type_keys()) {
      if (patch.contains(key)) {
        for (const auto& other : task_type_keys()) out["tasks"][0].erase(other);
        out["tasks"][0][key] = patch[key];
        patch.erase(key);
      }
    }
    for (const auto& key : single_task_fields()) {
      if (patch.contains(key)) {
        if (key == "existing_cluster_id") out["tasks"][0].erase("new_cluster");
        if (key == "new_cluster") out["tasks"][0].erase("existing_cluster_id");
        out["tasks"][0][key] = patch[key];
        patch.erase(key);
      }
    }
  }
  for (const auto& [key, value] : patch.items()) {
    if ((key == "tasks" || key == "job_clusters") && value.is_array()) {
      const char* id_field = key == "tasks" ? "task_key" : "job_cluster_key";
      if (!out.contains(key) || !out[key].is_array()) out[key] = json::array();
      for (const auto& item : value) {
        const std::string id = item.value(id_field, "");
        auto& list = out[key];
        auto found = std::find_if(list.begin(), list.end(),
                                  [&](const json& e) { return e.value(id_field, "") == id; });
        if (found != list.end()) {
          *found = item;
        } else {
          list.push_back(item);
        }
      }
    } else {
      out[key] = value;
    }
  }
  if (fields_to_remove.is_array()) {
    for (const auto& field : fields_to_remove) {
      if (!field.is_string()) return invalid_parameter("fields_to_remove must hold strings");
      const std::string name = field;
      auto slash = name.find('/');
      if (slash == std::string::npos) {
        out.erase(name);
        continue;
      }
      const std::string list = name.substr(0, slash);
      const std::string id = name.substr(slash + 1);
      const char* id_field = list == "tasks" ? "task_key" : "job_cluster_key";
      if (!out.contains(list) || !out[list].is_array()) continue;
      auto& items = out[list];
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](const json& e) { return e.value(id_field, "") == id; }),
                  items.end());
    }
  }
  if (!out.contains("tasks")) out["tasks"] = json::array();
  return normalize_job_settings(out, api_version);
}

}  // namespace dbk::emulator
