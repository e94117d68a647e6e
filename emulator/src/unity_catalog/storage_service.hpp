#pragma once

#include <mutex>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0 and /api/2.1 /unity-catalog/: storage credentials, external locations and
/// validate-storage-credentials (docs/emulator.md, "Unity Catalog"). Each object is a
/// document of the current metastore, keyed "<metastore id>/<name>", so it survives kill -9.
class UcStorageService : public Service {
 public:
  explicit UcStorageService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response create_credential(const Request& request);
  Response create_location(const Request& request);
  Response list(const Request& request, bool locations);
  Response credential(const Request& request);  ///< GET/PATCH/DELETE .../{name}
  Response location(const Request& request);    ///< GET/PATCH/DELETE .../{name}
  Response validate(const Request& request);

  ServiceContext& context_;
  std::mutex mutex_;  ///< serialises read-modify-write across documents
};

}  // namespace dbk::emulator
