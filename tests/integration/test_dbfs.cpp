// DBFS API and streaming transfers through the client against the shared emulator.
#include <openssl/sha.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "integration_env.hpp"
#include "temp_dir.hpp"

using dbk::test::client_for;
using dbk::test::shared_emulator_url;
using dbk::test::unique_name;

namespace {

std::string sha256_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  SHA256_CTX context;
  SHA256_Init(&context);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    SHA256_Update(&context, buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &context);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

void write_random_file(const std::filesystem::path& path, std::size_t size, unsigned seed) {
  std::filesystem::create_directories(path.parent_path());
  std::mt19937_64 generator(seed);
  std::ofstream out(path, std::ios::binary);
  std::vector<std::uint64_t> block(1 << 16);
  for (std::size_t written = 0; written < size;) {
    for (auto& word : block) word = generator();
    const std::size_t n = std::min(size - written, block.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    written += n;
  }
}

}  // namespace

TEST_CASE("dbfs: put, read, list, status, move and delete", "[integration][dbfs]") {
  auto client = client_for(shared_emulator_url());
  const std::string dir = "dbfs:/tmp/" + unique_name("dbfs");
  const std::string bare = dir.substr(5);
  REQUIRE(client.dbfs().mkdirs(dir + "/a").ok());
  REQUIRE(client.dbfs().put(dir + "/a/hello.txt", "hello, dbfs").ok());

  auto read = client.dbfs().read(dir + "/a/hello.txt", 7, 100);
  REQUIRE(read.ok());
  CHECK(read->bytes_read == 4);
  CHECK(read->data == "dbfs");
  auto at_end = client.dbfs().read(dir + "/a/hello.txt", 11, 100);
  REQUIRE(at_end.ok());
  CHECK(at_end->bytes_read == 0);

  auto status = client.dbfs().get_status(bare + "/a/hello.txt");
  REQUIRE(status.ok());
  CHECK_FALSE(status->is_dir);
  CHECK(status->file_size == 11);
  // responses use the bare form (docs/reference/rest-api.md §1.2)
  CHECK(status->path == bare + "/a/hello.txt");

  REQUIRE(client.dbfs().move(dir + "/a/hello.txt", dir + "/b.txt").ok());
  auto listed = client.dbfs().list(dir);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);

  auto exists = client.dbfs().put(dir + "/b.txt", "again");
  REQUIRE_FALSE(exists.ok());
  CHECK(exists.error().http_status == 400);
  CHECK(exists.error().error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK(client.dbfs().put(dir + "/b.txt", "again", true).ok());

  auto missing = client.dbfs().get_status(dir + "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().http_status == 404);
  CHECK(missing.error().error_code == "RESOURCE_DOES_NOT_EXIST");

  // Over the 1 MB read limit: refused before sending, with a client-side error.
  auto too_long = client.dbfs().read(dir + "/b.txt", 0, 2 * 1048576);
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().error_code == dbk::error_codes::kInvalidArgument);

  auto not_empty = client.dbfs().remove(dir);
  REQUIRE_FALSE(not_empty.ok());
  CHECK(not_empty.error().http_status == 400);
  REQUIRE(client.dbfs().remove(dir, true).ok());
  CHECK(client.dbfs().get_status(dir).error().is_not_found());
}

TEST_CASE("dbfs: a 50 MB file survives an upload/download round trip byte for byte",
          "[integration][dbfs]") {
  auto client = client_for(shared_emulator_url());
  dbk::test_support::TempDir local;
  const auto source = local / "big.bin";
  write_random_file(source, 50 * 1000 * 1000 + 123, 7);
  const std::string target = "dbfs:/tmp/" + unique_name("big") + "/big.bin";

  dbk::UploadOptions upload;
  upload.atomic = true;
  REQUIRE(dbk::upload_file(client.dbfs(), source.string(), target, upload).ok());
  auto status = client.dbfs().get_status(target);
  REQUIRE(status.ok());
  CHECK(status->file_size == 50 * 1000 * 1000 + 123);

  const auto copy = local / "copy.bin";
  REQUIRE(dbk::download_file(client.dbfs(), target, copy.string()).ok());
  CHECK(sha256_of_file(copy) == sha256_of_file(source));
  // No temporary upload name is left next to the target.
  auto siblings = client.dbfs().list(target.substr(0, target.rfind('/')));
  REQUIRE(siblings.ok());
  CHECK(siblings->size() == 1);
}

TEST_CASE("dbfs: a tree copies in parallel both ways", "[integration][dbfs]") {
  auto client = client_for(shared_emulator_url());
  dbk::test_support::TempDir local;
  for (int i = 0; i < 20; ++i)
    write_random_file(local / ("up/d" + std::to_string(i % 3)) / ("f" + std::to_string(i)),
                      1000 * static_cast<std::size_t>(i) + 1, static_cast<unsigned>(i));
  const std::string target = "dbfs:/tmp/" + unique_name("tree");
  dbk::CopyOptions options;
  options.parallelism = 4;
  auto up = dbk::copy_tree(client.dbfs(), dbk::CopyDirection::kUpload, (local / "up").string(),
                           target, options);
  REQUIRE(up.ok());
  CHECK(dbk::all_succeeded(*up));
  CHECK(up->size() == 20);
  auto down = dbk::copy_tree(client.dbfs(), dbk::CopyDirection::kDownload, target,
                             (local / "down").string(), options);
  REQUIRE(down.ok());
  CHECK(dbk::all_succeeded(*down));
  for (int i = 0; i < 20; ++i) {
    const auto rel = std::filesystem::path("d" + std::to_string(i % 3)) / ("f" + std::to_string(i));
    CHECK(sha256_of_file(local / "down" / rel.string()) ==
          sha256_of_file(local / "up" / rel.string()));
  }
}
