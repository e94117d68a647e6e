#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dbk/json.hpp"
#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/parquet_reader.hpp"
#include "parquet/assemble.hpp"
#include "parquet/column_reader.hpp"
#include "parquet/errors.hpp"
#include "parquet/metadata.hpp"

namespace dbk::scorer {
namespace {

using parquet::FileMeta;
using parquet::SchemaNode;

ApiError corrupt(const std::string& name, const std::string& what) {
  return make_error(error_codes::kParquetCorrupt, name + ": " + what);
}

void collect_leaves(const SchemaNode& node, std::vector<const SchemaNode*>& out) {
  if (node.is_leaf) {
    out.push_back(&node);
    return;
  }
  for (const auto& c : node.children) collect_leaves(*c, out);
}

Result<FileMeta> open_footer(std::string_view bytes, const std::string& name) {
  // docs/reference/spark-models.md §4.2: "PAR1" · chunks · footer · u32 length · "PAR1".
  if (bytes.size() < 12) return corrupt(name, "file too small to be Parquet");
  if (std::memcmp(bytes.data() + bytes.size() - 4, "PARE", 4) == 0) {
    return make_error(error_codes::kParquetUnsupported, name + ": encrypted Parquet footer");
  }
  if (std::memcmp(bytes.data(), "PAR1", 4) != 0 ||
      std::memcmp(bytes.data() + bytes.size() - 4, "PAR1", 4) != 0) {
    return corrupt(name, "missing PAR1 magic (not a Parquet file, or truncated)");
  }
  std::uint32_t footer_len;
  std::memcpy(&footer_len, bytes.data() + bytes.size() - 8, 4);
  if (footer_len > bytes.size() - 12) {
    return corrupt(name, "footer length " + std::to_string(footer_len) + " exceeds the file");
  }
  std::string_view footer = bytes.substr(bytes.size() - 8 - footer_len, footer_len);
  FileMeta meta;
  if (auto parsed = parquet::parse_file_meta(footer, meta); !parsed) {
    return parquet::within(name + ": ", std::move(parsed).error());
  }
  return meta;
}

// Field metadata by top-level column name from the Spark schema in the footer (see
// docs/reference/spark-models.md §4.9): ML attributes travel with a table only this way. A footer
// without it, or with JSON that does not parse (or is nested deeper than dbk::kMaxJsonDepth, whose
// dump() below would run out of stack), gives none; the data itself does not depend on it.
std::map<std::string, std::string> spark_field_metadata(const FileMeta& meta) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : meta.key_value) {
    if (key != "org.apache.spark.sql.parquet.row.metadata") continue;
    auto parsed = dbk::parse_json(value);
    if (!parsed.ok()) break;
    const nlohmann::json& schema = *parsed;
    if (!schema.is_object() || !schema.contains("fields") || !schema["fields"].is_array()) break;
    for (const auto& field : schema["fields"]) {
      if (!field.is_object() || !field.contains("name") || !field["name"].is_string()) continue;
      auto m = field.find("metadata");
      if (m == field.end() || !m->is_object() || m->empty()) continue;
      out[field["name"].get<std::string>()] = m->dump();
    }
  }
  return out;
}

}  // namespace

Result<ParquetFileInfo> read_parquet_info(std::string_view bytes, const std::string& name) {
  auto meta = open_footer(bytes, name);
  if (!meta.ok()) return std::move(meta).error();
  ParquetFileInfo info;
  info.num_rows = meta->num_rows;
  info.created_by = meta->created_by;
  info.key_value_metadata = meta->key_value;
  for (const auto& c : meta->root->children) info.top_level_columns.push_back(c->name);
  return info;
}

namespace {

// The top-level fields `options` selects, in its order (every field when it names none).
Result<std::vector<const SchemaNode*>> select_fields(const FileMeta& meta, const std::string& name,
                                                     const ParquetReadOptions& options) {
  std::vector<const SchemaNode*> fields;
  if (options.columns.empty()) {
    for (const auto& c : meta.root->children) fields.push_back(c.get());
    return fields;
  }
  for (const auto& want : options.columns) {
    const SchemaNode* found = nullptr;
    for (const auto& c : meta.root->children) {
      if (c->name == want) found = c.get();
    }
    if (found == nullptr && options.skip_missing_columns) continue;
    if (found == nullptr) {
      return make_error(error_codes::kColumnNotFound, name + ": no column '" + want + "'");
    }
    fields.push_back(found);
  }
  return fields;
}

// Columns without rows: names, types and Spark field metadata of `fields`.
Table empty_table(const FileMeta& meta, const std::vector<const SchemaNode*>& fields) {
  Table table;
  const auto field_metadata = spark_field_metadata(meta);
  for (const SchemaNode* f : fields) {
    Column col;
    col.name = f->name;
    if (auto m = field_metadata.find(f->name); m != field_metadata.end()) col.metadata = m->second;
    col.type = parquet::column_type_of(*f);
    col.decimal_scale = f->scale;
    col.decimal_precision = f->precision;
    table.columns.push_back(std::move(col));
  }
  return table;
}

// Decodes row group `g` of `fields` and appends its rows to `table` (built by empty_table).
Status append_row_group(std::string_view bytes, const std::string& name, const FileMeta& meta,
                        const std::vector<const SchemaNode*>& fields, std::size_t g,
                        const ParquetReadOptions& options, Table& table) {
  // Bounds the work a tiny hostile file can demand (RLE runs expand without limit).
  const std::int64_t max_entries =
      std::max<std::int64_t>(std::int64_t{1} << 20, static_cast<std::int64_t>(bytes.size()) * 256);
  const auto& rg = meta.row_groups[g];
  if (rg.num_rows > max_entries) {
    return corrupt(name, "row group " + std::to_string(g) + " claims " +
                             std::to_string(rg.num_rows) + " rows");
  }
  const auto rows = static_cast<std::size_t>(rg.num_rows);
  for (std::size_t f = 0; f < fields.size(); ++f) {
    std::vector<const SchemaNode*> leaves;
    collect_leaves(*fields[f], leaves);
    std::vector<parquet::LeafData> data(leaves.size());
    for (std::size_t l = 0; l < leaves.size(); ++l) {
      const auto& chunk = rg.columns[static_cast<std::size_t>(leaves[l]->leaf_index)];
      if (chunk.num_values > max_entries) {
        return corrupt(name, "column chunk claims " + std::to_string(chunk.num_values) + " values");
      }
      if (auto read =
              parquet::read_column_chunk(bytes, chunk, *leaves[l], options.verify_crc, data[l]);
          !read) {
        return parquet::within(
            name + ": row group " + std::to_string(g) + ", column '" + leaves[l]->name + "': ",
            std::move(read).error());
      }
    }
    Column& col = table.columns[f];
    Status appended = col.type == ColumnType::kNested
                          ? parquet::append_nested(*fields[f], data, rows, col)
                          : parquet::append_flat(*leaves[0], data[0], rows, col);
    if (!appended) {
      return parquet::within(name + ": row group " + std::to_string(g) + ": ",
                             std::move(appended).error());
    }
  }
  table.num_rows += rows;
  return {};
}

}  // namespace

Result<Table> read_parquet_bytes(std::string_view bytes, const std::string& name,
                                 const ParquetReadOptions& options) {
  auto meta_result = open_footer(bytes, name);
  if (!meta_result.ok()) return std::move(meta_result).error();
  const FileMeta& meta = *meta_result;
  auto fields = select_fields(meta, name, options);
  if (!fields) return std::move(fields).error();
  Table table = empty_table(meta, *fields);
  for (std::size_t g = 0; g < meta.row_groups.size(); ++g) {
    if (auto st = append_row_group(bytes, name, meta, *fields, g, options, table); !st) {
      return st.error();
    }
  }
  return table;
}

// The file is mapped rather than read: only the row group being decoded is resident, and its
// pages are handed back to the kernel once decoded, so a file of any size streams in bounded
// memory.
struct ParquetFileReader::Impl {
  std::string path;
  ParquetReadOptions options;
  int fd = -1;
  void* map = nullptr;
  std::size_t size = 0;
  FileMeta meta;
  std::vector<const SchemaNode*> fields;
  Table schema;
  std::string_view bytes() const { return {static_cast<const char*>(map), size}; }
  ~Impl() {
    if (map != nullptr && map != MAP_FAILED) munmap(map, size);
    if (fd >= 0) close(fd);
  }
};

ParquetFileReader::ParquetFileReader() : impl_(std::make_unique<Impl>()) {}
ParquetFileReader::~ParquetFileReader() = default;

Result<std::shared_ptr<const ParquetFileReader>> ParquetFileReader::open(
    const std::string& path, const ParquetReadOptions& options) {
  std::shared_ptr<ParquetFileReader> reader(new ParquetFileReader());
  Impl& m = *reader->impl_;
  m.path = path;
  m.options = options;
  m.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m.fd < 0) return make_error(dbk::error_codes::kIoError, path + ": cannot open file");
  struct stat st {};
  if (fstat(m.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return make_error(dbk::error_codes::kIoError, path + ": not a readable file");
  }
  m.size = static_cast<std::size_t>(st.st_size);
  if (m.size > 0) {
    m.map = mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, m.fd, 0);
    if (m.map == MAP_FAILED) {
      m.map = nullptr;
      return make_error(dbk::error_codes::kIoError, path + ": cannot map file");
    }
  }
  auto meta = open_footer(m.bytes(), path);
  if (!meta) return std::move(meta).error();
  m.meta = std::move(*meta);
  auto fields = select_fields(m.meta, path, options);
  if (!fields) return std::move(fields).error();
  m.fields = std::move(*fields);
  m.schema = empty_table(m.meta, m.fields);
  return std::shared_ptr<const ParquetFileReader>(std::move(reader));
}

const std::string& ParquetFileReader::path() const {
  return impl_->path;
}
std::size_t ParquetFileReader::num_row_groups() const {
  return impl_->meta.row_groups.size();
}
std::int64_t ParquetFileReader::num_rows() const {
  return impl_->meta.num_rows;
}
const Table& ParquetFileReader::schema() const {
  return impl_->schema;
}

Result<Table> ParquetFileReader::read_row_group(std::size_t g) const {
  const Impl& m = *impl_;
  if (g >= m.meta.row_groups.size()) {
    return make_error(dbk::error_codes::kInvalidArgument,
                      m.path + ": no row group " + std::to_string(g));
  }
  Table table = m.schema;
  auto st = append_row_group(m.bytes(), m.path, m.meta, m.fields, g, m.options, table);
  // The group's pages go back to the kernel, including those it shares with its neighbours:
  // they are clean pages of a read-only mapping, so a later read (another group's, on another
  // thread) faults them in again unchanged, and none stays resident for the file's lifetime.
  const long page = sysconf(_SC_PAGESIZE);
  std::int64_t begin = std::numeric_limits<std::int64_t>::max();
  std::int64_t end = 0;
  for (const auto& chunk : m.meta.row_groups[g].columns) {
    const std::int64_t start = std::min(
        chunk.dictionary_page_offset.value_or(chunk.data_page_offset), chunk.data_page_offset);
    const auto size = static_cast<std::int64_t>(m.size);
    if (start < 0 || start >= size || chunk.total_compressed_size <= 0) continue;
    begin = std::min(begin, start);
    end = std::max(end, start + std::min(chunk.total_compressed_size, size - start));
  }
  if (page > 0 && m.map != nullptr && end > begin) {
    const std::int64_t first = begin / page * page;
    const std::int64_t last = (end + page - 1) / page * page;
    madvise(static_cast<char*>(m.map) + first, static_cast<std::size_t>(last - first),
            MADV_DONTNEED);
  }
  if (!st) return st.error();
  return table;
}

Result<std::vector<LeafArray>> read_parquet_leaf_arrays(std::string_view bytes,
                                                        const std::string& name,
                                                        const std::vector<std::string>& paths) {
  auto meta_result = open_footer(bytes, name);
  if (!meta_result.ok()) return std::move(meta_result).error();
  const FileMeta& meta = *meta_result;
  struct Target {
    const SchemaNode* leaf = nullptr;
    int repeated_def = 0;  // definition level at which the repeated node exists
  };
  std::vector<Target> targets;
  for (const auto& path : paths) {
    const SchemaNode* node = meta.root.get();
    Target t;
    int def = 0;
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t dot = path.find('.', start);
      std::string part =
          path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      const SchemaNode* next = nullptr;
      for (const auto& c : node->children) {
        if (c->name == part) next = c.get();
      }
      if (next == nullptr)
        return make_error(error_codes::kColumnNotFound, name + ": no column '" + path + "'");
      node = next;
      if (node->repetition != parquet::kRequired) ++def;
      if (node->repetition == parquet::kRepeated) t.repeated_def = def;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    while (!node->is_leaf) {
      if (node->children.size() != 1) {
        return make_error(error_codes::kParquetUnsupported,
                          name + ": '" + path + "' is not a single leaf");
      }
      node = node->children[0].get();
      if (node->repetition != parquet::kRequired) ++def;
      if (node->repetition == parquet::kRepeated) t.repeated_def = def;
    }
    if (node->max_rep > 1 || node->physical == parquet::kByteArray ||
        node->physical == parquet::kFixedLenByteArray) {
      return make_error(
          error_codes::kParquetUnsupported,
          name + ": '" + path + "' is not a numeric leaf with at most one repeated level");
    }
    t.leaf = node;
    targets.push_back(t);
  }
  std::vector<LeafArray> out(targets.size());
  const std::int64_t max_entries =
      std::max<std::int64_t>(std::int64_t{1} << 20, static_cast<std::int64_t>(bytes.size()) * 256);
  for (std::size_t g = 0; g < meta.row_groups.size(); ++g) {
    const auto& rg = meta.row_groups[g];
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const SchemaNode& leaf = *targets[k].leaf;
      const auto& chunk = rg.columns[static_cast<std::size_t>(leaf.leaf_index)];
      if (chunk.num_values > max_entries || rg.num_rows > max_entries || rg.num_rows < 0) {
        return corrupt(name, "column chunk claims " + std::to_string(chunk.num_values) + " values");
      }
      parquet::LeafData data;
      if (auto read = parquet::read_column_chunk(bytes, chunk, leaf, true, data); !read) {
        return parquet::within(
            name + ": row group " + std::to_string(g) + ", column '" + leaf.name + "': ",
            std::move(read).error());
      }
      LeafArray& a = out[k];
      a.repeated = leaf.max_rep > 0;
      const bool dbl = leaf.physical == parquet::kFloat || leaf.physical == parquet::kDouble;
      const std::size_t nvalues = dbl ? data.values.dbls.size() : data.values.ints.size();
      std::size_t vi = 0;
      std::size_t rows = 0;
      for (std::size_t e = 0; e < data.num_entries; ++e) {
        const int d = data.def.empty() ? leaf.max_def : data.def[e];
        const int r = data.rep.empty() ? 0 : data.rep[e];
        if (a.repeated) {
          if (r == 0) {
            a.offsets.push_back(a.values.size());
            ++rows;
          }
          if (d < targets[k].repeated_def) continue;  // null or empty list
        } else {
          ++rows;
        }
        bool present = d == leaf.max_def;
        double v = 0;
        if (present) {
          if (vi >= nvalues) return corrupt(name, "column '" + leaf.name + "' has too few values");
          v = dbl ? data.values.dbls[vi] : static_cast<double>(data.values.ints[vi]);
          ++vi;
        }
        a.present.push_back(present);
        a.values.push_back(v);
      }
      if (static_cast<std::int64_t>(rows) != rg.num_rows) {
        return corrupt(name, "column '" + leaf.name + "' holds " + std::to_string(rows) +
                                 " rows, its row group " + std::to_string(rg.num_rows));
      }
      a.rows += rows;
    }
  }
  for (auto& a : out) {
    if (a.repeated) a.offsets.push_back(a.values.size());
  }
  return out;
}

Result<Table> read_parquet_file(const std::string& path, const ParquetReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(dbk::error_codes::kIoError, path + ": cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return make_error(dbk::error_codes::kIoError, path + ": read failed");
  const std::string bytes = buffer.str();
  return read_parquet_bytes(bytes, path, options);
}

}  // namespace dbk::scorer
