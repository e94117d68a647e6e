#include "dbk/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "idempotency.hpp"

namespace dbk {

namespace {

std::string hidden_sibling(const std::string& path, std::string_view kind) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  // 8 random bytes: stale_temporaries.cpp parses exactly 16 hex digits after the mark.
  return dir + "." + name + std::string(kind) + detail::random_hex(8);
}

ApiError file_error(const std::string& target, const char* what, int err) {
  return make_error(error_codes::kIoError, std::string(what) + " " + target +
                                               (err != 0 ? ": " : "") +
                                               (err != 0 ? std::strerror(err) : ""));
}

}  // namespace

std::string temporary_sibling(const std::string& path) {
  return hidden_sibling(path, ".dbk-tmp-");
}

std::string aside_sibling(const std::string& path) {
  return hidden_sibling(path, ".dbk-old-");
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::exchange(other.temp_, {})),
      fd_(std::exchange(other.fd_, -1)),
      bytes_(other.bytes_) {}

AtomicFileWriter& AtomicFileWriter::operator=(AtomicFileWriter&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temp_ = std::exchange(other.temp_, {});
    fd_ = std::exchange(other.fd_, -1);
    bytes_ = other.bytes_;
  }
  return *this;
}

AtomicFileWriter::~AtomicFileWriter() {
  discard();
}

void AtomicFileWriter::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

Status AtomicFileWriter::open(const std::string& target) {
  discard();
  target_ = target;
  bytes_ = 0;
  std::string temp = temporary_sibling(target);
  // O_EXCL: never write through a file or symlink someone else placed under that name.
  fd_ = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) return file_error(target, "cannot create a temporary file beside", errno);
  temp_ = std::move(temp);
  return {};
}

Status AtomicFileWriter::append(std::string_view data) {
  if (fd_ < 0) return file_error(target_, "not open for writing:", 0);
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto error = file_error(target_, "cannot write", n < 0 ? errno : ENOSPC);
      discard();
      return error;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    bytes_ += static_cast<std::uint64_t>(n);
  }
  return {};
}

Status AtomicFileWriter::commit() {
  if (fd_ < 0) return file_error(target_, "not open for writing:", 0);
  if (::fsync(fd_) != 0) {
    auto error = file_error(target_, "cannot sync", errno);
    discard();
    return error;
  }
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) {
    auto error = file_error(target_, "cannot close", errno);
    discard();
    return error;
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    auto error = file_error(target_, "cannot rename into", errno);
    discard();
    return error;
  }
  temp_.clear();
  return {};
}

}  // namespace dbk
