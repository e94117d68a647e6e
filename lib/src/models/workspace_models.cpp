#include "dbk/models/workspace.hpp"
#include "models/json_fields.hpp"

namespace dbk {

void from_json(const nlohmann::ordered_json& j, ObjectInfo& info) {
  using namespace detail;
  info.object_type = string_field(j, "object_type");
  info.path = string_field(j, "path");
  info.object_id = int_field(j, "object_id");
  info.language = string_field(j, "language");
  info.created_at = int_field(j, "created_at");
  info.modified_at = int_field(j, "modified_at");
  info.size = optional_int_field(j, "size");
  info.resource_id = string_field(j, "resource_id");
  info.raw = j;
}

void to_json(nlohmann::ordered_json& j, const ObjectInfo& info) {
  // The server object is the truth; fields are only used for objects built locally.
  if (info.raw.is_object()) {
    j = info.raw;
    return;
  }
  j = nlohmann::ordered_json::object();
  j["object_type"] = info.object_type;
  j["path"] = info.path;
  j["object_id"] = info.object_id;
  if (!info.language.empty()) j["language"] = info.language;
  if (info.created_at != 0) j["created_at"] = info.created_at;
  if (info.modified_at != 0) j["modified_at"] = info.modified_at;
  if (info.size) j["size"] = *info.size;
  if (!info.resource_id.empty()) j["resource_id"] = info.resource_id;
}

}  // namespace dbk
