#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "dbfs/dbfs_paths.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/dbfs/* (docs/reference/rest-api.md §1.2). The folder <state>/dbfs IS the
/// truth: notebooks and Spark read and write it directly, so every call reads the
/// filesystem rather than a catalogue. Streaming uploads (create/add-block/close) collect
/// into a temp file under <state>/tmp that is renamed into place on close, so a file being
/// written is invisible until then.
///
/// Admin: POST /__dbk/dbfs/settings {"delete_batch_files": N} makes recursive deletes stop
/// after N files with 503 PARTIAL_DELETE (the real service's incremental delete); 0 = off.
class DbfsService : public Service {
 public:
  explicit DbfsService(ServiceContext& context);
  ~DbfsService() override;
  void register_routes(Router& router) override;
  void reset() override;
  void stop() override;

  static constexpr std::int64_t kMaxBlockBytes = 1024 * 1024;    ///< put contents, add-block
  static constexpr std::int64_t kMaxReadBytes = 1024 * 1024;     ///< read length
  static constexpr std::int64_t kDefaultReadBytes = 512 * 1024;  ///< read length default
  static constexpr std::int64_t kHandleIdleMs = 10 * 60 * 1000;  ///< handle expiry
  /// Open upload handles (create without close) allowed at once, in total and for one
  /// client (one Authorization header); beyond them create is 429 RESOURCE_EXHAUSTED.
  /// A handle holds no file descriptor between calls, only a temporary file.
  static constexpr std::size_t kMaxOpenHandles = 1024;
  static constexpr std::size_t kMaxOpenHandlesPerClient = 128;

 private:
  struct Handle {
    std::int64_t id = 0;
    DbfsPath target;
    std::filesystem::path temp;
    bool overwrite = false;
    bool open = false;   ///< false once closed, dropped or expired (under mutex)
    std::string client;  ///< whose handle it is, for kMaxOpenHandlesPerClient
    std::int64_t last_used_ms = 0;
    std::mutex mutex;  ///< serialises blocks of one handle
  };

  Response list(const Request& request);
  Response get_status(const Request& request);
  Response mkdirs(const Request& request);
  Response put(const Request& request);
  Response create(const Request& request);
  Response add_block(const Request& request);
  Response close(const Request& request);
  Response read(const Request& request);
  Response remove(const Request& request);
  Response move(const Request& request);
  Response settings(const Request& request);

  Result<DbfsPath> path_param(const Params& params, std::string_view field) const;
  /// Writes `bytes` to `path` atomically (temp + fsync + rename), creating parents.
  Status write_file(const DbfsPath& path, std::string_view bytes, bool overwrite);
  /// Creates the missing parents of `path`; a file on the way → RESOURCE_ALREADY_EXISTS.
  Status make_parents(const DbfsPath& path);
  Status make_dirs(const DbfsPath& path);
  void touch(const std::filesystem::path& file) const;  ///< mtime = emulated now
  std::shared_ptr<Handle> find_handle(std::int64_t id);
  /// The refusal for a new handle of `client`, if it would pass a limit; handles_mutex_ held.
  std::optional<ApiError> handle_limit(const std::string& client) const;
  void expire_handles();
  void drop_handle(const std::shared_ptr<Handle>& handle);

  ServiceContext& context_;
  std::mutex namespace_mutex_;  ///< check-then-change of names (put, close, move, delete)
  std::mutex handles_mutex_;
  std::map<std::int64_t, std::shared_ptr<Handle>> handles_;
  std::atomic<std::int64_t> delete_batch_files_{0};
};

}  // namespace dbk::emulator
