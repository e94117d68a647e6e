// Streaming output of scored rows: CSV, JSON lines and Parquet files written batch by batch
// through a temporary sibling that is fsynced and renamed into place.
#include "result_writer.hpp"

#include <deque>
#include <filesystem>

#include "dbk/api_error.hpp"
#include "dbk/atomic_file.hpp"
#include "parquet/writer.hpp"
#include "parquet_output.hpp"

namespace dbk::scorer::detail {
namespace {

namespace fs = std::filesystem;

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
  AtomicFileWriter file_;
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
  AtomicFileWriter file_;
};

}  // namespace

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
