#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/models/dbfs.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// Largest decoded block for `put` contents, `add-block` data and `read` length
/// (docs/reference/rest-api.md §0.4).
inline constexpr std::size_t kMaxDbfsBlockBytes = 1048576;

/// Multipart `put` contents must stay below this: the legacy CLI sends every file
/// below 2 GiB that way (MULTIPART_UPLOAD_LIMIT, docs/reference/rest-api.md §1.2).
inline constexpr std::uint64_t kMaxMultipartPutBytes = 2147483648;

/// Turns "dbfs:/x" or "/x" into "/x" (what the SDKs send, §1.2). Rejects
/// relative paths and "dbfs://" (also refused by the legacy CLI) with INVALID_ARGUMENT.
Result<std::string> normalize_dbfs_path(std::string_view path);

/// Progress of a recursive delete that the server runs in increments (PARTIAL_DELETE).
struct DeleteProgress {
  int calls = 0;                              ///< delete calls made so far
  std::optional<std::int64_t> files_deleted;  ///< from "operation has deleted N files", if present
  std::string message;                        ///< server message of the last PARTIAL_DELETE
};
using DeleteProgressCallback = std::function<void(const DeleteProgress&)>;

/// `/api/2.0/dbfs/...` (docs/reference/rest-api.md §1.2). Accepts "dbfs:/x" and
/// "/x" everywhere and always sends "/x". Thread-safe.
class DbfsApi {
 public:
  explicit DbfsApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// Entries of a directory (a file path gives a one-element list; empty when `files` is absent).
  Result<std::vector<FileInfo>> list(const std::string& path,
                                     const CallContext& context = {}) const;
  Result<FileInfo> get_status(const std::string& path, const CallContext& context = {}) const;
  Status mkdirs(const std::string& path, const CallContext& context = {}) const;
  /// Inline put of at most 1 MiB (larger contents fail before sending; use upload_file).
  Status put(const std::string& path, std::string_view contents, bool overwrite = false,
             const CallContext& context = {}) const;
  /// Multipart/form-data put (fields `path`, `overwrite`, file part `file`): the whole
  /// contents in one request, no base64 and no 1 MiB limit (docs/reference/rest-api.md §1.2, §6.7).
  /// Contents of kMaxMultipartPutBytes or more fail before sending.
  Status put_multipart(const std::string& path, std::string_view contents, bool overwrite = false,
                       const CallContext& context = {}) const;
  /// Writes exactly `size` bytes of contents at `out` (or fails).
  using ContentWriter = std::function<Status(char* out, std::size_t size)>;
  /// put_multipart of `size` bytes that `write` puts straight into the request body, so
  /// that a file is read into the body once instead of into a buffer and then copied.
  /// A failure of `write` is returned as is, before anything is sent.
  Status put_multipart(const std::string& path, std::uint64_t size, const ContentWriter& write,
                       bool overwrite = false, const CallContext& context = {}) const;
  /// Streaming upload: create → add_block* (each ≤ 1 MiB) → close.
  Result<std::int64_t> create(const std::string& path, bool overwrite = false,
                              const CallContext& context = {}) const;
  Status add_block(std::int64_t handle, std::string_view data,
                   const CallContext& context = {}) const;
  Status close(std::int64_t handle, const CallContext& context = {}) const;
  /// Reads up to `length` (≤ 1 MiB) bytes at `offset`; 0 bytes at EOF.
  Result<ReadResult> read(const std::string& path, std::int64_t offset,
                          std::int64_t length = kMaxDbfsBlockBytes,
                          const CallContext& context = {}) const;
  /// `dbfs/delete`; a 503 PARTIAL_DELETE means "call again", so this loops until
  /// the server reports success, calling `progress` after each partial step.
  Status remove(const std::string& path, bool recursive = false,
                const DeleteProgressCallback& progress = {}, const CallContext& context = {}) const;
  Status move(const std::string& source_path, const std::string& destination_path,
              const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
