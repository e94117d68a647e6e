#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dbk/result.hpp"
#include "dbk/transfer.hpp"

namespace dbk {
class DbfsApi;
}

namespace dbk::scorer {

/// Where DBFS folders are cached when FetchOptions::cache_dir is empty: $DBK_CACHE_DIR, else
/// $XDG_CACHE_HOME/dbk/dbfs, else $HOME/.cache/dbk/dbfs, else <temp>/dbk-cache/dbfs.
std::string default_cache_dir();

/// True for "dbfs:/..." (the only form that is fetched; everything else is a local path).
bool is_dbfs_uri(std::string_view path);

/// The local folder a DBFS path is cached at: <cache_dir>/<path without the leading '/'>.
Result<std::string> cache_path_for(const std::string& cache_dir, const std::string& dbfs_path);

struct FetchOptions {
  std::string cache_dir;     ///< empty = default_cache_dir()
  unsigned parallelism = 8;  ///< downloads in flight (min 1)
  /// For a Delta table (a `_delta_log/` folder directly below), fetch the log and only the data
  /// files the log says are live; otherwise every file of the tree.
  bool delta_live_files_only = true;
  ProgressCallback progress;
};

struct FetchReport {
  std::string local_path;  ///< the folder (or file) to read locally
  std::size_t files = 0;   ///< files the local copy holds
  std::size_t downloaded = 0;
  std::size_t reused = 0;   ///< cache hits: same size and modification time as in DBFS
  std::size_t removed = 0;  ///< cached files no longer in DBFS (or no longer live), deleted
  std::uint64_t bytes_downloaded = 0;
};

/// Mirrors a DBFS file or folder tree into the cache, in parallel. A cached file is reused only
/// when its size and modification time equal the DBFS listing's (the modification time is
/// stamped on the local file after its download); every download goes to a hidden temporary
/// sibling that is renamed into place (dbk::download_file), so an interrupted fetch never leaves
/// a partial file under a trusted name. Names starting with '.' are skipped (checksums, temporary
/// files), and cached files that are no longer in the listing are deleted, so that a Parquet
/// table rewritten with new part-file names reads the same locally as in DBFS.
/// Processes sharing a cache folder are coordinated by flock(2) locks on the entry and its
/// ancestors (under <cache_dir>/.dbk-locks/): a second fetch of the same entry waits and then
/// reuses the first one's downloads; a cancelled `context` also ends the wait (CANCELLED).
/// Errors: NOT_FOUND / RESOURCE_DOES_NOT_EXIST from DBFS, IO_ERROR, CANCELLED, the first failed
/// download.
Result<FetchReport> fetch_dbfs_tree(const DbfsApi& dbfs, const std::string& dbfs_path,
                                    const FetchOptions& options = {},
                                    const CallContext& context = {});

/// "dbfs:/x" → fetch_dbfs_tree (needs `dbfs`); anything else must be an existing local path and
/// is returned as is (files = downloaded = 0). A dbfs: path with `dbfs == nullptr` is
/// INVALID_ARGUMENT; a missing local path is NOT_FOUND.
Result<FetchReport> resolve_local(const DbfsApi* dbfs, const std::string& path,
                                  const FetchOptions& options = {},
                                  const CallContext& context = {});

}  // namespace dbk::scorer
