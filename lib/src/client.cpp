#include "dbk/client.hpp"

#include "api_caller.hpp"
#include "dbk/cluster_policies.hpp"
#include "dbk/clusters.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/groups.hpp"
#include "dbk/instance_pools.hpp"
#include "dbk/jobs.hpp"
#include "dbk/libraries.hpp"
#include "dbk/pipelines.hpp"
#include "dbk/repos.hpp"
#include "dbk/secrets.hpp"
#include "dbk/tokens.hpp"
#include "dbk/unity_catalog.hpp"
#include "dbk/workspace.hpp"
#include "transport_stack.hpp"

namespace dbk {

// One transport stack and one ApiCaller shared by every service; copies of a
// Client share this state, so copying is cheap and every copy sees one rate limit.
struct Client::Impl {
  explicit Impl(const ClientOptions& options)
      : config(options.config),
        caller(std::make_shared<detail::ApiCaller>(config.host,
                                                   detail::make_transport_stack(options))),
        workspace(caller),
        dbfs(caller),
        jobs(caller, config.jobs_api_version),
        clusters(caller),
        secrets(caller),
        tokens(caller),
        groups(caller),
        instance_pools(caller),
        cluster_policies(caller),
        libraries(caller),
        unity_catalog(caller),
        repos(caller),
        pipelines(caller) {}

  Config config;
  std::shared_ptr<const detail::ApiCaller> caller;
  WorkspaceApi workspace;
  DbfsApi dbfs;
  JobsApi jobs;
  ClustersApi clusters;
  SecretsApi secrets;
  TokensApi tokens;
  GroupsApi groups;
  InstancePoolsApi instance_pools;
  ClusterPoliciesApi cluster_policies;
  LibrariesApi libraries;
  UnityCatalogApi unity_catalog;
  ReposApi repos;
  PipelinesApi pipelines;
};

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl>(options)) {}
Client::~Client() = default;
Client::Client(const Client&) = default;
Client& Client::operator=(const Client&) = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

WorkspaceApi& Client::workspace() const {
  return impl_->workspace;
}
DbfsApi& Client::dbfs() const {
  return impl_->dbfs;
}
JobsApi& Client::jobs() const {
  return impl_->jobs;
}
ClustersApi& Client::clusters() const {
  return impl_->clusters;
}
SecretsApi& Client::secrets() const {
  return impl_->secrets;
}
TokensApi& Client::tokens() const {
  return impl_->tokens;
}
GroupsApi& Client::groups() const {
  return impl_->groups;
}
InstancePoolsApi& Client::instance_pools() const {
  return impl_->instance_pools;
}
UnityCatalogApi& Client::unity_catalog() const {
  return impl_->unity_catalog;
}

ClusterPoliciesApi& Client::cluster_policies() const {
  return impl_->cluster_policies;
}
LibrariesApi& Client::libraries() const {
  return impl_->libraries;
}
ReposApi& Client::repos() const {
  return impl_->repos;
}

PipelinesApi& Client::pipelines() const {
  return impl_->pipelines;
}
const Config& Client::config() const {
  return impl_->config;
}

Result<std::string> Client::current_user_name(const CallContext& context) const {
  auto me = impl_->caller->get("/api/2.0/preview/scim/v2/Me", {}, context);
  if (!me) return std::move(me).error();
  auto it = me->find("userName");
  if (it == me->end() || !it->is_string() || it->get<std::string>().empty()) {
    return make_error(error_codes::kInvalidResponse,
                      "the SCIM Me response has no userName: " + me->dump());
  }
  return it->get<std::string>();
}

Result<Client> make_client(const ConfigOptions& config_options, ClientOptions options) {
  auto config = resolve_config(config_options);
  if (!config) return std::move(config).error();
  options.config = std::move(*config);
  return Client(std::move(options));
}

}  // namespace dbk
