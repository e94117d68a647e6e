#include "dbk/models/dbfs.hpp"
#include "models/json_fields.hpp"

namespace dbk {

void from_json(const nlohmann::ordered_json& j, FileInfo& info) {
  using namespace detail;
  info.path = string_field(j, "path");
  info.is_dir = bool_field(j, "is_dir");
  info.file_size = int_field(j, "file_size");
  info.modification_time = int_field(j, "modification_time");
  info.raw = j;
}

void to_json(nlohmann::ordered_json& j, const FileInfo& info) {
  if (info.raw.is_object()) {
    j = info.raw;
    return;
  }
  j = nlohmann::ordered_json{{"path", info.path},
                             {"is_dir", info.is_dir},
                             {"file_size", info.file_size},
                             {"modification_time", info.modification_time}};
}

}  // namespace dbk
