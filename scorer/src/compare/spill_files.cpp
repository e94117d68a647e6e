#include "compare/spill_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "dbk/api_error.hpp"

namespace dbk::scorer::detail {
namespace {

ApiError io_error(const std::string& what, const std::string& path, int err) {
  return make_error(dbk::error_codes::kIoError, what + " " + path + ": " + std::strerror(err));
}

std::uint64_t key_hash(std::string_view key, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ULL ^ (seed * 0x9e3779b97f4a7c15ULL);
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // Final mix (splitmix64) so that the low bits used for the partition depend on every byte.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

}  // namespace

PartitionFiles::~PartitionFiles() {
  for (int fd : fds_) {
    if (fd >= 0) ::close(fd);
  }
}

Status PartitionFiles::open(const std::string& folder, const std::string& prefix, std::size_t count,
                            std::uint64_t seed, std::size_t buffer_bytes) {
  seed_ = seed;
  buffer_bytes_ = buffer_bytes;
  for (std::size_t i = 0; i < count; ++i) {
    paths_.push_back(folder + "/" + prefix + std::to_string(i));
    int fd = ::open(paths_.back().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("cannot create spill file", paths_.back(), errno);
    fds_.push_back(fd);
    buffers_.emplace_back();
  }
  return {};
}

Status PartitionFiles::add(const CompareRow& row) {
  const std::size_t i = key_hash(row.key, seed_) % fds_.size();
  encode_row(row, buffers_[i]);
  return buffers_[i].size() >= buffer_bytes_ ? flush(i) : Status{};
}

Status PartitionFiles::flush(std::size_t i) {
  std::string_view data = buffers_[i];
  while (!data.empty()) {
    ssize_t n = ::write(fds_[i], data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot write spill file", paths_[i], n < 0 ? errno : ENOSPC);
    data.remove_prefix(static_cast<std::size_t>(n));
    written_ += static_cast<std::size_t>(n);
  }
  buffers_[i].clear();
  return {};
}

Status PartitionFiles::close() {
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    if (fds_[i] < 0) continue;
    if (auto st = flush(i); !st) return st;
    // close() is where some file systems report a full disk.
    const int fd = fds_[i];
    fds_[i] = -1;
    if (::close(fd) != 0) return io_error("cannot write spill file", paths_[i], errno);
    std::string().swap(buffers_[i]);
  }
  return {};
}

Status read_spill_file(const std::string& path, const std::function<Status(CompareRow&)>& on_row) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot read spill file", path, errno);
  std::string pending;
  std::vector<char> chunk(std::size_t{1} << 20);
  CompareRow row;
  Status result;
  while (true) {
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = io_error("cannot read spill file", path, errno);
      break;
    }
    if (n == 0) {
      if (!pending.empty()) {
        result = make_error(dbk::error_codes::kIoError, "spill file " + path + " is truncated");
      }
      break;
    }
    pending.append(chunk.data(), static_cast<std::size_t>(n));
    std::string_view in = pending;
    while (true) {
      std::string_view rest = in;
      if (!decode_row(rest, row)) break;
      in = rest;
      if (auto st = on_row(row); !st) {
        ::close(fd);
        return st;
      }
    }
    pending.erase(0, pending.size() - in.size());
  }
  ::close(fd);
  return result;
}

std::size_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::size_t>(size);
}

}  // namespace dbk::scorer::detail
