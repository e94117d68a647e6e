#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// One page of `GET /api/2.0/pipelines`: the pipelines' statuses as the server sent them.
struct PipelinePage {
  std::vector<nlohmann::ordered_json> statuses;
  std::string next_page_token;  ///< empty on the last page
  nlohmann::ordered_json raw;
};

/// `/api/2.0/pipelines` (Delta Live Tables; docs/emulator.md, "Pipelines"). Settings and
/// answers stay JSON: the settings document is the user's, and the service adds fields
/// often. Ids are strings as the caller gives them (encoded into the URL path). Thread-safe.
class PipelinesApi {
 public:
  explicit PipelinesApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// Creates a pipeline from its settings (without "id"); the answer holds pipeline_id, or
  /// effective_settings for a dry run. Not replayed after a lost response: a replay could
  /// make a second pipeline.
  Result<nlohmann::ordered_json> create(const nlohmann::ordered_json& settings,
                                        bool allow_duplicate_names, bool dry_run = false,
                                        const CallContext& context = {}) const;
  /// Replaces the settings of pipeline `pipeline_id` (settings may repeat the id).
  Status edit(const std::string& pipeline_id, const nlohmann::ordered_json& settings,
              bool allow_duplicate_names, const CallContext& context = {}) const;
  Status remove(const std::string& pipeline_id, const CallContext& context = {}) const;
  Result<nlohmann::ordered_json> get(const std::string& pipeline_id,
                                     const CallContext& context = {}) const;
  /// One page; `page_token` from the previous page (empty for the first), `max_results`
  /// 0 for the service's default, `filter` as the service takes it (empty: every pipeline).
  Result<PipelinePage> list_page(const std::string& filter, const std::string& page_token,
                                 int max_results = 0, const CallContext& context = {}) const;
  /// Every page, in order.
  Result<std::vector<nlohmann::ordered_json>> list(const std::string& filter = {},
                                                   const CallContext& context = {}) const;
  /// Starts an update (cause USER_ACTION, as the CLI sends it); the answer holds update_id.
  /// Not replayed after a lost response: a replay would start a second update.
  Result<nlohmann::ordered_json> start_update(const std::string& pipeline_id, bool full_refresh,
                                              const CallContext& context = {}) const;
  /// Cancels the active update, if any.
  Status stop(const std::string& pipeline_id, const CallContext& context = {}) const;
  Result<nlohmann::ordered_json> get_update(const std::string& pipeline_id,
                                            const std::string& update_id,
                                            const CallContext& context = {}) const;
  /// One page of the pipeline's event log, newest first; `page_token` as for list_page.
  Result<nlohmann::ordered_json> list_events(const std::string& pipeline_id,
                                             const std::string& page_token = {},
                                             const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
