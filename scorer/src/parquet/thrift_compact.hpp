#pragma once

// Decoder for the Thrift compact protocol into a generic tree (see
// docs/reference/spark-models.md §4.3). The footer and page headers are small, so a generic tree
// keeps the field-id mapping in one place (metadata.cpp) and skips unknown fields for free.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::scorer::parquet {

struct ThriftValue;

struct ThriftField {
  std::int16_t id = 0;
  std::unique_ptr<ThriftValue> value;
};

struct ThriftValue {
  enum class Type { kBool, kInt, kDouble, kBinary, kList, kStruct, kMap };
  Type type = Type::kInt;
  std::int64_t i = 0;  // bool, i8, i16, i32, i64
  double d = 0;
  std::string bin;
  std::vector<ThriftValue> list;  // list/set elements; map k,v,k,v…
  std::vector<ThriftField> fields;

  const ThriftValue* field(std::int16_t id) const;
  /// Integer field or `fallback` when absent or of another type.
  std::int64_t int_field(std::int16_t id, std::int64_t fallback) const;
  bool has(std::int16_t id) const { return field(id) != nullptr; }
};

/// Parses one struct starting at `data`; an error on malformed input. `consumed` receives the
/// number of bytes used.
Status parse_thrift_struct(std::string_view data, ThriftValue& out, std::size_t& consumed);

}  // namespace dbk::scorer::parquet
