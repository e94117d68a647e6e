#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace dbk::emulator {

/// Fault injection rules (POST /__dbk/faults), applied by the server to every request
/// outside /__dbk/ before routing, in the order the rules were added.
/// A rule with status 0 only delays the request, which is then served normally.
class FaultInjector {
 public:
  struct Decision {
    std::chrono::milliseconds delay{0};
    std::optional<Response> response;  ///< set = answer this instead of the real handler
  };

  /// Parses and adds a rule; returns its id. 400 INVALID_PARAMETER_VALUE on a bad rule.
  Result<std::int64_t> add(const nlohmann::json& rule);
  bool remove(std::int64_t id);
  void clear();
  nlohmann::ordered_json list() const;
  /// Counts matches and decides what to do with `request`.
  Decision apply(const Request& request);

 private:
  struct Rule {
    std::int64_t id = 0;
    std::string method;        ///< upper case, or "*"
    std::string path_pattern;  ///< glob; '*' also matches '/'
    int status = 0;
    std::string body;
    bool body_given = false;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    std::int64_t latency_ms = 0;
    std::int64_t times = -1;  ///< applications left; -1 = forever
    std::int64_t offset = 0;  ///< matches to let through first
    std::int64_t matched = 0;
    std::int64_t applied = 0;
  };
  static Response fault_response(const Rule& rule, const Request& request);

  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::int64_t next_id_ = 1;
};

}  // namespace dbk::emulator
