#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// Jobs API version of a request: 20, 21 or 22 (from /api/2.x/ in the path).
int jobs_api_version(const std::string& path);

/// Every `*_task` key a task may carry.
const std::vector<std::string>& task_type_keys();
/// The task type key present in `task` ("" when none).
std::string task_type_of(const nlohmann::json& task);

/// Turns JobSettings as sent (2.0 single-task fields at the top level, or 2.1 `tasks[]`)
/// into the stored shape: always `tasks[]`, `format` SINGLE_TASK (2.0 shape) or
/// MULTI_TASK, defaults filled in (docs/reference/rest-api.md §1.3). Validates task
/// keys, dependencies and the schedule.
Result<nlohmann::json> normalize_job_settings(const nlohmann::json& settings, int api_version);

/// The stored settings in the shape a client of `api_version` expects: a SINGLE_TASK job
/// read through 2.0 has its task's fields at the top level and no `tasks`.
nlohmann::json render_job_settings(const nlohmann::json& stored, int api_version);

/// jobs/update: top-level fields of `new_settings` replace the stored ones, `tasks` and
/// `job_clusters` entries are upserted by key, then `fields_to_remove` ("schedule",
/// "tasks/<task_key>", "job_clusters/<key>") are removed.
Result<nlohmann::json> update_job_settings(const nlohmann::json& stored,
                                           const nlohmann::json& new_settings,
                                           const nlohmann::json& fields_to_remove, int api_version);

}  // namespace dbk::emulator
