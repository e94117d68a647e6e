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

/// One cluster policy; `definition` is the policy document as a JSON string, as the
/// service stores and returns it.
struct ClusterPolicy {
  std::string policy_id;
  std::string name;
  std::string definition;
  nlohmann::ordered_json raw;
};

void from_json(const nlohmann::ordered_json& j, ClusterPolicy& policy);

/// `/api/2.0/policies/clusters/...` (docs/emulator.md, "Cluster policies"). Thread-safe.
class ClusterPoliciesApi {
 public:
  explicit ClusterPoliciesApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// A `definition` given as a JSON object is sent as its JSON text, as the service wants
  /// a string. Returns the new policy's id; never replayed (a replay would be refused as a
  /// duplicate name, or create a second policy).
  Result<std::string> create(nlohmann::ordered_json request, const CallContext& context = {}) const;
  /// `policies/clusters/edit`: the request (with policy_id) replaces name and definition.
  Status edit(nlohmann::ordered_json request, const CallContext& context = {}) const;
  Status remove(const std::string& policy_id, const CallContext& context = {}) const;
  Result<ClusterPolicy> get(const std::string& policy_id, const CallContext& context = {}) const;
  /// The list response as the server sent it (`policies`, `total_count`).
  Result<nlohmann::ordered_json> list_raw(const CallContext& context = {}) const;
  Result<std::vector<ClusterPolicy>> list(const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
