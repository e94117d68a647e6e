#pragma once

// Encoder for the Thrift compact protocol: the writing half of thrift_compact.hpp, for the
// footer and page headers the Parquet writer emits. Callers open and close structs and lists
// in the order the Parquet structures declare their fields.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dbk::scorer::parquet {

class ThriftWriter {
 public:
  // Compact-protocol type ids of the values the Parquet structures use.
  enum Type : std::uint8_t { kI32 = 5, kI64 = 6, kBinary = 8, kStruct = 12 };

  void field_bool(std::int16_t id, bool value);
  void field_i32(std::int16_t id, std::int32_t value);
  void field_i64(std::int16_t id, std::int64_t value);
  void field_binary(std::int16_t id, std::string_view value);
  /// Opens a struct-valued field; close it with end_struct().
  void field_struct(std::int16_t id);
  /// Opens a list-valued field of `size` elements of `element_type`; the elements follow
  /// (i32(), binary() or begin_struct()/end_struct() each).
  void field_list(std::int16_t id, Type element_type, std::size_t size);
  /// An empty struct-valued field (the marker structs of LogicalType's unions).
  void field_empty_struct(std::int16_t id);

  void begin_struct();  ///< a struct list element or the top-level struct
  void end_struct();
  void i32(std::int32_t value);
  void binary(std::string_view value);

  const std::string& bytes() const { return out_; }

 private:
  void field_header(std::int16_t id, std::uint8_t type);
  void varint(std::uint64_t value);
  void zigzag(std::int64_t value);

  std::string out_;
  std::int16_t last_id_ = 0;
  std::vector<std::int16_t> outer_ids_;  // last field id of every enclosing struct
};

}  // namespace dbk::scorer::parquet
