#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// An append-only file of lines, each fsync'ed before append() returns (or written
/// with write() and made durable, together with every earlier line, by sync()).
class Journal {
 public:
  ~Journal();
  static Result<std::unique_ptr<Journal>> open(const std::filesystem::path& path);
  /// Reads every complete line of `path` (a final line without '\n' is a torn write
  /// and is dropped). A missing file has no lines.
  static std::vector<std::string> read_lines(const std::filesystem::path& path);

  Status append(std::string_view line);  ///< adds '\n', writes, fdatasync
  /// Adds '\n' and writes. A write that fails part-way (ENOSPC, EIO) is cut off again,
  /// so the file is exactly as before it; if even that fails, every later write is
  /// refused until the cut succeeds, so no record is ever glued to a torn one.
  Status write(std::string_view line);
  Status sync();      ///< fdatasync: every line written so far
  Status truncate();  ///< empties the file durably

 private:
  Journal(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status cut_to_good_size();
  std::filesystem::path path_;
  int fd_ = -1;
  off_t good_size_ = 0;  ///< length of the complete records; the file is longer only
  bool torn_ = false;    ///< ... when a failed write could not be cut off yet
};

}  // namespace dbk::emulator
