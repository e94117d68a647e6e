#include "unity_catalog/permissions_service.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "http/request.hpp"
#include "http/response.hpp"
#include "state/store.hpp"
#include "unity_catalog/uc_common.hpp"
#include "unity_catalog/uc_grants.hpp"
#include "unity_catalog/uc_sharing.hpp"

namespace dbk::emulator {
namespace {

using namespace uc;

// A securable as the path names it: its store kind and key, and how it is reported.
struct Securable {
  std::string type;  ///< SDK form: "catalog", "storage_credential", ...
  std::string kind;
  std::string key;
  std::string name;  ///< full name (lower case), or the metastore id
  int level = 0;     ///< 1..3 for catalog, schema, table
};

// "catalog/main", "storage-credential/c" (legacy) or "STORAGE_CREDENTIAL/c" (SDK).
Result<Securable> parse_securable(const std::string& tail) {
  const auto slash = tail.find('/');
  if (slash == std::string::npos || slash + 1 >= tail.size()) {
    return invalid_parameter("Expected permissions/<securable type>/<full name>.");
  }
  Securable out;
  out.type = lower(tail.substr(0, slash));
  std::replace(out.type.begin(), out.type.end(), '-', '_');
  out.name = tail.substr(slash + 1);
  for (int level = 1; level <= 3; ++level) {
    if (out.type == lower(kNouns[level])) {
      DBK_UC_ASSIGN(auto parts, split_full_name(out.name, level));
      out.name = join(parts, parts.size());
      out.kind = kKinds[level];
      out.level = level;
      return out;
    }
  }
  if (out.type == "metastore") {
    out.kind = kMetastore;
    out.key = out.name;
    return out;
  }
  static const std::pair<const char*, const char*> named[] = {
      {"storage_credential", kCredential}, {"external_location", kLocation}, {"share", kShare}};
  for (const auto& [type, kind] : named) {
    if (out.type != type) continue;
    DBK_UC_TRY(check_name(type, out.name));
    out.name = lower(out.name);
    out.kind = kind;
    return out;
  }
  return invalid_parameter("Unsupported securable type '" + shown(tail.substr(0, slash)) +
                           "': the emulator serves metastore, catalog, schema, table, "
                           "storage_credential, external_location and share.");
}

ApiError securable_missing(const Securable& securable) {
  if (securable.level) return missing(securable.level, securable.name);
  if (securable.kind == kMetastore) return metastore_missing(securable.name);
  std::string code = securable.type;
  std::transform(code.begin(), code.end(), code.begin(), ::toupper);
  std::string noun = securable.type;
  std::replace(noun.begin(), noun.end(), '_', ' ');
  noun[0] = static_cast<char>(std::toupper(noun[0]));
  return http_error(404, code + "_DOES_NOT_EXIST",
                    noun + " '" + shown(securable.name) + "' does not exist.");
}

// The securable's document (its key completed with the current metastore).
Result<json> find(const Store::Transaction& tx, Securable& securable) {
  DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
  if (securable.kind != kMetastore) securable.key = metastore + "/" + securable.name;
  auto doc = tx.get(securable.kind, securable.key);
  if (!doc) return securable_missing(securable);
  return *doc;
}

// Effective privileges: the securable's own, then those a table inherits from its schema and
// catalog and a schema from its catalog, each marked with where it comes from.
ordered effective(const Store::Transaction& tx, const Securable& securable, const json& doc,
                  const std::optional<std::string>& principal) {
  std::map<std::string, ordered> by_principal;
  auto collect = [&](const json& from, const char* type, const std::string& name) {
    const json grants = from.value("_grants", json::object());
    for (const auto& [who, privileges] : grants.items()) {
      if (principal && who != *principal) continue;
      for (const auto& privilege : privileges) {
        ordered entry = {{"privilege", privilege}};
        if (type) {
          entry["inherited_from_type"] = type;
          entry["inherited_from_name"] = name;
        }
        by_principal[who].push_back(entry);
      }
    }
  };
  collect(doc, nullptr, "");
  if (securable.level >= 2) {
    const std::string metastore = securable.key.substr(0, securable.key.find('/'));
    const auto parts = split_full_name(securable.name, securable.level);
    for (int level = securable.level - 1; parts && level >= 1; --level) {
      const std::string name = join(*parts, static_cast<std::size_t>(level));
      if (auto parent = tx.get(kKinds[level], metastore + "/" + name)) {
        collect(*parent, kCodes[level], name);
      }
    }
  }
  ordered list = ordered::array();
  for (auto& [who, privileges] : by_principal) {
    list.push_back(ordered{{"principal", who}, {"privileges", privileges}});
  }
  ordered body = ordered::object();
  if (!list.empty()) body["privilege_assignments"] = list;
  return body;
}

}  // namespace

void UcPermissionsService::register_routes(Router& router) {
  const auto versions = {"2.0", "2.1"};
  for (const char* method : {"GET", "PATCH"}) {
    router.add_versions(method, versions, "unity-catalog/permissions/*",
                        [this](const Request& request) { return permissions(request, false); });
  }
  router.add_versions("GET", versions, "unity-catalog/effective-permissions/*",
                      [this](const Request& request) { return permissions(request, true); });
}

Response UcPermissionsService::permissions(const Request& request, bool effective_only) {
  DBK_ASSIGN_OR_RESPOND(auto securable, parse_securable(request.path_tail));
  if (request.method == "GET") {
    const auto principal = request.query_param("principal");
    ordered answer;
    DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto doc, find(tx, securable));
      answer =
          effective_only ? effective(tx, securable, doc, principal) : grants_of(doc, principal);
      return {};
    }));
    return json_response(200, answer);
  }
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto changes, parse_changes(body));
  // A share is granted to recipients (as through shares/{name}/permissions), the others to
  // users and groups.
  const bool share = securable.kind == kShare;
  if (!share) DBK_RETURN_IF_ERROR(check_principals(context_.store, changes));
  std::lock_guard<std::mutex> lock(mutex_);
  ordered answer;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto doc, find(tx, securable));
    if (share) {
      DBK_UC_TRY(
          check_share_changes(tx, securable.key.substr(0, securable.key.find('/')), changes));
    }
    apply_changes(doc, changes);
    tx.put(securable.kind, securable.key, doc);
    answer = grants_of(doc, std::nullopt);
    return {};
  }));
  return json_response(200, answer);
}

}  // namespace dbk::emulator
