#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0 and /api/2.1 /unity-catalog/*: metastores and their workspace assignment,
/// catalogs, schemas and tables (docs/emulator.md, "Unity Catalog"). Every object is a
/// document in the store, so it survives kill -9. A fresh state holds one metastore,
/// assigned to the emulator's workspace, as a workspace enabled for Unity Catalog has.
class UnityCatalogService : public Service {
 public:
  explicit UnityCatalogService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;
  void recover() override { seed(); }
  void reset() override { seed(); }

 private:
  void seed();

  Response create_metastore(const Request& request);
  Response list_metastores(const Request& request);
  Response metastore(const Request& request);  ///< GET/PATCH/DELETE metastores/{id}
  Response summary(const Request& request);
  Response current_assignment(const Request& request);
  Response assignment(const Request& request);  ///< PUT/PATCH/DELETE workspaces/{id}/metastore

  /// Catalogs (level 1), schemas (level 2) and tables (level 3) share one engine.
  Response create_securable(const Request& request, int level);
  Response list_securables(const Request& request, int level);
  Response securable(const Request& request, int level);  ///< GET/PATCH/DELETE .../{full_name}
  Response table_summaries(const Request& request);

  ServiceContext& context_;
  std::mutex mutex_;  ///< serialises read-modify-write across documents
};

}  // namespace dbk::emulator
