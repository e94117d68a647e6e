#pragma once

// Parquet writer: PLAIN values, RLE levels, data pages v1, Snappy, every top-level column
// OPTIONAL. Flat columns keep the Table's logical types; list columns hold doubles (Spark ML
// vectors) or strings (array<string>) in the three-level LIST layout.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/score.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer::parquet {

/// One top-level column to write. `type` kNested means a list of doubles (or, with
/// `inner_width`, of lists of doubles) per row; any other
/// type is a flat column read from the vector that Column uses for it. Pointers refer to the
/// caller's storage, which must outlive the write.
struct ColumnSource {
  std::string name;
  ColumnType type = ColumnType::kDouble;
  int decimal_precision = 0;
  int decimal_scale = 0;
  const std::uint8_t* valid = nullptr;   ///< one per row; 0 = null
  const std::int64_t* ints = nullptr;    ///< kBool, kInt32, kInt64, kDate, kTimestamp
  const double* doubles = nullptr;       ///< kFloat, kDouble; list elements
  const std::string* strings = nullptr;  ///< kString, kBinary, kDecimal (exact text)
  std::size_t width = 0;                 ///< list: elements per row when `offsets` is null
  const std::size_t* offsets = nullptr;  ///< list: rows+1 offsets into `doubles`
  /// A list of lists (array<vector>): each row's elements form lists of this many; 0 = a flat
  /// list. Written as LIST<LIST<DOUBLE>>.
  std::size_t inner_width = 0;
  /// list: when set, one list of strings per row (LIST of optional UTF8, as Spark writes
  /// array<string>) instead of doubles.
  const StringList* string_lists = nullptr;
};

/// The bytes of a whole Parquet file holding `num_rows` rows of `columns`. `name` is used in
/// messages. Errors: INVALID_DATA for a value Parquet cannot hold as asked (a decimal that does
/// not fit its precision, a page over 2 GiB), INVALID_ARGUMENT for duplicate column names.
Result<std::string> write_parquet(const std::vector<ColumnSource>& columns, std::size_t num_rows,
                                  const std::string& name, const ParquetWriteOptions& options);

struct Layout;

/// A Parquet file written a batch at a time: kMagic, then the bytes of add_rows for each batch
/// (one or more row groups of at most ParquetWriteOptions::row_group_rows rows), then finish()
/// (the footer). Only the footer's row group entries stay in memory.
class FileWriter {
 public:
  static constexpr const char* kMagic = "PAR1";
  /// The file's columns (their data pointers are not read here). Errors as write_parquet.
  static Result<FileWriter> make(const std::vector<ColumnSource>& columns, const std::string& name,
                                 const ParquetWriteOptions& options);
  FileWriter(FileWriter&&) noexcept;
  FileWriter& operator=(FileWriter&&) noexcept;
  ~FileWriter();
  /// The bytes of `num_rows` rows of `columns` (the same names and types as make's).
  Result<std::string> add_rows(const std::vector<ColumnSource>& columns, std::size_t num_rows);
  /// The footer and closing magic.
  std::string finish();
  std::size_t rows() const { return rows_; }

 private:
  FileWriter();
  struct Group;
  std::string name_;
  ParquetWriteOptions options_;
  std::vector<ColumnSource> schema_;
  std::vector<Layout> layouts_;
  std::vector<Group> groups_;
  std::size_t written_ = 4;  // the magic
  std::size_t rows_ = 0;
};

/// RLE / bit-packed hybrid encoding of `values` (each below 2^bit_width), appended to `out`.
void encode_rle_hybrid(const std::vector<std::int32_t>& values, int bit_width, std::string& out);

}  // namespace dbk::scorer::parquet
