#pragma once

#include <mutex>

#include "service.hpp"

namespace dbk::emulator {

/// Lineage and catalog workspace bindings (docs/emulator.md, "Unity Catalog"):
/// - /api/2.0/lineage-tracking/table-lineage and column-lineage (and their legacy `/get`
///   forms): the emulator records no query history, so it answers as a workspace where no
///   lineage was captured, an empty object, after checking the names;
/// - /api/2.x/unity-catalog/workspace-bindings/catalogs/{name} (GET, PATCH), kept in the
///   catalog's document, so durable and carried along by a rename.
class UcLineageBindingsService : public Service {
 public:
  explicit UcLineageBindingsService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response lineage(const Request& request, bool columns);
  Response bindings(const Request& request);

  ServiceContext& context_;
  std::mutex mutex_;
};

}  // namespace dbk::emulator
