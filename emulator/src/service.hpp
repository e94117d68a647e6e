#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "clock.hpp"
#include "dbk/emulator/emulator.hpp"
#include "dbk/result.hpp"
#include "http/router.hpp"
#include "state/store.hpp"

namespace dbk::emulator {

/// A notebook as stored in the workspace, for executors that need its source.
struct NotebookContent {
  std::string path;      ///< workspace path
  std::string language;  ///< PYTHON, SCALA, SQL, R
  std::string format;    ///< SOURCE or JUPYTER: how `content` is encoded
  std::string content;   ///< raw bytes (a .py source file, or .ipynb JSON)
};

/// Read access to the workspace tree for other services (the run engine).
class WorkspaceReader {
 public:
  virtual ~WorkspaceReader() = default;
  /// 404 RESOURCE_DOES_NOT_EXIST when `path` is missing; 400 INVALID_PARAMETER_VALUE when
  /// it is not a notebook.
  virtual Result<NotebookContent> read_notebook(const std::string& path) const = 0;
};

/// Everything a service may use. Owned by the emulator; outlives every service.
struct ServiceContext {
  ServiceContext(Store& store_ref, EmulatedClock& clock_ref, const EmulatorOptions& options_ref)
      : store(store_ref), clock(clock_ref), options(options_ref) {}

  Store& store;
  EmulatedClock& clock;
  const EmulatorOptions& options;
  std::string base_url;      ///< where this server listens, e.g. http://127.0.0.1:8080
  std::string external_url;  ///< base of URLs handed to clients (run_page_url); no trailing '/'
  std::filesystem::path state_dir;             ///< the state folder (a temp folder without --state)
  std::filesystem::path dbfs_root;             ///< <state>/dbfs: dbfs:/x is dbfs_root/x
  std::filesystem::path tmp_dir;               ///< <state>/tmp: scratch on the same filesystem
  std::filesystem::path runs_dir;              ///< <state>/runs: per-task-run folders
  std::filesystem::path runtime_dir;           ///< emulator/runtime (the Python notebook runtime)
  const WorkspaceReader* workspace = nullptr;  ///< set once the workspace service exists
  std::atomic<bool> stopping{false};           ///< true once stop() has begun
};

/// One API area (Workspace, DBFS, Jobs, ...). Lifecycle, all on one thread:
/// construct → recover() → register_routes() → (serving; handlers run on many threads)
/// → stop() → destroy. reset() runs on an admin request thread while serving.
class Service {
 public:
  virtual ~Service() = default;
  virtual void register_routes(Router& router) = 0;
  /// After start: rebuild in-memory state from the store (e.g. resume or fail runs that
  /// were active when the process died). The store is already recovered.
  virtual void recover() {}
  /// POST /__dbk/reset: the store has been cleared; drop in-memory state and files.
  virtual void reset() {}
  /// Shutdown: stop background threads and child processes. Requests may still arrive.
  virtual void stop() {}
};

}  // namespace dbk::emulator
