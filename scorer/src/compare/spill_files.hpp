// Spill files of a comparison: rows hash-partitioned by key into files in a private folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compare/compare_row.hpp"
#include "dbk/result.hpp"

namespace dbk::scorer::detail {

/// `count` append-only files that rows go to by a hash of their key (seeded, so a re-split of
/// one file spreads its keys anew). Writes are buffered; every failure is an IO_ERROR naming the
/// file, e.g. on a full disk.
class PartitionFiles {
 public:
  PartitionFiles() = default;
  ~PartitionFiles();
  PartitionFiles(const PartitionFiles&) = delete;
  PartitionFiles& operator=(const PartitionFiles&) = delete;
  Status open(const std::string& folder, const std::string& prefix, std::size_t count,
              std::uint64_t seed, std::size_t buffer_bytes);
  Status add(const CompareRow& row);
  /// Flushes and closes every file; paths() stay.
  Status close();
  const std::vector<std::string>& paths() const { return paths_; }
  std::size_t bytes_written() const { return written_; }

 private:
  Status flush(std::size_t i);
  std::vector<std::string> paths_;
  std::vector<int> fds_;
  std::vector<std::string> buffers_;
  std::uint64_t seed_ = 0;
  std::size_t buffer_bytes_ = 0;
  std::size_t written_ = 0;
};

/// Reads the rows of a spill file in order, a bounded chunk at a time. Errors: IO_ERROR.
Status read_spill_file(const std::string& path, const std::function<Status(CompareRow&)>& on_row);

std::size_t file_size_or_zero(const std::string& path);

}  // namespace dbk::scorer::detail
