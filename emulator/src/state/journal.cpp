#include "state/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
  journal->good_size_ = *complete;
  journal->torn_ = true;
  Status cut = journal->cut_to_good_size();
  if (!cut.ok()) return std::move(cut).error();
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
  return sync();
}

Status Journal::sync() {
  if (::fdatasync(fd_) != 0) return journal_error("cannot fsync journal", path_, errno);
  return {};
}

Status Journal::cut_to_good_size() {
  if (!torn_) return {};
  if (::ftruncate(fd_, good_size_) != 0) {
    return journal_error("cannot cut a failed append off the journal", path_, errno);
  }
  torn_ = false;
  return {};
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
  torn_ = false;
  if (::fsync(fd_) != 0) return journal_error("cannot fsync journal", path_, errno);
  return {};
}

}  // namespace dbk::emulator
