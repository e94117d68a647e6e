// Output targets of `dbk score`: files, local folders of part files and DBFS folders, and the
// choice of output columns (docs/scorer.md, "Output").
#include "output_target.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "dbk/api_error.hpp"
#include "dbk/atomic_file.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/internal/text.hpp"
#include "dbk/scorer/dbfs_cache.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/transfer.hpp"
#include "private_folder.hpp"

namespace dbk::scorer::detail {
namespace {

namespace fs = std::filesystem;

const char* extension_of(OutputFormat format) {
  switch (format) {
    case OutputFormat::kCsv:
      return ".csv";
    case OutputFormat::kJsonLines:
      return ".jsonl";
    case OutputFormat::kParquet:
      break;
  }
  return ".parquet";
}

// A previous output: part files, Spark's markers and hidden files (checksums, temporaries).
bool is_part_folder(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("part-", 0) == 0 || name == "_SUCCESS" || name[0] == '.') {
      if (it->is_directory(ec)) return false;
      continue;
    }
    return false;
  }
  return !ec;
}

ApiError io_error(const std::string& path, const std::string& what, const std::error_code& ec) {
  return make_error(dbk::error_codes::kIoError, path + ": " + what + ": " + ec.message());
}

// Part files in a hidden temporary folder next to the target, moved into place by commit().
class LocalFolderWriter : public ResultWriter {
 public:
  LocalFolderWriter(std::string target, OutputFormat format, std::size_t part_rows)
      : target_(std::move(target)),
        format_(format),
        part_rows_(std::max<std::size_t>(part_rows, 1)) {}
  ~LocalFolderWriter() override {
    part_.reset();
    std::error_code ignored;
    if (!temp_.empty()) fs::remove_all(temp_, ignored);
  }
  Status open() {
    fs::path target(target_);
    while (!target.empty() && target.filename().empty()) target = target.parent_path();
    if (target.empty()) target = ".";
    target_ = target.string();
    std::error_code ec;
    if (fs::exists(target, ec) && !(fs::is_directory(target, ec) && is_part_folder(target))) {
      return make_error("RESOURCE_ALREADY_EXISTS",
                        target_ + " exists and is not a folder of part files; not replaced");
    }
    temp_ = temporary_sibling(target.string());
    if (!fs::create_directory(temp_, ec)) {
      temp_.clear();
      return io_error(target_, "cannot create the output folder", ec);
    }
    return {};
  }
  Status write(const ScoreResult& batch) override {
    if (!part_ || part_rows_written_ >= part_rows_) {
      if (auto st = close_part(); !st) return st;
      char name[32];
      std::snprintf(name, sizeof name, "part-%05zu", parts_++);
      auto made = open_result_writer(
          (fs::path(temp_) / (name + std::string(extension_of(format_)))).string(), format_);
      if (!made) return std::move(made).error();
      part_ = std::move(*made);
      part_rows_written_ = 0;
    }
    part_rows_written_ += batch.num_rows();
    return part_->write(batch);
  }
  Status commit() override {
    if (auto st = close_part(); !st) return st;
    auto success = open_result_writer((fs::path(temp_) / "_SUCCESS").string(), OutputFormat::kCsv);
    if (!success) return std::move(success).error();
    if (auto st = (*success)->commit(); !st) return st;
    std::error_code ec;
    std::string aside;
    if (fs::exists(target_, ec)) {
      aside = aside_sibling(target_);
      fs::rename(target_, aside, ec);
      if (ec) return io_error(target_, "cannot move the previous output aside", ec);
    }
    fs::rename(temp_, target_, ec);
    if (ec) {
      std::error_code ignored;
      if (!aside.empty()) fs::rename(aside, target_, ignored);
      return io_error(target_, "cannot move the output into place", ec);
    }
    temp_.clear();
    if (!aside.empty()) fs::remove_all(aside, ec);
    return {};
  }
  std::uint64_t bytes() const override { return bytes_ + (part_ ? part_->bytes() : 0); }
  const std::string& folder() const { return temp_; }

 private:
  Status close_part() {
    if (!part_) return {};
    auto st = part_->commit();
    bytes_ += part_->bytes();
    part_.reset();
    return st;
  }
  std::string target_;
  OutputFormat format_;
  std::size_t part_rows_;
  std::string temp_;
  std::unique_ptr<ResultWriter> part_;
  std::size_t part_rows_written_ = 0;
  std::size_t parts_ = 0;
  std::uint64_t bytes_ = 0;
};

// The folder is built locally, uploaded to a hidden DBFS sibling of the target with the
// copies `dbk fs cp -r` makes (each file atomic), then moved into place in one call.
class DbfsFolderWriter : public ResultWriter {
 public:
  DbfsFolderWriter(const DbfsApi& dbfs, std::string target, OutputFormat format,
                   std::size_t part_rows)
      : dbfs_(dbfs), target_(std::move(target)), format_(format), part_rows_(part_rows) {
    while (target_.size() > 1 && target_.back() == '/') target_.pop_back();
  }
  Status open() {
    if (dbfs_.get_status(target_).ok()) {
      return make_error("RESOURCE_ALREADY_EXISTS", target_ + " already exists; not replaced");
    }
    if (auto st = staging_.create("", "dbk-score", "staging"); !st) return st;
    local_ = std::make_unique<LocalFolderWriter>((fs::path(staging_.path()) / "out").string(),
                                                 format_, part_rows_);
    return local_->open();
  }
  Status write(const ScoreResult& batch) override { return local_->write(batch); }
  Status commit() override {
    if (auto st = local_->commit(); !st) return st;
    const std::string temp = temporary_sibling(target_);
    CopyOptions options;
    options.atomic = true;
    options.skip_existing = false;
    auto copied = copy_tree(dbfs_, CopyDirection::kUpload,
                            (fs::path(staging_.path()) / "out").string(), temp, options);
    Status st;
    if (!copied) {
      st = copied.error();
    } else {
      for (const auto& file : *copied) {
        if (file.status != FileStatus::kDone) {
          st = file.error ? *file.error
                          : make_error(dbk::error_codes::kIoError,
                                       file.dst + ": not uploaded (" + file.message + ")");
          break;
        }
      }
    }
    if (st) st = dbfs_.move(temp, target_);
    if (!st) {
      (void)dbfs_.remove(temp, true);
      return st;
    }
    return {};
  }
  std::uint64_t bytes() const override { return local_ ? local_->bytes() : 0; }

 private:
  const DbfsApi& dbfs_;
  std::string target_;
  OutputFormat format_;
  std::size_t part_rows_;
  PrivateFolder staging_;  // declared before local_, so destroyed (and removed) after it
  std::unique_ptr<LocalFolderWriter> local_;
};

}  // namespace

Result<OutputTarget> resolve_output_target(const std::string& path, const std::string& format) {
  OutputTarget target;
  target.path = path;
  const bool dbfs = is_dbfs_uri(path);
  std::error_code ec;
  const bool folder = dbfs || internal::ends_with(path, "/") || fs::is_directory(path, ec);
  target.kind = dbfs     ? OutputTarget::Kind::kDbfsFolder
                : folder ? OutputTarget::Kind::kFolder
                         : OutputTarget::Kind::kFile;
  const std::string lower = internal::ascii_lower(format);
  if (lower == "parquet") {
    target.format = OutputFormat::kParquet;
  } else if (lower == "csv") {
    target.format = OutputFormat::kCsv;
  } else if (lower == "jsonl" || lower == "json") {
    target.format = OutputFormat::kJsonLines;
  } else if (!lower.empty()) {
    return make_error(dbk::error_codes::kInvalidArgument,
                      "unknown output format '" + format + "' (parquet, csv or jsonl)");
  } else {
    std::string name = path;
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    auto by_name = output_format(name);
    if (by_name) {
      target.format = *by_name;
    } else if (!folder) {
      return std::move(by_name).error();
    }
  }
  return target;
}

Result<std::unique_ptr<ResultWriter>> open_target_writer(const OutputTarget& target,
                                                         const DbfsApi* dbfs,
                                                         std::size_t part_rows) {
  switch (target.kind) {
    case OutputTarget::Kind::kFile:
      return open_result_writer(target.path, target.format);
    case OutputTarget::Kind::kFolder: {
      auto writer = std::make_unique<LocalFolderWriter>(target.path, target.format, part_rows);
      if (auto st = writer->open(); !st) return st.error();
      return std::unique_ptr<ResultWriter>(std::move(writer));
    }
    case OutputTarget::Kind::kDbfsFolder: {
      if (dbfs == nullptr) {
        return make_error(dbk::error_codes::kInvalidArgument,
                          target.path + ": a DBFS output needs a workspace client");
      }
      auto writer =
          std::make_unique<DbfsFolderWriter>(*dbfs, target.path, target.format, part_rows);
      if (auto st = writer->open(); !st) return st.error();
      return std::unique_ptr<ResultWriter>(std::move(writer));
    }
  }
  return make_error(dbk::error_codes::kInvalidArgument, "unknown output target");
}

Result<std::vector<std::string>> output_columns(const ScoreResult& scored,
                                                const std::vector<std::string>& names,
                                                const std::vector<std::string>& key_columns) {
  std::vector<std::string> have;
  for (const auto& c : scored.passthrough.columns) have.push_back(c.name);
  for (const auto& c : scored.columns) have.push_back(c.name);
  auto present = [&](const std::string& n) {
    return std::find(have.begin(), have.end(), n) != have.end();
  };
  if (names.size() == 1 && names[0] == "*") return names;
  std::vector<std::string> out;
  if (names.empty()) {
    for (const auto& k : key_columns) out.push_back(k);
    for (const char* n : {"prediction", "probability"}) {
      if (present(n)) out.emplace_back(n);
    }
  } else {
    out = names;
  }
  for (const auto& n : out) {
    if (n == "*" || !present(n)) {
      std::string list;
      for (const auto& h : have) list += (list.empty() ? "" : ", ") + h;
      return make_error(error_codes::kColumnNotFound,
                        (n == "*" ? std::string("'*' must be the only output column")
                                  : "no column '" + n + "' to output") +
                            " (columns: " + list + ")");
    }
  }
  return out;
}

ScoreResult select_columns(const ScoreResult& batch, const std::vector<std::string>& names) {
  if (names.size() == 1 && names[0] == "*") return batch;
  ScoreResult out;
  out.num_input_rows = batch.num_input_rows;
  out.source_rows = batch.source_rows;
  out.passthrough.num_rows = batch.passthrough.num_rows;
  for (const auto& n : names) {
    if (const Column* c = batch.passthrough.find(n)) {
      out.passthrough.columns.push_back(*c);
    } else if (const ScoredColumn* s = batch.find(n)) {
      out.columns.push_back(*s);
    }
  }
  return out;
}

}  // namespace dbk::scorer::detail
