// Attacks on the emulator, generated rather than hand-picked where that is possible:
// nesting, sizes, header tricks, path tricks and handle exhaustion. Each one must end in
// a clear Databricks-shaped error and a server that still answers, never a crash.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "dbfs/dbfs_service.hpp"
#include "dbk/json.hpp"
#include "emulator_fixture.hpp"
#include "state/files.hpp"
#include "state/journal.hpp"
#include "state/store.hpp"

using namespace dbk::emulator;
using namespace dbk::emulator::testing;
using nlohmann::json;

namespace {

// `depth` arrays around a 1: "[[[1]]]".
std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

TEST_CASE("replay drops a stored over-deep document and keeps everything else",
          "[emulator][robustness][json][store]") {
  // State written by an emulator that did not limit depth: one over-deep job in the
  // snapshot, one in the journal (in a record that also holds a good op).
  TempDir dir;
  const std::string deep = nested_arrays(100000);
  write_text(dir.path() / "snapshot.json",
             R"({"version": 1, "counters": {"job": 3}, "tables": {"job": {)"
             R"("1": {"name": "good"}, "2": {"settings": )" +
                 deep + R"(}, "5": {"name": "after"}}}})");
  write_text(dir.path() / "journal.jsonl",
             R"({"ops": [{"op": "put", "kind": "job", "key": "3", "value": {"p": )" + deep +
                 R"(}}, {"op": "put", "kind": "job", "key": "4", "value": {"name": "kept"}}]})"
                 "\n" +
                 R"({"ops": [{"op": "counter", "name": "job", "value": 4}]})"
                 "\n");
  for (int round = 0; round < 2; ++round) {  // and again from the compacted state
    auto store = Store::open(dir.path());
    REQUIRE(store.ok());
    CHECK((*store)->get("job", "1").value()["name"] == "good");
    CHECK_FALSE((*store)->get("job", "2").has_value());
    CHECK_FALSE((*store)->get("job", "3").has_value());
    CHECK((*store)->get("job", "4").value()["name"] == "kept");
    CHECK((*store)->get("job", "5").value()["name"] == "after");
    CHECK((*store)->list("job").size() == 3);
    CHECK((*store)->next_id("job").value() == 5 + round);
  }
}

namespace {

// A disk that fills up in the middle of a record: the first call takes a few bytes, the
// next fails with ENOSPC, as write(2) does when the last free block is used.
ssize_t full_disk_write(int fd, const void* data, size_t size) {
  static thread_local bool took_some = false;
  if (!took_some && size > 8) {
    took_some = true;
    return ::write(fd, data, 8);
  }
  took_some = false;
  errno = ENOSPC;
  return -1;
}

struct FullDisk {
  FullDisk() { set_state_write_for_testing(&full_disk_write); }
  ~FullDisk() { set_state_write_for_testing(nullptr); }
};

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a failed journal append leaves the journal as before; later writes survive",
          "[emulator][robustness][disk]") {
  TempDir dir;
  {
    auto store = Store::open(dir.path());
    REQUIRE(store.ok());
    REQUIRE((*store)->put("job", "1", {{"name", "before"}}).ok());
    const std::string journal_before = read_text(dir.path() / "journal.jsonl");
    {
      FullDisk full;
      auto failed = (*store)->put("job", "2", {{"description", std::string(20000, 'd')}});
      CHECK_FALSE(failed.ok());
      CHECK(failed.error().http_status == 500);
    }
    CHECK(read_text(dir.path() / "journal.jsonl") == journal_before);
    CHECK_FALSE((*store)->get("job", "2").has_value());  // not applied either
    // Space is back: the next write is acknowledged and must survive a crash.
    REQUIRE((*store)->put("workspace_object", "/after", {{"path", "/after"}}).ok());
  }  // no compaction on close: what a kill -9 leaves
  auto reopened = Store::open(dir.path());
  REQUIRE(reopened.ok());
  CHECK((*reopened)->get("job", "1").has_value());
  CHECK_FALSE((*reopened)->get("job", "2").has_value());
  CHECK((*reopened)->get("workspace_object", "/after").has_value());
}

TEST_CASE("a torn journal tail is cut off before the next append", "[emulator][robustness][disk]") {
  TempDir dir;
  const auto path = dir.path() / "journal.jsonl";
  write_text(path, "first\npartial-record-without-newl");
  {
    auto journal = Journal::open(path);
    REQUIRE(journal.ok());
    REQUIRE((*journal)->append("second").ok());
  }
  CHECK(Journal::read_lines(path) == std::vector<std::string>{"first", "second"});
  CHECK(read_text(path) == "first\nsecond\n");
}

namespace {

ssize_t no_space_write(int, const void*, size_t) {
  errno = ENOSPC;
  return -1;
}

}  // namespace

TEST_CASE("the emulator starts on a full disk, serves reads and frees space by deletes",
          "[emulator][robustness][disk]") {
  TempDir dir;
  EmulatorOptions options;
  options.state_dir = (dir.path() / "state").string();
  {
    TestEmulator emu(options);
    auto c = emu.client();
    REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/kept"}}).status == 200);
    REQUIRE(c.post("/api/2.0/dbfs/put", {{"path", "/filler"}, {"contents", b64("xxxx")}}).status ==
            200);
  }
  set_state_write_for_testing(&no_space_write);  // every state write now fails: a full disk
  struct Restore {
    ~Restore() { set_state_write_for_testing(nullptr); }
  } restore;
  TestEmulator emu(options);  // before: "cannot open state: … No space left on device"
  auto c = emu.client();
  CHECK(c.get("/api/2.0/workspace/get-status?path=/Shared/kept").status == 200);
  auto refused = c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/new"}});
  CHECK(refused.status == 500);
  CHECK(refused.json().contains("error_code"));
  CHECK(c.post("/api/2.0/dbfs/delete", {{"path", "/filler"}}).status == 200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/filler").status == 404);
  set_state_write_for_testing(nullptr);  // space is back
  CHECK(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/new"}}).status == 200);
}
