// Finding and removing the hidden temporaries that interrupted copies leave behind.
#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "dbk/dbfs.hpp"
#include "dbk/transfer.hpp"
#include "transfer/local_files.hpp"

namespace dbk {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempMark = ".dbk-tmp-";
constexpr std::string_view kAsideMark = ".dbk-old-";
constexpr std::size_t kHexDigits = 16;  // temporary_sibling.s 8 random bytes

struct TemporaryName {
  std::string target;  ///< the NAME in ".NAME.dbk-tmp-<hex>"
  bool aside = false;  ///< ".dbk-old-": the previous content of an overwrite
};

// Reads ".NAME.dbk-tmp-<16 hex>" / ".NAME.dbk-old-<16 hex>", the names temporary_sibling
// and aside_sibling make; nullopt for any other name.
std::optional<TemporaryName> parse_temporary(const std::string& file_name) {
  if (file_name.size() < 1 + 1 + kTempMark.size() + kHexDigits || file_name.front() != '.') {
    return std::nullopt;
  }
  const std::size_t mark_at = file_name.size() - kHexDigits - kTempMark.size();
  const auto mark = std::string_view(file_name).substr(mark_at, kTempMark.size());
  if (mark != kTempMark && mark != kAsideMark) return std::nullopt;
  for (std::size_t i = file_name.size() - kHexDigits; i < file_name.size(); ++i) {
    const char c = file_name[i];
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return std::nullopt;
  }
  return TemporaryName{file_name.substr(1, mark_at - 1), mark == kAsideMark};
}

bool is_stale(std::int64_t modified_ms, std::chrono::system_clock::time_point now) {
  const auto modified =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(modified_ms));
  return modified_ms > 0 && now - modified > kStaleTemporaryAge;
}

}  // namespace

std::size_t remove_stale_temporaries(const DbfsApi& dbfs, const std::string& dbfs_dir,
                                     const std::set<std::string>& names,
                                     std::chrono::system_clock::time_point now) {
  if (names.empty()) return 0;
  auto listing = dbfs.list(dbfs_dir);
  if (!listing) return 0;  // best effort: a missing folder has nothing to clean
  std::set<std::string> present;
  for (const auto& info : *listing) {
    present.insert(info.path.substr(info.path.find_last_of('/') + 1));
  }
  std::size_t removed = 0;
  for (const auto& info : *listing) {
    if (info.is_dir) continue;
    auto temporary = parse_temporary(info.path.substr(info.path.find_last_of('/') + 1));
    if (!temporary || names.count(temporary->target) == 0) continue;
    if (!is_stale(info.modification_time, now)) continue;  // maybe a copy still running
    // A parked old version is the only copy of it while its target is missing.
    if (temporary->aside && present.count(temporary->target) == 0) continue;
    if (dbfs.remove(info.path, false)) ++removed;
  }
  return removed;
}

std::size_t remove_stale_local_temporaries(const std::string& local_dir,
                                           const std::set<std::string>& names,
                                           std::chrono::system_clock::time_point now) {
  if (names.empty()) return 0;
  auto entries = detail::sorted_entries(local_dir);
  if (!entries) return 0;
  std::size_t removed = 0;
  for (const auto& entry : *entries) {
    auto temporary = parse_temporary(entry.path().filename().string());
    if (!temporary || temporary->aside || names.count(temporary->target) == 0) continue;
    struct stat info {};
    // lstat: a symlink planted under a temporary's name is removed, never followed.
    if (::lstat(entry.path().c_str(), &info) != 0 || S_ISDIR(info.st_mode)) continue;
    if (!is_stale(static_cast<std::int64_t>(info.st_mtime) * 1000, now)) continue;
    std::error_code code;
    if (fs::remove(entry.path(), code)) ++removed;
  }
  return removed;
}

}  // namespace dbk
