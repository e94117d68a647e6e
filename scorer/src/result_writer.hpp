#pragma once

// Writers of scored rows a batch at a time (`dbk score --output`): the output grows under a
// hidden temporary name in the target's folder and is renamed into place only by commit(), so
// the target is either whole or untouched; a writer dropped without commit() removes its
// temporary.

#include <cstdint>
#include <memory>
#include <string>

#include "dbk/result.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/score.hpp"

namespace dbk::scorer::detail {

class ResultWriter {
 public:
  virtual ~ResultWriter() = default;
  /// Appends the rows of `batch`; every batch has the same columns.
  virtual Status write(const ScoreResult& batch) = 0;
  /// Flushes, syncs and renames the output into place.
  virtual Status commit() = 0;
  /// Bytes written so far.
  virtual std::uint64_t bytes() const = 0;
};

/// A writer of `format` to the local file `path`. Errors: IO_ERROR naming `path`.
Result<std::unique_ptr<ResultWriter>> open_result_writer(const std::string& path,
                                                         OutputFormat format,
                                                         const ParquetWriteOptions& parquet = {});

/// The CSV header line (empty for JSON lines) and the text rows of `result` (score.cpp).
std::string text_header(const ScoreResult& result, bool csv);
void append_text_rows(const ScoreResult& result, bool csv, std::string& out);

}  // namespace dbk::scorer::detail
