#include "parquet/assemble.hpp"

#include <cmath>
#include <cstring>

#include "dbk/internal/text.hpp"
#include "parquet/errors.hpp"

namespace dbk::scorer::parquet {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

using Kind = Value::Kind;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Unscaled decimal from big-endian two's complement bytes (FIXED_LEN_BYTE_ARRAY / BYTE_ARRAY).
bool decimal_from_bytes(const std::string& b, Int128& out) {
  if (b.empty() || b.size() > 16) return false;
  UInt128 v = (static_cast<unsigned char>(b[0]) & 0x80) ? ~static_cast<UInt128>(0) : 0;
  for (unsigned char c : b) v = (v << 8) | c;
  out = static_cast<Int128>(v);
  return true;
}

std::string decimal_text(Int128 unscaled, int scale) {
  bool negative = unscaled < 0;
  UInt128 mag = negative ? -static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale)) {
      digits.insert(0, static_cast<std::size_t>(scale) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<std::size_t>(scale), ".");
  } else if (scale < 0) {
    digits.append(static_cast<std::size_t>(-scale), '0');
  }
  return negative ? "-" + digits : digits;
}

double decimal_double(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}

// Reads one raw value of a leaf as a nested Value.
Value raw_to_value(const SchemaNode& leaf, const RawValues& raw, std::size_t index) {
  Value v;
  switch (leaf.physical) {
    case kBoolean:
      v.kind = Kind::kBool;
      v.i = raw.ints[index];
      break;
    case kFloat:
    case kDouble:
      v.kind = Kind::kDouble;
      v.d = raw.dbls[index];
      break;
    case kByteArray:
    case kFixedLenByteArray:
      if (leaf.logical == Logical::kDecimal) {
        Int128 u = 0;
        v.kind = Kind::kDouble;
        v.d = decimal_from_bytes(raw.strs[index], u) ? decimal_double(decimal_text(u, leaf.scale))
                                                     : std::nan("");
      } else {
        v.kind = leaf.logical == Logical::kString ? Kind::kString : Kind::kBinary;
        v.s = raw.strs[index];
      }
      break;
    default: {
      std::int64_t x = raw.ints[index];
      if (leaf.logical == Logical::kDecimal) {
        v.kind = Kind::kDouble;
        v.d = decimal_double(decimal_text(x, leaf.scale));
        break;
      }
      if (leaf.logical == Logical::kTimestampMillis) x *= 1000;
      if (leaf.logical == Logical::kTimestampNanos) x = floor_div(x, 1000);
      if (leaf.physical == kInt32 && leaf.logical == Logical::kUnsigned) {
        x = static_cast<std::int64_t>(static_cast<std::uint32_t>(x));
      }
      v.kind = Kind::kInt;
      v.i = x;
      break;
    }
  }
  return v;
}

// -- per-leaf trees -------------------------------------------------------------------------
// A leaf's tree mirrors its path: repeated levels are kList, present groups are a kStruct
// holding one item (the next level on this leaf's path), absent optional levels are kNull.

Status build_leaf_rows(const std::vector<const SchemaNode*>& path, const LeafData& data,
                       std::size_t rows, std::vector<Value>& out) {
  const SchemaNode& leaf = *path.back();
  out.assign(rows, Value{});
  std::size_t row = 0;
  bool started = false;
  std::size_t value_index = 0;
  const std::size_t value_count = data.values.size(leaf.physical);
  for (std::size_t k = 0; k < data.num_entries; ++k) {
    int r = data.rep.empty() ? 0 : data.rep[k];
    int d = data.def.empty() ? leaf.max_def : data.def[k];
    if (r == 0) {
      if (started) ++row;
      started = true;
      if (row >= rows) {
        return malformed("column '" + leaf.name + "' holds more rows than its row group");
      }
    }
    Value* slot = &out[row];
    int def_i = 0;
    int rep_i = 0;
    for (const SchemaNode* node : path) {
      if (node->repetition == kRepeated) {
        ++def_i;
        ++rep_i;
        if (r < rep_i) {
          slot->kind = Kind::kList;
          slot->items.clear();
          if (d < def_i) break;
          slot->items.emplace_back();
          slot = &slot->items.back();
        } else if (r == rep_i) {
          if (slot->kind != Kind::kList || d < def_i) {
            return malformed("inconsistent repetition levels in column '" + leaf.name + "'");
          }
          slot->items.emplace_back();
          slot = &slot->items.back();
        } else {
          if (slot->kind != Kind::kList || slot->items.empty()) {
            return malformed("repetition level continues a missing list in column '" + leaf.name +
                             "'");
          }
          slot = &slot->items.back();
          if (node->is_leaf || slot->kind != Kind::kStruct || slot->items.size() != 1) {
            return malformed("repetition level continues a missing element in column '" +
                             leaf.name + "'");
          }
          slot = &slot->items[0];
          continue;
        }
      } else {
        if (node->repetition == kOptional) ++def_i;
        if (r > rep_i) {  // the repeating level lies deeper: this level already exists
          if (slot->kind != Kind::kStruct || slot->items.size() != 1) {
            return malformed("repetition level continues a missing group in column '" + leaf.name +
                             "'");
          }
          slot = &slot->items[0];
          continue;
        }
        if (d < def_i) {
          slot->kind = Kind::kNull;
          break;
        }
      }
      if (node->is_leaf) {
        if (value_index >= value_count) {
          return malformed("column '" + leaf.name +
                           "' has fewer values than its definition levels");
        }
        *slot = raw_to_value(leaf, data.values, value_index++);
        break;
      }
      slot->kind = Kind::kStruct;
      slot->items.resize(1);
      slot = &slot->items[0];
    }
  }
  if (data.num_entries > 0 && row + 1 != rows) {
    return malformed("column '" + leaf.name + "' holds " + std::to_string(row + 1) +
                     " rows, its row group " + std::to_string(rows));
  }
  if (data.num_entries == 0 && rows != 0) {
    return malformed("column '" + leaf.name + "' is empty in a non-empty row group");
  }
  return {};
}

std::size_t leaf_count(const SchemaNode& node) {
  if (node.is_leaf) return 1;
  std::size_t n = 0;
  for (const auto& c : node.children) n += leaf_count(*c);
  return n;
}

using internal::ends_with;

class Merger {
 public:
  std::string error;

  Value merge(const SchemaNode& node, const std::vector<Value*>& parts) {
    if (node.repetition == kRepeated) {
      for (Value* p : parts) {
        if (p->kind != Kind::kList || p->items.size() != parts[0]->items.size()) {
          fail("lists of '" + node.name + "' disagree between its leaf columns");
          return Value{};
        }
      }
      Value list;
      list.kind = Kind::kList;
      const std::size_t n = parts[0]->items.size();
      list.items.reserve(n);
      std::vector<Value*> sub(parts.size());
      for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t l = 0; l < parts.size(); ++l) sub[l] = &parts[l]->items[j];
        list.items.push_back(content(node, sub));
      }
      return list;
    }
    if (parts[0]->kind == Kind::kNull) return Value{};
    return content(node, parts);
  }

 private:
  void fail(std::string message) {
    if (error.empty()) error = std::move(message);
  }

  Value content(const SchemaNode& node, const std::vector<Value*>& parts) {
    if (node.is_leaf) return std::move(*parts[0]);
    if (node.children.empty()) {
      Value empty;
      empty.kind = Kind::kStruct;
      return empty;
    }
    for (Value* p : parts) {
      if (p->kind != Kind::kStruct || p->items.size() != 1) {
        fail("group '" + node.name + "' is defined in some leaf columns only");
        return Value{};
      }
    }
    Value st;
    st.kind = Kind::kStruct;
    std::size_t offset = 0;
    for (const auto& child : node.children) {
      std::size_t k = leaf_count(*child);
      if (k == 0) continue;
      std::vector<Value*> sub(k);
      for (std::size_t l = 0; l < k; ++l) sub[l] = &parts[offset + l]->items[0];
      st.names.push_back(child->name);
      st.items.push_back(merge(*child, sub));
      offset += k;
    }
    if (node.children.size() == 1 && node.children[0]->repetition == kRepeated &&
        st.items.size() == 1) {
      const SchemaNode& rep = *node.children[0];
      if (node.logical == Logical::kList) {
        // docs/reference/spark-models.md §4.8 backward-compatibility rule: the repeated child is
        // the element unless it is a group with one field that is not named `array` or
        // `<name>_tuple`.
        Value list = std::move(st.items[0]);
        bool unwrap = !rep.is_leaf && rep.children.size() == 1 && rep.name != "array" &&
                      !ends_with(rep.name, "_tuple");
        if (unwrap) {
          for (auto& e : list.items) {
            if (e.kind == Kind::kStruct && e.items.size() == 1) {
              Value inner = std::move(e.items[0]);
              e = std::move(inner);
            }
          }
        }
        return list;
      }
      if ((node.logical == Logical::kMap || rep.map_key_value) && !rep.is_leaf &&
          rep.children.size() == 2) {
        Value map;
        map.kind = Kind::kMap;
        for (auto& e : st.items[0].items) {
          if (e.kind != Kind::kStruct || e.items.size() != 2) continue;
          map.items.push_back(std::move(e.items[0]));
          map.items.push_back(std::move(e.items[1]));
        }
        return map;
      }
    }
    return st;
  }
};

void collect_paths(const SchemaNode& node, std::vector<const SchemaNode*>& prefix,
                   std::vector<std::vector<const SchemaNode*>>& out) {
  prefix.push_back(&node);
  if (node.is_leaf) {
    out.push_back(prefix);
  } else {
    for (const auto& c : node.children) collect_paths(*c, prefix, out);
  }
  prefix.pop_back();
}

}  // namespace

ColumnType column_type_of(const SchemaNode& field) {
  if (!field.is_leaf || field.repetition == kRepeated) return ColumnType::kNested;
  if (field.logical == Logical::kDecimal) return ColumnType::kDecimal;
  switch (field.physical) {
    case kBoolean:
      return ColumnType::kBool;
    case kInt32:
      if (field.logical == Logical::kDate) return ColumnType::kDate;
      if (field.logical == Logical::kUnsigned) return ColumnType::kInt64;
      return ColumnType::kInt32;
    case kInt64:
      if (field.logical == Logical::kTimestampMillis ||
          field.logical == Logical::kTimestampMicros || field.logical == Logical::kTimestampNanos) {
        return ColumnType::kTimestamp;
      }
      return ColumnType::kInt64;
    case kInt96:
      return ColumnType::kTimestamp;
    case kFloat:
      return ColumnType::kFloat;
    case kDouble:
      return ColumnType::kDouble;
    case kByteArray:
      return field.logical == Logical::kString ? ColumnType::kString : ColumnType::kBinary;
    default:
      return ColumnType::kBinary;
  }
}

Status append_flat(const SchemaNode& leaf, LeafData& data, std::size_t rows, Column& out) {
  if (data.num_entries != rows) {
    return malformed("column '" + leaf.name + "' holds " + std::to_string(data.num_entries) +
                     " values, its row group " + std::to_string(rows));
  }
  const std::size_t base = out.valid.size();
  const std::size_t count = data.values.size(leaf.physical);
  std::size_t expected = rows;
  if (!data.def.empty()) {
    expected = 0;
    for (auto d : data.def) expected += d == leaf.max_def ? 1 : 0;
  }
  if (count != expected) {
    return malformed("column '" + leaf.name + "' has " + std::to_string(count) + " values for " +
                     std::to_string(expected) + " non-null rows");
  }
  out.valid.resize(base + rows, 1);
  if (!data.def.empty()) {
    for (std::size_t r = 0; r < rows; ++r) out.valid[base + r] = data.def[r] == leaf.max_def;
  }
  const bool dense = data.def.empty();
  auto spread = [&](auto& dst, auto& src, auto fill) {
    if (dense) {
      dst.insert(dst.end(), std::make_move_iterator(src.begin()),
                 std::make_move_iterator(src.end()));
      return;
    }
    dst.resize(base + rows, fill);
    std::size_t v = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      if (out.valid[base + r]) dst[base + r] = std::move(src[v++]);
    }
  };
  switch (out.type) {
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      spread(out.doubles, data.values.dbls, 0.0);
      break;
    case ColumnType::kString:
    case ColumnType::kBinary:
      spread(out.strings, data.values.strs, std::string());
      break;
    case ColumnType::kDecimal: {
      out.doubles.resize(base + rows, 0.0);
      out.strings.resize(base + rows);
      std::size_t v = 0;
      for (std::size_t r = 0; r < rows; ++r) {
        if (!out.valid[base + r]) continue;
        Int128 u = 0;
        if (leaf.physical == kInt32 || leaf.physical == kInt64) {
          u = data.values.ints[v];
        } else if (!decimal_from_bytes(data.values.strs[v], u)) {
          return malformed("decimal column '" + leaf.name + "' holds a value wider than 16 bytes");
        }
        ++v;
        out.strings[base + r] = decimal_text(u, leaf.scale);
        out.doubles[base + r] = decimal_double(out.strings[base + r]);
      }
      break;
    }
    default: {
      auto& ints = data.values.ints;
      if (leaf.logical == Logical::kTimestampMillis) {
        for (auto& x : ints) {
          if (__builtin_mul_overflow(x, 1000, &x)) {
            return malformed("timestamp column '" + leaf.name + "' holds a value out of range");
          }
        }
      } else if (leaf.logical == Logical::kTimestampNanos) {
        for (auto& x : ints) x = floor_div(x, 1000);
      } else if (leaf.physical == kInt32 && leaf.logical == Logical::kUnsigned) {
        for (auto& x : ints) x = static_cast<std::int64_t>(static_cast<std::uint32_t>(x));
      }
      spread(out.ints, ints, std::int64_t{0});
      break;
    }
  }
  return {};
}

Status append_nested(const SchemaNode& field, std::vector<LeafData>& leaves, std::size_t rows,
                     Column& out) {
  std::vector<std::vector<const SchemaNode*>> paths;
  std::vector<const SchemaNode*> prefix;
  collect_paths(field, prefix, paths);
  if (paths.size() != leaves.size()) {
    return malformed("internal: leaf count mismatch for '" + field.name + "'");
  }
  std::vector<std::vector<Value>> per_leaf(leaves.size());
  for (std::size_t l = 0; l < leaves.size(); ++l) {
    if (auto built = build_leaf_rows(paths[l], leaves[l], rows, per_leaf[l]); !built) return built;
    LeafData().values.ints.swap(leaves[l].values.ints);  // free memory early
  }
  Merger merger;
  std::vector<Value*> parts(leaves.size());
  out.valid.reserve(out.valid.size() + rows);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t l = 0; l < leaves.size(); ++l) parts[l] = &per_leaf[l][r];
    Value v = merger.merge(field, parts);
    if (!merger.error.empty()) return malformed(merger.error);
    out.valid.push_back(v.kind != Kind::kNull);
    out.nested.push_back(std::move(v));
  }
  return {};
}

}  // namespace dbk::scorer::parquet
