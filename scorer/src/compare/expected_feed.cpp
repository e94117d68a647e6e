#include "compare/expected_feed.hpp"

#include <algorithm>
#include <optional>

#include "cell_text.hpp"
#include "compare/compare_row.hpp"

namespace dbk::scorer::detail {

ParquetReadOptions compared_columns(const CompareOptions& options, bool with_raw_prediction) {
  ParquetReadOptions projection;
  projection.skip_missing_columns = true;
  projection.columns = options.key_columns;
  std::vector<const std::string*> compared = {&options.prediction_column,
                                              &options.probability_column};
  if (with_raw_prediction) compared.push_back(&options.raw_prediction_column);
  for (const auto* c : compared) {
    if (std::find(projection.columns.begin(), projection.columns.end(), *c) ==
        projection.columns.end()) {
      projection.columns.push_back(*c);
    }
  }
  return projection;
}

ExpectedFeed::ExpectedFeed(std::vector<std::string> files, ParquetReadOptions projection)
    : files_(std::move(files)), projection_(std::move(projection)) {}

// Makes batch_ the next row group (an empty file: its columns without rows); done_ at the end.
Status ExpectedFeed::next_group() {
  batch_ = Table{};
  offset_ = 0;
  bool got = false;
  while (!got && file_ < files_.size()) {
    if (!reader_) {
      auto opened = ParquetFileReader::open(files_[file_], projection_);
      if (!opened) return std::move(opened).error();
      reader_ = std::move(*opened);
      group_ = 0;
      if (reader_->num_row_groups() == 0) {
        batch_ = reader_->schema();
        got = true;
      }
    }
    if (group_ < reader_->num_row_groups()) {
      auto table = reader_->read_row_group(group_++);
      if (!table) return std::move(table).error();
      batch_ = std::move(*table);
      got = true;
    }
    if (group_ >= reader_->num_row_groups()) {
      reader_.reset();
      ++file_;
    }
  }
  done_ = !got;
  return {};
}

Status ExpectedFeed::feed(const std::vector<ResultComparer*>& comparers, std::size_t rows) {
  while (fed_ < rows && !done_) {
    if (offset_ >= batch_.num_rows) {
      if (auto st = next_group(); !st) return st;
      if (done_) break;
      if (batch_.num_rows == 0) {
        // No rows, but the columns: the comparer checks them as Spark wrote them.
        for (auto* c : comparers) {
          if (auto st = c->add_expected(batch_); !st) return st;
        }
        continue;
      }
    }
    const std::size_t take = std::min(batch_.num_rows - offset_, rows - fed_);
    for (auto* c : comparers) {
      if (auto st = c->add_expected(batch_, offset_, offset_ + take); !st) return st;
    }
    offset_ += take;
    fed_ += take;
    // The batch's last rows are fed: it goes before the next one is read.
    if (offset_ >= batch_.num_rows) batch_ = Table{};
  }
  return {};
}

Result<bool> keys_ascend(const std::vector<std::string>& files,
                         const std::vector<std::string>& keys, const char* side) {
  ParquetReadOptions projection;
  projection.columns = keys;
  std::optional<std::string> last;
  for (const auto& path : files) {
    auto reader = ParquetFileReader::open(path, projection);
    if (!reader) return std::move(reader).error();
    for (std::size_t g = 0; g < (*reader)->num_row_groups(); ++g) {
      auto table = (*reader)->read_row_group(g);
      if (!table) return std::move(table).error();
      auto k = row_keys(*table, keys, side, 0, table->num_rows);
      if (!k) return std::move(k).error();
      for (auto& key : *k) {
        if (last && compare_keys(*last, key) > 0) return false;
        last = std::move(key);
      }
    }
  }
  return true;
}

}  // namespace dbk::scorer::detail
