#pragma once

#include <mutex>

#include "service.hpp"

namespace dbk::emulator {

/// /api/2.x/unity-catalog/recipients and the public activation endpoints: Delta Sharing
/// recipients of the current metastore (docs/emulator.md, "Unity Catalog"). A recipient is
/// a document keyed "<metastore id>/<name>", so it survives kill -9. A TOKEN recipient holds
/// its tokens: each has an activation URL that hands out the bearer token once (only its
/// hash is kept); rotate-token adds one and shortens the old one's life.
class UcRecipientsService : public Service {
 public:
  explicit UcRecipientsService(ServiceContext& context) : context_(context) {}
  void register_routes(Router& router) override;

 private:
  Response create(const Request& request);
  Response list(const Request& request);
  /// GET/PATCH/DELETE recipients/{name}, GET .../share-permissions, POST .../rotate-token.
  Response recipient(const Request& request);
  Response update(const Request& request, const std::string& name);
  Response rotate(const Request& request, const std::string& name);
  Response share_permissions(const Request& request, const std::string& name);
  /// GET public/data_sharing_activation[_info]/{url or code}: unauthenticated.
  Response activation(const Request& request, bool retrieve);

  ServiceContext& context_;
  std::mutex mutex_;
};

}  // namespace dbk::emulator
