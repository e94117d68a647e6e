#pragma once

#include <mutex>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.x/unity-catalog/shares: Delta Sharing shares of the current metastore and the
/// tables and schemas they hold (docs/emulator.md, "Unity Catalog"). A share is a document
/// keyed "<metastore id>/<name>", so it survives kill -9; nothing is served to recipients.
class UcSharesService : public Service {
 public:
  explicit UcSharesService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response create(const Request& request);
  Response list(const Request& request);
  Response share(const Request& request);  ///< GET/PATCH/DELETE shares/{name}

  ServiceContext& context_;
  std::mutex mutex_;
};

}  // namespace dbk::emulator
