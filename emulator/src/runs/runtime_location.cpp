#include "runs/runtime_location.hpp"

#include <system_error>

// Both set by emulator/CMakeLists.txt.
#ifndef DBK_EMULATOR_RUNTIME_FROM_BINDIR
#error "DBK_EMULATOR_RUNTIME_FROM_BINDIR (installed runtime, relative to the bin folder) is not set"
#endif
#ifndef DBK_EMULATOR_RUNTIME_BUILD_TREE
#error "DBK_EMULATOR_RUNTIME_BUILD_TREE (the source tree's emulator/runtime) is not set"
#endif

namespace dbk::emulator {
namespace fs = std::filesystem;

namespace {

bool holds_runtime(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "dbk_runtime" / "__main__.py", ec);
}

}  // namespace

fs::path find_runtime_dir_for(const fs::path& exe) {
  if (!exe.empty()) {
    fs::path installed = (exe.parent_path() / DBK_EMULATOR_RUNTIME_FROM_BINDIR).lexically_normal();
    if (holds_runtime(installed)) return installed;
  }
  return fs::path(DBK_EMULATOR_RUNTIME_BUILD_TREE);
}

fs::path find_runtime_dir() {
  // /proc/self/exe is the real file even when dbk was started through the `databricks` or
  // `dbfs` symlink or from PATH, so the installed layout is found from wherever it was put.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return find_runtime_dir_for(ec ? fs::path() : exe);
}

}  // namespace dbk::emulator
