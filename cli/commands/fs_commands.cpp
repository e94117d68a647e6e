// `dbk fs ...` (also `dbfs ...`): legacy DBFS commands (docs/reference/rest-api.md §5.1).
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "commands/common.hpp"
#include "dbk/dbfs.hpp"
#include "output/table_printer.hpp"
#include "util/interrupt.hpp"

namespace dbk::cli {
namespace {

namespace fs = std::filesystem;

bool is_dbfs(const std::string& path) {
  return path.rfind("dbfs:/", 0) == 0;
}

std::string basename_of(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  auto slash = trimmed.find_last_of('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

std::string join_dbfs(const std::string& dir, const std::string& name) {
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

// Validates a DBFS argument up front so that "dbfs://x" and relative paths fail
// before any request (the legacy CLI refuses them too).
Result<std::string> dbfs_argument(const std::string& path) {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return usage_error(normalized.error().message);
  return *normalized;
}

CommandStatus ls(Invocation& inv) {
  auto path = dbfs_argument(inv.arg("PATH").value_or("dbfs:/"));
  if (!path) return path.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto files = client->dbfs().list(*path);
  if (!files) return files.error();
  if (inv.output_format() == OutputFormat::kJson) {
    auto array = nlohmann::ordered_json::array();
    for (const auto& file : *files) array.push_back(file.raw);
    return print_json(inv, nlohmann::ordered_json{{"files", array}});
  }
  std::vector<TableRow> rows;
  for (const auto& file : *files) {
    std::string name = inv.flag("absolute") ? "dbfs:" + file.path : basename_of(file.path);
    if (inv.flag("long")) {
      TableRow row = {std::string(file.is_dir ? "dir" : "file"), file.file_size, name};
      if (file.raw.contains("modification_time")) row.emplace_back(file.modification_time);
      rows.push_back(std::move(row));
    } else {
      rows.push_back({name});
    }
  }
  print_table(inv, format_plain_table(rows));
  return 0;
}

CommandStatus mkdirs(Invocation& inv) {
  auto path = dbfs_argument(*inv.arg("PATH"));
  if (!path) return path.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->dbfs().mkdirs(*path);
  return status;
}

CommandStatus rm(Invocation& inv) {
  auto path = dbfs_argument(*inv.arg("PATH"));
  if (!path) return path.error();
  auto client = inv.client();
  if (!client) return client.error();
  bool live = inv.io().stdout_is_tty;
  auto progress = [&](const DeleteProgress& step) {
    if (!live) return;
    // Legacy rewrites one line with \r + ESC[K while a recursive delete proceeds.
    if (step.files_deleted) {
      inv.out() << "\rDeleted " << *step.files_deleted << " files. Delete in progress...\033[K"
                << std::flush;
    } else {
      inv.out() << "\rDelete in progress...\033[K" << std::flush;
    }
  };
  auto status = client->dbfs().remove(*path, inv.flag("recursive"), progress);
  if (!status) {
    if (live) inv.out() << "\r\033[K" << std::flush;
    return status.error();
  }
  inv.out() << (live ? "\rDelete finished successfully.\033[K\n"
                     : "Delete finished successfully.\n");
  return 0;
}

CommandStatus mv(Invocation& inv) {
  auto src = dbfs_argument(*inv.arg("SRC"));
  if (!src) return src.error();
  auto dst = dbfs_argument(*inv.arg("DST"));
  if (!dst) return dst.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->dbfs().move(*src, *dst);
  return status;
}

CommandStatus cat(Invocation& inv) {
  auto path = dbfs_argument(*inv.arg("SRC"));
  if (!path) return path.error();
  auto client = inv.client();
  if (!client) return client.error();
  std::int64_t offset = 0;
  while (true) {
    auto chunk = client->dbfs().read(*path, offset);
    if (!chunk) return chunk.error();
    if (chunk->bytes_read == 0) break;
    inv.out() << chunk->data;
    offset += chunk->bytes_read;
  }
  inv.out().flush();
  return 0;
}

// Shows DBFS paths as the user typed them ("dbfs:/x"), like the legacy CLI.
void display_results(std::vector<FileResult>& results, CopyDirection direction) {
  for (auto& result : results) {
    if (direction == CopyDirection::kUpload) {
      if (!result.dst.empty() && result.dst[0] == '/') result.dst = "dbfs:" + result.dst;
      if (result.status == FileStatus::kSkipped)
        result.message = result.dst + " already exists. Skip.";
    } else {
      if (!result.src.empty() && result.src[0] == '/') result.src = "dbfs:" + result.src;
      if (result.status == FileStatus::kSkipped) {
        result.message = result.src + " already exists locally as " + result.dst +
                         ". Skip. To overwrite, you should provide the --overwrite flag.";
      }
    }
  }
}

struct CopyRequest {
  bool recursive = false;
  bool overwrite = false;
  bool continue_on_error = false;
  unsigned concurrency = 8;
};

CommandStatus copy_upload(Invocation& inv, const DbfsApi& dbfs, const std::string& src,
                          const std::string& dst, const CopyRequest& request,
                          const CallContext& context) {
  std::error_code code;
  if (!fs::exists(src, code)) {
    return make_error(error_codes::kIoError, "The local file " + src + " does not exist.");
  }
  auto target = dbfs_argument(dst);
  if (!target) return target.error();
  if (fs::is_directory(src, code)) {
    if (!request.recursive) {
      return usage_error("The local file " + src + " is a directory. You must provide --recursive");
    }
    CopyOptions options;
    options.parallelism = request.concurrency;
    options.overwrite = request.overwrite;
    options.atomic = true;
    options.continue_on_error = request.continue_on_error;
    auto results = copy_tree(dbfs, CopyDirection::kUpload, src, *target, options, context);
    if (!results) return results.error();
    display_results(*results, CopyDirection::kUpload);
    return report_file_results(inv, *results);
  }
  // A file into an existing DBFS directory lands inside it (legacy behaviour).
  std::string file_target = *target;
  auto status = dbfs.get_status(file_target, context);
  if (status && status->is_dir) file_target = join_dbfs(file_target, basename_of(src));
  const auto slash = file_target.find_last_of('/');
  remove_stale_temporaries(dbfs, file_target.substr(0, std::max<std::size_t>(slash, 1)),
                           {file_target.substr(slash + 1)});
  UploadOptions options;
  options.overwrite = request.overwrite;
  options.atomic = true;
  auto uploaded = upload_file(dbfs, src, file_target, options, context);
  return uploaded;
}

CommandStatus copy_download(Invocation& inv, const DbfsApi& dbfs, const std::string& src,
                            const std::string& dst, const CopyRequest& request,
                            const CallContext& context) {
  auto source = dbfs_argument(src);
  if (!source) return source.error();
  auto status = dbfs.get_status(*source, context);
  if (!status) return status.error();
  if (status->is_dir) {
    if (!request.recursive) {
      return usage_error("The DBFS path " + src + " is a directory. You must provide --recursive");
    }
    CopyOptions options;
    options.parallelism = request.concurrency;
    options.overwrite = request.overwrite;
    options.continue_on_error = request.continue_on_error;
    auto results = copy_tree(dbfs, CopyDirection::kDownload, *source, dst, options, context);
    if (!results) return results.error();
    display_results(*results, CopyDirection::kDownload);
    return report_file_results(inv, *results);
  }
  std::string target = dst;
  std::error_code code;
  if (fs::is_directory(target, code)) target = (fs::path(target) / basename_of(*source)).string();
  const fs::path local(target);
  remove_stale_local_temporaries(
      local.has_parent_path() ? local.parent_path().string() : std::string("."),
      {local.filename().string()});
  DownloadOptions options;
  options.overwrite = request.overwrite;
  auto downloaded = download_file(dbfs, *source, target, options, context);
  return downloaded;
}

CommandStatus copy(Invocation& inv, const DbfsApi& dbfs, const std::string& src,
                   const std::string& dst, const CopyRequest& request, const CallContext& context) {
  if (!is_dbfs(src)) return copy_upload(inv, dbfs, src, dst, request, context);
  if (!is_dbfs(dst)) return copy_download(inv, dbfs, src, dst, request, context);
  // DBFS to DBFS goes through a local temporary folder, as in the legacy CLI.
  char pattern[] = "/tmp/dbk-cp-XXXXXX";
  if (!mkdtemp(pattern)) {
    return make_error(error_codes::kIoError, "cannot create a temporary folder");
  }
  std::string temp = std::string(pattern) + "/temp";
  CopyRequest first = request;
  first.overwrite = true;
  CommandStatus status = copy_download(inv, dbfs, src, temp, first, context);
  if (status.ok()) status = copy_upload(inv, dbfs, temp, dst, request, context);
  std::error_code ignored;
  fs::remove_all(pattern, ignored);
  return status;
}

CommandStatus cp(Invocation& inv) {
  std::string src = *inv.arg("SRC");
  std::string dst = *inv.arg("DST");
  auto concurrency = concurrency_option(inv);
  if (!concurrency) return concurrency.error();
  CopyRequest request{inv.flag("recursive"), inv.flag("overwrite"), inv.flag("continue-on-error"),
                      *concurrency};
  if (!is_dbfs(src) && !is_dbfs(dst)) {
    return usage_error(
        "Both paths provided are from your local filesystem. To use this utility, one of the "
        "src or dst must be prefixed with dbfs:/");
  }
  auto client = inv.client();
  if (!client) return client.error();
  const DbfsApi& dbfs = client->dbfs();
  // Ctrl-C or SIGTERM stops the copy (requests in flight too) and lets it remove its
  // temporary files before the command ends with 130 (a SIGKILL leaves them for the
  // next copy: remove_stale_temporaries).
  InterruptScope interrupt;
  CommandStatus status = copy(inv, dbfs, src, dst, request, interrupt.context());
  // A signal that came after the last file was in place interrupted nothing.
  if (!status.ok() && interrupt.interrupted()) {
    return std::move(status)
        .with_exit_code(exit_codes::kInterrupted)
        .with_note("Interrupted; the copy stopped and its temporary files were removed.");
  }
  return status;
}

}  // namespace

void add_fs_commands(std::vector<CommandSpec>& table) {
  auto spec = command("fs", "ls", "List files in DBFS.", ls);
  spec.options = {flag("absolute", 0, "Display absolute paths."),
                  flag("long", 'l', "Display type, size, name and modification time (ms).")};
  spec.positionals = {positional("PATH", "DBFS folder (default dbfs:/).", false)};
  table.push_back(spec);

  spec = command("fs", "cp", "Copy files between the local filesystem and DBFS, in parallel.", cp);
  spec.description =
      "One side must start with dbfs:/ (or both, copied through a local temporary folder). "
      "Uploads are atomic: written under a temporary name, then moved into place.";
  spec.options = {flag("recursive", 'r', "Copy folders recursively."),
                  flag("overwrite", 0, "Replace existing files."),
                  value("concurrency", 0, "N", "Parallel file copies with -r (default 8)."),
                  flag("continue-on-error", 0, "Copy the other files after a failure.")};
  spec.positionals = {positional("SRC", "Source path."), positional("DST", "Target path.")};
  table.push_back(spec);

  spec = command("fs", "mkdirs", "Make a DBFS folder and its parents.", mkdirs);
  spec.positionals = {positional("PATH", "DBFS folder.")};
  table.push_back(spec);

  spec = command("fs", "rm", "Remove a DBFS file or folder.", rm);
  spec.options = {flag("recursive", 'r', "Remove a folder and everything in it.")};
  spec.positionals = {positional("PATH", "DBFS path.")};
  table.push_back(spec);

  spec = command("fs", "mv", "Move a file or folder within DBFS.", mv);
  spec.positionals = {positional("SRC", "DBFS source."), positional("DST", "DBFS target.")};
  table.push_back(spec);

  spec = command("fs", "cat", "Print a DBFS file.", cat);
  spec.positionals = {positional("SRC", "DBFS file.")};
  table.push_back(spec);

  table.push_back(fs_configure_command());
}

}  // namespace dbk::cli
