#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk {

/// The hidden sibling a write goes to before it is renamed over `path` (a local or a DBFS
/// path): "DIR/.NAME.dbk-tmp-<16 hex>". dbk's clean-up of stale temporaries recognises the
/// name (docs/security.md).
std::string temporary_sibling(const std::string& path);

/// Where an overwrite parks the previous version of `path` until the new one is in place:
/// "DIR/.NAME.dbk-old-<16 hex>".
std::string aside_sibling(const std::string& path);

/// A local file written through its temporary sibling and renamed over the target only
/// when whole: `commit` syncs the data to disk first, so the target name never points at a
/// partial file, even after a crash of the machine (the previous file survives instead).
/// Dropped without a commit (an error, an exception, a cancelled copy), the temporary is
/// removed and the target is untouched. New files get mode 0666 less the umask, as any
/// file a user's tool creates.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  /// Creates the temporary sibling of `target`. Errors: IO_ERROR naming `target`.
  Status open(const std::string& target);
  /// Appends `data` (retrying short writes). Errors: IO_ERROR (ENOSPC on a full disk).
  Status append(std::string_view data);
  /// fsync, close and rename over the target. Errors: IO_ERROR; the temporary is removed.
  Status commit();

  std::uint64_t bytes() const { return bytes_; }
  const std::string& target() const { return target_; }

 private:
  void discard() noexcept;

  std::string target_;
  std::string temp_;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
};

}  // namespace dbk
