#pragma once

#include <string>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/token/{create,list,delete}: personal access tokens that authenticate against
/// this emulator until revoked or expired (docs/emulator.md, "Tokens"). Only a token's
/// SHA-256 is stored; its value is shown once, in the create answer.
class TokenService : public Service {
 public:
  explicit TokenService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

  /// True when `value` is a created token that is neither revoked nor expired.
  bool authenticates(const std::string& value) const;

 private:
  Response create(const Request& request);
  Response list(const Request& request);
  Response revoke(const Request& request);

  ServiceContext& context_;
};

}  // namespace dbk::emulator
