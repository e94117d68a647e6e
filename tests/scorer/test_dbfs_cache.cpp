// The DBFS cache behind `dbk score`: hits only on equal size and modification time, atomic
// downloads, pruning of files gone from DBFS, Delta tables fetched by their log. DBFS is an
// in-memory Transport that answers list / get-status / read like the service (see
// docs/reference/rest-api.md §1.2) and counts the reads.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "dbk/base64.hpp"
#include "dbk/client.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string url_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

/// Files of an in-memory DBFS; folders are implied by the paths.
class MemoryDbfs : public dbk::Transport {
 public:
  struct File {
    std::string data;
    std::int64_t mtime = 1700000000123;
  };

  void put(const std::string& path, std::string data, std::int64_t mtime = 1700000000123) {
    std::lock_guard<std::mutex> lock(mutex_);
    files_[path] = File{std::move(data), mtime};
  }
  void remove(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    files_.erase(path);
  }
  /// Every file of a local folder below `dbfs_root`.
  void put_tree(const fs::path& local, const std::string& dbfs_root) {
    for (const auto& entry : fs::recursive_directory_iterator(local)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      put(dbfs_root + "/" + fs::relative(entry.path(), local).generic_string(), data);
    }
  }
  std::map<std::string, int> reads() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return reads_;
  }
  int total_reads() const {
    int n = 0;
    for (const auto& [path, count] : reads()) n += count;
    return n;
  }

  /// Each read waits this long first, so that a download takes a while (lock tests).
  std::atomic<int> read_delay_ms{0};

  dbk::Result<dbk::HttpResponse> send(const dbk::HttpRequest& request,
                                      const dbk::CallContext&) override {
    if (read_delay_ms > 0 && request.url.find("/dbfs/read") != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(read_delay_ms.load()));
    }
    const auto q = request.url.find('?');
    const std::string path = request.url.substr(0, q);
    std::map<std::string, std::string> query;
    if (q != std::string::npos) {
      std::string rest = request.url.substr(q + 1);
      std::size_t start = 0;
      while (start <= rest.size()) {
        auto amp = rest.find('&', start);
        std::string pair = rest.substr(start, amp - start);
        auto eq = pair.find('=');
        if (eq != std::string::npos) query[pair.substr(0, eq)] = url_decode(pair.substr(eq + 1));
        if (amp == std::string::npos) break;
        start = amp + 1;
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string p = query["path"];
    auto ends = [&](const std::string& suffix) {
      return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
    };
    auto info = [&](const std::string& file_path) -> std::optional<json> {
      if (auto it = files_.find(file_path); it != files_.end()) {
        return json{{"path", file_path},
                    {"is_dir", false},
                    {"file_size", it->second.data.size()},
                    {"modification_time", it->second.mtime}};
      }
      for (const auto& [name, file] : files_) {
        if (name.rfind(file_path + "/", 0) == 0) {
          return json{{"path", file_path}, {"is_dir", true}, {"file_size", 0}};
        }
      }
      return std::nullopt;
    };
    auto not_found = [&] {
      return dbk::HttpResponse{404,
                               {},
                               json{{"error_code", "RESOURCE_DOES_NOT_EXIST"},
                                    {"message", "No file or directory exists on path " + p + "."}}
                                   .dump()};
    };
    if (ends("/dbfs/get-status")) {
      auto found = info(p);
      if (!found) return not_found();
      return dbk::HttpResponse{200, {}, found->dump()};
    }
    if (ends("/dbfs/list")) {
      auto found = info(p);
      if (!found) return not_found();
      if (!(*found)["is_dir"].get<bool>()) {
        return dbk::HttpResponse{200, {}, json{{"files", json::array({*found})}}.dump()};
      }
      std::map<std::string, json> children;
      for (const auto& [name, file] : files_) {
        if (name.rfind(p + "/", 0) != 0) continue;
        auto rest = name.substr(p.size() + 1);
        auto slash = rest.find('/');
        std::string child = p + "/" + rest.substr(0, slash);
        children[child] = *info(child);
      }
      json list = json::array();
      for (auto& [name, entry] : children) list.push_back(entry);
      return dbk::HttpResponse{200, {}, json{{"files", list}}.dump()};
    }
    if (ends("/dbfs/read")) {
      auto it = files_.find(p);
      if (it == files_.end()) return not_found();
      ++reads_[p];
      const auto offset = static_cast<std::size_t>(std::stoll(query["offset"]));
      const auto length = static_cast<std::size_t>(std::stoll(query["length"]));
      std::string chunk =
          offset < it->second.data.size() ? it->second.data.substr(offset, length) : std::string();
      return dbk::HttpResponse{
          200, {}, json{{"bytes_read", chunk.size()}, {"data", dbk::base64_encode(chunk)}}.dump()};
    }
    return dbk::HttpResponse{400, {}, R"({"error_code":"BAD_REQUEST","message":"unexpected"})"};
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, File> files_;
  std::map<std::string, int> reads_;
};

struct CacheFixture {
  std::shared_ptr<MemoryDbfs> dbfs = std::make_shared<MemoryDbfs>();
  dbk::Client client = [this] {
    dbk::ClientOptions options;
    options.config.host = "http://dbfs.test";
    options.config.token = "t";
    options.transport = dbfs;
    return dbk::Client(options);
  }();
  fs::path cache =
      fs::temp_directory_path() / ("dbk-cache-test-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  dbk::scorer::FetchOptions options() const {
    dbk::scorer::FetchOptions o;
    o.cache_dir = cache.string();
    o.parallelism = 4;
    return o;
  }
  ~CacheFixture() {
    std::error_code ignored;
    fs::remove_all(cache, ignored);
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE_METHOD(CacheFixture, "a folder is fetched once and then served from the cache",
                 "[cache]") {
  dbfs->put("/storage/m.pqt/metadata/part-00000", "meta");
  dbfs->put("/storage/m.pqt/data/part-0.parquet", std::string(3 * 1048576 + 17, 'x'));
  dbfs->put("/storage/m.pqt/data/.part-0.parquet.crc", "crc");

  auto first = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/storage/m.pqt", options());
  REQUIRE(first.ok());
  CHECK(first->local_path == (cache / "storage/m.pqt").string());
  CHECK(first->files == 2);
  CHECK(first->downloaded == 2);
  CHECK(first->reused == 0);
  CHECK(read_file(cache / "storage/m.pqt/metadata/part-00000") == "meta");
  CHECK(fs::file_size(cache / "storage/m.pqt/data/part-0.parquet") == 3 * 1048576 + 17);
  CHECK_FALSE(fs::exists(cache / "storage/m.pqt/data/.part-0.parquet.crc"));  // hidden: skipped
  const int reads = dbfs->total_reads();
  CHECK(reads == 1 + 4);  // 1 MiB blocks

  auto second = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/storage/m.pqt", options());
  REQUIRE(second.ok());
  CHECK(second->downloaded == 0);
  CHECK(second->reused == 2);
  CHECK(dbfs->total_reads() == reads);  // nothing read again
}

TEST_CASE_METHOD(CacheFixture, "a changed size or modification time is a cache miss", "[cache]") {
  dbfs->put("/t/a.parquet", "aaaa", 1700000000001);
  dbfs->put("/t/b.parquet", "bbbb", 1700000000001);
  dbfs->put("/t/c.parquet", "cccc", 1700000000001);
  REQUIRE(dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/t", options()).ok());

  dbfs->put("/t/a.parquet", "AAAAA", 1700000000001);  // size differs, same time
  dbfs->put("/t/b.parquet", "BBBB", 1700000000999);   // same size, newer
  auto again = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/t", options());
  REQUIRE(again.ok());
  CHECK(again->downloaded == 2);
  CHECK(again->reused == 1);
  CHECK(read_file(cache / "t/a.parquet") == "AAAAA");
  CHECK(read_file(cache / "t/b.parquet") == "BBBB");
  CHECK(dbfs->reads()["/t/c.parquet"] == 1);

  // The DBFS modification time is stamped on the copy, to the millisecond.
  struct stat st {};
  REQUIRE(::stat((cache / "t/b.parquet").c_str(), &st) == 0);
  CHECK(st.st_mtim.tv_sec == 1700000000);
  CHECK(st.st_mtim.tv_nsec == 999000000);

  // A local edit of the cached copy (same size) changes its time: fetched again.
  { std::ofstream(cache / "t/c.parquet", std::ios::binary) << "zzzz"; }
  auto third = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/t", options());
  REQUIRE(third.ok());
  CHECK(third->downloaded == 1);
  CHECK(read_file(cache / "t/c.parquet") == "cccc");
}

TEST_CASE_METHOD(CacheFixture, "files gone from DBFS and leftover temporary files are removed",
                 "[cache]") {
  dbfs->put("/w/results/part-0001.parquet", "old");
  REQUIRE(dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/w/results", options()).ok());
  // The table is overwritten with new part-file names, as Spark does.
  dbfs->remove("/w/results/part-0001.parquet");
  dbfs->put("/w/results/part-0002.parquet", "new");
  // An interrupted earlier download left its hidden temporary file behind.
  { std::ofstream(cache / "w/results/.part-0002.parquet.dbk-tmp-0123abcd") << "ne"; }
  auto again = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/w/results", options());
  REQUIRE(again.ok());
  CHECK(again->removed == 1);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(cache / "w/results")) {
    names.push_back(e.path().filename().string());
  }
  CHECK(names == std::vector<std::string>{"part-0002.parquet"});
}

TEST_CASE_METHOD(CacheFixture, "a failed download leaves no file under the target name",
                 "[cache]") {
  dbfs->put("/f/ok.parquet", "fine");
  dbfs->put("/f/torn.parquet", std::string(2 * 1048576 + 5, 'y'));
  auto fetched = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/f", options());
  REQUIRE(fetched.ok());
  // The file changes in DBFS, and the connection fails after the first 1 MiB block of it.
  dbfs->put("/f/torn.parquet", std::string(2 * 1048576 + 6, 'z'), 1700000009999);
  struct Failing : dbk::Transport {
    std::shared_ptr<MemoryDbfs> inner;
    dbk::Result<dbk::HttpResponse> send(const dbk::HttpRequest& r,
                                        const dbk::CallContext& c) override {
      if (r.url.find("/dbfs/read") != std::string::npos &&
          r.url.find("offset=1048576") != std::string::npos) {
        return dbk::HttpResponse{400, {}, R"({"error_code":"INVALID_STATE","message":"gone"})"};
      }
      return inner->send(r, c);
    }
  };
  auto failing = std::make_shared<Failing>();
  failing->inner = dbfs;
  dbk::ClientOptions o;
  o.config.host = "http://dbfs.test";
  o.config.token = "t";
  o.transport = failing;
  dbk::Client broken(o);
  auto failed = dbk::scorer::fetch_dbfs_tree(broken.dbfs(), "dbfs:/f", options());
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().error_code == "INVALID_STATE");
  // The earlier complete copy is still there, unchanged, and no temporary file is left.
  CHECK(read_file(cache / "f/torn.parquet") == std::string(2 * 1048576 + 5, 'y'));
  for (const auto& e : fs::directory_iterator(cache / "f")) {
    CHECK(e.path().filename().string().find("dbk-tmp") == std::string::npos);
  }
  // The stale copy is not trusted: with a working connection it is replaced.
  auto fixed = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/f", options());
  REQUIRE(fixed.ok());
  CHECK(fixed->downloaded == 1);
  CHECK(read_file(cache / "f/torn.parquet") == std::string(2 * 1048576 + 6, 'z'));
}

TEST_CASE_METHOD(CacheFixture, "a Delta table is fetched through its log: live files only",
                 "[cache][delta]") {
  dbfs->put(
      "/wh/tbl/_delta_log/00000000000000000000.json",
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
      "\n"
      R"({"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":[],"configuration":{}}})"
      "\n"
      R"({"add":{"path":"part-old.parquet","partitionValues":{},"size":3,"modificationTime":1,"dataChange":true}})"
      "\n");
  dbfs->put(
      "/wh/tbl/_delta_log/00000000000000000001.json",
      R"({"remove":{"path":"part-old.parquet","deletionTimestamp":2,"dataChange":true}})"
      "\n"
      R"({"add":{"path":"part-new.parquet","partitionValues":{},"size":3,"modificationTime":2,"dataChange":true}})"
      "\n");
  dbfs->put("/wh/tbl/part-old.parquet", "old");
  dbfs->put("/wh/tbl/part-new.parquet", "new");
  auto fetched = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/wh/tbl", options());
  if (!fetched.ok()) FAIL(fetched.error().to_string());
  CHECK(fetched->files == 3);
  CHECK(fs::exists(cache / "wh/tbl/part-new.parquet"));
  CHECK_FALSE(fs::exists(cache / "wh/tbl/part-old.parquet"));
  CHECK(dbfs->reads().count("/wh/tbl/part-old.parquet") == 0);
}

TEST_CASE_METHOD(CacheFixture, "resolve_local passes local paths through and fetches dbfs: ones",
                 "[cache]") {
  auto local = dbk::scorer::resolve_local(nullptr, scorer_test::fixtures(), options());
  REQUIRE(local.ok());
  CHECK(local->local_path == scorer_test::fixtures());
  auto missing = dbk::scorer::resolve_local(nullptr, "/no/such/folder", options());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "RESOURCE_DOES_NOT_EXIST");
  auto no_client = dbk::scorer::resolve_local(nullptr, "dbfs:/x", options());
  REQUIRE_FALSE(no_client.ok());
  auto absent = dbk::scorer::resolve_local(&client.dbfs(), "dbfs:/nothing/here", options());
  REQUIRE_FALSE(absent.ok());
  CHECK(absent.error().error_code == "RESOURCE_DOES_NOT_EXIST");
  auto climbing = dbk::scorer::cache_path_for(cache.string(), "dbfs:/a/../../etc");
  CHECK_FALSE(climbing.ok());
}

TEST_CASE_METHOD(CacheFixture, "run_score_job scores a DBFS model and table and compares",
                 "[cache][job]") {
  const std::string dir = scorer_test::fixtures() + "/spark-3.5";
  dbfs->put_tree(dir + "/rf_seed/model", "/storage/models/rf.pqt");
  dbfs->put_tree(dir + "/scoring_input", "/user/hive/warehouse/scoring_input");
  dbfs->put_tree(dir + "/rf_seed/results_output", "/user/hive/warehouse/results_output");
  dbk::scorer::ScoreJob job;
  job.model = "dbfs:/storage/models/rf.pqt";
  job.input = "dbfs:/user/hive/warehouse/scoring_input";
  job.compare_with = "dbfs:/user/hive/warehouse/results_output";
  job.fetch = options();
  job.key_columns = {"machineID", "dt_truncated"};
  job.feature_columns = {"f_cont1", "f_cont2", "f_cont3", "f_cat1", "f_cat2", "age"};
  job.score.assemble_handle_invalid = "keep";
  auto report = dbk::scorer::run_score_job(job, &client.dbfs());
  if (!report.ok()) FAIL(report.error().to_string());
  CHECK(report->stages == 3);
  CHECK(report->rows_scored == 80);
  REQUIRE(report->comparison);
  CHECK(report->comparison->rows_compared == 80);
  CHECK(report->comparison->prediction_mismatches == 0);
  CHECK(report->ok());

  SECTION("the expected table is read for its probabilities too") {
    // A tolerance below zero counts every probability compared as a mismatch: all 80 must be.
    job.compare.probability_tolerance = -1.0;
    auto strict = dbk::scorer::run_score_job(job, &client.dbfs());
    REQUIRE(strict.ok());
    REQUIRE(strict->comparison);
    CHECK(strict->comparison->probability_mismatches == 80);
  }
  SECTION("an unknown key column is refused before scoring") {
    job.key_columns = {"machineID", "no_such_key"};
    auto bad = dbk::scorer::run_score_job(job, &client.dbfs());
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().error_code == "COLUMN_NOT_FOUND");
    CHECK(bad.error().message.find("no_such_key") != std::string::npos);
  }
  SECTION("a folder that is not a PipelineModel is an error") {
    job.model = "dbfs:/user/hive/warehouse/scoring_input";
    auto bad = dbk::scorer::run_score_job(job, &client.dbfs());
    REQUIRE_FALSE(bad.ok());
  }
  SECTION("an output name of no known format is refused before anything is fetched") {
    job.output = (cache / "out.txt").string();
    const int reads = dbfs->total_reads();
    auto bad = dbk::scorer::run_score_job(job, &client.dbfs());
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().error_code == "INVALID_ARGUMENT");
    CHECK(dbfs->total_reads() == reads);
  }
  SECTION("Parquet output holds every scored row") {
    job.output = (cache / "out.parquet").string();
    auto written = dbk::scorer::run_score_job(job, &client.dbfs());
    if (!written.ok()) FAIL(written.error().to_string());
    auto table = dbk::scorer::read_table(job.output);
    REQUIRE(table.ok());
    CHECK(table->num_rows == 80);
    CHECK(table->find("probability") != nullptr);
  }
}

namespace {

/// What a forked fetcher reports to the test process through a pipe.
struct ChildReport {
  int ok = 0;
  int downloaded = 0;
  int reused = 0;
};

}  // namespace

TEST_CASE_METHOD(CacheFixture, "two processes fetching one entry into one cache download it once",
                 "[cache][lock]") {
  const std::string big(2 * 1048576 + 3, 'b');
  dbfs->put("/shared/tbl/part-0.parquet", big);
  dbfs->put("/shared/tbl/part-1.parquet", "small");
  dbfs->read_delay_ms = 150;  // the first fetcher is still downloading when the second starts
  int go[2];
  int out[2];
  REQUIRE(::pipe(go) == 0);
  REQUIRE(::pipe(out) == 0);
  std::vector<pid_t> children;
  for (int k = 0; k < 2; ++k) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Child: no Catch2 assertions here; the result goes through the pipe, and _exit skips
      // the fixture's destructor, which would delete the shared cache.
      ::close(go[1]);
      char byte;
      (void)!::read(go[0], &byte, 1);  // returns at EOF: both children start together
      auto r = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/shared/tbl", options());
      ChildReport report;
      report.ok = r.ok() ? 1 : 0;
      if (r.ok()) {
        report.downloaded = static_cast<int>(r->downloaded);
        report.reused = static_cast<int>(r->reused);
      }
      (void)!::write(out[1], &report, sizeof report);
      ::_exit(0);
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  ::close(out[1]);
  ::close(go[1]);  // start
  std::vector<ChildReport> reports;
  ChildReport report;
  while (::read(out[0], &report, sizeof report) == static_cast<ssize_t>(sizeof report)) {
    reports.push_back(report);
  }
  ::close(out[0]);
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].ok == 1);
  CHECK(reports[1].ok == 1);
  // One downloaded both files; the other waited for it and found them valid.
  CHECK(reports[0].downloaded + reports[1].downloaded == 2);
  CHECK(reports[0].reused + reports[1].reused == 2);
  CHECK(read_file(cache / "shared/tbl/part-0.parquet") == big);
  CHECK(read_file(cache / "shared/tbl/part-1.parquet") == "small");
}

TEST_CASE_METHOD(CacheFixture, "a fetcher killed while downloading does not block the next one",
                 "[cache][lock]") {
  const std::string big(4 * 1048576 + 1, 'k');
  dbfs->put("/dead/m/data.parquet", big);
  dbfs->read_delay_ms = 400;
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    (void)dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/dead/m", options());
    ::_exit(0);
  }
  // Wait until the child is downloading (its temporary file exists), i.e. holds the lock.
  bool downloading = false;
  for (int k = 0; k < 500 && !downloading; ++k) {
    std::error_code ec;
    for (fs::directory_iterator it(cache / "dead/m", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().find("dbk-tmp") != std::string::npos) downloading = true;
    }
    if (!downloading) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(downloading);

  // While the lock is held, a cancelled fetcher gives up waiting instead of hanging.
  auto cancelled = dbk::CallContext::cancellable();
  cancelled.cancellation->cancel();
  auto opts = options();
  auto waited = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/dead/m", opts, cancelled);
  REQUIRE_FALSE(waited.ok());
  CHECK(waited.error().error_code == "CANCELLED");

  REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  // The kernel released the dead child's lock: the next fetch proceeds (a watchdog turns a
  // hang into a CANCELLED failure) and replaces the partial download.
  dbfs->read_delay_ms = 0;
  auto guarded = dbk::CallContext::cancellable();
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    for (int k = 0; k < 300 && !finished; ++k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    guarded.cancellation->cancel();
  });
  auto next = dbk::scorer::fetch_dbfs_tree(client.dbfs(), "dbfs:/dead/m", opts, guarded);
  finished = true;
  watchdog.join();
  if (!next.ok()) FAIL(next.error().to_string());
  CHECK(next->downloaded == 1);
  CHECK(read_file(cache / "dead/m/data.parquet") == big);
  for (const auto& e : fs::directory_iterator(cache / "dead/m")) {
    CHECK(e.path().filename().string().find("dbk-tmp") == std::string::npos);
  }
}
