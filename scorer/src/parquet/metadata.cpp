#include "parquet/metadata.hpp"

#include "parquet/errors.hpp"
#include "parquet/thrift_compact.hpp"

namespace dbk::scorer::parquet {
namespace {

using Type = ThriftValue::Type;

const std::vector<ThriftValue>* list_field(const ThriftValue& v, std::int16_t id) {
  const ThriftValue* f = v.field(id);
  if (f == nullptr || f->type != Type::kList) return nullptr;
  return &f->list;
}

std::string string_field(const ThriftValue& v, std::int16_t id) {
  const ThriftValue* f = v.field(id);
  return (f != nullptr && f->type == Type::kBinary) ? f->bin : std::string();
}

Logical logical_of(const ThriftValue& element, int& scale, int& precision) {
  // LogicalType (field 10) is a union; prefer it over ConvertedType (field 6).
  if (const ThriftValue* lt = element.field(10);
      lt != nullptr && lt->type == Type::kStruct && !lt->fields.empty()) {
    const ThriftField& member = lt->fields.front();
    const ThriftValue& body = *member.value;
    switch (member.id) {
      case 1:
        return Logical::kString;
      case 2:
        return Logical::kMap;
      case 3:
        return Logical::kList;
      case 4:
        return Logical::kString;  // ENUM
      case 5:
        scale = static_cast<int>(body.int_field(1, 0));
        precision = static_cast<int>(body.int_field(2, 0));
        return Logical::kDecimal;
      case 6:
        return Logical::kDate;
      case 8: {
        const ThriftValue* unit = body.field(2);
        if (unit != nullptr && unit->type == Type::kStruct && !unit->fields.empty()) {
          switch (unit->fields.front().id) {
            case 1:
              return Logical::kTimestampMillis;
            case 2:
              return Logical::kTimestampMicros;
            case 3:
              return Logical::kTimestampNanos;
            default:
              break;
          }
        }
        return Logical::kOther;
      }
      case 10:
        return body.int_field(2, 1) == 0 ? Logical::kUnsigned : Logical::kNone;
      case 12:
        return Logical::kString;  // JSON
      default:
        break;
    }
  }
  switch (element.int_field(6, -1)) {
    case kUtf8:
    case kEnum:
    case kJson:
      return Logical::kString;
    case kMap:
      return Logical::kMap;
    case kList:
      return Logical::kList;
    case kDecimal:
      scale = static_cast<int>(element.int_field(7, 0));
      precision = static_cast<int>(element.int_field(8, 0));
      return Logical::kDecimal;
    case kDate:
      return Logical::kDate;
    case kTimestampMillis:
      return Logical::kTimestampMillis;
    case kTimestampMicros:
      return Logical::kTimestampMicros;
    case kUint8:
    case kUint16:
    case kUint32:
    case kUint64:
      return Logical::kUnsigned;
    default:
      return Logical::kNone;
  }
}

// Builds the schema tree from the depth-first flattened list.
Status build_schema(const std::vector<ThriftValue>& elements, std::size_t& pos, SchemaNode& node,
                    int depth) {
  if (depth > 64) {
    return malformed("schema nested too deeply");
  }
  if (pos >= elements.size()) {  // a group's children run past the schema list (fuzz-found)
    return malformed("schema ends inside a group");
  }
  const ThriftValue& e = elements[pos++];
  node.name = string_field(e, 4);
  // Range-check the raw value before it becomes an enum: a corrupt file may hold anything.
  const auto repetition = e.int_field(3, kRequired);
  if (repetition < kRequired || repetition > kRepeated) {
    return malformed("bad repetition type in schema element '" + node.name + "'");
  }
  node.repetition = static_cast<Repetition>(repetition);
  node.logical = logical_of(e, node.scale, node.precision);
  node.map_key_value = e.int_field(6, -1) == kMapKeyValue;
  std::int64_t num_children = e.int_field(5, -1);
  if (num_children < 0 || (num_children == 0 && e.has(1))) {
    node.is_leaf = true;
    node.physical = static_cast<int>(e.int_field(1, -1));
    node.type_length = static_cast<int>(e.int_field(2, 0));
    if (node.physical < kBoolean || node.physical > kFixedLenByteArray) {
      return malformed("schema leaf '" + node.name + "' has no valid physical type");
    }
    if (node.physical == kFixedLenByteArray &&
        (node.type_length <= 0 || node.type_length > (1 << 20))) {
      return malformed("schema leaf '" + node.name + "' has a bad fixed length");
    }
    return {};
  }
  if (static_cast<std::size_t>(num_children) > elements.size() - pos) {
    return malformed("schema element '" + node.name +
                     "' claims more children than the schema holds");
  }
  for (std::int64_t c = 0; c < num_children; ++c) {
    auto child = std::make_unique<SchemaNode>();
    if (auto built = build_schema(elements, pos, *child, depth + 1); !built) return built;
    node.children.push_back(std::move(child));
  }
  return {};
}

void assign_levels(SchemaNode& node, int def, int rep, std::vector<const SchemaNode*>& leaves) {
  for (auto& child : node.children) {
    int d = def + (child->repetition != kRequired ? 1 : 0);
    int r = rep + (child->repetition == kRepeated ? 1 : 0);
    if (child->is_leaf) {
      child->max_def = d;
      child->max_rep = r;
      child->leaf_index = static_cast<int>(leaves.size());
      leaves.push_back(child.get());
    } else {
      assign_levels(*child, d, r, leaves);
    }
  }
}

}  // namespace

Status parse_file_meta(std::string_view footer, FileMeta& out) {
  ThriftValue meta;
  std::size_t consumed = 0;
  if (auto parsed = parse_thrift_struct(footer, meta, consumed); !parsed) {
    return within("bad footer metadata: ", std::move(parsed).error());
  }
  out.num_rows = meta.int_field(3, 0);
  out.created_by = string_field(meta, 6);
  if (const auto* kvs = list_field(meta, 5)) {
    for (const auto& kv : *kvs)
      out.key_value.emplace_back(string_field(kv, 1), string_field(kv, 2));
  }
  const auto* schema = list_field(meta, 2);
  if (schema == nullptr || schema->empty()) {
    return malformed("footer has no schema");
  }
  for (const auto& e : *schema) {
    if (e.type != Type::kStruct) {
      return malformed("schema element is not a struct");
    }
  }
  out.root = std::make_unique<SchemaNode>();
  std::size_t pos = 0;
  if (auto built = build_schema(*schema, pos, *out.root, 0); !built) return built;
  if (out.root->is_leaf) {
    return malformed("schema root is not a group");
  }
  assign_levels(*out.root, 0, 0, out.leaves);
  if (const auto* groups = list_field(meta, 4)) {
    for (const auto& g : *groups) {
      RowGroupMeta rg;
      rg.num_rows = g.int_field(3, 0);
      if (rg.num_rows < 0) {
        return malformed("row group with negative row count");
      }
      const auto* cols = list_field(g, 1);
      if (cols == nullptr || cols->size() != out.leaves.size()) {
        return malformed("row group has " + std::to_string(cols ? cols->size() : 0) +
                         " column chunks, schema has " + std::to_string(out.leaves.size()) +
                         " leaves");
      }
      for (const auto& c : *cols) {
        const ThriftValue* md = c.field(3);
        if (md == nullptr || md->type != Type::kStruct) {
          return malformed(
              "column chunk without meta_data (encrypted or external files are not supported)");
        }
        ColumnChunkMeta cc;
        cc.physical = static_cast<int>(md->int_field(1, -1));
        cc.codec = static_cast<int>(md->int_field(4, 0));
        cc.num_values = md->int_field(5, 0);
        cc.total_compressed_size = md->int_field(7, 0);
        cc.data_page_offset = md->int_field(9, 0);
        if (md->has(11)) cc.dictionary_page_offset = md->int_field(11, 0);
        if (const auto* path = list_field(*md, 3)) {
          for (const auto& p : *path) cc.path.push_back(p.bin);
        }
        rg.columns.push_back(std::move(cc));
      }
      out.row_groups.push_back(std::move(rg));
    }
  }
  return {};
}

Status parse_page_header(std::string_view data, PageHeaderMeta& out, std::size_t& consumed) {
  ThriftValue h;
  if (auto parsed = parse_thrift_struct(data, h, consumed); !parsed) {
    return within("bad page header: ", std::move(parsed).error());
  }
  out = PageHeaderMeta{};
  out.type = static_cast<int>(h.int_field(1, -1));
  out.uncompressed_size = static_cast<std::int32_t>(h.int_field(2, -1));
  out.compressed_size = static_cast<std::int32_t>(h.int_field(3, -1));
  if (h.has(4)) out.crc = static_cast<std::uint32_t>(h.int_field(4, 0));
  if (out.uncompressed_size < 0 || out.compressed_size < 0) {
    return malformed("page header without valid sizes");
  }
  auto sub = [&](std::int16_t id) -> const ThriftValue* {
    const ThriftValue* v = h.field(id);
    return (v != nullptr && v->type == Type::kStruct) ? v : nullptr;
  };
  if (out.type == kDataPage) {
    const ThriftValue* d = sub(5);
    if (d == nullptr) {
      return malformed("data page without data_page_header");
    }
    out.num_values = static_cast<std::int32_t>(d->int_field(1, -1));
    out.encoding = static_cast<int>(d->int_field(2, -1));
    out.def_encoding = static_cast<int>(d->int_field(3, kRle));
    out.rep_encoding = static_cast<int>(d->int_field(4, kRle));
  } else if (out.type == kDictionaryPage) {
    const ThriftValue* d = sub(7);
    if (d == nullptr) {
      return malformed("dictionary page without dictionary_page_header");
    }
    out.num_values = static_cast<std::int32_t>(d->int_field(1, -1));
    out.encoding = static_cast<int>(d->int_field(2, kPlain));
  } else if (out.type == kDataPageV2) {
    const ThriftValue* d = sub(8);
    if (d == nullptr) {
      return malformed("v2 data page without data_page_header_v2");
    }
    out.num_values = static_cast<std::int32_t>(d->int_field(1, -1));
    out.num_nulls = static_cast<std::int32_t>(d->int_field(2, 0));
    out.num_rows = static_cast<std::int32_t>(d->int_field(3, 0));
    out.encoding = static_cast<int>(d->int_field(4, -1));
    out.def_length = static_cast<std::int32_t>(d->int_field(5, 0));
    out.rep_length = static_cast<std::int32_t>(d->int_field(6, 0));
    out.is_compressed = d->int_field(7, 1) != 0;
    if (out.def_length < 0 || out.rep_length < 0) {
      return malformed("v2 page header with negative level lengths");
    }
  }
  if (out.num_values < 0 &&
      (out.type == kDataPage || out.type == kDataPageV2 || out.type == kDictionaryPage)) {
    return malformed("page header with negative num_values");
  }
  return {};
}

}  // namespace dbk::scorer::parquet
