#pragma once

#include <functional>

#include "admin/faults.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// The admin surface under /__dbk/: reset, fault rules, clock control, health.
/// Other services add their own /__dbk/ routes through the same Router.
class AdminService : public Service {
 public:
  /// `reset_all` clears every piece of state (store, files, services).
  AdminService(ServiceContext& context, FaultInjector& faults, std::function<Status()> reset_all)
      : context_(context), faults_(faults), reset_all_(std::move(reset_all)) {}
  void register_routes(Router& router) override;
  void recover() override;

  /// Persists the clock offset so emulated time survives a restart.
  Status save_clock() const;

 private:
  Response clock_body() const;

  ServiceContext& context_;
  FaultInjector& faults_;
  std::function<Status()> reset_all_;
};

}  // namespace dbk::emulator
