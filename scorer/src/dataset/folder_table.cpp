#include <algorithm>
#include <filesystem>
#include <system_error>

#include "dbk/scorer/dataset.hpp"

namespace dbk::scorer {
namespace fs = std::filesystem;

namespace {

bool is_hidden(const std::string& name) {
  // docs/reference/spark-models.md §0.2: skip _SUCCESS, .crc, _committed_… and the like.
  return name.empty() || name[0] == '_' || name[0] == '.';
}

Status append_table(Table& into, Table&& part, const std::string& part_name) {
  if (into.columns.empty() && into.num_rows == 0) {
    into = std::move(part);
    return {};
  }
  if (auto st = check_same_columns(into, part, part_name); !st) return st;
  for (std::size_t c = 0; c < part.columns.size(); ++c) {
    Column& dst = into.columns[c];
    Column& src = part.columns[c];
    dst.append(src);
  }
  into.num_rows += part.num_rows;
  return {};
}

}  // namespace

Status check_same_columns(const Table& first, const Table& part, const std::string& part_name) {
  if (part.columns.size() != first.columns.size()) {
    return make_error(error_codes::kSchemaMismatch,
                      part_name + ": has " + std::to_string(part.columns.size()) +
                          " columns, earlier files " + std::to_string(first.columns.size()));
  }
  for (std::size_t c = 0; c < part.columns.size(); ++c) {
    const Column& dst = first.columns[c];
    const Column& src = part.columns[c];
    if (dst.name != src.name || dst.type != src.type) {
      return make_error(error_codes::kSchemaMismatch,
                        part_name + ": column " + std::to_string(c) + " is '" + src.name + "' (" +
                            column_type_name(src.type) + "), earlier files have '" + dst.name +
                            "' (" + column_type_name(dst.type) + ")");
    }
  }
  return {};
}

Result<std::vector<std::string>> list_table_files(const std::string& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    return make_error(dbk::error_codes::kNotFound, path + ": no such file or folder");
  }
  if (fs::is_regular_file(status)) return std::vector<std::string>{path};
  if (fs::exists(fs::path(path) / "_delta_log")) {
    auto live = delta_live_files(path);
    if (!live.ok()) return std::move(live).error();
    std::vector<std::string> files;
    for (const auto& rel : *live) files.push_back((fs::path(path) / rel).string());
    return files;
  }
  std::vector<std::string> files;
  // Hive-style partition folders (`key=value/`) hold part files too.
  std::vector<fs::path> stack{fs::path(path)};
  while (!stack.empty()) {
    fs::path dir = stack.back();
    stack.pop_back();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (is_hidden(name)) continue;
      if (it->is_directory(ec)) {
        if (name.find('=') != std::string::npos) stack.push_back(it->path());
        continue;
      }
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
    }
    if (ec) return make_error(dbk::error_codes::kIoError, dir.string() + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<Table> read_table(const std::string& path, const ParquetReadOptions& options) {
  auto files = list_table_files(path);
  if (!files.ok()) return std::move(files).error();
  Table table;
  if (files->empty()) {
    return make_error(dbk::error_codes::kNotFound, path + ": no data files in the folder");
  }
  for (const auto& file : *files) {
    auto part = read_parquet_file(file, options);
    if (!part.ok()) return std::move(part).error();
    auto st = append_table(table, std::move(*part), file);
    if (!st.ok()) return std::move(st).error();
  }
  return table;
}

}  // namespace dbk::scorer
