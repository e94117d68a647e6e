#pragma once

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
  Status write(std::string_view line);   ///< adds '\n', writes; durable after sync()
  Status sync();                         ///< fdatasync: every line written so far
  Status truncate();                     ///< empties the file durably

 private:
  Journal(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace dbk::emulator
