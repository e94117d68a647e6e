#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// Checks the settings of a create or edit request (docs/emulator.md, "Pipelines") and
/// returns the pipeline's spec: the settings as sent, without the request-only fields
/// (allow_duplicate_names, dry_run, expected_last_modified, pipeline_id), with `id` and
/// the service's defaults filled in. 400 INVALID_PARAMETER_VALUE names the first bad field.
Result<nlohmann::json> pipeline_spec(const nlohmann::json& request, const std::string& id);

/// A parsed `filter` of pipelines/list: `name LIKE '<pattern>'` (% and _ wildcards, case
/// insensitive), `name = '<name>'` or `notebook = '<path>'`, several joined by AND.
class PipelineFilter {
 public:
  static Result<PipelineFilter> parse(const std::string& text);
  bool matches(const nlohmann::json& spec) const;

 private:
  struct Term {
    std::string field;  ///< name or notebook
    bool like = false;
    std::string value;
  };
  std::vector<Term> terms_;
};

/// A parsed `filter` of pipelines/{id}/events: `level = 'X'` or `level in ('X', 'Y')`.
class EventFilter {
 public:
  static Result<EventFilter> parse(const std::string& text);
  bool matches(const nlohmann::json& event) const;

 private:
  std::vector<std::string> levels_;  ///< empty = every event
};

}  // namespace dbk::emulator
