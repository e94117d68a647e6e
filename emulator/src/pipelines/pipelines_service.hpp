#pragma once

#include <mutex>
#include <nlohmann/json.hpp>

#include "dbk/result.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/pipelines (docs/emulator.md, "Pipelines"): Delta Live Tables pipelines as the
/// service keeps them (settings, updates, event log), without running them. A started
/// update goes QUEUED → INITIALIZING → FAILED, with an ERROR event that says the emulator
/// does not run DLT pipelines; it never reports a success it did not earn.
///
/// A pipeline is one store document of kind "pipeline" holding its spec, its updates and
/// its events. Update steps are due at times stored with the update and are applied when
/// the pipeline is next read, so a restart (even after kill -9) resumes the life cycle.
class PipelinesService : public Service {
 public:
  explicit PipelinesService(ServiceContext& context);
  void register_routes(Router& router) override;

  static constexpr std::int64_t kStepMs = 500;  ///< time between update states
  static constexpr std::int64_t kDefaultPage = 25;
  static constexpr std::int64_t kMaxPage = 100;

 private:
  Result<nlohmann::ordered_json> create(const nlohmann::json& request);
  Status edit(const std::string& id, const nlohmann::json& request);
  Status remove(const std::string& id);
  Result<nlohmann::ordered_json> get(const std::string& id);
  Result<nlohmann::ordered_json> list(const nlohmann::json& query);
  Result<nlohmann::ordered_json> start_update(const std::string& id, const nlohmann::json& request,
                                              bool reset);
  Status stop_pipeline(const std::string& id);
  Result<nlohmann::ordered_json> get_update(const std::string& id, const std::string& update_id);
  Result<nlohmann::ordered_json> list_updates(const std::string& id, const nlohmann::json& query);
  Result<nlohmann::ordered_json> list_events(const std::string& id, const nlohmann::json& query);

  /// The pipeline with its due update steps applied (and stored). Caller holds mutex_.
  Result<nlohmann::json> load(const std::string& id);
  /// 409 RESOURCE_CONFLICT when another pipeline has `name`. Caller holds mutex_.
  Status check_unique_name(const std::string& name, const std::string& except_id);

  ServiceContext& context_;
  std::mutex mutex_;  ///< serialises read-modify-write of pipelines
};

}  // namespace dbk::emulator
