#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/api_error.hpp"
#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

class DbfsApi;
class WorkspaceApi;

/// Block size of streaming DBFS transfers: 1 MiB, as the legacy CLI and the SDKs
/// use (docs/reference/rest-api.md §1.2).
inline constexpr std::size_t kTransferBlockBytes = 1048576;

/// Totals across one operation. Callbacks may come from worker threads but are
/// never called concurrently.
struct TransferProgress {
  std::uint64_t bytes_done = 0;
  std::size_t files_done = 0;
  std::size_t files_total = 0;
};
using ProgressCallback = std::function<void(const TransferProgress&)>;

enum class FileStatus {
  kDone,        ///< copied / imported / exported
  kSkipped,     ///< not attempted on purpose (exists, wrong extension, not a notebook); see message
  kFailed,      ///< see error
  kNotStarted,  ///< left out because an earlier failure stopped the operation
};

/// Outcome for one file, in a stable order (sorted source walk), so the CLI can
/// print "src -> dst" lines reproducibly.
struct FileResult {
  std::string src;
  std::string dst;
  FileStatus status = FileStatus::kNotStarted;
  std::string message;  ///< why it was skipped
  std::optional<ApiError> error;
};

/// True when no entry failed or was left out.
bool all_succeeded(const std::vector<FileResult>& results);

// ---- single files ---------------------------------------------------------------

/// The last component of `listed_path`, a path a server returned (a listing entry, a
/// get-status answer), when it is safe as a local file name: not empty, "." or "..",
/// and without NUL. A hostile or intercepted server could otherwise make a download
/// write outside its destination. Errors: INVALID_RESPONSE naming the entry and
/// `listed_dir` (where it was found).
Result<std::string> local_file_name(const std::string& listed_path, const std::string& listed_dir);

/// Writes `content` to the local file `path` through a hidden temporary sibling
/// (".name.dbk-tmp-<hex>") renamed over it, so nobody sees a half-written file; on
/// failure the temporary file is removed and `path` is untouched. Errors: IO_ERROR.
Status write_local_file_atomically(const std::string& path, std::string_view content);

/// Files up to this size go to DBFS in one multipart `put` (read into memory whole);
/// larger ones stream in 1 MiB blocks. One request instead of create, one add-block
/// per MiB and close (docs/reference/rest-api.md §1.2, §6.7).
inline constexpr std::uint64_t kSingleRequestUploadBytes = 16 * 1048576;

struct UploadOptions {
  bool overwrite = false;
  /// Upload to a hidden sibling (".name.dbk-tmp-<hex>") and move it into place,
  /// so an interrupted upload never leaves a partial file at the target.
  bool atomic = false;
  ProgressCallback progress;
  /// Largest file sent in one multipart put; 0 streams every file in blocks.
  std::uint64_t single_request_max_bytes = kSingleRequestUploadBytes;
};

/// Uploads a local file of any size to DBFS: up to `single_request_max_bytes` in one
/// multipart put, larger files streamed in 1 MiB blocks (create/add-block/close) and
/// never held in memory whole.
/// A cancelled `context` stops the upload (also a request in flight) and removes
/// the temporary file.
Status upload_file(const DbfsApi& dbfs, const std::string& local_path, const std::string& dbfs_path,
                   const UploadOptions& options = {}, const CallContext& context = {});

struct DownloadOptions {
  bool overwrite = false;
  ProgressCallback progress;
};

/// Reads a DBFS file in 1 MiB chunks into a temporary file next to `local_path`
/// and renames it into place; on failure the temporary file is removed.
Status download_file(const DbfsApi& dbfs, const std::string& dbfs_path,
                     const std::string& local_path, const DownloadOptions& options = {},
                     const CallContext& context = {});

/// Copies one DBFS file to another DBFS path. The API has no server-side copy, so
/// the bytes stream through a private temporary local file (as the legacy CLI does).
Status copy_within_dbfs(const DbfsApi& dbfs, const std::string& src_path,
                        const std::string& dst_path, const UploadOptions& options = {},
                        const CallContext& context = {});

// ---- leftovers of interrupted copies ----------------------------------------------------

/// How old a hidden temporary (".NAME.dbk-tmp-<hex>", ".NAME.dbk-old-<hex>") must be
/// before a later copy to NAME takes it for a leftover of an interrupted or killed
/// copy and removes it. A day: far longer than any copy that is still running.
inline constexpr std::chrono::hours kStaleTemporaryAge{24};

/// Removes from the DBFS folder `dbfs_dir` the temporaries of copies to the files
/// `names` (file names in that folder) last modified more than kStaleTemporaryAge
/// before `now`. A parked old version (".dbk-old-") is removed only while NAME exists,
/// since otherwise it is the only copy of that file. Best effort: returns how many
/// were removed; failures (and a missing folder) are ignored.
std::size_t remove_stale_temporaries(
    const DbfsApi& dbfs, const std::string& dbfs_dir, const std::set<std::string>& names,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// The same for a local folder: partial downloads (".NAME.dbk-tmp-<hex>") older than
/// kStaleTemporaryAge. Symlinks are removed, never followed; folders are left alone.
std::size_t remove_stale_local_temporaries(
    const std::string& local_dir, const std::set<std::string>& names,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// ---- many files -------------------------------------------------------------------

enum class CopyDirection { kUpload, kDownload };

struct CopyItem {
  std::string src;
  std::string dst;
};

struct CopyOptions {
  unsigned parallelism = 8;  ///< worker threads across files (min 1)
  bool overwrite = false;
  /// Without overwrite, an existing target is skipped ("already exists") when
  /// true, and is a failure when false.
  bool skip_existing = true;
  bool atomic = false;  ///< uploads only; see UploadOptions::atomic
  bool continue_on_error = false;
  ProgressCallback progress;
  std::uint64_t single_request_max_bytes = kSingleRequestUploadBytes;  ///< see UploadOptions
};

/// Copies files with bounded parallelism; one result per item, in item order. Once
/// `context` is cancelled no file starts (kNotStarted) and those in flight fail CANCELLED.
std::vector<FileResult> copy_files(const DbfsApi& dbfs, CopyDirection direction,
                                   const std::vector<CopyItem>& items,
                                   const CopyOptions& options = {},
                                   const CallContext& context = {});

/// Copies a directory tree (local → DBFS or DBFS → local): creates the target
/// directories, then copies the files like copy_files. Fails as a whole only when
/// the source cannot be listed.
Result<std::vector<FileResult>> copy_tree(const DbfsApi& dbfs, CopyDirection direction,
                                          const std::string& src_dir, const std::string& dst_dir,
                                          const CopyOptions& options = {},
                                          const CallContext& context = {});

// ---- workspace directories ----------------------------------------------------------

/// How import_dir decides what becomes a notebook.
enum class ImportDirMode {
  /// databricks-cli: by extension only (docs/reference/rest-api.md §5.4).
  kLegacy,
  /// Only files with a "Databricks notebook source" header become SOURCE notebooks;
  /// .ipynb stay JUPYTER; everything else is skipped.
  kAuto,
};

/// What one local file becomes in the workspace.
struct NotebookMapping {
  std::string language;  ///< empty for HTML/DBC
  std::string format;
  std::string target_name;  ///< file name with the matched extension stripped
};

/// Legacy import_dir rule for a file name: endswith match on .scala .py .sql .SQL
/// .r .R .ipynb .html .dbc; nullopt for any other name (docs/reference/rest-api.md §5.4).
std::optional<NotebookMapping> legacy_notebook_mapping(const std::string& file_name);

/// AUTO rule: `content` is the beginning of the file (the first line suffices).
std::optional<NotebookMapping> auto_notebook_mapping(const std::string& file_name,
                                                     std::string_view content);

struct ImportDirOptions {
  ImportDirMode mode = ImportDirMode::kLegacy;
  bool overwrite = false;
  bool exclude_hidden = false;     ///< skip files and directories starting with '.'
  bool continue_on_error = false;  ///< else the first failure stops the rest
  unsigned parallelism = 8;
};

/// Imports a local directory tree into the workspace (mkdirs first, recursing).
/// Fails as a whole only when the local directory cannot be read or the target
/// directory cannot be created; per-file outcomes are in the results.
Result<std::vector<FileResult>> import_dir(const WorkspaceApi& workspace,
                                           const std::string& local_dir,
                                           const std::string& workspace_dir,
                                           const ImportDirOptions& options = {},
                                           const CallContext& context = {});

struct ExportDirOptions {
  bool overwrite = false;  ///< else an existing local file is skipped
  bool continue_on_error = true;
  unsigned parallelism = 8;
};

/// Exports every notebook under a workspace directory as SOURCE with the
/// language's extension (.py .scala .sql .r); other objects are skipped.
Result<std::vector<FileResult>> export_dir(const WorkspaceApi& workspace,
                                           const std::string& workspace_dir,
                                           const std::string& local_dir,
                                           const ExportDirOptions& options = {},
                                           const CallContext& context = {});

/// ".py", ".scala", ".sql", ".r" for a notebook language; "" for others.
std::string extension_for_language(const std::string& language);

}  // namespace dbk
