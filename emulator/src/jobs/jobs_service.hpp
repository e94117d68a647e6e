#pragma once

#include <memory>
#include <mutex>

#include "runs/run_engine.hpp"
#include "service.hpp"

namespace dbk::emulator {

class ClusterManager;

/// /api/2.0|2.1|2.2/jobs/* (jobs and runs, docs/reference/rest-api.md §1.3, §3) and the
/// admin route /__dbk/runs/script. Jobs are documents of kind "job" in the store; runs
/// belong to the RunEngine.
class JobsService : public Service {
 public:
  JobsService(ServiceContext& context, ClusterManager& clusters);
  void register_routes(Router& router) override;
  void recover() override;
  void reset() override;
  void stop() override;

  RunEngine& engine() { return engine_; }

 private:
  Response create_job(const Request& request);
  Response get_job(const Request& request);
  Response list_jobs(const Request& request);
  Response delete_job(const Request& request);
  Response reset_job(const Request& request);
  Response update_job(const Request& request);
  Response run_now(const Request& request);
  Response submit(const Request& request);
  Response get_run(const Request& request);
  Response list_runs(const Request& request);
  Response cancel_run(const Request& request);
  Response cancel_all(const Request& request);
  Response delete_run(const Request& request);
  Response repair_run(const Request& request);
  Response get_output(const Request& request);
  Response export_run(const Request& request);

  ServiceContext& context_;
  RunEngine engine_;
  std::mutex jobs_mutex_;  ///< serialises read-modify-write of job documents
};

}  // namespace dbk::emulator
