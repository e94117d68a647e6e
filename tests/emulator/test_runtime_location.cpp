// Where the emulator looks for its installed data (the Python notebook runtime, the web
// pages): next to an installed executable first (<bindir>/../share/dbk/...), so an installed
// dbk needs no source tree, and the source tree's emulator/ folders for build-tree programs.
#include <catch2/catch.hpp>
#include <filesystem>

#include "runs/runtime_location.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using dbk::emulator::find_runtime_dir_for;
using dbk::test_support::TempDir;

TEST_CASE("an installed executable uses the runtime installed beside it") {
  TempDir prefix;
  prefix.write("bin/dbk", "");
  prefix.write("share/dbk/runtime/dbk_runtime/__main__.py", "");
  prefix.write("share/dbk/runtime/dbk_runtime/__init__.py", "");
  CHECK(find_runtime_dir_for(prefix / "bin/dbk") == prefix / "share/dbk/runtime");
}

TEST_CASE("without an installed runtime the source tree's runtime is used") {
  const fs::path source_runtime = find_runtime_dir_for({});
  CHECK(source_runtime.filename() == "runtime");
  CHECK(source_runtime.parent_path().filename() == "emulator");
  CHECK(fs::is_regular_file(source_runtime / "dbk_runtime" / "__main__.py"));

  TempDir prefix;
  prefix.write("bin/dbk", "");
  CHECK(find_runtime_dir_for(prefix / "bin/dbk") == source_runtime);
  // A folder without the package (a half-removed install) is not taken for the runtime.
  fs::create_directories(prefix / "share/dbk/runtime/dbk_runtime");
  CHECK(find_runtime_dir_for(prefix / "bin/dbk") == source_runtime);
}

TEST_CASE("the web pages are found like the runtime: installed first, else the source tree") {
  using dbk::emulator::find_web_dir_for;
  const fs::path source_web = find_web_dir_for({});
  CHECK(source_web.filename() == "web");
  CHECK(source_web.parent_path().filename() == "emulator");
  CHECK(fs::is_regular_file(source_web / "index.html"));

  TempDir prefix;
  prefix.write("bin/dbk", "");
  CHECK(find_web_dir_for(prefix / "bin/dbk") == source_web);
  prefix.write("share/dbk/web/index.html", "");
  CHECK(find_web_dir_for(prefix / "bin/dbk") == prefix / "share/dbk/web");
}
