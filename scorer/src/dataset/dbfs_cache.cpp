// Local cache of DBFS folders for `dbk score`: models and tables are fetched once and reused
// while their DBFS size and modification time stay the same (docs/scorer.md).
#include "dbk/scorer/dbfs_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "dbk/api_error.hpp"
#include "dbk/clock.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/scorer/dataset.hpp"

namespace dbk::scorer {
namespace fs = std::filesystem;

namespace {

// Lock files live here, below the cache folder; listings of DBFS skip hidden names, so no DBFS
// path can map onto it.
const char* const kLockDir = ".dbk-locks";

ApiError io_error(const std::string& what, const fs::path& path, const std::error_code& code) {
  return make_error(dbk::error_codes::kIoError, what + " " + path.string() + ": " + code.message());
}

bool hidden(const std::string& name) {
  return !name.empty() && name[0] == '.';
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// Every file below `root` (a normalized "/x" path), depth first; hidden names skipped.
Status list_tree(const DbfsApi& dbfs, const std::string& root, std::vector<FileInfo>& files,
                 const CallContext& context) {
  auto entries = dbfs.list(root, context);
  if (!entries) return std::move(entries).error();
  for (auto& entry : *entries) {
    if (hidden(base_name(entry.path))) continue;
    if (entry.is_dir) {
      if (auto st = list_tree(dbfs, entry.path, files, context); !st) return st;
    } else {
      files.push_back(std::move(entry));
    }
  }
  return {};
}

// The DBFS modification time (epoch ms, docs/reference/rest-api.md §1.2 FileInfo) is stamped
// on the cached copy; a file whose stamp and size both match is a cache hit.
bool cached_copy_matches(const fs::path& local, const FileInfo& remote) {
  if (remote.modification_time <= 0) return false;  // nothing to compare: always refetch
  struct stat st {};
  if (::stat(local.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  const std::int64_t ms = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 +
                          static_cast<std::int64_t>(st.st_mtim.tv_nsec / 1000000);
  return static_cast<std::int64_t>(st.st_size) == remote.file_size &&
         ms == remote.modification_time;
}

/// Stamps the DBFS modification time on a fresh download, unless its size differs from the
/// listing (the file changed in between): then the copy stays unstamped and the next fetch
/// downloads it again instead of trusting it.
Status stamp(const fs::path& local, const FileInfo& remote) {
  std::error_code code;
  auto size = fs::file_size(local, code);
  if (code) return io_error("cannot read the size of", local, code);
  if (static_cast<std::int64_t>(size) != remote.file_size || remote.modification_time <= 0) {
    return {};
  }
  struct timespec times[2];
  times[0].tv_sec = static_cast<time_t>(remote.modification_time / 1000);
  times[0].tv_nsec = static_cast<long>((remote.modification_time % 1000) * 1000000);
  times[1] = times[0];
  if (::utimensat(AT_FDCWD, local.c_str(), times, 0) != 0) {
    return io_error("cannot set the modification time of", local,
                    std::error_code(errno, std::generic_category()));
  }
  return {};
}

/// Relative path of `file` below `root` ("/a/b" below "/a" → "b"); the file itself when equal.
std::string relative_to(const std::string& root, const std::string& file) {
  if (file == root) return base_name(file);
  return file.substr(root.size() + (root == "/" ? 0 : 1));
}

/// Downloads the files not cached yet; fills `report`.
Status sync_files(const DbfsApi& dbfs, const std::vector<FileInfo>& files,
                  const std::string& remote_root, const fs::path& local_root,
                  const FetchOptions& options, FetchReport& report, const CallContext& context) {
  std::vector<CopyItem> items;
  std::vector<const FileInfo*> pending;
  for (const auto& file : files) {
    const fs::path local = local_root / relative_to(remote_root, file.path);
    if (cached_copy_matches(local, file)) {
      ++report.reused;
      continue;
    }
    std::error_code code;
    fs::create_directories(local.parent_path(), code);
    if (code) return io_error("cannot create", local.parent_path(), code);
    if (fs::is_directory(local, code)) fs::remove_all(local, code);
    items.push_back({file.path, local.string()});
    pending.push_back(&file);
  }
  if (items.empty()) return {};
  CopyOptions copy;
  copy.parallelism = std::max(1u, options.parallelism);
  copy.overwrite = true;  // a stale cached copy is replaced (temp file + rename)
  copy.progress = options.progress;
  auto results = copy_files(dbfs, CopyDirection::kDownload, items, copy, context);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].status != FileStatus::kDone) {
      if (results[i].error) return *results[i].error;
      return make_error(dbk::error_codes::kIoError,
                        "download of " + items[i].src + " was not done");
    }
    if (auto st = stamp(items[i].dst, *pending[i]); !st) return st;
    ++report.downloaded;
    report.bytes_downloaded += static_cast<std::uint64_t>(pending[i]->file_size);
  }
  return {};
}

/// Deletes cached files (and then empty folders) below `local_root` that are not in `keep`.
Status prune(const fs::path& local_root, const std::set<fs::path>& keep, FetchReport& report) {
  std::error_code code;
  if (!fs::is_directory(local_root, code)) return {};
  std::vector<fs::path> stale;
  std::vector<fs::path> dirs;
  for (auto it = fs::recursive_directory_iterator(local_root, code);
       !code && it != fs::recursive_directory_iterator(); it.increment(code)) {
    if (it->is_directory(code)) {
      // Lock files are never deleted (see EntryLocks), even when the cache root is fetched.
      if (it->path().filename() == kLockDir) {
        it.disable_recursion_pending();
        continue;
      }
      dirs.push_back(it->path());
    } else if (!keep.count(it->path())) {
      stale.push_back(it->path());
    }
  }
  if (code) return io_error("cannot list", local_root, code);
  for (const auto& path : stale) {
    fs::remove(path, code);
    if (code) return io_error("cannot remove", path, code);
    // Leftover temporary files of an interrupted download are not counted as removed files.
    if (!hidden(path.filename().string())) ++report.removed;
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    if (fs::is_empty(*it, code)) fs::remove(*it, code);
  }
  return {};
}

// FNV-1a: a hash that is the same in every build, so that two dbk binaries sharing one cache
// agree on the lock file of a path. A collision only serializes two unrelated fetches.
std::string lock_name(const std::string& dbfs_path) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : dbfs_path) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (int shift = 60; shift >= 0; shift -= 4) out += digits[(h >> shift) & 15];
  return out + ".lock";
}

/// Advisory locks (flock(2)) that keep processes sharing a cache folder from fetching the same
/// entry at once: the entry's own lock exclusively, and every ancestor folder's lock shared, so
/// that fetching "/a" also waits for a fetch of "/a/b" in progress (and the other way round),
/// while fetches of unrelated paths run in parallel. Locks are taken root first, always in the
/// same order, so two fetchers cannot deadlock. The kernel drops a dead process's locks, so a
/// fetcher that crashed never blocks the next one; lock files stay (deleting one while another
/// process waits on it would let two holders in).
class EntryLocks {
 public:
  EntryLocks() = default;
  EntryLocks(const EntryLocks&) = delete;
  EntryLocks& operator=(const EntryLocks&) = delete;
  ~EntryLocks() {
    for (auto it = fds_.rbegin(); it != fds_.rend(); ++it) ::close(*it);  // also unlocks
  }

  Status acquire(const fs::path& cache_dir, const std::string& dbfs_path,
                 const CallContext& context) {
    const fs::path dir = cache_dir / kLockDir;
    std::error_code code;
    fs::create_directories(dir, code);
    if (code) return io_error("cannot create", dir, code);
    // "/a/b" → locks of "/" and "/a" shared, "/a/b" exclusive.
    std::vector<std::string> chain{"/"};
    for (std::size_t slash = dbfs_path.find('/', 1); slash != std::string::npos;
         slash = dbfs_path.find('/', slash + 1)) {
      chain.push_back(dbfs_path.substr(0, slash));
    }
    if (dbfs_path != "/") chain.push_back(dbfs_path);
    for (std::size_t k = 0; k < chain.size(); ++k) {
      const fs::path file = dir / lock_name(chain[k]);
      const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) {
        return io_error("cannot open the lock file", file,
                        std::error_code(errno, std::generic_category()));
      }
      fds_.push_back(fd);
      const int mode = k + 1 == chain.size() ? LOCK_EX : LOCK_SH;
      if (auto st = lock(fd, mode, file, context); !st) return st;
    }
    return {};
  }

 private:
  // Polls instead of blocking, so that a cancelled fetch stops waiting for another process.
  static Status lock(int fd, int mode, const fs::path& file, const CallContext& context) {
    for (;;) {
      if (::flock(fd, mode | LOCK_NB) == 0) return {};
      if (errno != EWOULDBLOCK && errno != EINTR) {
        return io_error("cannot lock", file, std::error_code(errno, std::generic_category()));
      }
      // The one cancellable sleep of dbk (dbk::Sleeper): false when cancelled.
      if (!dbk::real_sleeper()->sleep_for(std::chrono::milliseconds(20),
                                          context.cancellation.get())) {
        return make_error(dbk::error_codes::kCancelled,
                          "cancelled while another process was fetching into the cache");
      }
    }
  }

  std::vector<int> fds_;
};

}  // namespace

std::string default_cache_dir() {
  if (const char* dir = std::getenv("DBK_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return (fs::path(xdg) / "dbk" / "dbfs").string();
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return (fs::path(home) / ".cache" / "dbk" / "dbfs").string();
  }
  std::error_code code;
  return (fs::temp_directory_path(code) / "dbk-cache" / "dbfs").string();
}

bool is_dbfs_uri(std::string_view path) {
  return path.rfind("dbfs:", 0) == 0;
}

namespace {

// The cache folder FetchOptions::cache_dir names ("" = default_cache_dir()).
fs::path cache_root(const std::string& cache_dir) {
  return cache_dir.empty() ? fs::path(default_cache_dir()) : fs::path(cache_dir);
}

}  // namespace

Result<std::string> cache_path_for(const std::string& cache_dir, const std::string& dbfs_path) {
  auto normalized = normalize_dbfs_path(dbfs_path);
  if (!normalized) return std::move(normalized).error();
  // No ".." may climb out of the cache (DBFS paths are absolute and need none).
  for (const auto& part : fs::path(*normalized)) {
    if (part == "..") {
      return make_error(dbk::error_codes::kInvalidArgument, "'..' in DBFS path " + dbfs_path);
    }
  }
  const std::string relative = normalized->substr(1);
  return (cache_root(cache_dir) / relative).string();
}

Result<FetchReport> fetch_dbfs_tree(const DbfsApi& dbfs, const std::string& dbfs_path,
                                    const FetchOptions& options, const CallContext& context) {
  auto root = normalize_dbfs_path(dbfs_path);
  if (!root) return std::move(root).error();
  while (root->size() > 1 && root->back() == '/') root->pop_back();
  auto local = cache_path_for(options.cache_dir, *root);
  if (!local) return std::move(local).error();
  const fs::path local_root(*local);
  // Another process fetching the same entry into this cache is waited for; its downloads are
  // then cache hits here, since they carry the DBFS size and modification time.
  EntryLocks locks;
  if (auto st = locks.acquire(cache_root(options.cache_dir), *root, context); !st)
    return st.error();

  FetchReport report;
  report.local_path = local_root.string();
  auto status = dbfs.get_status(*root, context);
  if (!status) return std::move(status).error();
  std::error_code code;
  if (!status->is_dir) {
    // A single file (e.g. one Parquet file).
    if (fs::is_directory(local_root, code)) fs::remove_all(local_root, code);
    if (auto st =
            sync_files(dbfs, {*status}, *root, local_root.parent_path(), options, report, context);
        !st) {
      return st.error();
    }
    report.files = 1;
    return report;
  }

  std::vector<FileInfo> files;
  bool delta = false;
  if (options.delta_live_files_only) {
    auto log = dbfs.get_status(*root + "/_delta_log", context);
    delta = log.ok() && log->is_dir;
  }
  if (delta) {
    // Delta table: the log first, then only the live data files it names, so that the many
    // files of old versions are never downloaded.
    std::vector<FileInfo> log_files;
    if (auto st = list_tree(dbfs, *root + "/_delta_log", log_files, context); !st)
      return st.error();
    if (auto st = sync_files(dbfs, log_files, *root, local_root, options, report, context); !st) {
      return st.error();
    }
    // The local log must hold exactly the DBFS log before it is replayed.
    std::set<fs::path> keep;
    for (const auto& f : log_files) keep.insert(local_root / relative_to(*root, f.path));
    FetchReport ignored;
    if (auto st = prune(local_root / "_delta_log", keep, ignored); !st) return st.error();
    auto live = delta_live_files(local_root.string());
    if (!live) return std::move(live).error();
    // Sizes and times of the live files from listing their folders (usually just the root).
    std::map<std::string, FileInfo> listed;
    std::set<std::string> folders;
    for (const auto& relative : *live) {
      const std::string full = *root + "/" + relative;
      folders.insert(full.substr(0, full.find_last_of('/')));
    }
    for (const auto& folder : folders) {
      auto entries = dbfs.list(folder, context);
      if (!entries) return std::move(entries).error();
      for (auto& entry : *entries) listed[entry.path] = std::move(entry);
    }
    std::vector<FileInfo> data;
    for (const auto& relative : *live) {
      auto it = listed.find(*root + "/" + relative);
      if (it == listed.end() || it->second.is_dir) {
        return make_error(dbk::error_codes::kNotFound, "Delta table " + *root + ": live file " +
                                                           relative + " is missing in DBFS");
      }
      data.push_back(it->second);
    }
    if (auto st = sync_files(dbfs, data, *root, local_root, options, report, context); !st) {
      return st.error();
    }
    files = std::move(log_files);
    files.insert(files.end(), data.begin(), data.end());
  } else {
    if (auto st = list_tree(dbfs, *root, files, context); !st) return st.error();
    if (auto st = sync_files(dbfs, files, *root, local_root, options, report, context); !st) {
      return st.error();
    }
  }
  std::set<fs::path> keep;
  for (const auto& f : files) keep.insert(local_root / relative_to(*root, f.path));
  if (auto st = prune(local_root, keep, report); !st) return st.error();
  if (files.empty()) {
    fs::create_directories(local_root, code);
    if (code) return io_error("cannot create", local_root, code);
  }
  report.files = files.size();
  return report;
}

Result<FetchReport> resolve_local(const DbfsApi* dbfs, const std::string& path,
                                  const FetchOptions& options, const CallContext& context) {
  if (is_dbfs_uri(path)) {
    if (dbfs == nullptr) {
      return make_error(dbk::error_codes::kInvalidArgument,
                        path + " is a DBFS path, but no workspace client was given");
    }
    return fetch_dbfs_tree(*dbfs, path, options, context);
  }
  std::error_code code;
  if (!fs::exists(path, code)) {
    return make_error(dbk::error_codes::kNotFound, "No such file or directory: " + path);
  }
  FetchReport report;
  report.local_path = path;
  return report;
}

}  // namespace dbk::scorer
