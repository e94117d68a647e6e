#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace dbk {

/// One entry of `dbfs/list` or the answer of `dbfs/get-status`
/// (docs/reference/rest-api.md §1.2). Paths are the bare form "/x".
struct FileInfo {
  std::string path;
  bool is_dir = false;
  std::int64_t file_size = 0;
  std::int64_t modification_time = 0;  ///< epoch milliseconds
  nlohmann::ordered_json raw;
};

/// Answer of `dbfs/read`, with `data` already base64-decoded.
struct ReadResult {
  std::int64_t bytes_read = 0;
  std::string data;
};

void from_json(const nlohmann::ordered_json& j, FileInfo& info);
void to_json(nlohmann::ordered_json& j, const FileInfo& info);

}  // namespace dbk
