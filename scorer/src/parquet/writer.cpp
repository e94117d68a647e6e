#include "parquet/writer.hpp"

#include <snappy-c.h>

#include <climits>
#include <cstring>
#include <set>

#include "dbk/api_error.hpp"
#include "parquet/encodings.hpp"
#include "parquet/metadata.hpp"
#include "parquet/thrift_writer.hpp"

namespace dbk::scorer::parquet {

// Physical layout of one top-level column.
struct Layout {
  int physical = kDouble;
  int type_length = 0;         // FIXED_LEN_BYTE_ARRAY decimals
  bool list = false;           // of doubles, or of strings when physical is BYTE_ARRAY
  bool list_of_lists = false;  // LIST<LIST<DOUBLE>>
  int max_def = 1;
  int max_rep = 0;
};

namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

using T = ThriftWriter;

struct ChunkInfo {
  std::int64_t num_values = 0;
  std::int64_t uncompressed = 0;
  std::int64_t compressed = 0;
  std::int64_t data_page_offset = 0;
  std::int64_t null_count = -1;  // flat columns only
};

ApiError invalid(const std::string& name, const std::string& what) {
  return make_error(error_codes::kInvalidData, name + ": " + what);
}

// Bytes a FIXED_LEN_BYTE_ARRAY needs for any unscaled value of `precision` digits.
int decimal_bytes(int precision) {
  UInt128 limit = 1;
  for (int i = 0; i < precision; ++i) limit *= 10;
  int n = 1;
  while (n < 16 && (static_cast<UInt128>(1) << (8 * n - 1)) < limit) ++n;
  return n;
}

Result<Layout> layout_of(const ColumnSource& c, const std::string& name) {
  Layout l;
  switch (c.type) {
    case ColumnType::kBool:
      l.physical = kBoolean;
      break;
    case ColumnType::kInt32:
    case ColumnType::kDate:
      l.physical = kInt32;
      break;
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
      l.physical = kInt64;
      break;
    case ColumnType::kFloat:
      l.physical = kFloat;
      break;
    case ColumnType::kDouble:
      l.physical = kDouble;
      break;
    case ColumnType::kString:
    case ColumnType::kBinary:
      l.physical = kByteArray;
      break;
    case ColumnType::kDecimal:
      if (c.decimal_precision < 1 || c.decimal_precision > 38 || c.decimal_scale < 0 ||
          c.decimal_scale > c.decimal_precision) {
        return invalid(name, "decimal column '" + c.name + "' has precision " +
                                 std::to_string(c.decimal_precision) + " and scale " +
                                 std::to_string(c.decimal_scale) + " (Parquet needs 1-38, 0-p)");
      }
      if (c.decimal_precision <= 9) {
        l.physical = kInt32;
      } else if (c.decimal_precision <= 18) {
        l.physical = kInt64;
      } else {
        l.physical = kFixedLenByteArray;
        l.type_length = decimal_bytes(c.decimal_precision);
      }
      break;
    case ColumnType::kNested:
      l.physical = kDouble;
      l.list = true;
      l.max_def = 2;  // optional group, repeated group; the element is required
      l.max_rep = 1;
      if (c.inner_width > 0) {  // and a required inner list's repeated group
        l.list_of_lists = true;
        l.max_def = 3;
        l.max_rep = 2;
      } else if (c.string_lists != nullptr) {  // array<string>: the element is optional UTF8
        l.physical = kByteArray;
        l.max_def = 3;
      }
      break;
  }
  return l;
}

// Unscaled value of decimal text such as "-12.30" at `scale`; false when it is not a number
// or has more fraction digits than the scale keeps.
bool parse_decimal(const std::string& text, int scale, Int128& out) {
  std::size_t i = 0;
  const bool negative = !text.empty() && (text[0] == '-' || text[0] == '+');
  if (negative) i = 1;
  const bool minus = negative && text[0] == '-';
  UInt128 mag = 0;
  int fraction = -1;  // digits after the point, -1 before it
  int digits = 0;
  for (; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '.' && fraction < 0) {
      fraction = 0;
      continue;
    }
    if (ch < '0' || ch > '9' || ++digits > 38) return false;
    mag = mag * 10 + static_cast<unsigned>(ch - '0');
    if (fraction >= 0) ++fraction;
  }
  if (digits == 0) return false;
  if (fraction < 0) fraction = 0;
  if (fraction > scale) return false;
  for (; fraction < scale; ++fraction) mag *= 10;
  out = minus ? -static_cast<Int128>(mag) : static_cast<Int128>(mag);
  return true;
}

bool fits_precision(Int128 v, int precision) {
  UInt128 limit = 1;
  for (int i = 0; i < precision; ++i) limit *= 10;
  const UInt128 mag = v < 0 ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
  return mag < limit;
}

template <typename V>
void put_le(std::string& out, V v) {
  char buf[sizeof(V)];
  std::memcpy(buf, &v, sizeof(V));  // the targets are little-endian, as PLAIN is
  out.append(buf, sizeof(V));
}

// Levels, values and pages of one column chunk.
class ChunkWriter {
 public:
  ChunkWriter(const ColumnSource& c, const Layout& l, std::size_t page_bytes)
      : c_(c), l_(l), page_bytes_(page_bytes) {}

  Status write_rows(std::size_t begin, std::size_t end, const std::string& name) {
    std::int64_t nulls = 0;
    for (std::size_t r = begin; r < end; ++r) {
      if (!c_.valid[r]) {
        defs_.push_back(0);
        if (l_.list) reps_.push_back(0);
        ++nulls;
      } else if (l_.list) {
        list_row(r);
      } else if (auto st = flat_value(r, name); !st) {
        return st;
      }
      if (values_.size() + bools_.size() / 8 >= page_bytes_) {
        if (auto st = flush_page(name); !st) return st;
      }
    }
    if (auto st = flush_page(name); !st) return st;
    info_.null_count = l_.list ? -1 : nulls;
    return {};
  }

  const std::string& bytes() const { return out_; }
  const ChunkInfo& info() const { return info_; }

 private:
  void string_list_row(std::size_t r) {
    const StringList& list = c_.string_lists[r];
    if (list.empty()) {
      defs_.push_back(1);
      reps_.push_back(0);
      return;
    }
    for (std::size_t k = 0; k < list.size(); ++k) {
      reps_.push_back(k == 0 ? 0 : 1);
      if (!list[k]) {
        defs_.push_back(2);
        continue;
      }
      defs_.push_back(3);
      put_le(values_, static_cast<std::int32_t>(list[k]->size()));
      values_ += *list[k];
    }
  }

  void list_row(std::size_t r) {
    if (c_.string_lists != nullptr) return string_list_row(r);
    const std::size_t from = c_.offsets ? c_.offsets[r] : r * c_.width;
    const std::size_t to = c_.offsets ? c_.offsets[r + 1] : from + c_.width;
    if (from == to) {  // an empty list, not a null one
      defs_.push_back(1);
      reps_.push_back(0);
      return;
    }
    if (l_.list_of_lists) {
      // Repetition 0 starts the row, 1 a new inner list, 2 continues one.
      for (std::size_t k = from; k < to; ++k) {
        defs_.push_back(3);
        reps_.push_back(k == from ? 0 : (k - from) % c_.inner_width == 0 ? 1 : 2);
        put_le(values_, c_.doubles[k]);
      }
      return;
    }
    for (std::size_t k = from; k < to; ++k) {
      defs_.push_back(2);
      reps_.push_back(k == from ? 0 : 1);
      put_le(values_, c_.doubles[k]);
    }
  }

  Status flat_value(std::size_t r, const std::string& name) {
    defs_.push_back(1);
    switch (c_.type) {
      case ColumnType::kBool:
        bools_.push_back(c_.ints[r] != 0);
        break;
      case ColumnType::kInt32:
      case ColumnType::kDate:
        put_le(values_, static_cast<std::int32_t>(c_.ints[r]));
        break;
      case ColumnType::kInt64:
      case ColumnType::kTimestamp:
        put_le(values_, c_.ints[r]);
        break;
      case ColumnType::kFloat:
        put_le(values_, static_cast<float>(c_.doubles[r]));
        break;
      case ColumnType::kDouble:
        put_le(values_, c_.doubles[r]);
        break;
      case ColumnType::kString:
      case ColumnType::kBinary: {
        const std::string& s = c_.strings[r];
        if (s.size() > static_cast<std::size_t>(INT32_MAX)) {
          return invalid(name, "a value of column '" + c_.name + "' is over 2 GiB");
        }
        put_le(values_, static_cast<std::int32_t>(s.size()));
        values_ += s;
        break;
      }
      case ColumnType::kDecimal:
        return decimal_value(r, name);
      case ColumnType::kNested:
        break;
    }
    return {};
  }

  Status decimal_value(std::size_t r, const std::string& name) {
    Int128 v = 0;
    if (!parse_decimal(c_.strings[r], c_.decimal_scale, v) ||
        !fits_precision(v, c_.decimal_precision)) {
      return invalid(name, "'" + c_.strings[r] + "' in column '" + c_.name + "' is not a decimal(" +
                               std::to_string(c_.decimal_precision) + "," +
                               std::to_string(c_.decimal_scale) + ")");
    }
    if (l_.physical == kInt32) {
      put_le(values_, static_cast<std::int32_t>(v));
    } else if (l_.physical == kInt64) {
      put_le(values_, static_cast<std::int64_t>(v));
    } else {  // big-endian two's complement
      const auto u = static_cast<UInt128>(v);
      for (int k = l_.type_length - 1; k >= 0; --k) {
        values_ += static_cast<char>(static_cast<unsigned char>(u >> (8 * k)));
      }
    }
    return {};
  }

  static void append_levels(std::string& body, const std::vector<std::int32_t>& levels,
                            int max_level) {
    std::string encoded;
    encode_rle_hybrid(levels, bit_width_of(max_level), encoded);
    put_le(body, static_cast<std::uint32_t>(encoded.size()));  // v1 pages prefix the length
    body += encoded;
  }

  Status flush_page(const std::string& name) {
    if (defs_.empty()) return {};
    std::string body;
    if (l_.max_rep > 0) append_levels(body, reps_, l_.max_rep);
    append_levels(body, defs_, l_.max_def);
    for (std::size_t i = 0; i < bools_.size(); i += 8) {  // PLAIN booleans: LSB-first bits
      unsigned char byte = 0;
      for (std::size_t k = 0; k < 8 && i + k < bools_.size(); ++k) {
        byte = static_cast<unsigned char>(byte | (bools_[i + k] << k));
      }
      body += static_cast<char>(byte);
    }
    body += values_;
    std::string compressed(snappy_max_compressed_length(body.size()), '\0');
    std::size_t compressed_size = compressed.size();
    if (snappy_compress(body.data(), body.size(), compressed.data(), &compressed_size) !=
        SNAPPY_OK) {
      return make_error(error_codes::kInvalidData, name + ": Snappy compression failed");
    }
    compressed.resize(compressed_size);
    if (body.size() > static_cast<std::size_t>(INT32_MAX) ||
        compressed.size() > static_cast<std::size_t>(INT32_MAX)) {
      return invalid(name, "a page of column '" + c_.name + "' is over 2 GiB");
    }
    ThriftWriter header;
    header.begin_struct();
    header.field_i32(1, kDataPage);
    header.field_i32(2, static_cast<std::int32_t>(body.size()));
    header.field_i32(3, static_cast<std::int32_t>(compressed.size()));
    header.field_struct(5);
    header.field_i32(1, static_cast<std::int32_t>(defs_.size()));
    header.field_i32(2, kPlain);
    header.field_i32(3, kRle);
    header.field_i32(4, kRle);
    header.end_struct();
    header.end_struct();
    info_.num_values += static_cast<std::int64_t>(defs_.size());
    info_.uncompressed += static_cast<std::int64_t>(header.bytes().size() + body.size());
    info_.compressed += static_cast<std::int64_t>(header.bytes().size() + compressed.size());
    out_ += header.bytes();
    out_ += compressed;
    defs_.clear();
    reps_.clear();
    bools_.clear();
    values_.clear();
    return {};
  }

  const ColumnSource& c_;
  const Layout& l_;
  std::size_t page_bytes_;
  std::vector<std::int32_t> defs_;
  std::vector<std::int32_t> reps_;
  std::vector<std::uint8_t> bools_;
  std::string values_;
  std::string out_;
  ChunkInfo info_;
};

// A LIST-annotated group named `name` and its repeated `list` group (the three-level layout).
void list_group(ThriftWriter& t, int repetition, const std::string& name) {
  t.begin_struct();
  t.field_i32(3, repetition);
  t.field_binary(4, name);
  t.field_i32(5, 1);
  t.field_i32(6, kList);
  t.field_struct(10);
  t.field_empty_struct(3);  // LogicalType.LIST
  t.end_struct();
  t.end_struct();
  t.begin_struct();
  t.field_i32(3, kRepeated);
  t.field_binary(4, "list");
  t.field_i32(5, 1);
  t.end_struct();
}

void write_schema(ThriftWriter& t, const std::vector<ColumnSource>& columns,
                  const std::vector<Layout>& layouts) {
  std::size_t elements = 1;
  for (const auto& l : layouts) elements += l.list_of_lists ? 5 : l.list ? 3 : 1;
  t.field_list(2, T::kStruct, elements);
  t.begin_struct();
  t.field_binary(4, "schema");
  t.field_i32(5, static_cast<std::int32_t>(columns.size()));
  t.end_struct();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnSource& c = columns[i];
    const Layout& l = layouts[i];
    if (l.list) {
      list_group(t, kOptional, c.name);
      if (l.list_of_lists) list_group(t, kRequired, "element");  // each element a LIST
      t.begin_struct();
      if (l.physical == kByteArray) {
        t.field_i32(1, kByteArray);
        t.field_i32(3, kOptional);
        t.field_binary(4, "element");
        t.field_i32(6, kUtf8);
        t.field_struct(10);
        t.field_empty_struct(1);  // LogicalType.STRING
        t.end_struct();
      } else {
        t.field_i32(1, kDouble);
        t.field_i32(3, kRequired);
        t.field_binary(4, "element");
      }
      t.end_struct();
      continue;
    }
    t.begin_struct();
    t.field_i32(1, l.physical);
    if (l.type_length > 0) t.field_i32(2, l.type_length);
    t.field_i32(3, kOptional);
    t.field_binary(4, c.name);
    switch (c.type) {
      case ColumnType::kString:
        t.field_i32(6, kUtf8);
        t.field_struct(10);
        t.field_empty_struct(1);  // LogicalType.STRING
        t.end_struct();
        break;
      case ColumnType::kDate:
        t.field_i32(6, kDate);
        t.field_struct(10);
        t.field_empty_struct(6);  // LogicalType.DATE
        t.end_struct();
        break;
      case ColumnType::kTimestamp:
        t.field_i32(6, kTimestampMicros);
        t.field_struct(10);
        t.field_struct(8);      // LogicalType.TIMESTAMP
        t.field_bool(1, true);  // isAdjustedToUTC: the table holds instants
        t.field_struct(2);
        t.field_empty_struct(2);  // TimeUnit.MICROS
        t.end_struct();
        t.end_struct();
        t.end_struct();
        break;
      case ColumnType::kDecimal:
        t.field_i32(6, kDecimal);
        t.field_i32(7, c.decimal_scale);
        t.field_i32(8, c.decimal_precision);
        t.field_struct(10);
        t.field_struct(5);  // LogicalType.DECIMAL
        t.field_i32(1, c.decimal_scale);
        t.field_i32(2, c.decimal_precision);
        t.end_struct();
        t.end_struct();
        break;
      default:
        break;
    }
    t.end_struct();
  }
}

void write_column_meta(ThriftWriter& t, const ColumnSource& c, const Layout& l,
                       const ChunkInfo& info) {
  t.field_struct(3);
  t.field_i32(1, l.physical);
  t.field_list(2, T::kI32, 2);
  t.i32(kPlain);
  t.i32(kRle);
  if (l.list_of_lists) {
    t.field_list(3, T::kBinary, 5);
    t.binary(c.name);
    for (const char* part : {"list", "element", "list", "element"}) t.binary(part);
  } else if (l.list) {
    t.field_list(3, T::kBinary, 3);
    t.binary(c.name);
    t.binary("list");
    t.binary("element");
  } else {
    t.field_list(3, T::kBinary, 1);
    t.binary(c.name);
  }
  t.field_i32(4, kSnappy);
  t.field_i64(5, info.num_values);
  t.field_i64(6, info.uncompressed);
  t.field_i64(7, info.compressed);
  t.field_i64(9, info.data_page_offset);
  if (info.null_count >= 0) {
    t.field_struct(12);  // Statistics: the null count only
    t.field_i64(3, info.null_count);
    t.end_struct();
  }
  t.end_struct();
}

}  // namespace

void encode_rle_hybrid(const std::vector<std::int32_t>& values, int bit_width, std::string& out) {
  const std::size_t n = values.size();
  const int value_bytes = (bit_width + 7) / 8;
  auto varint = [&out](std::uint64_t v) {
    for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7f) | 0x80);
    out += static_cast<char>(v);
  };
  auto run_at = [&](std::size_t i) {
    std::size_t j = i;
    while (j < n && values[j] == values[i]) ++j;
    return j - i;
  };
  std::size_t i = 0;
  while (i < n) {
    const std::size_t run = run_at(i);
    if (run >= 8) {  // long runs (the usual case: no nulls) become RLE runs
      varint(static_cast<std::uint64_t>(run) << 1);
      for (int b = 0; b < value_bytes; ++b) out += static_cast<char>(values[i] >> (8 * b));
      i += run;
      continue;
    }
    // Groups of 8 bit-packed values until the next long run; the last group is zero-padded.
    const std::size_t start = i;
    std::size_t groups = 0;
    while (i < n && (groups == 0 || run_at(i) < 8)) {
      i += 8;
      ++groups;
    }
    varint((static_cast<std::uint64_t>(groups) << 1) | 1);
    std::uint64_t acc = 0;
    int bits = 0;
    for (std::size_t k = start; k < start + groups * 8; ++k) {
      acc |= static_cast<std::uint64_t>(k < n ? values[k] : 0) << bits;
      bits += bit_width;
      while (bits >= 8) {
        out += static_cast<char>(acc & 0xff);
        acc >>= 8;
        bits -= 8;
      }
    }
    i = std::min(i, n);
  }
}

struct FileWriter::Group {
  std::vector<ChunkInfo> chunks;
  std::int64_t uncompressed = 0;
  std::int64_t rows = 0;
  std::int64_t offset = 0;
  std::int64_t size = 0;
};

FileWriter::FileWriter() = default;
FileWriter::FileWriter(FileWriter&&) noexcept = default;
FileWriter& FileWriter::operator=(FileWriter&&) noexcept = default;
FileWriter::~FileWriter() = default;

Result<FileWriter> FileWriter::make(const std::vector<ColumnSource>& columns,
                                    const std::string& name, const ParquetWriteOptions& options) {
  FileWriter w;
  std::set<std::string> names;
  for (const auto& c : columns) {
    if (!names.insert(c.name).second) {
      return make_error(dbk::error_codes::kInvalidArgument,
                        name + ": column '" + c.name + "' appears twice");
    }
    auto l = layout_of(c, name);
    if (!l) return std::move(l).error();
    w.layouts_.push_back(*l);
    ColumnSource schema_only;
    schema_only.name = c.name;
    schema_only.type = c.type;
    schema_only.decimal_precision = c.decimal_precision;
    schema_only.decimal_scale = c.decimal_scale;
    schema_only.inner_width = c.inner_width;
    w.schema_.push_back(std::move(schema_only));
  }
  w.name_ = name;
  w.options_ = options;
  return w;
}

Result<std::string> FileWriter::add_rows(const std::vector<ColumnSource>& columns,
                                         std::size_t num_rows) {
  if (columns.size() != schema_.size()) {
    return make_error(dbk::error_codes::kInvalidArgument,
                      name_ + ": " + std::to_string(columns.size()) + " columns, the file has " +
                          std::to_string(schema_.size()));
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const bool strings = layouts_[i].list && layouts_[i].physical == kByteArray;
    if (columns[i].name != schema_[i].name || columns[i].type != schema_[i].type ||
        columns[i].inner_width != schema_[i].inner_width ||
        (columns[i].string_lists != nullptr) != strings) {
      return make_error(dbk::error_codes::kInvalidArgument,
                        name_ + ": column " + std::to_string(i) + " is '" + columns[i].name +
                            "', the file's is '" + schema_[i].name + "'");
    }
  }
  const std::size_t group_rows = std::max<std::size_t>(options_.row_group_rows, 1);
  const std::size_t page_bytes = std::max<std::size_t>(options_.page_bytes, 1);
  std::string out;
  for (std::size_t begin = 0; begin < num_rows; begin += group_rows) {
    const std::size_t end = std::min(num_rows, begin + group_rows);
    Group group;
    group.offset = static_cast<std::int64_t>(written_ + out.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
      ChunkWriter chunk(columns[i], layouts_[i], page_bytes);
      if (auto st = chunk.write_rows(begin, end, name_); !st) return st.error();
      ChunkInfo info = chunk.info();
      info.data_page_offset = static_cast<std::int64_t>(written_ + out.size());
      group.uncompressed += info.uncompressed;
      out += chunk.bytes();
      group.chunks.push_back(info);
    }
    group.rows = static_cast<std::int64_t>(end - begin);
    group.size = static_cast<std::int64_t>(written_ + out.size()) - group.offset;
    groups_.push_back(std::move(group));
    rows_ += end - begin;
  }
  written_ += out.size();
  return out;
}

std::string FileWriter::finish() {
  ThriftWriter footer;
  footer.begin_struct();
  footer.field_i32(1, 1);
  write_schema(footer, schema_, layouts_);
  footer.field_i64(3, static_cast<std::int64_t>(rows_));
  footer.field_list(4, T::kStruct, groups_.size());
  for (const auto& group : groups_) {
    footer.begin_struct();  // RowGroup
    footer.field_list(1, T::kStruct, schema_.size());
    for (std::size_t i = 0; i < schema_.size(); ++i) {
      footer.begin_struct();  // ColumnChunk
      footer.field_i64(2, group.chunks[i].data_page_offset);
      write_column_meta(footer, schema_[i], layouts_[i], group.chunks[i]);
      footer.end_struct();
    }
    footer.field_i64(2, group.uncompressed);
    footer.field_i64(3, group.rows);
    footer.field_i64(5, group.offset);
    footer.field_i64(6, group.size);
    footer.end_struct();
  }
  footer.field_binary(6, "dbk scorer");
  footer.end_struct();
  std::string out = footer.bytes();
  put_le(out, static_cast<std::uint32_t>(footer.bytes().size()));
  out += "PAR1";
  written_ += out.size();
  return out;
}

Result<std::string> write_parquet(const std::vector<ColumnSource>& columns, std::size_t num_rows,
                                  const std::string& name, const ParquetWriteOptions& options) {
  auto writer = FileWriter::make(columns, name, options);
  if (!writer) return std::move(writer).error();
  std::string file = FileWriter::kMagic;
  auto rows = writer->add_rows(columns, num_rows);
  if (!rows) return std::move(rows).error();
  file += *rows;
  file += writer->finish();
  return file;
}

}  // namespace dbk::scorer::parquet
