// Many-file DBFS copies with bounded parallelism across files.
#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <mutex>
#include <set>

#include "dbk/dbfs.hpp"
#include "dbk/transfer.hpp"
#include "transfer/local_files.hpp"
#include "transfer/parallel.hpp"

namespace dbk {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAlreadyExists = "RESOURCE_ALREADY_EXISTS";

// Folds per-file cumulative byte counts into operation totals and serialises the
// user's callback across worker threads.
class ProgressTotals {
 public:
  ProgressTotals(ProgressCallback callback, std::size_t files_total)
      : callback_(std::move(callback)) {
    totals_.files_total = files_total;
  }

  /// A per-file callback reporting into the totals.
  ProgressCallback for_file() {
    if (!callback_) return {};
    auto last = std::make_shared<std::uint64_t>(0);
    return [this, last](const TransferProgress& file) {
      std::lock_guard<std::mutex> lock(mutex_);
      totals_.bytes_done += file.bytes_done - *last;
      *last = file.bytes_done;
      callback_(totals_);
    };
  }

  void file_finished() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++totals_.files_done;
    if (callback_) callback_(totals_);
  }

 private:
  ProgressCallback callback_;
  std::mutex mutex_;
  TransferProgress totals_;
};

std::string join_dbfs(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// Sorted walk of a local tree: files (relative, '/'-joined) and leaf directories.
Status walk_local(const fs::path& root, const std::string& relative,
                  std::vector<std::string>& files, std::vector<std::string>& leaf_dirs,
                  std::set<fs::path>& visited) {
  if (!detail::first_visit(root / relative, visited)) return {};
  auto entries = detail::sorted_entries(root / relative);
  if (!entries) return std::move(entries).error();
  bool has_subdir = false;
  std::error_code code;
  for (const auto& entry : *entries) {
    const std::string name = entry.path().filename().string();
    const std::string child = relative.empty() ? name : relative + "/" + name;
    if (entry.is_directory(code)) {
      has_subdir = true;
      auto walked = walk_local(root, child, files, leaf_dirs, visited);
      if (!walked) return walked;
    } else if (entry.is_regular_file(code)) {
      files.push_back(child);
    }
  }
  if (!has_subdir && !relative.empty()) leaf_dirs.push_back(relative);
  return {};
}

// Entries whose names are unusable locally become failed results in `rejected`.
Status walk_dbfs(const DbfsApi& dbfs, const CallContext& context, const std::string& root,
                 const std::string& relative, std::vector<std::string>& files,
                 std::vector<std::string>& dirs, std::vector<FileResult>& rejected) {
  const std::string listed = relative.empty() ? root : join_dbfs(root, relative);
  auto listing = dbfs.list(listed, context);
  if (!listing) return std::move(listing).error();
  std::sort(listing->begin(), listing->end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  for (const auto& info : *listing) {
    // A server echoing the listed directory itself would otherwise recurse forever.
    if (info.is_dir && info.path == listed) continue;
    auto name = local_file_name(info.path, listed);
    if (!name) {
      FileResult result;
      result.src = info.path;
      result.status = FileStatus::kFailed;
      result.error = std::move(name).error();
      rejected.push_back(std::move(result));
      continue;
    }
    const std::string child = relative.empty() ? *name : relative + "/" + *name;
    if (info.is_dir) {
      dirs.push_back(child);
      auto walked = walk_dbfs(dbfs, context, root, child, files, dirs, rejected);
      if (!walked) return walked;
    } else {
      files.push_back(child);
    }
  }
  return {};
}

}  // namespace

bool all_succeeded(const std::vector<FileResult>& results) {
  return std::none_of(results.begin(), results.end(), [](const FileResult& r) {
    return r.status == FileStatus::kFailed || r.status == FileStatus::kNotStarted;
  });
}

std::vector<FileResult> copy_files(const DbfsApi& dbfs, CopyDirection direction,
                                   const std::vector<CopyItem>& items, const CopyOptions& options,
                                   const CallContext& context) {
  std::vector<FileResult> results(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    results[i].src = items[i].src;
    results[i].dst = items[i].dst;
  }
  ProgressTotals totals(options.progress, items.size());
  detail::run_parallel(
      items.size(), options.parallelism,
      [&](std::size_t index) {
        FileResult& result = results[index];
        Status copied;
        if (direction == CopyDirection::kUpload) {
          UploadOptions upload{options.overwrite, options.atomic, totals.for_file(),
                               options.single_request_max_bytes};
          copied = upload_file(dbfs, result.src, result.dst, upload, context);
        } else {
          DownloadOptions download{options.overwrite, totals.for_file()};
          copied = download_file(dbfs, result.src, result.dst, download, context);
        }
        if (copied) {
          result.status = FileStatus::kDone;
        } else if (!options.overwrite && options.skip_existing &&
                   copied.error().error_code == kAlreadyExists) {
          // Legacy `fs cp -r` prints "... already exists. Skip." and keeps going.
          result.status = FileStatus::kSkipped;
          result.message = result.dst + " already exists";
        } else {
          result.status = FileStatus::kFailed;
          result.error = copied.error();
        }
        totals.file_finished();
        // A failure left by a replayed request concerns this file only: it does not
        // mean the service refuses the batch.
        return result.status != FileStatus::kFailed || options.continue_on_error ||
               result.error->replayed;
      },
      context);
  return results;
}

Result<std::vector<FileResult>> copy_tree(const DbfsApi& dbfs, CopyDirection direction,
                                          const std::string& src_dir, const std::string& dst_dir,
                                          const CopyOptions& options, const CallContext& context) {
  std::vector<std::string> files;
  std::vector<std::string> dirs;
  std::vector<CopyItem> items;
  std::vector<FileResult> rejected;
  if (direction == CopyDirection::kUpload) {
    std::error_code code;
    if (!fs::is_directory(src_dir, code)) {
      return make_error(error_codes::kInvalidArgument, src_dir + " is not a local directory");
    }
    std::set<fs::path> visited;
    auto walked = walk_local(src_dir, "", files, dirs, visited);
    if (!walked) return std::move(walked).error();
    auto target = normalize_dbfs_path(dst_dir);
    if (!target) return std::move(target).error();
    // mkdirs creates parents, so the root and the leaf directories cover the tree.
    auto made = dbfs.mkdirs(*target, context);
    if (!made) return std::move(made).error();
    for (const auto& dir : dirs) {
      made = dbfs.mkdirs(join_dbfs(*target, dir), context);
      if (!made) return std::move(made).error();
    }
    std::map<std::string, std::set<std::string>> names_by_dir;
    for (const auto& file : files) {
      items.push_back({(fs::path(src_dir) / file).string(), join_dbfs(*target, file)});
      const auto slash = items.back().dst.find_last_of('/');
      names_by_dir[items.back().dst.substr(0, std::max<std::size_t>(slash, 1))].insert(
          items.back().dst.substr(slash + 1));
    }
    // Leftovers of an earlier interrupted copy to the same files.
    for (const auto& [dir, names] : names_by_dir) remove_stale_temporaries(dbfs, dir, names);
  } else {
    auto source = normalize_dbfs_path(src_dir);
    if (!source) return std::move(source).error();
    auto status = dbfs.get_status(*source, context);
    if (!status) return std::move(status).error();
    if (!status->is_dir) {
      return make_error(error_codes::kInvalidArgument, *source + " is not a DBFS directory");
    }
    auto walked = walk_dbfs(dbfs, context, *source, "", files, dirs, rejected);
    if (!walked) return std::move(walked).error();
    std::error_code code;
    fs::create_directories(dst_dir, code);
    if (code) return detail::io_error("cannot create", dst_dir, code);
    for (const auto& dir : dirs) {
      fs::create_directories(fs::path(dst_dir) / dir, code);
      if (code) return detail::io_error("cannot create", fs::path(dst_dir) / dir, code);
    }
    std::map<std::string, std::set<std::string>> names_by_dir;
    for (const auto& file : files) {
      items.push_back({join_dbfs(*source, file), (fs::path(dst_dir) / file).string()});
      const fs::path local(items.back().dst);
      names_by_dir[local.parent_path().string()].insert(local.filename().string());
    }
    for (const auto& [dir, names] : names_by_dir) remove_stale_local_temporaries(dir, names);
  }
  auto results = copy_files(dbfs, direction, items, options, context);
  results.insert(results.end(), std::make_move_iterator(rejected.begin()),
                 std::make_move_iterator(rejected.end()));
  return results;
}

}  // namespace dbk
