// "Nothing acknowledged is ever lost": writes the emulator has answered survive a
// kill -9 of the emulator and a restart on the same state folder.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "emulator_process.hpp"
#include "integration_env.hpp"
#include "temp_dir.hpp"

using dbk::test::client_for;

TEST_CASE("durability: acknowledged writes survive kill -9 and restart",
          "[integration][durability]") {
  dbk::test_support::TempDir state;
  dbk::test::EmulatorProcess emulator(state.path().string());

  std::int64_t job_id = 0;
  {
    auto client = client_for(emulator.url());
    dbk::ImportOptions python;
    python.language = "PYTHON";
    REQUIRE(client.workspace().mkdirs("/Users/durable").ok());
    REQUIRE(client.workspace()
                .import_object("/Users/durable/nb", "# Databricks notebook source\n1\n", python)
                .ok());
    REQUIRE(client.dbfs().put("dbfs:/durable/a.txt", "acknowledged").ok());
    auto created =
        client.jobs().create({{"name", "durable"},
                              {"existing_cluster_id", client.clusters().list()->front().cluster_id},
                              {"notebook_task", {{"notebook_path", "/Users/durable/nb"}}}});
    REQUIRE(created.ok());
    job_id = *created;
  }

  // Writers race the crash: every write acknowledged before the kill must be there after.
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      // A short retry budget: once the server is gone, writers must give up quickly.
      dbk::ClientOptions options;
      options.config.host = emulator.url();
      options.config.token = "t";
      options.retry.initial_backoff = std::chrono::milliseconds(10);
      options.retry.total_timeout = std::chrono::milliseconds(1000);
      dbk::Client client(options);
      for (int i = 0; !stop; ++i) {
        const auto path = "dbfs:/race/w" + std::to_string(w) + "-" + std::to_string(i);
        if (client.dbfs().put(path, path).ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.push_back(path);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  stop = true;  // requests already in flight still race the kill below
  emulator.kill_hard();
  for (auto& writer : writers) writer.join();
  REQUIRE_FALSE(acknowledged.empty());

  emulator.restart();
  auto client = client_for(emulator.url());
  CHECK(client.workspace().get_status("/Users/durable/nb")->object_type == "NOTEBOOK");
  auto read = client.dbfs().read("dbfs:/durable/a.txt", 0, 100);
  REQUIRE(read.ok());
  CHECK(read->data == "acknowledged");
  auto job = client.jobs().get(job_id);
  REQUIRE(job.ok());
  CHECK(job->name() == "durable");
  for (const auto& path : acknowledged) {
    auto content = client.dbfs().read(path, 0, 100);
    REQUIRE(content.ok());
    CHECK(content->data == path);
  }
  // Ids keep counting after a restart: a new job never reuses an old id.
  auto next = client.jobs().create({{"name", "after restart"}});
  REQUIRE(next.ok());
  CHECK(*next > job_id);
}
