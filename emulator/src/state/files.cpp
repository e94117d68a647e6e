#include "state/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
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

std::atomic<StateWriteFn> state_write_fn{&::write};
std::atomic<StateSyncFn> state_sync_fn{&::fdatasync};

int keep_size_allocate(int fd, off_t offset, off_t length) {
  return ::fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length);
}
std::atomic<StateAllocateFn> state_allocate_fn{&keep_size_allocate};

}  // namespace

void set_state_write_for_testing(StateWriteFn write_fn) {
  state_write_fn.store(write_fn != nullptr ? write_fn : &::write);
}

ssize_t state_write(int fd, const void* data, size_t size) {
  return state_write_fn.load()(fd, data, size);
}

void set_state_sync_for_testing(StateSyncFn sync_fn) {
  state_sync_fn.store(sync_fn != nullptr ? sync_fn : &::fdatasync);
}

int state_fdatasync(int fd) {
  return state_sync_fn.load()(fd);
}

void set_state_allocate_for_testing(StateAllocateFn allocate_fn) {
  state_allocate_fn.store(allocate_fn != nullptr ? allocate_fn : &keep_size_allocate);
}

int state_allocate(int fd, off_t offset, off_t length) {
  return state_allocate_fn.load()(fd, offset, length);
}

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

Status create_private_directories(const std::filesystem::path& dir) {
  std::error_code ec;
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) return io_error("cannot create", dir, ENOTDIR);
    // A shared folder such as /tmp (sticky) is never the state folder itself: making it
    // private would break every other user of it.
    if ((info.st_mode & S_ISVTX) != 0) {
      return http_error(
          500, "IO_ERROR",
          dir.string() + " is a shared folder; give the emulator a folder of its own");
    }
  } else {
    std::filesystem::path parent = dir.parent_path();
    if (!parent.empty() && parent != dir && !std::filesystem::exists(parent, ec)) {
      Status made = create_private_directories(parent);
      if (!made.ok()) return made;
    }
    if (::mkdir(dir.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
      return io_error("cannot create", dir, errno);
    }
  }
  // Also for a folder an older emulator made 0755; mkdir's mode is filtered by the umask.
  if ((info.st_mode & 07777) != kPrivateDirMode && ::chmod(dir.c_str(), kPrivateDirMode) != 0) {
    return io_error("cannot make private", dir, errno);
  }
  return {};
}

Status write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                             const std::filesystem::path& tmp_dir) {
  std::filesystem::path dir = tmp_dir.empty() ? target.parent_path() : tmp_dir;
  std::filesystem::path temp = unique_temp_path(dir, "write");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return io_error("cannot create", temp, errno);
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = state_write(fd, bytes.data() + written, bytes.size() - written);
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
