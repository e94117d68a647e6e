#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dbk {

/// Workspace object kinds and notebook languages as the service spells them
/// (docs/reference/rest-api.md §1.1). Kept as strings: unknown values from a
/// newer server pass through untouched.
namespace object_types {
inline constexpr const char* kNotebook = "NOTEBOOK";
inline constexpr const char* kDirectory = "DIRECTORY";
inline constexpr const char* kLibrary = "LIBRARY";
inline constexpr const char* kFile = "FILE";
inline constexpr const char* kRepo = "REPO";
}  // namespace object_types

namespace languages {
inline constexpr const char* kPython = "PYTHON";
inline constexpr const char* kScala = "SCALA";
inline constexpr const char* kSql = "SQL";
inline constexpr const char* kR = "R";
}  // namespace languages

namespace formats {
inline constexpr const char* kSource = "SOURCE";
inline constexpr const char* kHtml = "HTML";
inline constexpr const char* kJupyter = "JUPYTER";
inline constexpr const char* kDbc = "DBC";
inline constexpr const char* kRMarkdown = "R_MARKDOWN";
inline constexpr const char* kAuto = "AUTO";
}  // namespace formats

/// One entry of `workspace/list` or the answer of `workspace/get-status`.
struct ObjectInfo {
  std::string object_type;  ///< NOTEBOOK, DIRECTORY, LIBRARY, FILE, REPO, ...
  std::string path;
  std::int64_t object_id = 0;
  std::string language;  ///< notebooks only; empty otherwise
  std::int64_t created_at = 0;
  std::int64_t modified_at = 0;
  std::optional<std::int64_t> size;
  std::string resource_id;
  nlohmann::ordered_json raw;  ///< the full server object, in server key order

  bool is_directory() const { return object_type == object_types::kDirectory; }
  bool is_notebook() const { return object_type == object_types::kNotebook; }
};

/// Answer of `workspace/export`: decoded bytes plus the server's file type ("py", ...).
struct ExportedObject {
  std::string content;
  std::string file_type;
  nlohmann::ordered_json raw;  ///< server object without `content` (can be 10 MB)
};

void from_json(const nlohmann::ordered_json& j, ObjectInfo& info);
void to_json(nlohmann::ordered_json& j, const ObjectInfo& info);

}  // namespace dbk
