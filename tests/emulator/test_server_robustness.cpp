// Attacks on the emulator, generated rather than hand-picked where that is possible:
// nesting, sizes, header tricks, path tricks and handle exhaustion. Each one must end in
// a clear Databricks-shaped error and a server that still answers, never a crash.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "dbfs/dbfs_service.hpp"
#include "dbk/json.hpp"
#include "emulator_fixture.hpp"
#include "server/http_server.hpp"
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

TEST_CASE("over-deep JSON bodies are refused at the door on every endpoint",
          "[emulator][robustness][json]") {
  TestEmulator emu;
  auto c = emu.client();
  const std::size_t limit = dbk::kMaxJsonDepth;
  for (std::size_t depth : {limit + 1, std::size_t{60000}, std::size_t{100000}}) {
    const std::string deep = nested_arrays(depth);
    for (const std::string target : {"/api/2.1/jobs/create", "/api/2.1/jobs/runs/submit",
                                     "/api/2.0/jobs/reset", "/api/2.0/workspace/mkdirs",
                                     "/api/2.0/dbfs/put", "/__dbk/faults", "/__dbk/runs/script"}) {
      CAPTURE(depth, target);
      auto reply =
          c.request("POST", target, R"({"name": "deep", "base_parameters": {"p": )" + deep + "}}",
                    {{"Content-Type", "application/json"}});
      CHECK(reply.status == 400);
      CHECK(reply.error_code() == "INVALID_PARAMETER_VALUE");
      // A bare deep value is refused the same way (not as "not an object").
      CHECK(c.request("POST", target, deep, {{"Content-Type", "application/json"}}).status == 400);
    }
  }
  // Depth is counted outside strings only: brackets in a string value are just text.
  auto job = c.post("/api/2.1/jobs/create",
                    {{"name", std::string(100000, '[')}, {"max_concurrent_runs", 1}});
  REQUIRE(job.status == 200);
  // Nothing deep was stored: get and both list versions answer.
  CHECK(
      c.get("/api/2.1/jobs/get?job_id=" + std::to_string(job.json()["job_id"].get<int>())).status ==
      200);
  CHECK(c.get("/api/2.0/jobs/list").status == 200);
  CHECK(c.get("/api/2.1/jobs/list?expand_tasks=true").status == 200);
  // A document exactly at the limit still gets through to the handler.
  auto at_limit = c.request("POST", "/api/2.0/workspace/mkdirs",
                            R"({"path": "/ok", "x": )" + nested_arrays(limit - 1) + "}",
                            {{"Content-Type", "application/json"}});
  CHECK(at_limit.status == 200);
  CHECK(c.get("/__dbk/health").status == 200);
}

TEST_CASE("an over-deep Jupyter notebook upload is refused, not parsed into a deep value",
          "[emulator][robustness][json]") {
  TestEmulator emu;
  auto c = emu.client();
  const std::string ipynb =
      R"({"cells": [], "metadata": {"x": )" + nested_arrays(100000) + "}, \"nbformat\": 4}";
  auto reply = c.post(
      "/api/2.0/workspace/import",
      {{"path", "/deep"}, {"format", "JUPYTER"}, {"language", "PYTHON"}, {"content", b64(ipynb)}});
  CHECK(reply.status == 400);
  CHECK(reply.error_code() == "INVALID_PARAMETER_VALUE");
  CHECK(c.get("/__dbk/health").status == 200);
}

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

TEST_CASE("without a token: foreign Host and Origin are refused, the emulator's own pass",
          "[emulator][robustness][origin]") {
  TestEmulator emu;
  auto c = emu.client();
  const std::string port = std::to_string(emu.port());
  auto list = [&](std::map<std::string, std::string> headers) {
    return c.request("GET", "/api/2.0/dbfs/list?path=/", "", headers);
  };
  for (const std::string& host : std::vector<std::string>{
           "evil.example", "evil.example:" + port, "127.0.0.1.evil.example", "localhost.evil",
           "[::1].evil", "127.0.0.2:" + port, "localhost:" + port + "x", ""}) {
    CAPTURE(host);
    auto reply = list({{"Host", host}});
    CHECK(reply.status == 403);
    CHECK(reply.error_code() == "PERMISSION_DENIED");
  }
  for (const std::string& host : std::vector<std::string>{
           "localhost", "LOCALHOST:" + port, "127.0.0.1:" + port, "[::1]:" + port, "127.0.0.1"}) {
    CAPTURE(host);
    CHECK(list({{"Host", host}}).status == 200);
  }
  for (const std::string& origin : std::vector<std::string>{
           "http://evil.example", "https://evil.example:" + port, "null", "file://",
           "http://localhost.evil.example:" + port, "http://127.0.0.1@evil.example", "evil"}) {
    CAPTURE(origin);
    auto reply = list({{"Origin", origin}});
    CHECK(reply.status == 403);
    CHECK(reply.error_code() == "PERMISSION_DENIED");
    // Admin surface too: a web page must not reset state or add fault rules.
    CHECK(c.request("POST", "/__dbk/reset", "", {{"Origin", origin}}).status == 403);
  }
  for (const std::string origin :
       {"http://localhost:" + port, "http://127.0.0.1:" + port, "https://[::1]:" + port}) {
    CAPTURE(origin);
    CHECK(list({{"Origin", origin}}).status == 200);
  }
}

TEST_CASE("without a token: state-changing bodies must be JSON or multipart",
          "[emulator][robustness][origin]") {
  TestEmulator emu;
  auto c = emu.client();
  const std::string put = json({{"path", "/evil.py"}, {"contents", b64("print(1)")}}).dump();
  // What a web page can send without a CORS preflight.
  for (const std::string type :
       {"text/plain", "text/plain; charset=UTF-8", "application/x-www-form-urlencoded", ""}) {
    CAPTURE(type);
    std::map<std::string, std::string> headers;
    if (!type.empty()) headers["Content-Type"] = type;
    auto reply = c.request("POST", "/api/2.0/dbfs/put", put, headers);
    CHECK(reply.status == 415);
    CHECK(reply.json().contains("error_code"));
  }
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/evil.py").status == 404);
  // What the official clients send.
  CHECK(
      c.request("POST", "/api/2.0/dbfs/put", put, {{"Content-Type", "application/json"}}).status ==
      200);
  CHECK(c.request("POST", "/api/2.0/dbfs/delete", R"({"path": "/evil.py"})",
                  {{"Content-Type", "text/json"}})
            .status == 200);
  // A POST without a body needs no type.
  CHECK(c.request("POST", "/__dbk/reset").status == 200);
}

TEST_CASE("with a token, Host, Origin and content type are not restricted",
          "[emulator][robustness][origin]") {
  EmulatorOptions options;
  options.token = "t0ken";
  TestEmulator emu(options);
  auto c = emu.client();
  auto reply = c.request("POST", "/api/2.0/dbfs/mkdirs", R"({"path": "/d"})",
                         {{"Host", "emulator.example"},
                          {"Origin", "http://elsewhere.example"},
                          {"Content-Type", "text/plain"}});
  CHECK(reply.status == 200);
}

TEST_CASE("state folders are 0700 and state files 0600, also in an older 0755 state folder",
          "[emulator][robustness][security]") {
  namespace fs = std::filesystem;
  TempDir dir;
  const fs::path state = dir.path() / "state";
  fs::create_directories(state / "meta");
  fs::permissions(state, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(state / "meta", fs::status(state).permissions());
  {
    EmulatorOptions options;
    options.state_dir = state.string();
    TestEmulator emu(options);
    auto c = emu.client();
    REQUIRE(c.post("/api/2.0/dbfs/mkdirs", {{"path", "/a/b"}}).status == 200);
    REQUIRE(c.post("/api/2.0/dbfs/put", {{"path", "/a/b/f"}, {"contents", b64("x")}}).status ==
            200);
    auto handle = c.post("/api/2.0/dbfs/create", {{"path", "/a/streamed"}}).json()["handle"];
    REQUIRE(c.post("/api/2.0/dbfs/close", {{"handle", handle}}).status == 200);
    REQUIRE(
        c.post("/api/2.0/workspace/import", {{"path", "/nb"},
                                             {"format", "SOURCE"},
                                             {"language", "PYTHON"},
                                             {"content", b64("# Databricks notebook source\n1")}})
            .status == 200);
  }
  const auto group_or_others = fs::perms::group_all | fs::perms::others_all;
  std::size_t files = 0;
  CHECK((fs::status(state).permissions() & fs::perms::all) == fs::perms::owner_all);
  for (const auto& entry : fs::recursive_directory_iterator(state)) {
    CAPTURE(entry.path());
    CHECK((entry.symlink_status().permissions() & group_or_others) == fs::perms::none);
    if (entry.is_regular_file()) ++files;
  }
  CHECK(files >= 5);  // snapshot, journal, two DBFS files, a workspace blob
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

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Puts job 1, then job 2 with a disk fault in effect (`fault(true)` ... `fault(false)`),
// then job 3. Job 2's put must fail and leave no trace, neither in the journal nor in
// memory, also after a restart without compaction (what a kill -9 leaves); the others
// must survive.
void check_failed_put_leaves_no_trace(const std::function<void(bool)>& fault,
                                      const nlohmann::json& document) {
  TempDir dir;
  {
    auto store = Store::open(dir.path());
    REQUIRE(store.ok());
    REQUIRE((*store)->put("job", "1", {{"name", "before"}}).ok());
    const std::string journal_before = read_text(dir.path() / "journal.jsonl");
    fault(true);
    auto failed = (*store)->put("job", "2", document);
    fault(false);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().http_status == 500);
    CHECK(read_text(dir.path() / "journal.jsonl") == journal_before);
    CHECK_FALSE((*store)->get("job", "2").has_value());  // not applied either
    // The disk is back: the next write is acknowledged and must survive a crash.
    REQUIRE((*store)->put("job", "3", {{"name", "after"}}).ok());
  }
  auto reopened = Store::open(dir.path());
  REQUIRE(reopened.ok());
  CHECK((*reopened)->get("job", "1").has_value());
  CHECK_FALSE((*reopened)->get("job", "2").has_value());
  CHECK((*reopened)->get("job", "3").has_value());
}

// fdatasync that fails with EIO (a disk error reported at writeback) the first time
// after it is armed, then works.
std::atomic<bool> fail_next_sync{false};
int failing_once_sync(int fd) {
  if (fail_next_sync.exchange(false)) {
    errno = EIO;
    return -1;
  }
  return ::fdatasync(fd);
}

}  // namespace

TEST_CASE("a failed journal append leaves the journal as before; later writes survive",
          "[emulator][robustness][disk]") {
  check_failed_put_leaves_no_trace(
      [](bool on) { set_state_write_for_testing(on ? &full_disk_write : nullptr); },
      {{"description", std::string(20000, 'd')}});
}

TEST_CASE("a record whose fsync failed is cut off and never comes back",
          "[emulator][robustness][disk]") {
  check_failed_put_leaves_no_trace(
      [](bool on) {
        fail_next_sync = on;
        set_state_sync_for_testing(on ? &failing_once_sync : nullptr);
      },
      {{"name", "never acknowledged"}});
}

TEST_CASE("Journal::append cuts its record off again when the fsync fails",
          "[emulator][robustness][disk]") {
  TempDir dir;
  const auto path = dir.path() / "journal.jsonl";
  auto journal = Journal::open(path);
  REQUIRE(journal.ok());
  REQUIRE((*journal)->append("first").ok());
  {
    set_state_sync_for_testing([](int) {
      errno = EIO;
      return -1;
    });
    struct Restore {
      ~Restore() { set_state_sync_for_testing(nullptr); }
    } restore;
    CHECK_FALSE((*journal)->append("unacknowledged").ok());
  }
  REQUIRE((*journal)->append("second").ok());
  CHECK(Journal::read_lines(path) == std::vector<std::string>{"first", "second"});
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

namespace {

// A full disk as ext4 has it: a write succeeds only into blocks the file already has
// (the rest of its last block, or blocks reserved with fallocate), and nothing new can be
// allocated.
ssize_t allocated_blocks_only_write(int fd, const void* data, size_t size) {
  struct stat info {};
  if (::fstat(fd, &info) == 0 &&
      info.st_size + static_cast<off_t>(size) <= static_cast<off_t>(info.st_blocks) * 512) {
    return ::write(fd, data, size);
  }
  errno = ENOSPC;
  return -1;
}

int no_space_allocate(int, off_t, off_t) {
  errno = ENOSPC;
  return -1;
}

}  // namespace

TEST_CASE("on a full disk workspace and jobs deletes succeed and survive a restart",
          "[emulator][robustness][disk]") {
  TempDir dir;
  EmulatorOptions options;
  options.state_dir = (dir.path() / "state").string();
  constexpr int kNotebooks = 150;
  constexpr int kJobs = 20;
  std::vector<std::int64_t> jobs;
  {
    TestEmulator emu(options);
    auto c = emu.client();
    REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/kept"}}).status == 200);
    REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/gone"}}).status == 200);
    for (int i = 0; i < kNotebooks; ++i) {
      REQUIRE(c.post("/api/2.0/workspace/import",
                     {{"path", "/Shared/gone/notebook-" + std::to_string(i)},
                      {"format", "SOURCE"},
                      {"language", "PYTHON"},
                      {"content", b64("print(1)\n")}})
                  .status == 200);
    }
    for (int i = 0; i < kJobs; ++i) {
      auto created = c.post("/api/2.1/jobs/create", {{"name", "job-" + std::to_string(i)}});
      REQUIRE(created.status == 200);
      jobs.push_back(created.json()["job_id"].get<std::int64_t>());
    }
  }
  // A start with room compacts the state: the journal begins empty again, so what follows
  // depends on its reserve, not on the slack of blocks written earlier.
  { TestEmulator compacting(options); }
  {
    // The disk is full from here on: nothing new can be allocated.
    set_state_write_for_testing(&allocated_blocks_only_write);
    set_state_allocate_for_testing(&no_space_allocate);
    struct Restore {
      ~Restore() {
        set_state_write_for_testing(nullptr);
        set_state_allocate_for_testing(nullptr);
      }
    } restore;
    TestEmulator emu(options);
    auto c = emu.client();
    // One record per delete, together more than the rest of the journal's last block: they
    // go into the space the journal keeps reserved.
    for (int i = 0; i < kNotebooks; ++i) {
      const std::string path = "/Shared/gone/notebook-" + std::to_string(i);
      auto deleted = c.post("/api/2.0/workspace/delete", {{"path", path}});
      CAPTURE(path, deleted.body);
      REQUIRE(deleted.status == 200);
    }
    for (std::int64_t id : jobs) {
      auto deleted = c.post("/api/2.1/jobs/delete", {{"job_id", id}});
      CAPTURE(id, deleted.body);
      REQUIRE(deleted.status == 200);
    }
    CHECK(c.get("/api/2.0/workspace/get-status?path=/Shared/gone/notebook-0").status == 404);
  }
  // After a restart (no compaction happened on the full disk) the deletes are still there.
  TestEmulator emu(options);
  auto c = emu.client();
  CHECK(c.get("/api/2.0/workspace/get-status?path=/Shared/kept").status == 200);
  for (int i = 0; i < kNotebooks; ++i) {
    CHECK(c.get("/api/2.0/workspace/get-status?path=/Shared/gone/notebook-" + std::to_string(i))
              .status == 404);
  }
  for (std::int64_t id : jobs) {
    CHECK(c.get("/api/2.1/jobs/get?job_id=" + std::to_string(id)).status != 200);
  }
}

namespace {

struct DbfsLimits {
  static constexpr std::size_t kPerClient = DbfsService::kMaxOpenHandlesPerClient;
  static constexpr std::size_t kTotal = DbfsService::kMaxOpenHandles;
};

std::size_t open_descriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("open DBFS handles hold no descriptors and are bounded per client and in total",
          "[emulator][robustness][handles]") {
  TestEmulator emu;
  auto c = emu.client();
  auto create = [&](HttpClient& client, const std::string& path) {
    return client.post("/api/2.0/dbfs/create", {{"path", path}, {"overwrite", true}});
  };
  const std::size_t before = open_descriptors();
  std::vector<std::int64_t> handles;
  for (std::size_t i = 0; i < DbfsLimits::kPerClient; ++i) {
    auto reply = create(c, "/h/" + std::to_string(i));
    REQUIRE(reply.status == 200);
    handles.push_back(reply.json()["handle"].get<std::int64_t>());
  }
  // 128 handles waiting for blocks cost no descriptor each (the file is opened per block).
  CHECK(open_descriptors() < before + 16);
  auto refused = create(c, "/h/one-too-many");
  CHECK(refused.status == 429);
  CHECK(refused.error_code() == "RESOURCE_EXHAUSTED");
  CHECK(refused.json().value("message", "").find("per client") != std::string::npos);
  // The handles still work, and closing one makes room again.
  REQUIRE(
      c.post("/api/2.0/dbfs/add-block", {{"handle", handles[0]}, {"data", b64("abc")}}).status ==
      200);
  REQUIRE(c.post("/api/2.0/dbfs/close", {{"handle", handles[0]}}).status == 200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/h/0").json()["file_size"] == 3);
  CHECK(create(c, "/h/again").status == 200);
  // Other clients (another token) have their own share, up to the total.
  std::size_t open = DbfsLimits::kPerClient;
  for (int other = 0; open < DbfsLimits::kTotal; ++other) {
    HttpClient client("127.0.0.1", emu.port(), false, "client-" + std::to_string(other));
    for (std::size_t i = 0; i < DbfsLimits::kPerClient && open < DbfsLimits::kTotal; ++i, ++open) {
      REQUIRE(create(client, "/o/" + std::to_string(other) + "-" + std::to_string(i)).status ==
              200);
    }
  }
  HttpClient newcomer("127.0.0.1", emu.port(), false, "newcomer");
  auto full = create(newcomer, "/o/newcomer");
  CHECK(full.status == 429);
  CHECK(full.json().value("message", "").find("in total") != std::string::npos);
  CHECK(open_descriptors() < before + 32);
  CHECK(c.get("/__dbk/health").status == 200);
}

namespace {

// Answers every request with 200; the accept loop is what is under test.
struct AlwaysOk final : RequestDispatcher {
  Plan plan(Request&) override { return {}; }
  Response handle(Request&) override { return json_response(200, {{"ok", true}}); }
};

// A connected TCP socket to 127.0.0.1:port; -1 with errno when no descriptor is left.
int connect_local(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -2;
  }
  return fd;
}

// Sends one GET on `fd` and reads the answer until the server closes (30 s at most).
std::string get_over(int fd) {
  timeval timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string request = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) return {};
  std::string reply;
  char buffer[512];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, n);
  return reply;
}

int highest_open_descriptor() {
  int highest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  }
  return highest;
}

}  // namespace

TEST_CASE("accept backs off while descriptors run out and serves again once they are free",
          "[emulator][robustness][handles]") {
  AlwaysOk dispatcher;
  ServerOptions options;
  options.threads = 1;
  auto started = HttpServer::start(options, dispatcher);
  REQUIRE(started.ok());
  HttpServer& server = **started;
  std::vector<int> descriptors;  // every descriptor this test opens, closed at the end
  rlimit original{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &original) == 0);
  struct Cleanup {
    std::vector<int>& fds;
    rlimit limit;
    ~Cleanup() {
      ::setrlimit(RLIMIT_NOFILE, &limit);
      for (int fd : fds) ::close(fd);
    }
  } cleanup{descriptors, original};

  // One request served before the shortage: UBSan checks a polymorphic call the first time
  // it meets each dynamic type, and that check needs a descriptor (a pipe) too. Without this,
  // a loaded machine whose server thread first runs once descriptors are gone reports the
  // server's first session as having an "invalid vptr".
  {
    const int warm = connect_local(server.port());
    REQUIRE(warm >= 0);
    descriptors.push_back(warm);
    REQUIRE(get_over(warm).rfind("HTTP/1.1 200", 0) == 0);
  }
  // The whole process (server and clients) gets a few dozen descriptors more than it has.
  // No Catch assertion runs while they are exhausted: the sanitizers' own checks need a
  // descriptor (a pipe) and would misreport. Results are kept and checked afterwards.
  rlimit low = original;
  low.rlim_cur = static_cast<rlim_t>(highest_open_descriptor() + 40);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::vector<int> spares;  // given back one by one to make a connection the server must take
  for (int i = 0; i < 8; ++i) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) spares.push_back(fd);
  }
  // Connect until no descriptor is left; each accepted connection holds one on either side.
  int last_error = 0;  // of socket(): EMFILE expected; -1 = connect() failed
  while (true) {
    const int fd = connect_local(server.port());
    if (fd < 0) {
      last_error = fd == -1 ? errno : -1;
      break;
    }
    descriptors.push_back(fd);
  }
  // Until accept() has failed: free one descriptor and take it with a new connection, which
  // then waits in the backlog for a server that has no descriptor to accept it with.
  // The last connection made: if accept() already failed while connecting, it is one the
  // server could not take.
  int waiting = descriptors.empty() ? -1 : descriptors.back();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (server.accept_backoffs() == 0 && std::chrono::steady_clock::now() < give_up) {
    if (!spares.empty()) {
      ::close(spares.back());
      spares.pop_back();
      const int fd = connect_local(server.port());  // fails if the server took it first
      if (fd >= 0) {
        descriptors.push_back(fd);
        waiting = fd;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const bool exhausted = server.accept_backoffs() > 0;
  // While the shortage lasts the server retries once per back-off, not in a busy loop (which
  // would count many thousands of failed accepts in the same time).
  const auto backoffs_before = server.accept_backoffs();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto retries = server.accept_backoffs() - backoffs_before;
  const auto elapsed = std::chrono::steady_clock::now() - start;

  // Descriptors come back: the connection that waited in the backlog is served, and so is
  // a new one.
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &original) == 0);
  for (int fd : spares) ::close(fd);
  spares.clear();
  CHECK(last_error == EMFILE);
  REQUIRE(exhausted);
  REQUIRE(waiting >= 0);
  CHECK(retries <= static_cast<std::uint64_t>(elapsed / kAcceptBackoff) + 2);
  CHECK(get_over(waiting).rfind("HTTP/1.1 200", 0) == 0);
  const int fresh = connect_local(server.port());
  REQUIRE(fresh >= 0);
  descriptors.push_back(fresh);
  CHECK(get_over(fresh).rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("fault rules refuse header names and values that would inject headers",
          "[emulator][robustness][headers]") {
  TestEmulator emu;
  auto c = emu.client();
  for (const json& headers : {json{{"X-A", "1\r\nSet-Cookie: a=b"}}, json{{"X-A", "1\nX-B: 2"}},
                              json{{"X-A", std::string("1\0", 2)}}, json{{"X-A\r\nX-B", "2"}},
                              json{{"", "v"}}, json{{"Bad Name", "v"}}, json{{"X-A:", "v"}}}) {
    CAPTURE(headers.dump());
    auto reply = c.post("/__dbk/faults", {{"status", 503}, {"headers", headers}});
    CHECK(reply.status == 400);
    CHECK(reply.error_code() == "INVALID_PARAMETER_VALUE");
  }
  CHECK(c.post("/__dbk/faults", {{"status", 503}, {"content_type", "text/html\r\nX: y"}}).status ==
        400);
  CHECK(c.get("/__dbk/faults").json()["faults"].empty());
  // An ordinary rule still works.
  REQUIRE(c.post("/__dbk/faults", {{"path_pattern", "/api/2.0/dbfs/list"},
                                   {"status", 429},
                                   {"headers", {{"Retry-After", "2"}}},
                                   {"times", 1}})
              .status == 200);
  auto faulted = c.get("/api/2.0/dbfs/list?path=/");
  CHECK(faulted.status == 429);
  CHECK(faulted.header("Retry-After") == "2");
}

TEST_CASE("the admin clock refuses values that would overflow it",
          "[emulator][robustness][clock]") {
  TestEmulator emu;
  auto c = emu.client();
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const auto before = c.get("/__dbk/clock").json()["offset_ms"];
  for (const json& body :
       {json{{"set_ms", max}}, json{{"set_ms", -1}}, json{{"set_ms", 253402300800000}},
        json{{"advance_ms", max}}, json{{"advance_ms", max / 2}}}) {
    CAPTURE(body.dump());
    auto reply = c.post("/__dbk/clock", body);
    CHECK(reply.status == 400);
    CHECK(reply.error_code() == "INVALID_PARAMETER_VALUE");
  }
  CHECK(c.get("/__dbk/clock").json()["offset_ms"] == before);
  // The issue's sequence: the latest time, then any advance, must not wrap to 0.
  REQUIRE(c.post("/__dbk/clock", {{"set_ms", 253402300799999}}).status == 200);
  CHECK(c.post("/__dbk/clock", {{"advance_ms", 1000}}).status == 400);
  CHECK(c.get("/__dbk/clock").json()["now_ms"].get<std::int64_t>() >= 253402300799999 - 60000);
}

TEST_CASE("over-long DBFS names are a 400 and create nothing; NUL in workspace paths is a 400",
          "[emulator][robustness][paths]") {
  TestEmulator emu;
  auto c = emu.client();
  std::string chain;
  for (int i = 0; i < 20; ++i) chain += "/level" + std::to_string(i);
  std::string long_path;  // every name within 255 bytes, the whole over 2048
  for (int i = 0; i < 9; ++i) long_path += "/" + std::string(250, static_cast<char>('a' + i));
  for (const std::string path : {chain + "/" + std::string(256, 'n'),
                                 chain + "/" + std::string(300, 'n') + "/f", long_path}) {
    for (const std::string endpoint :
         {"/api/2.0/dbfs/mkdirs", "/api/2.0/dbfs/put", "/api/2.0/dbfs/create"}) {
      CAPTURE(endpoint, path.size());
      auto reply = c.post(endpoint, {{"path", path}, {"contents", b64("x")}});
      CHECK(reply.status == 400);
      CHECK(reply.error_code() == "INVALID_PARAMETER_VALUE");
    }
  }
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/level0").status == 404);  // no partial chain
  CHECK(c.post("/api/2.0/dbfs/mkdirs", {{"path", chain + "/" + std::string(255, 'n')}}).status ==
        200);
  for (const std::string endpoint : {"/api/2.0/workspace/mkdirs", "/api/2.0/workspace/import"}) {
    auto reply = c.post(endpoint, {{"path", std::string("/Shared/a\0b", 11)},
                                   {"format", "SOURCE"},
                                   {"language", "PYTHON"},
                                   {"content", b64("1")}});
    CHECK(reply.status == 400);
    CHECK(reply.error_code() == "INVALID_PARAMETER_VALUE");
  }
  CHECK(
      c.get("/api/2.0/workspace/list?path=/Shared").json().value("objects", json::array()).empty());
}

TEST_CASE("bad start options are named: threads, port, host", "[emulator][robustness][options]") {
  TempDir dir;
  auto start_error = [&](EmulatorOptions options) {
    options.state_dir = (dir.path() / "s").string();
    auto started = Emulator::start(options);
    REQUIRE_FALSE(started.ok());
    return started.error().message;
  };
  EmulatorOptions threads;
  threads.threads = -3;
  CHECK(start_error(threads).find("threads -3") != std::string::npos);
  threads.threads = 1000000;
  CHECK(start_error(threads).find("threads 1000000") != std::string::npos);
  EmulatorOptions port;
  port.port = 70000;
  CHECK(start_error(port).find("port 70000") != std::string::npos);
  EmulatorOptions host;
  host.host = "notanip";
  const std::string message = start_error(host);
  CHECK(message.find("'notanip'") != std::string::npos);
  CHECK(message.find("not an IP address") != std::string::npos);
  CHECK(message.find("token") == std::string::npos);
}
