#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "emulator_fixture.hpp"

extern char** environ;

using namespace dbk::emulator::testing;
using nlohmann::json;

namespace {

/// The test server as a child process on a free port, with a given state folder.
class ChildEmulator {
 public:
  explicit ChildEmulator(const std::filesystem::path& state) {
    url_file_ = state.parent_path() / ("url-" + std::to_string(counter_++));
    std::filesystem::remove(url_file_);
    std::vector<std::string> args = {
        DBK_TEST_EMULATOR_SERVER, "--port", "0", "--state", state.string(), "--url-file",
        url_file_.string()};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    // Wait (bounded) for the URL the server writes once it is listening.
    for (int i = 0; i < 600 && !std::filesystem::exists(url_file_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(std::filesystem::exists(url_file_));
    std::string url;
    std::ifstream(url_file_) >> url;
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
  }
  ~ChildEmulator() { kill_hard(); }
  int port() const { return port_; }
  void kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  static inline int counter_ = 0;
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path url_file_;
};

}  // namespace

TEST_CASE("every acknowledged write survives kill -9 and restart", "[emulator][durability]") {
  TempDir dir;
  const auto state = dir.path() / "state";
  constexpr int kWriters = 4;
  std::vector<int> acked_files(kWriters, 0);
  std::vector<int> acked_notebooks(kWriters, 0);
  std::int64_t acked_clock_offset = 0;
  std::int64_t streamed_size = 0;
  {
    ChildEmulator child(state);
    HttpClient c("127.0.0.1", child.port());
    // A few writes of each kind before the crash.
    REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Users/me/nb"}}).status == 200);
    auto handle = c.post("/api/2.0/dbfs/create", {{"path", "/streamed.bin"}}).json()["handle"];
    std::string block(700 * 1024, 's');
    REQUIRE(c.post("/api/2.0/dbfs/add-block", {{"handle", handle}, {"data", b64(block)}}).status ==
            200);
    REQUIRE(c.post("/api/2.0/dbfs/close", {{"handle", handle}}).status == 200);
    streamed_size = static_cast<std::int64_t>(block.size());
    REQUIRE(c.post("/api/2.0/dbfs/put", {{"path", "/to-move"}, {"contents", b64("m")}}).status ==
            200);
    REQUIRE(
        c.post("/api/2.0/dbfs/move", {{"source_path", "/to-move"}, {"destination_path", "/moved"}})
            .status == 200);
    auto clock = c.post("/__dbk/clock", {{"advance_ms", 86'400'000}});
    REQUIRE(clock.status == 200);
    acked_clock_offset = clock.json()["offset_ms"].get<std::int64_t>();

    // Writers keep writing while the process is killed; only answered writes count.
    std::atomic<int> total{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        try {
          HttpClient wc("127.0.0.1", child.port());
          for (int i = 1; !stop.load(); ++i) {
            const std::string n = std::to_string(w) + "-" + std::to_string(i);
            auto put = wc.post("/api/2.0/dbfs/put",
                               {{"path", "/dur/" + n}, {"contents", b64("content " + n)}});
            if (put.status != 200) return;
            acked_files[static_cast<size_t>(w)] = i;
            auto imported =
                wc.post("/api/2.0/workspace/import", {{"path", "/Users/me/nb/" + n},
                                                      {"language", "PYTHON"},
                                                      {"content", b64("print('" + n + "')")}});
            if (imported.status != 200) return;
            acked_notebooks[static_cast<size_t>(w)] = i;
            ++total;
          }
        } catch (const std::exception&) {
          // The connection died with the process.
        }
      });
    }
    while (total.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    child.kill_hard();
    stop.store(true);
    for (auto& writer : writers) writer.join();
  }

  ChildEmulator restarted(state);
  HttpClient c("127.0.0.1", restarted.port());
  for (int w = 0; w < kWriters; ++w) {
    INFO("writer " << w);
    REQUIRE(acked_files[static_cast<size_t>(w)] > 0);
    for (int i = 1; i <= acked_files[static_cast<size_t>(w)]; ++i) {
      const std::string n = std::to_string(w) + "-" + std::to_string(i);
      auto read = c.get("/api/2.0/dbfs/read?path=" + q("/dur/" + n));
      REQUIRE(read.status == 200);
      REQUIRE(unb64(read.json()["data"]) == "content " + n);
    }
    for (int i = 1; i <= acked_notebooks[static_cast<size_t>(w)]; ++i) {
      const std::string n = std::to_string(w) + "-" + std::to_string(i);
      auto exported =
          c.get("/api/2.0/workspace/export?direct_download=true&path=" + q("/Users/me/nb/" + n));
      REQUIRE(exported.status == 200);
      // The SOURCE export adds the notebook header the import did not have.
      REQUIRE(exported.body == "# Databricks notebook source\nprint('" + n + "')");
    }
  }
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/streamed.bin").json()["file_size"] == streamed_size);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/moved").status == 200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/to-move").status == 404);
  CHECK(c.get("/__dbk/clock").json()["offset_ms"] == acked_clock_offset);
  // New ids keep counting after the restart instead of reusing old ones.
  auto before = c.get("/api/2.0/workspace/get-status?path=/Users/me/nb")
                    .json()["object_id"]
                    .get<std::int64_t>();
  REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Users/me/after"}}).status == 200);
  CHECK(c.get("/api/2.0/workspace/get-status?path=/Users/me/after")
            .json()["object_id"]
            .get<std::int64_t>() > before);
  // No upload leftovers.
  CHECK(std::filesystem::is_empty(state / "tmp"));
}

TEST_CASE("secrets, tokens and groups survive kill -9 and restart", "[emulator][durability]") {
  TempDir dir;
  const auto state = dir.path() / "state";
  std::string token_id;
  {
    ChildEmulator child(state);
    HttpClient c("127.0.0.1", child.port());
    REQUIRE(c.post("/api/2.0/secrets/scopes/create", {{"scope", "kept"}}).status == 200);
    REQUIRE(c.post("/api/2.0/secrets/put", {{"scope", "kept"}, {"key", "k"}, {"string_value", "v"}})
                .status == 200);
    REQUIRE(c.post("/api/2.0/groups/create", {{"group_name", "kept"}}).status == 200);
    auto token = c.post("/api/2.0/token/create", {{"comment", "kept"}});
    REQUIRE(token.status == 200);
    token_id = token.json()["token_info"]["token_id"];
    child.kill_hard();
  }
  ChildEmulator restarted(state);
  HttpClient c("127.0.0.1", restarted.port());
  CHECK(unb64(c.get("/api/2.0/secrets/get?scope=kept&key=k").json()["value"]) == "v");
  CHECK(c.get("/api/2.0/groups/list-members?group_name=kept").status == 200);
  CHECK(c.get("/api/2.0/token/list").json()["token_infos"][0]["token_id"] == token_id);
}
