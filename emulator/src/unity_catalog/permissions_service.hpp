#pragma once

#include <mutex>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0 and /api/2.1 /unity-catalog/permissions/{type}/{name} (GET, PATCH) and
/// effective-permissions/{type}/{name} (GET) on metastores, catalogs, schemas, tables,
/// storage credentials, external locations and shares (docs/emulator.md, "Unity Catalog").
/// Grants are kept in the securable's own document, so they follow a rename, go with a
/// delete and survive kill -9. Grants are recorded, not enforced (one user owns everything).
class UcPermissionsService : public Service {
 public:
  explicit UcPermissionsService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response permissions(const Request& request, bool effective);

  ServiceContext& context_;
  std::mutex mutex_;  ///< serialises read-modify-write of a securable's grants
};

}  // namespace dbk::emulator
