#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// An append-only file of lines, each fsync'ed before append() returns (or written
/// with write() and made durable, together with every earlier line, by sync()).
/// write(), discard_unsynced(), truncate() and has_reserve() are called by one thread at a
/// time; sync() may run at the same time as write().
class Journal {
 public:
  /// Disk space kept allocated after the end of the file (fallocate, FALLOC_FL_KEEP_SIZE)
  /// while the disk has room, so that deletes can still be journaled, and space freed
  /// through the API, once it is full.
  static constexpr off_t kReserveBytes = 1 << 20;

  ~Journal();
  static Result<std::unique_ptr<Journal>> open(const std::filesystem::path& path);
  /// Reads every complete line of `path` (a final line without '\n' is a torn write
  /// and is dropped). A missing file has no lines.
  static std::vector<std::string> read_lines(const std::filesystem::path& path);

  /// write() + sync(); when the sync fails the record is cut off again
  /// (discard_unsynced()), so a record whose writer got an error never reappears.
  Status append(std::string_view line);
  /// Adds '\n' and writes. A write that fails part-way (ENOSPC, EIO) is cut off again,
  /// so the file is exactly as before it; if even that fails, every later write is
  /// refused until the cut succeeds, so no record is ever glued to a torn one.
  Status write(std::string_view line);
  /// fdatasync: every line written so far. After a failure the lines written since the
  /// last successful sync may or may not be on disk (and a later fdatasync may report
  /// success without having written them): the caller cuts them off with
  /// discard_unsynced() and treats them as never written.
  Status sync();
  /// Cuts off every line written after the last successful sync (or open/truncate), and
  /// makes the cut durable. Until that succeeds, every write first retries it.
  Status discard_unsynced();
  Status truncate();  ///< empties the file durably
  /// Whether the reserve after the end of the file is in place (topping it up first if it
  /// runs low). False only when the disk is full: what still fits in the reserve can be
  /// written, and the store keeps that for deletes. True where the file system cannot
  /// reserve space at all.
  bool has_reserve();

 private:
  Journal(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status cut_to_good_size();
  std::filesystem::path path_;
  int fd_ = -1;
  std::atomic<off_t> good_size_{0};  ///< length of the complete records; the file is longer
  bool torn_ = false;  ///< ... only when a failed write (or sync) could not be cut off yet
  std::atomic<off_t> synced_size_{0};  ///< length known to be on disk
  off_t reserved_end_ = 0;             ///< end of the space allocated for appends
};

}  // namespace dbk::emulator
