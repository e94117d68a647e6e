#pragma once

#include <mutex>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.x/unity-catalog/shares: Delta Sharing shares of the current metastore and the
/// tables and schemas they hold (docs/emulator.md, "Unity Catalog"). A share is a document
/// keyed "<metastore id>/<name>", so it survives kill -9, with its grants to recipients;
/// nothing is served to recipients.
class UcSharesService : public Service {
 public:
  explicit UcSharesService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response create(const Request& request);
  Response list(const Request& request);
  Response share(const Request& request);  ///< GET/PATCH/DELETE shares/{name}
  /// GET/PATCH shares/{name}/permissions: the share's grants to recipients.
  Response permissions(const Request& request, const std::string& name);

  ServiceContext& context_;
  std::mutex mutex_;
};

}  // namespace dbk::emulator
