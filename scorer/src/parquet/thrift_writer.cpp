#include "parquet/thrift_writer.hpp"

namespace dbk::scorer::parquet {

void ThriftWriter::field_bool(std::int16_t id, bool value) {
  field_header(id, value ? 1 : 2);  // a bool field's value lives in the type nibble
}

void ThriftWriter::field_i32(std::int16_t id, std::int32_t value) {
  field_header(id, kI32);
  zigzag(value);
}

void ThriftWriter::field_i64(std::int16_t id, std::int64_t value) {
  field_header(id, kI64);
  zigzag(value);
}

void ThriftWriter::field_binary(std::int16_t id, std::string_view value) {
  field_header(id, kBinary);
  binary(value);
}

void ThriftWriter::field_struct(std::int16_t id) {
  field_header(id, kStruct);
  begin_struct();
}

void ThriftWriter::field_list(std::int16_t id, Type element_type, std::size_t size) {
  field_header(id, 9);
  if (size < 15) {
    out_ += static_cast<char>((size << 4) | element_type);
  } else {
    out_ += static_cast<char>(0xf0 | element_type);
    varint(size);
  }
}

void ThriftWriter::field_empty_struct(std::int16_t id) {
  field_struct(id);
  end_struct();
}

void ThriftWriter::begin_struct() {
  outer_ids_.push_back(last_id_);
  last_id_ = 0;
}

void ThriftWriter::end_struct() {
  out_ += '\0';  // STOP
  last_id_ = outer_ids_.empty() ? 0 : outer_ids_.back();
  if (!outer_ids_.empty()) outer_ids_.pop_back();
}

void ThriftWriter::i32(std::int32_t value) {
  zigzag(value);
}

void ThriftWriter::binary(std::string_view value) {
  varint(value.size());
  out_.append(value.data(), value.size());
}

void ThriftWriter::field_header(std::int16_t id, std::uint8_t type) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_ += static_cast<char>((delta << 4) | type);
  } else {
    out_ += static_cast<char>(type);
    zigzag(id);
  }
  last_id_ = id;
}

void ThriftWriter::varint(std::uint64_t value) {
  while (value >= 0x80) {
    out_ += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out_ += static_cast<char>(value);
}

void ThriftWriter::zigzag(std::int64_t value) {
  varint((static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
}

}  // namespace dbk::scorer::parquet
