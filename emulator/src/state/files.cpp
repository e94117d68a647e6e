#include "state/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "http/request.hpp"

namespace dbk::emulator {
namespace {

ApiError io_error(const std::string& what, const std::filesystem::path& path, int err) {
  return http_error(500, "IO_ERROR", what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

std::filesystem::path unique_temp_path(const std::filesystem::path& dir, std::string_view prefix) {
  static std::atomic<std::uint64_t> counter{0};
  return dir / (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter.fetch_add(1)) + ".tmp");
}

Status fsync_path(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync", path, err);
  return {};
}

Status write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                             const std::filesystem::path& tmp_dir) {
  std::filesystem::path dir = tmp_dir.empty() ? target.parent_path() : tmp_dir;
  std::filesystem::path temp = unique_temp_path(dir, "write");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", temp, errno);
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return io_error("cannot write", temp, err);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return io_error("cannot fsync", temp, err);
  }
  ::close(fd);
  Status renamed = rename_durably(temp, target);
  if (!renamed.ok()) ::unlink(temp.c_str());
  return renamed;
}

Status rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return io_error("cannot rename to", to, errno);
  }
  Status status = fsync_path(to.parent_path());
  if (status.ok() && from.parent_path() != to.parent_path()) {
    status = fsync_path(from.parent_path());
  }
  return status;
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("No file at " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace dbk::emulator
