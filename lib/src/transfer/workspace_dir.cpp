// import_dir / export_dir between a local tree and a workspace directory.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include "dbk/internal/text.hpp"
#include "dbk/transfer.hpp"
#include "dbk/workspace.hpp"
#include "transfer/local_files.hpp"
#include "transfer/parallel.hpp"

namespace dbk {

namespace fs = std::filesystem;

namespace {

using internal::ends_with;

std::string strip(const std::string& name, const std::string& extension) {
  return name.substr(0, name.size() - extension.size());
}

std::string join_workspace(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// How much of a file AUTO mode reads to find the header.
constexpr std::size_t kHeaderProbeBytes = 256;

struct PlannedImport {
  fs::path source;
  std::string target;
  NotebookMapping mapping;
};

struct ImportPlan {
  std::vector<std::string> dirs;  // workspace directories to create, parents first
  std::vector<FileResult> results;
  std::vector<std::optional<PlannedImport>> imports;  // parallel to results
  std::set<fs::path> visited;                         // guards symlink cycles
};

Status plan_import(const fs::path& local_dir, const std::string& workspace_dir,
                   const ImportDirOptions& options, ImportPlan& plan) {
  if (!detail::first_visit(local_dir, plan.visited)) return {};
  auto entries = detail::sorted_entries(local_dir);
  if (!entries) return std::move(entries).error();
  std::error_code code;
  for (const auto& entry : *entries) {
    const std::string name = entry.path().filename().string();
    if (options.exclude_hidden && !name.empty() && name.front() == '.') continue;
    // docs/reference/rest-api.md §5.4: target paths are always joined with '/'.
    if (entry.is_directory(code)) {
      const std::string target_dir = join_workspace(workspace_dir, name);
      plan.dirs.push_back(target_dir);
      auto planned = plan_import(entry.path(), target_dir, options, plan);
      if (!planned) return planned;
      continue;
    }
    if (!entry.is_regular_file(code)) continue;
    FileResult result;
    result.src = entry.path().string();
    std::optional<NotebookMapping> mapping;
    if (options.mode == ImportDirMode::kLegacy) {
      mapping = legacy_notebook_mapping(name);
      if (!mapping) {
        result.message = result.src +
                         " does not have a valid extension of .scala, .py, .sql, .SQL, .r, .R, "
                         ".ipynb, .html, .dbc. Skip this file and continue.";
      }
    } else {
      std::ifstream in(entry.path(), std::ios::binary);
      std::string head(kHeaderProbeBytes, '\0');
      in.read(head.data(), static_cast<std::streamsize>(head.size()));
      head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
      mapping = auto_notebook_mapping(name, head);
      if (!mapping) {
        result.message = result.src +
                         " is not a notebook (no 'Databricks notebook source' header and not "
                         ".ipynb). Skip this file and continue.";
      }
    }
    if (mapping) {
      result.dst = join_workspace(workspace_dir, mapping->target_name);
      plan.imports.push_back(PlannedImport{entry.path(), result.dst, *mapping});
    } else {
      result.status = FileStatus::kSkipped;
      plan.imports.push_back(std::nullopt);
    }
    plan.results.push_back(std::move(result));
  }
  return {};
}

// A SOURCE notebook's text without the header line the service adds on export, and
// without trailing blank space, for comparing what was imported with what is there.
std::string_view source_body(std::string_view text) {
  const auto newline = text.find('\n');
  const auto first = text.substr(0, newline);
  if (first.find("Databricks notebook source") != std::string_view::npos) {
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// An import without overwrite that was retried after a lost response gets
// RESOURCE_ALREADY_EXISTS when the first attempt did the work. It is this import's
// own work when the notebook now there has the imported source; other formats are
// transformed by the service and cannot be compared, so they stay a failure (of
// this file only: the batch goes on, see import_dir).
bool is_own_replayed_import(const WorkspaceApi& workspace, const PlannedImport& item,
                            const std::string& content, const ApiError& error,
                            const CallContext& context) {
  if (!error.replayed || error.error_code != "RESOURCE_ALREADY_EXISTS" ||
      item.mapping.format != formats::kSource) {
    return false;
  }
  auto there = workspace.export_object(item.target, formats::kSource, context);
  return there && source_body(there->content) == source_body(content);
}

Status import_one(const WorkspaceApi& workspace, const PlannedImport& item, bool overwrite,
                  const CallContext& context) {
  std::error_code code;
  const auto size = fs::file_size(item.source, code);
  if (code) return detail::io_error("cannot read", item.source, code);
  if (size > kMaxWorkspaceImportBytes) {
    // Refuse before reading a huge file into memory (docs/reference/rest-api.md §0.4).
    return make_error(error_codes::kInvalidArgument,
                      item.source.string() + " is " + std::to_string(size) +
                          " bytes; the workspace imports at most 10485760 bytes");
  }
  std::ifstream in(item.source, std::ios::binary);
  if (!in) return detail::io_error("cannot open", item.source);
  std::string content(static_cast<std::size_t>(size), '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad() || static_cast<std::uintmax_t>(in.gcount()) != size) {
    return detail::io_error("cannot read", item.source);
  }
  ImportOptions import_options;
  import_options.format = item.mapping.format;
  import_options.language = item.mapping.language;
  import_options.overwrite = overwrite;
  auto imported = workspace.import_object(item.target, content, import_options, context);
  if (!imported && is_own_replayed_import(workspace, item, content, imported.error(), context)) {
    return {};
  }
  return imported;
}

struct ExportPlan {
  std::vector<fs::path> dirs;
  std::vector<FileResult> results;
  std::vector<bool> to_export;  // parallel to results
};

Status plan_export(const WorkspaceApi& workspace, const std::string& workspace_dir,
                   const fs::path& local_dir, const ExportDirOptions& options, ExportPlan& plan,
                   const CallContext& context) {
  auto listing = workspace.list(workspace_dir, context);
  if (!listing) return std::move(listing).error();
  std::sort(listing->begin(), listing->end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.path < b.path; });
  for (const auto& object : *listing) {
    // A server echoing the listed directory itself would otherwise recurse forever.
    if (object.is_directory() && object.path == workspace_dir) continue;
    auto checked = local_file_name(object.path, workspace_dir);
    const std::string name = checked ? *checked : std::string();
    if (checked && object.is_directory()) {
      plan.dirs.push_back(local_dir / name);
      auto planned = plan_export(workspace, object.path, local_dir / name, options, plan, context);
      if (!planned) return planned;
      continue;
    }
    FileResult result;
    result.src = object.path;
    bool export_it = false;
    if (!checked) {
      result.status = FileStatus::kFailed;
      result.error = std::move(checked).error();
    } else if (!object.is_notebook()) {
      result.status = FileStatus::kSkipped;
      result.message = object.path + " is neither a dir or a notebook. Skip.";
    } else {
      const fs::path target = local_dir / (name + extension_for_language(object.language));
      result.dst = target.string();
      std::error_code code;
      if (!options.overwrite && fs::exists(target, code)) {
        result.status = FileStatus::kSkipped;
        result.message = object.path + " already exists locally as " + result.dst + ". Skip.";
      } else {
        export_it = true;
      }
    }
    plan.results.push_back(std::move(result));
    plan.to_export.push_back(export_it);
  }
  return {};
}

}  // namespace

std::optional<NotebookMapping> legacy_notebook_mapping(const std::string& file_name) {
  // docs/reference/rest-api.md §5.4: endswith, case-sensitive except .sql/.SQL and .r/.R.
  struct Rule {
    const char* extension;
    const char* language;
    const char* format;
  };
  static constexpr Rule kRules[] = {
      {".scala", languages::kScala, formats::kSource},
      {".py", languages::kPython, formats::kSource},
      {".sql", languages::kSql, formats::kSource},
      {".SQL", languages::kSql, formats::kSource},
      {".r", languages::kR, formats::kSource},
      {".R", languages::kR, formats::kSource},
      {".ipynb", languages::kPython, formats::kJupyter},
      {".html", "", formats::kHtml},
      {".dbc", "", formats::kDbc},
  };
  for (const auto& rule : kRules) {
    if (!ends_with(file_name, rule.extension)) continue;
    std::string target = strip(file_name, rule.extension);
    if (target.empty()) return std::nullopt;
    return NotebookMapping{rule.language, rule.format, std::move(target)};
  }
  return std::nullopt;
}

std::optional<NotebookMapping> auto_notebook_mapping(const std::string& file_name,
                                                     std::string_view content) {
  if (ends_with(file_name, ".ipynb")) {
    auto target = strip(file_name, ".ipynb");
    if (target.empty()) return std::nullopt;
    return NotebookMapping{languages::kPython, formats::kJupyter, target};
  }
  // The first line must be the header the workspace writes on SOURCE export.
  if (content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  std::string_view first_line = content.substr(0, content.find('\n'));
  while (!first_line.empty() && (first_line.back() == '\r' || first_line.back() == ' ')) {
    first_line.remove_suffix(1);
  }
  const bool r_file = ends_with(file_name, ".r") || ends_with(file_name, ".R");
  std::string language;
  if (first_line == "# Databricks notebook source") {
    language = r_file ? languages::kR : languages::kPython;
  } else if (first_line == "-- Databricks notebook source") {
    language = languages::kSql;
  } else if (first_line == "// Databricks notebook source") {
    language = languages::kScala;
  } else {
    return std::nullopt;
  }
  std::string target = file_name;
  for (const char* extension : {".py", ".scala", ".sql", ".SQL", ".r", ".R"}) {
    if (ends_with(file_name, extension)) {
      target = strip(file_name, extension);
      break;
    }
  }
  if (target.empty()) return std::nullopt;
  return NotebookMapping{language, formats::kSource, std::move(target)};
}

std::string extension_for_language(const std::string& language) {
  if (language == languages::kPython) return ".py";
  if (language == languages::kScala) return ".scala";
  if (language == languages::kSql) return ".sql";
  if (language == languages::kR) return ".r";  // lower-case, as legacy export_dir (§5.4)
  return "";
}

Result<std::vector<FileResult>> import_dir(const WorkspaceApi& workspace,
                                           const std::string& local_dir,
                                           const std::string& workspace_dir,
                                           const ImportDirOptions& options,
                                           const CallContext& context) {
  std::error_code code;
  if (!fs::is_directory(local_dir, code)) {
    return make_error(error_codes::kInvalidArgument, local_dir + " is not a local directory");
  }
  ImportPlan plan;
  auto planned = plan_import(local_dir, workspace_dir, options, plan);
  if (!planned) return std::move(planned).error();

  // mkdirs first (docs/reference/rest-api.md §5.4); it creates parents, so leaves would suffice,
  // but empty directories must exist too, so every directory is created.
  auto made = workspace.mkdirs(workspace_dir, context);
  if (!made) return std::move(made).error();
  for (const auto& dir : plan.dirs) {
    made = workspace.mkdirs(dir, context);
    if (!made) return std::move(made).error();
  }

  std::vector<std::size_t> work;
  for (std::size_t i = 0; i < plan.imports.size(); ++i) {
    if (plan.imports[i]) work.push_back(i);
  }
  detail::run_parallel(
      work.size(), options.parallelism,
      [&](std::size_t n) {
        const std::size_t index = work[n];
        auto imported = import_one(workspace, *plan.imports[index], options.overwrite, context);
        FileResult& result = plan.results[index];
        if (imported) {
          result.status = FileStatus::kDone;
          return true;
        }
        // Without overwrite the legacy CLI aborts on the first existing notebook
        // (docs/reference/rest-api.md §5.4); any failure stops the rest unless continue_on_error,
        // but one left by a replayed request concerns this file only.
        result.status = FileStatus::kFailed;
        result.error = std::move(imported).error();
        return options.continue_on_error || result.error->replayed;
      },
      context);
  return std::move(plan.results);
}

Result<std::vector<FileResult>> export_dir(const WorkspaceApi& workspace,
                                           const std::string& workspace_dir,
                                           const std::string& local_dir,
                                           const ExportDirOptions& options,
                                           const CallContext& context) {
  ExportPlan plan;
  auto planned = plan_export(workspace, workspace_dir, local_dir, options, plan, context);
  if (!planned) return std::move(planned).error();
  std::error_code code;
  fs::create_directories(local_dir, code);
  if (code) return detail::io_error("cannot create", local_dir, code);
  for (const auto& dir : plan.dirs) {
    fs::create_directories(dir, code);
    if (code) return detail::io_error("cannot create", dir, code);
  }

  std::vector<std::size_t> work;
  for (std::size_t i = 0; i < plan.to_export.size(); ++i) {
    if (plan.to_export[i]) work.push_back(i);
  }
  detail::run_parallel(
      work.size(), options.parallelism,
      [&](std::size_t n) {
        FileResult& result = plan.results[work[n]];
        Status written;
        auto exported = workspace.export_object(result.src, formats::kSource, context);
        if (exported) {
          written = write_local_file_atomically(result.dst, exported->content);
        } else {
          written = std::move(exported).error();
        }
        if (written) {
          result.status = FileStatus::kDone;
          return true;
        }
        result.status = FileStatus::kFailed;
        result.error = written.error();
        return options.continue_on_error;
      },
      context);
  return std::move(plan.results);
}

}  // namespace dbk
