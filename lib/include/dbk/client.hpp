#pragma once

#include <functional>
#include <memory>
#include <string>

#include "dbk/clock.hpp"
#include "dbk/config.hpp"
#include "dbk/http.hpp"
#include "dbk/result.hpp"
#include "dbk/retry.hpp"

namespace dbk {

class WorkspaceApi;
class DbfsApi;
class JobsApi;
class ClustersApi;
class SecretsApi;
class TokensApi;
class GroupsApi;
class InstancePoolsApi;
class UnityCatalogApi;
class ClusterPoliciesApi;
class LibrariesApi;
class PipelinesApi;
class ReposApi;

/// One line of wire log. Credentials are already redacted when this is called.
using LogSink = std::function<void(const std::string& line)>;

struct ClientOptions {
  Config config;
  /// Bottom of the stack; nullptr = cpprestsdk with TLS settings from config.
  std::shared_ptr<Transport> transport;
  std::shared_ptr<Clock> clock;      ///< nullptr = system clock
  std::shared_ptr<Sleeper> sleeper;  ///< nullptr = real sleeps
  RetryOptions retry;
  LogSink log;             ///< set to receive a redacted wire log (--debug)
  std::string user_agent;  ///< product part, e.g. "dbk/0.1.0 cmd/jobs_run-now"
};

/// Entry point of the library: one Client per workspace. Cheap to copy;
/// thread-safe. The service APIs share one transport stack
/// (auth → retry → logging → transport).
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&);
  Client& operator=(const Client&);
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  WorkspaceApi& workspace() const;
  DbfsApi& dbfs() const;
  JobsApi& jobs() const;
  ClustersApi& clusters() const;
  SecretsApi& secrets() const;
  TokensApi& tokens() const;
  GroupsApi& groups() const;
  InstancePoolsApi& instance_pools() const;
  ClusterPoliciesApi& cluster_policies() const;
  LibrariesApi& libraries() const;
  UnityCatalogApi& unity_catalog() const;
  ReposApi& repos() const;
  PipelinesApi& pipelines() const;
  const Config& config() const;

  /// The authenticated user's name (`GET /api/2.0/preview/scim/v2/Me` → `userName`),
  /// e.g. for the default `/Users/<user>/...` workspace folder of job templates.
  Result<std::string> current_user_name(const CallContext& context = {}) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Resolves the config (see resolve_config) and builds a Client.
Result<Client> make_client(const ConfigOptions& config_options = {}, ClientOptions options = {});

}  // namespace dbk
