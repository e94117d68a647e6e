#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "http/request.hpp"
#include "state/store.hpp"

/// What the Unity Catalog services share: store kinds, name rules, errors, paging.
namespace dbk::emulator::uc {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

inline constexpr const char* kMetastore = "uc_metastore";
inline constexpr const char* kAssignment = "uc_assignment";  // key: workspace id
inline constexpr const char* kSeed = "uc_seed";
// Catalogs, schemas and tables, keyed "<metastore id>/<full name>".
inline constexpr const char* kKinds[] = {"", "uc_catalog", "uc_schema", "uc_table"};
inline constexpr const char* kNouns[] = {"", "Catalog", "Schema", "Table"};
inline constexpr const char* kCodes[] = {"", "CATALOG", "SCHEMA", "TABLE"};
inline constexpr const char* kListFields[] = {"", "catalogs", "schemas", "tables"};
// Storage credentials, external locations and shares, keyed "<metastore id>/<name>".
inline constexpr const char* kCredential = "uc_storage_credential";
inline constexpr const char* kLocation = "uc_external_location";
inline constexpr const char* kShare = "uc_share";
// Delta Sharing recipients and providers, keyed "<metastore id>/<name>".
inline constexpr const char* kRecipient = "uc_recipient";
inline constexpr const char* kProvider = "uc_provider";
inline constexpr std::size_t kMaxNameLength = 255;
// The page length when a client asks for the paginated form (max_results=0).
inline constexpr std::int64_t kPageLength = 100;

/// A name as it may appear in a message: control characters escaped, long names cut.
std::string shown(const std::string& name);
std::string lower(std::string text);
/// Unity Catalog object names: at most 255 characters, without '.', ' ', '/', ASCII control
/// characters or DEL (docs/compatibility.md, "Unity Catalog").
Status check_name(const char* what, const std::string& name);
/// 404 <CODE>_DOES_NOT_EXIST of a catalog (1), schema (2) or table (3).
ApiError missing(int level, const std::string& full_name);
ApiError metastore_missing(const std::string& id);
ApiError no_current_metastore();
/// 404 PRINCIPAL_DOES_NOT_EXIST: a grant or owner names no user or group of the workspace.
ApiError principal_missing(const std::string& principal);
/// "c.s.t" split into `level` validated, lower-cased parts.
Result<std::vector<std::string>> split_full_name(const std::string& full_name, int level);
std::string join(const std::vector<std::string>& parts, std::size_t count);
/// Ids in the service's UUID form, numbered per counter.
std::string metastore_id_of(std::int64_t n);
/// The metastore assigned to the emulator's workspace.
Result<std::string> current_metastore(const Store::Transaction& tx);
/// A string field of an update, or nullopt when absent or null (the legacy CLI sends every
/// flag, unset ones as null).
Result<std::optional<std::string>> update_string(const json& body, const char* field);
Result<json> request_body(const Request& request);
/// The new name an update asks for, checked and lower-cased: `new_name` (official clients)
/// or `name` (legacy CLI); nullopt when absent or equal to `current`.
Result<std::optional<std::string>> new_name_of(const json& body, const std::string& current,
                                               const char* what);
/// `force` of a DELETE: a query parameter (official clients) or a JSON body (legacy CLI).
Result<bool> delete_force(const Request& request);
/// The document without its private fields (those starting with '_').
ordered public_fields(const json& document);
/// The page a list answers: everything without max_results (the unpaginated form), else at
/// most max_results (0: the server's page length) after the page_token, which is the `key`
/// field of the previous page's last item. The list goes under `field`, left out when empty.
Result<ordered> page_of(const Request& request, std::vector<json> items, const char* field,
                        const char* key = "full_name");

}  // namespace dbk::emulator::uc

/// In a function answering a Status or Result: returns the error of a failed `expr`.
#define DBK_UC_TRY(expr)                                   \
  do {                                                     \
    auto dbk_uc_status = (expr);                           \
    if (!dbk_uc_status.ok()) return dbk_uc_status.error(); \
  } while (false)
/// The same, moving the value of a Result into `lhs` (a declaration such as `auto x`).
#define DBK_UC_ASSIGN(lhs, expr) DBK_UC_ASSIGN_IMPL(DBK_UC_CONCAT(dbk_uc_, __LINE__), lhs, expr)
#define DBK_UC_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                       \
  if (!tmp.ok()) return tmp.error();       \
  lhs = std::move(*tmp)
#define DBK_UC_CONCAT(a, b) DBK_UC_CONCAT_INNER(a, b)
#define DBK_UC_CONCAT_INNER(a, b) a##b
