#pragma once

#include "service.hpp"

namespace dbk::emulator {

/// The workspace id the emulator reports (one workspace per emulator).
inline constexpr const char* kEmulatorWorkspaceId = "1";

/// GET /.well-known/databricks-config: the host metadata the official SDKs and the Go CLI
/// fetch, without credentials, before their first call (docs/emulator.md). A 404 there
/// makes them log a warning for every client they create.
class HostMetadataService : public Service {
 public:
  explicit HostMetadataService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  ServiceContext& context_;
};

}  // namespace dbk::emulator
