#include <catch2/catch.hpp>
#include <string>

#include "dbk/base64.hpp"

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(dbk::base64_encode("") == "");
  CHECK(dbk::base64_encode("f") == "Zg==");
  CHECK(dbk::base64_encode("fo") == "Zm8=");
  CHECK(dbk::base64_encode("foo") == "Zm9v");
  CHECK(dbk::base64_encode("foob") == "Zm9vYg==");
  CHECK(dbk::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(dbk::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(dbk::base64_encode(std::string("\xFF\xFE\x00", 3)) == "//4A");
}

TEST_CASE("base64 decodes what it encodes, for every byte value and tail length") {
  std::string bytes;
  for (int i = 0; i < 256 * 4 + 2; ++i) bytes += static_cast<char>(i * 7 % 256);
  for (size_t length : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{256}, bytes.size()}) {
    auto data = bytes.substr(0, length);
    auto decoded = dbk::base64_decode(dbk::base64_encode(data));
    REQUIRE(decoded.ok());
    CHECK(*decoded == data);
  }
}

TEST_CASE("base64 round-trips a 1 MiB DBFS block") {
  std::string block(1 << 20, '\0');
  for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>((i * 131) ^ (i >> 8));
  auto encoded = dbk::base64_encode(block);
  CHECK(encoded.size() == 1398104);
  auto decoded = dbk::base64_decode(encoded);
  REQUIRE(decoded.ok());
  CHECK(*decoded == block);
}

TEST_CASE("base64_decode rejects malformed input with a clear error") {
  auto check_invalid = [](std::string text, std::string fragment) {
    auto result = dbk::base64_decode(text);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().error_code == "INVALID_ARGUMENT");
    CHECK_THAT(result.error().message, Catch::Contains(fragment));
  };
  check_invalid("Zm9", "not a multiple of 4");
  check_invalid("Zm9v!mFy", "'!' at offset 4");
  check_invalid("Zm=v", "'=' at offset 2");
  check_invalid("Z===", "'=' at offset 1");
  check_invalid("====", "at offset 0");
  check_invalid("Zg==Zg==", "'=' at offset 2");
  check_invalid("Zm9v\nYmFy", "not a multiple of 4");
  check_invalid("Zm9\nYmFy", "byte 10 at offset 3");
  check_invalid("Zm-_", "'-' at offset 2");
}
