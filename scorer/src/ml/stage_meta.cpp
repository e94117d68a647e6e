#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "dbk/json.hpp"
#include "dbk/scorer/dataset.hpp"
#include "ml/stage.hpp"

namespace dbk::scorer::detail {
namespace fs = std::filesystem;

ApiError model_error(const StageMeta& meta, const std::string& what) {
  return make_error(error_codes::kModelCorrupt, meta.path + " (" + meta.class_name + "): " + what);
}

ApiError data_error(const std::string& stage, const std::string& what) {
  return make_error(error_codes::kInvalidData, stage + ": " + what);
}

const nlohmann::json* StageMeta::param(const std::string& name) const {
  for (const char* map : {"paramMap", "defaultParamMap"}) {
    auto m = json.find(map);
    if (m == json.end() || !m->is_object()) continue;
    auto v = m->find(name);
    if (v != m->end() && !v->is_null()) return &*v;
  }
  return nullptr;
}

std::string StageMeta::string_param(const std::string& name, const std::string& fallback) const {
  const auto* v = param(name);
  return (v != nullptr && v->is_string()) ? v->get<std::string>() : fallback;
}

double StageMeta::double_param(const std::string& name, double fallback) const {
  const auto* v = param(name);
  if (v == nullptr) return fallback;
  auto d = json_double(*v);
  return d ? *d : fallback;
}

bool StageMeta::bool_param(const std::string& name, bool fallback) const {
  const auto* v = param(name);
  return (v != nullptr && v->is_boolean()) ? v->get<bool>() : fallback;
}

std::vector<std::string> StageMeta::strings_param(const std::string& name) const {
  std::vector<std::string> out;
  const auto* v = param(name);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& e : *v) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<double> StageMeta::doubles_param(const std::string& name) const {
  std::vector<double> out;
  const auto* v = param(name);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& e : *v) {
    auto d = json_double(e);
    out.push_back(d ? *d : std::nan(""));
  }
  return out;
}

std::optional<double> json_double(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    // docs/reference/spark-models.md §1.2: non-finite doubles are written as strings.
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::nan("");
    if (s == "Infinity" || s == "Inf") return HUGE_VAL;
    if (s == "-Infinity" || s == "-Inf") return -HUGE_VAL;
  }
  return std::nullopt;
}

namespace {

std::vector<fs::path> visible_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '_' || name[0] == '.') continue;
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Result<StageMeta> read_stage_meta(const std::string& dir) {
  StageMeta meta;
  meta.path = dir;
  const fs::path meta_dir = fs::path(dir) / "metadata";
  auto files = visible_files(meta_dir);
  if (files.empty()) {
    return make_error(error_codes::kModelCorrupt,
                      dir + ": no metadata/part-* file (not a saved Spark ML model?)");
  }
  // Spark ≤ 3.5: metadata/part-00000; 4.x: part-00000-<uuid>-c000.txt (§1.5). One JSON line.
  std::ifstream in(files.front());
  std::string line;
  while (std::getline(in, line) && line.find_first_not_of(" \t\r") == std::string::npos) {
  }
  // A model folder is untrusted input: a depth-limited parse, so no later copy of a
  // parameter can run out of stack.
  auto parsed = dbk::parse_json(line);
  if (!parsed.ok()) {
    return make_error(error_codes::kModelCorrupt,
                      files.front().string() + ": metadata is not JSON: " + parsed.error().message);
  }
  meta.json = std::move(*parsed);
  if (!meta.json.is_object()) {
    return make_error(error_codes::kModelCorrupt,
                      files.front().string() + ": metadata is not a JSON object");
  }
  auto str = [&](const char* key) {
    auto it = meta.json.find(key);
    return (it != meta.json.end() && it->is_string()) ? it->get<std::string>() : std::string();
  };
  meta.class_name = str("class");
  meta.uid = str("uid");
  meta.spark_version = str("sparkVersion");
  if (meta.class_name.empty()) {
    return make_error(error_codes::kModelCorrupt,
                      files.front().string() + ": metadata has no class");
  }
  std::sscanf(meta.spark_version.c_str(), "%d.%d", &meta.major, &meta.minor);
  return meta;
}

Result<Table> read_stage_table(const std::string& dir, const std::string& sub) {
  const std::string path = (fs::path(dir) / sub).string();
  return read_table(path, {});
}

bool vector_from_value(const Value& v, std::vector<double>& out) {
  out.clear();
  if (v.kind == Value::Kind::kList) {  // array<double> also works as a vector
    for (const auto& e : v.items) out.push_back(e.as_double());
    return true;
  }
  const Value* type = v.field("type");
  const Value* values = v.field("values");
  if (type == nullptr || values == nullptr || type->kind != Value::Kind::kInt ||
      values->kind != Value::Kind::kList) {
    return false;
  }
  if (type->i == 1) {  // dense
    out.reserve(values->items.size());
    for (const auto& e : values->items) out.push_back(e.as_double());
    return true;
  }
  const Value* size = v.field("size");
  const Value* indices = v.field("indices");
  if (type->i != 0 || size == nullptr || size->kind != Value::Kind::kInt || indices == nullptr ||
      indices->kind != Value::Kind::kList || indices->items.size() != values->items.size() ||
      size->i < 0 || size->i > (1 << 28)) {
    return false;
  }
  out.assign(static_cast<std::size_t>(size->i), 0.0);
  for (std::size_t k = 0; k < indices->items.size(); ++k) {
    std::int64_t idx = indices->items[k].i;
    if (idx < 0 || idx >= size->i) return false;
    out[static_cast<std::size_t>(idx)] = values->items[k].as_double();
  }
  return true;
}

bool matrix_from_value(const Value& v, std::size_t& rows, std::size_t& cols,
                       std::vector<double>& out) {
  const Value* type = v.field("type");
  const Value* nr = v.field("numRows");
  const Value* nc = v.field("numCols");
  const Value* values = v.field("values");
  const Value* transposed = v.field("isTransposed");
  if (type == nullptr || nr == nullptr || nc == nullptr || values == nullptr ||
      values->kind != Value::Kind::kList || nr->i < 0 || nc->i < 0 || nr->i > (1 << 24) ||
      nc->i > (1 << 24) || nr->i * nc->i > (1 << 28)) {
    return false;
  }
  rows = static_cast<std::size_t>(nr->i);
  cols = static_cast<std::size_t>(nc->i);
  bool t = transposed != nullptr && transposed->i != 0;
  out.assign(rows * cols, 0.0);
  if (type->i == 1) {  // dense: column-major unless transposed
    if (values->items.size() != rows * cols) return false;
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) {
        out[r * cols + c] = values->items[t ? r * cols + c : c * rows + r].as_double();
      }
    }
    return true;
  }
  // sparse: CSC (CSR when transposed)
  const Value* ptrs = v.field("colPtrs");
  const Value* idx = v.field("rowIndices");
  if (ptrs == nullptr || idx == nullptr || ptrs->kind != Value::Kind::kList ||
      idx->kind != Value::Kind::kList || idx->items.size() != values->items.size()) {
    return false;
  }
  std::size_t outer = t ? rows : cols;
  if (ptrs->items.size() != outer + 1) return false;
  for (std::size_t o = 0; o < outer; ++o) {
    std::int64_t b = ptrs->items[o].i;
    std::int64_t e = ptrs->items[o + 1].i;
    if (b < 0 || e < b || static_cast<std::size_t>(e) > idx->items.size()) return false;
    for (std::int64_t k = b; k < e; ++k) {
      std::int64_t inner = idx->items[static_cast<std::size_t>(k)].i;
      if (inner < 0 || static_cast<std::size_t>(inner) >= (t ? cols : rows)) return false;
      std::size_t r = t ? o : static_cast<std::size_t>(inner);
      std::size_t c = t ? static_cast<std::size_t>(inner) : o;
      out[r * cols + c] = values->items[static_cast<std::size_t>(k)].as_double();
    }
  }
  return true;
}

}  // namespace dbk::scorer::detail
