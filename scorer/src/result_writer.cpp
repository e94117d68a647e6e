// Streaming output of scored rows: CSV, JSON lines and Parquet files written batch by batch
// through a temporary sibling that is fsynced and renamed into place.
#include "result_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <random>

#include "dbk/api_error.hpp"
#include "parquet/writer.hpp"
#include "parquet_output.hpp"

namespace dbk::scorer::detail {
namespace {

namespace fs = std::filesystem;

ApiError io_error(const std::string& path, const std::string& what, int err) {
  return make_error(dbk::error_codes::kIoError,
                    path + ": " + what + (err ? std::string(": ") + std::strerror(err) : ""));
}

// A hidden sibling of the target (".NAME.dbk-tmp-<hex>", the name the CLI's copies use for their
// temporaries, so their clean-up of leftovers knows it), removed unless committed.
class TempFile {
 public:
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
  }
  Status open(const std::string& target) {
    target_ = target;
    fs::path t(target);
    temp_ = (t.parent_path() / ("." + t.filename().string() + ".dbk-tmp-" + random_hex())).string();
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      const int err = errno;
      temp_.clear();
      return io_error(target, "cannot create the output file", err);
    }
    return {};
  }
  Status append(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return io_error(target_, "write failed", n < 0 ? errno : ENOSPC);
      data.remove_prefix(static_cast<std::size_t>(n));
      bytes_ += static_cast<std::uint64_t>(n);
    }
    return {};
  }
  Status commit() {
    if (::fsync(fd_) != 0) return io_error(target_, "fsync failed", errno);
    const int closed = ::close(fd_);
    fd_ = -1;
    if (closed != 0) return io_error(target_, "close failed", errno);
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      return io_error(target_, "cannot rename the output into place", errno);
    }
    temp_.clear();
    return {};
  }
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::string target_;
  std::string temp_;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
};

class TextWriter : public ResultWriter {
 public:
  explicit TextWriter(bool csv) : csv_(csv) {}
  Status open(const std::string& path) { return file_.open(path); }
  Status write(const ScoreResult& batch) override {
    std::string text;
    if (!started_) text = text_header(batch, csv_);
    started_ = true;
    append_text_rows(batch, csv_, text);
    return file_.append(text);
  }
  Status commit() override { return file_.commit(); }
  std::uint64_t bytes() const override { return file_.bytes(); }

 private:
  bool csv_;
  bool started_ = false;
  TempFile file_;
};

class ParquetWriter : public ResultWriter {
 public:
  ParquetWriter(std::string path, ParquetWriteOptions options)
      : path_(std::move(path)), options_(options) {}
  Status open() { return file_.open(path_); }
  Status write(const ScoreResult& batch) override {
    std::deque<OwnedList> owned;
    auto sources = result_sources(batch, path_, owned);
    if (!sources) return std::move(sources).error();
    if (!writer_) {
      auto made = parquet::FileWriter::make(*sources, path_, options_);
      if (!made) return std::move(made).error();
      writer_ = std::make_unique<parquet::FileWriter>(std::move(*made));
      if (auto st = file_.append(parquet::FileWriter::kMagic); !st) return st;
    }
    auto bytes = writer_->add_rows(*sources, batch.num_rows());
    if (!bytes) return std::move(bytes).error();
    return file_.append(*bytes);
  }
  Status commit() override {
    if (!writer_) {
      return make_error(dbk::error_codes::kInvalidArgument,
                        path_ + ": no rows were given to write (not even an empty batch)");
    }
    if (auto st = file_.append(writer_->finish()); !st) return st;
    return file_.commit();
  }
  std::uint64_t bytes() const override { return file_.bytes(); }

 private:
  std::string path_;
  ParquetWriteOptions options_;
  std::unique_ptr<parquet::FileWriter> writer_;
  TempFile file_;
};

}  // namespace

std::string random_hex() {
  std::random_device rd;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08x%08x", rd(), rd());
  return hex;
}

Result<std::unique_ptr<ResultWriter>> open_result_writer(const std::string& path,
                                                         OutputFormat format,
                                                         const ParquetWriteOptions& parquet) {
  if (format == OutputFormat::kParquet) {
    auto writer = std::make_unique<ParquetWriter>(path, parquet);
    if (auto st = writer->open(); !st) return st.error();
    return std::unique_ptr<ResultWriter>(std::move(writer));
  }
  auto writer = std::make_unique<TextWriter>(format == OutputFormat::kCsv);
  if (auto st = writer->open(path); !st) return st.error();
  return std::unique_ptr<ResultWriter>(std::move(writer));
}

}  // namespace dbk::scorer::detail

namespace dbk::scorer {

Status write_results(const ScoreResult& result, const std::string& path,
                     const ParquetWriteOptions& parquet) {
  auto format = output_format(path);
  if (!format) return std::move(format).error();
  auto writer = detail::open_result_writer(path, *format, parquet);
  if (!writer) return std::move(writer).error();
  if (auto st = (*writer)->write(result); !st) return st;
  return (*writer)->commit();
}

}  // namespace dbk::scorer
