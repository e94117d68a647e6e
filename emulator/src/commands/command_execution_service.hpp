#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "service.hpp"

namespace dbk::emulator {

class RunEngine;

/// The Command Execution API 1.2 (/api/1.2/contexts/*, /api/1.2/commands/*): execution
/// contexts on a RUNNING all-purpose cluster, each a `python -m dbk_runtime context`
/// process attached to the cluster's warm driver with its own REPL state and SparkSession;
/// python and sql commands run in order, results in the service's shape (docs/emulator.md,
/// "Command execution"). Contexts live in memory, as on the service, where they end with the
/// driver: a restarted emulator or cluster has none.
class CommandExecutionService : public Service {
 public:
  CommandExecutionService(ServiceContext& context, RunEngine& engine);
  ~CommandExecutionService() override;
  void register_routes(Router& router) override;
  void reset() override { stop(); }
  void stop() override;

 private:
  struct Command {
    std::string id;
    std::string status = "Queued";  ///< Queued, Running, Cancelling, Cancelled, Finished, Error
    nlohmann::json results;         ///< once Finished / Error
    nlohmann::json request;         ///< what the context process is sent
  };
  struct Context {
    std::string id;
    std::string cluster_id;
    std::int64_t spark_context_id = 0;
    std::string language;
    pid_t pid = -1;
    int fd = -1;                    ///< the emulator's end of the context's socket
    bool ready = false;             ///< the process said so
    std::string error;              ///< set once the process is gone
    std::string pending;            ///< bytes read, not yet a whole line
    std::vector<Command> commands;  ///< in the order they were sent (and run)
  };

  Response create_context(const Request& request);
  Response context_status(const Request& request);
  Response destroy_context(const Request& request);
  Response execute(const Request& request);
  Response command_status(const Request& request);
  Response cancel(const Request& request);

  /// The context named by clusterId/contextId, polled (results read, death noticed); an
  /// error for unknown ids. Callers hold mutex_.
  Result<Context*> find_context(const Params& params);
  void poll(Context& context);
  void close(Context& context);

  ServiceContext& context_;
  RunEngine& engine_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Context>> contexts_;
};

}  // namespace dbk::emulator
