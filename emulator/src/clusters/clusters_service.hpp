#pragma once

#include "clusters/cluster_manager.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/clusters/* (docs/reference/rest-api.md §1.4).
class ClustersService : public Service {
 public:
  explicit ClustersService(ServiceContext& context);
  void register_routes(Router& router) override;
  void recover() override;
  void reset() override;

  ClusterManager& clusters() { return clusters_; }

 private:
  ServiceContext& context_;
  ClusterManager clusters_;
};

}  // namespace dbk::emulator
