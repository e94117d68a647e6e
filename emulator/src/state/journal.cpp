#include "state/journal.hpp"

#include <fcntl.h>
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

}  // namespace

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Journal>> Journal::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return journal_error("cannot open journal", path, errno);
  std::unique_ptr<Journal> journal(new Journal(path, fd));
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

Status Journal::write(std::string_view line) {
  std::string record(line);
  record += '\n';
  size_t written = 0;
  while (written < record.size()) {
    ssize_t n = ::write(fd_, record.data() + written, record.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return journal_error("cannot append to journal", path_, errno);
    }
    written += static_cast<size_t>(n);
  }
  return {};
}

Status Journal::truncate() {
  if (::ftruncate(fd_, 0) != 0) return journal_error("cannot truncate journal", path_, errno);
  if (::fsync(fd_) != 0) return journal_error("cannot fsync journal", path_, errno);
  return {};
}

}  // namespace dbk::emulator
