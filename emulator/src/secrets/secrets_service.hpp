#pragma once

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/secrets/*: Databricks-backed secret scopes, their secrets and ACLs
/// (docs/emulator.md, "Secrets"). Everything lives in the store, so it survives kill -9;
/// `secrets/get` serves the values to the notebook runtime's dbutils.secrets.
class SecretsService : public Service {
 public:
  explicit SecretsService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response create_scope(const Request& request);
  Response delete_scope(const Request& request);
  Response list_scopes(const Request& request);
  Response put_secret(const Request& request);
  Response delete_secret(const Request& request);
  Response list_secrets(const Request& request);
  Response get_secret(const Request& request);
  Response put_acl(const Request& request);
  Response delete_acl(const Request& request);
  Response get_acl(const Request& request);
  Response list_acls(const Request& request);

  ServiceContext& context_;
};

}  // namespace dbk::emulator
