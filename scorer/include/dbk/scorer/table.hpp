#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dbk::scorer {

/// One value of a nested (struct / list / map) column. Flat columns never use it.
struct Value {
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kBinary, kList, kStruct, kMap };
  Kind kind = Kind::kNull;
  std::int64_t i = 0;        ///< kBool (0/1), kInt (also dates, timestamps in micros)
  double d = 0;              ///< kDouble
  std::string s;             ///< kString, kBinary
  std::vector<Value> items;  ///< kList elements; kStruct fields (names in `names`); kMap k,v,k,v…
  std::vector<std::string> names;  ///< kStruct field names

  bool is_null() const { return kind == Kind::kNull; }
  /// Struct field by name, nullptr if absent or not a struct.
  const Value* field(const std::string& name) const;
  /// Numeric value of kBool/kInt/kDouble; NaN otherwise.
  double as_double() const;
};

/// Logical type of a column, after Parquet logical/converted annotations.
enum class ColumnType {
  kBool,       ///< ints (0/1)
  kInt32,      ///< ints
  kInt64,      ///< ints
  kFloat,      ///< doubles (exactly widened)
  kDouble,     ///< doubles
  kString,     ///< strings
  kBinary,     ///< strings (raw bytes)
  kDate,       ///< ints: days since 1970-01-01
  kTimestamp,  ///< ints: microseconds since the Unix epoch (INT96, INT64 millis/micros/nanos)
  kDecimal,    ///< doubles (nearest double) and strings (exact text, e.g. "-12.30")
  kNested,     ///< nested: struct, list, map (Spark ML vectors are structs)
};

const char* column_type_name(ColumnType type);

/// A column of a Table: one entry per row in the vector its type uses; `valid[r]` is 0 for null.
struct Column {
  std::string name;
  ColumnType type = ColumnType::kDouble;
  int decimal_scale = 0;
  int decimal_precision = 0;
  std::vector<std::uint8_t> valid;
  std::vector<std::int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  std::vector<Value> nested;
  /// The column's Spark field metadata as JSON text, from the schema Spark stores in the file
  /// footer (`org.apache.spark.sql.parquet.row.metadata`); ML attributes live under "ml_attr".
  /// Empty when the file records none.
  std::string metadata;

  std::size_t size() const { return valid.size(); }
  bool is_null(std::size_t row) const { return valid[row] == 0; }
  /// Numeric view of a flat numeric column (bool/int/float/double/decimal/date/timestamp).
  double number(std::size_t row) const;
  /// Row value as a nested Value (works for every column type).
  Value value(std::size_t row) const;
  /// Appends all rows of `other` (same type) to this column.
  void append(const Column& other);
};

/// Rows in columns. All columns have `num_rows` entries.
struct Table {
  std::vector<Column> columns;
  std::size_t num_rows = 0;

  const Column* find(const std::string& name) const;
  Column* find(const std::string& name);
};

}  // namespace dbk::scorer
