// libFuzzer entry point for the Parquet reader: any input must give a table or a clean error.
// Built with clang: clang++ -fsanitize=fuzzer,address,undefined parquet_fuzz.cpp + dbk_scorer.
// With g++ (no libFuzzer), replay_main.cpp replays a corpus through the same entry point.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dbk/scorer/parquet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto info = dbk::scorer::read_parquet_info(bytes, "fuzz-input");
  auto table = dbk::scorer::read_parquet_bytes(bytes, "fuzz-input");
  (void)info;
  (void)table;
  return 0;
}
