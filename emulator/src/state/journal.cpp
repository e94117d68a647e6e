#include "state/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "http/request.hpp"
#include "state/files.hpp"

namespace dbk::emulator {
namespace {

ApiError journal_error(const std::string& what, const std::filesystem::path& path, int err) {
  return http_error(500, "IO_ERROR", what + " " + path.string() + ": " + std::strerror(err));
}

// Length of `fd` up to and including its last '\n': what is left after cutting off a
// record torn by a crash (or by a failed write an older emulator did not undo).
Result<off_t> complete_length(int fd, const std::filesystem::path& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return journal_error("cannot stat journal", path, errno);
  off_t end = info.st_size;
  char chunk[4096];
  while (end > 0) {
    off_t start = end > static_cast<off_t>(sizeof chunk) ? end - sizeof chunk : 0;
    ssize_t n = ::pread(fd, chunk, static_cast<size_t>(end - start), start);
    if (n < 0) {
      if (errno == EINTR) continue;
      return journal_error("cannot read journal", path, errno);
    }
    for (ssize_t i = n; i > 0; --i) {
      if (chunk[i - 1] == '\n') return start + i;
    }
    end = start;
  }
  return off_t{0};
}

}  // namespace

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Journal>> Journal::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return journal_error("cannot open journal", path, errno);
  std::unique_ptr<Journal> journal(new Journal(path, fd));
  // A torn tail was never acknowledged (read_lines skips it); cut it off before the next
  // append lands on the same line. Shrinking needs no free space.
  auto complete = complete_length(fd, path);
  if (!complete.ok()) return std::move(complete).error();
  struct stat info {};
  if (::fstat(fd, &info) != 0) return journal_error("cannot stat journal", path, errno);
  journal->good_size_ = *complete;
  // Blocks reserved by an earlier run are still allocated after the end of the file (a cut
  // would free them, so there is none unless a tail is torn).
  journal->reserved_end_ = std::max<off_t>(*complete, static_cast<off_t>(info.st_blocks) * 512);
  journal->torn_ = *complete < info.st_size;
  Status cut = journal->cut_to_good_size();
  if (!cut.ok()) return std::move(cut).error();
  journal->synced_size_ = journal->good_size_.load();
  (void)journal->has_reserve();  // on a full disk the store starts on what is left of it
  Status synced = fsync_path(path.parent_path());  // the file's creation must be durable too
  if (!synced.ok()) return std::move(synced).error();
  return journal;
}

std::vector<std::string> Journal::read_lines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  if (!in) return lines;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // torn tail: never acknowledged
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

Status Journal::append(std::string_view line) {
  Status written = write(line);
  if (!written.ok()) return written;
  Status synced = sync();
  if (!synced.ok()) (void)discard_unsynced();  // if this fails, the next write retries it
  return synced;
}

Status Journal::sync() {
  const off_t covered = good_size_.load();  // records written after this may not be synced
  if (state_fdatasync(fd_) != 0) return journal_error("cannot fsync journal", path_, errno);
  if (covered > synced_size_.load()) synced_size_ = covered;
  return {};
}

Status Journal::discard_unsynced() {
  good_size_ = std::min(synced_size_.load(), good_size_.load());
  torn_ = true;
  return cut_to_good_size();
}

// The cut is fsync'ed too: after a failed fdatasync the cut-off records may already be on
// disk, and only a durable cut keeps them from coming back after a crash. Shrinking a file
// needs no free space, so this works on a full disk.
Status Journal::cut_to_good_size() {
  if (!torn_) return {};
  if (::ftruncate(fd_, good_size_) != 0) {
    return journal_error("cannot cut a failed append off the journal", path_, errno);
  }
  reserved_end_ = good_size_;  // truncation also frees the blocks reserved after the end
  if (state_fdatasync(fd_) != 0) {
    return journal_error("cannot fsync the journal after cutting off a failed append", path_,
                         errno);
  }
  torn_ = false;
  (void)has_reserve();
  return {};
}

bool Journal::has_reserve() {
  const off_t end = good_size_.load();
  if (reserved_end_ - end >= kReserveBytes / 2) return true;
  if (state_allocate(fd_, end, kReserveBytes) == 0) {
    reserved_end_ = end + kReserveBytes;
    return true;
  }
  // EOPNOTSUPP and the like: a file system without reservations is not a full disk.
  return errno != ENOSPC && errno != EDQUOT;
}

Status Journal::write(std::string_view line) {
  Status cut = cut_to_good_size();
  if (!cut.ok()) return cut;
  std::string record(line);
  record += '\n';
  size_t written = 0;
  while (written < record.size()) {
    ssize_t n = state_write(fd_, record.data() + written, record.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      torn_ = true;              // earlier parts of this record may be in the file
      (void)cut_to_good_size();  // if this fails too, the next write tries again first
      return journal_error("cannot append to journal", path_, err);
    }
    written += static_cast<size_t>(n);
  }
  good_size_ += static_cast<off_t>(record.size());
  return {};
}

Status Journal::truncate() {
  if (::ftruncate(fd_, 0) != 0) return journal_error("cannot truncate journal", path_, errno);
  good_size_ = 0;
  synced_size_ = 0;
  reserved_end_ = 0;
  torn_ = false;
  if (::fsync(fd_) != 0) return journal_error("cannot fsync journal", path_, errno);
  (void)has_reserve();
  return {};
}

}  // namespace dbk::emulator
