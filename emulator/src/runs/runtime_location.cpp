#include "runs/runtime_location.hpp"

#include <system_error>

// All set by emulator/CMakeLists.txt.
#ifndef DBK_EMULATOR_RUNTIME_FROM_BINDIR
#error "DBK_EMULATOR_RUNTIME_FROM_BINDIR (installed runtime, relative to the bin folder) is not set"
#endif
#ifndef DBK_EMULATOR_RUNTIME_BUILD_TREE
#error "DBK_EMULATOR_RUNTIME_BUILD_TREE (the source tree's emulator/runtime) is not set"
#endif
#ifndef DBK_EMULATOR_WEB_FROM_BINDIR
#error "DBK_EMULATOR_WEB_FROM_BINDIR (installed web pages, relative to the bin folder) is not set"
#endif
#ifndef DBK_EMULATOR_WEB_BUILD_TREE
#error "DBK_EMULATOR_WEB_BUILD_TREE (the source tree's emulator/web) is not set"
#endif

namespace dbk::emulator {
namespace fs = std::filesystem;

namespace {

// The installed folder `from_bindir` (relative to the executable's folder) when it holds
// `marker`, else the source tree's `build_tree`.
fs::path installed_or_source(const fs::path& exe, const char* from_bindir, const char* marker,
                             const char* build_tree) {
  if (!exe.empty()) {
    fs::path installed = (exe.parent_path() / from_bindir).lexically_normal();
    std::error_code ec;
    if (fs::is_regular_file(installed / marker, ec)) return installed;
  }
  return fs::path(build_tree);
}

fs::path own_executable() {
  // /proc/self/exe is the real file even when dbk was started through the `databricks` or
  // `dbfs` symlink or from PATH, so the installed layout is found from wherever it was put.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

}  // namespace

fs::path find_runtime_dir_for(const fs::path& exe) {
  return installed_or_source(exe, DBK_EMULATOR_RUNTIME_FROM_BINDIR, "dbk_runtime/__main__.py",
                             DBK_EMULATOR_RUNTIME_BUILD_TREE);
}

fs::path find_runtime_dir() {
  return find_runtime_dir_for(own_executable());
}

fs::path find_web_dir_for(const fs::path& exe) {
  return installed_or_source(exe, DBK_EMULATOR_WEB_FROM_BINDIR, "index.html",
                             DBK_EMULATOR_WEB_BUILD_TREE);
}

fs::path find_web_dir() {
  return find_web_dir_for(own_executable());
}

}  // namespace dbk::emulator
