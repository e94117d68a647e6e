#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <regex>

#include "dbk/atomic_file.hpp"
#include "dbk/transfer.hpp"
#include "temp_dir.hpp"

using dbk::test_support::read_file;
using dbk::test_support::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("hidden siblings keep the folder and hide the name") {
  CHECK(std::regex_match(dbk::temporary_sibling("/a/b/out.csv"),
                         std::regex(R"(/a/b/\.out\.csv\.dbk-tmp-[0-9a-f]{16})")));
  CHECK(std::regex_match(dbk::aside_sibling("dbfs-dir/out"),
                         std::regex(R"(dbfs-dir/\.out\.dbk-old-[0-9a-f]{16})")));
  // A bare name stays in the current folder; it must not become a file at the root.
  CHECK(std::regex_match(dbk::temporary_sibling("out.csv"),
                         std::regex(R"(\.out\.csv\.dbk-tmp-[0-9a-f]{16})")));
  CHECK(dbk::temporary_sibling("/a/x") != dbk::temporary_sibling("/a/x"));
}

TEST_CASE("an atomic file replaces its target only when committed") {
  TempDir dir;
  const fs::path target = dir.write("report.csv", "old content\n");

  SECTION("committed: the new content, no temporary left") {
    dbk::AtomicFileWriter file;
    REQUIRE(file.open(target.string()).ok());
    REQUIRE(file.append("new ").ok());
    REQUIRE(file.append("content\n").ok());
    CHECK(read_file(target) == "old content\n");  // not visible before the commit
    REQUIRE(file.commit().ok());
    CHECK(read_file(target) == "new content\n");
    CHECK(file.bytes() == 12);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"report.csv"});
  }
  SECTION("dropped half-written: the old file survives, the temporary is gone") {
    {
      dbk::AtomicFileWriter file;
      REQUIRE(file.open(target.string()).ok());
      REQUIRE(file.append("half of the new").ok());
      CHECK(names_in(dir.path()).size() == 2);
    }
    CHECK(read_file(target) == "old content\n");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"report.csv"});
  }
  SECTION("moved: only the last owner commits or removes") {
    dbk::AtomicFileWriter first;
    REQUIRE(first.open(target.string()).ok());
    REQUIRE(first.append("moved").ok());
    dbk::AtomicFileWriter second = std::move(first);
    CHECK_FALSE(first.commit().ok());
    REQUIRE(second.commit().ok());
    CHECK(read_file(target) == "moved");
  }
}

TEST_CASE("an atomic file in a missing folder is a clear IO error") {
  TempDir dir;
  dbk::AtomicFileWriter file;
  const auto opened = file.open((dir / "no-such-folder" / "out").string());
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().error_code == "IO_ERROR");
  CHECK(opened.error().message.find("no-such-folder/out") != std::string::npos);
  CHECK(opened.error().message.find("No such file or directory") != std::string::npos);
}

TEST_CASE("a new file gets the user's umask, like any tool's output") {
  TempDir dir;
  const mode_t previous = ::umask(027);
  const auto written = dbk::write_local_file_atomically((dir / "exported.py").string(), "x");
  ::umask(previous);
  REQUIRE(written.ok());
  CHECK((fs::status(dir / "exported.py").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
}
