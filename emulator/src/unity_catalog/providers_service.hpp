#pragma once

#include <mutex>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.x/unity-catalog/providers: Delta Sharing providers of the current metastore
/// (docs/emulator.md, "Unity Catalog"), documents keyed "<metastore id>/<name>" that survive
/// kill -9. A TOKEN provider keeps the recipient profile of its credential file; answers show
/// its endpoint, never its bearer token. Its shares are listed when the profile is one this
/// emulator handed out (its own Delta Sharing endpoint and a live recipient token).
class UcProvidersService : public Service {
 public:
  explicit UcProvidersService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response create(const Request& request);
  Response list(const Request& request);
  /// GET/PATCH/DELETE providers/{name}, GET providers/{name}/shares.
  Response provider(const Request& request);
  Response update(const Request& request, const std::string& name);
  Response shares(const Request& request, const std::string& name);

  ServiceContext& context_;
  std::mutex mutex_;
};

}  // namespace dbk::emulator
