#include "parquet/thrift_compact.hpp"

#include <cstring>

#include "parquet/errors.hpp"

namespace dbk::scorer::parquet {
namespace {

// Bounds the recursion depth so hostile input cannot exhaust the stack.
constexpr int kMaxDepth = 64;

class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}

  bool read_struct(ThriftValue& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    out.type = ThriftValue::Type::kStruct;
    std::int16_t last_id = 0;
    while (true) {
      std::uint8_t header = 0;
      if (!read_byte(header)) return false;
      if (header == 0) return true;  // STOP
      std::uint8_t type = header & 0x0f;
      std::int16_t delta = static_cast<std::int16_t>(header >> 4);
      std::int16_t id;
      if (delta == 0) {
        std::int64_t v;
        if (!read_zigzag(v)) return false;
        id = static_cast<std::int16_t>(v);
      } else {
        id = static_cast<std::int16_t>(last_id + delta);
      }
      last_id = id;
      ThriftField field;
      field.id = id;
      field.value = std::make_unique<ThriftValue>();
      if (type == 1 || type == 2) {  // bool lives in the type nibble
        field.value->type = ThriftValue::Type::kBool;
        field.value->i = type == 1 ? 1 : 0;
      } else if (!read_value(type, *field.value, depth + 1)) {
        return false;
      }
      out.fields.push_back(std::move(field));
    }
  }

  bool read_value(std::uint8_t type, ThriftValue& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    switch (type) {
      case 1:
      case 2: {  // bool inside a list: one byte
        std::uint8_t b = 0;
        if (!read_byte(b)) return false;
        out.type = ThriftValue::Type::kBool;
        out.i = b == 1 ? 1 : 0;
        return true;
      }
      case 3: {
        std::uint8_t b = 0;
        if (!read_byte(b)) return false;
        out.type = ThriftValue::Type::kInt;
        out.i = static_cast<std::int8_t>(b);
        return true;
      }
      case 4:
      case 5:
      case 6:
        out.type = ThriftValue::Type::kInt;
        return read_zigzag(out.i);
      case 7: {
        if (remaining() < 8) return fail("truncated double");
        out.type = ThriftValue::Type::kDouble;
        std::memcpy(&out.d, data_.data() + pos_, 8);
        pos_ += 8;
        return true;
      }
      case 8: {
        std::uint64_t len;
        if (!read_varint(len)) return false;
        if (len > remaining()) return fail("binary length past the end");
        out.type = ThriftValue::Type::kBinary;
        out.bin.assign(data_.data() + pos_, static_cast<std::size_t>(len));
        pos_ += static_cast<std::size_t>(len);
        return true;
      }
      case 9:
      case 10: {
        std::uint8_t h = 0;
        if (!read_byte(h)) return false;
        std::uint64_t size = h >> 4;
        std::uint8_t elem = h & 0x0f;
        if (size == 15 && !read_varint(size)) return false;
        // Every element takes at least one byte (bools included), so this bounds allocation.
        if (size > remaining()) return fail("list size past the end");
        out.type = ThriftValue::Type::kList;
        out.list.resize(static_cast<std::size_t>(size));
        for (auto& v : out.list) {
          if (elem == 12) {
            if (!read_struct(v, depth + 1)) return false;
          } else if (!read_value(elem, v, depth + 1)) {
            return false;
          }
        }
        return true;
      }
      case 11: {
        std::uint64_t size;
        if (!read_varint(size)) return false;
        out.type = ThriftValue::Type::kMap;
        if (size == 0) return true;
        if (size > remaining()) return fail("map size past the end");
        std::uint8_t kv = 0;
        if (!read_byte(kv)) return false;
        out.list.resize(static_cast<std::size_t>(size) * 2);
        for (std::size_t k = 0; k < out.list.size(); ++k) {
          std::uint8_t t = (k % 2 == 0) ? (kv >> 4) : (kv & 0x0f);
          bool ok =
              t == 12 ? read_struct(out.list[k], depth + 1) : read_value(t, out.list[k], depth + 1);
          if (!ok) return false;
        }
        return true;
      }
      case 12:
        return read_struct(out, depth + 1);
      default:
        return fail("unknown field type " + std::to_string(type));
    }
  }

  std::size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  std::size_t remaining() const { return data_.size() - pos_; }
  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message) + " at byte " + std::to_string(pos_);
    return false;
  }
  bool read_byte(std::uint8_t& b) {
    if (pos_ >= data_.size()) return fail("truncated Thrift data");
    b = static_cast<std::uint8_t>(data_[pos_++]);
    return true;
  }
  bool read_varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b = 0;
      if (!read_byte(b)) return false;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return fail("varint too long");
  }
  bool read_zigzag(std::int64_t& v) {
    std::uint64_t u;
    if (!read_varint(u)) return false;
    v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    return true;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

const ThriftValue* ThriftValue::field(std::int16_t id) const {
  for (const auto& f : fields) {
    if (f.id == id) return f.value.get();
  }
  return nullptr;
}

std::int64_t ThriftValue::int_field(std::int16_t id, std::int64_t fallback) const {
  const ThriftValue* v = field(id);
  if (v == nullptr || (v->type != Type::kInt && v->type != Type::kBool)) return fallback;
  return v->i;
}

Status parse_thrift_struct(std::string_view data, ThriftValue& out, std::size_t& consumed) {
  Decoder decoder(data);
  out = ThriftValue{};
  if (!decoder.read_struct(out, 0)) return malformed(decoder.error());
  consumed = decoder.pos();
  return {};
}

}  // namespace dbk::scorer::parquet
