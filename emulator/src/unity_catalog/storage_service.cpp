#include "unity_catalog/storage_service.hpp"

#include <algorithm>
#include <cctype>

#include "http/member_handler.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "identity/principals.hpp"
#include "state/store.hpp"
#include "unity_catalog/uc_common.hpp"

namespace dbk::emulator {
namespace {

using namespace uc;

// A credential kind: its field and the fields it requires. Secret fields (client secrets,
// private keys) are checked but never stored nor answered, as the service never returns them.
struct CredentialKind {
  const char* field;
  std::vector<const char*> required;
  std::vector<const char*> secret;
  std::vector<const char*> optional;
};

const std::vector<CredentialKind>& credential_kinds() {
  static const std::vector<CredentialKind> kinds = {
      {"aws_iam_role", {"role_arn"}, {}, {}},
      {"azure_service_principal", {"directory_id", "application_id"}, {"client_secret"}, {}},
      {"azure_managed_identity", {"access_connector_id"}, {}, {"managed_identity_id"}},
      {"gcp_service_account_key", {"email", "private_key_id"}, {"private_key"}, {}},
      {"databricks_gcp_service_account", {}, {}, {}},
      {"cloudflare_api_token", {"access_key_id", "account_id"}, {"secret_access_key"}, {}},
  };
  return kinds;
}

bool present(const json& body, const char* field) {
  auto it = body.find(field);
  return it != body.end() && !it->is_null();
}

// The one cloud credential of a create or update body, checked and without its secrets, or
// nullopt when the body names none (an error on create, "unchanged" on update).
Result<std::optional<std::pair<std::string, json>>> credential_of(const json& body) {
  std::optional<std::pair<std::string, json>> found;
  for (const auto& kind : credential_kinds()) {
    if (!present(body, kind.field)) continue;
    if (found) {
      return invalid_parameter("Only one cloud credential can be specified, found " + found->first +
                               " and " + kind.field + ".");
    }
    const json& given = body.at(kind.field);
    if (!given.is_object())
      return invalid_parameter(std::string(kind.field) + " must be an object");
    json kept = json::object();
    auto check = [&](const char* field, bool required, bool keep) -> Status {
      auto it = given.find(field);
      if (it == given.end() || it->is_null()) {
        if (!required) return {};
        return invalid_parameter(std::string(kind.field) + "." + field + " is required.");
      }
      if (!it->is_string() || (required && it->get<std::string>().empty())) {
        return invalid_parameter(std::string(kind.field) + "." + field +
                                 " must be a non-empty string.");
      }
      if (keep) kept[field] = *it;
      return {};
    };
    for (const char* field : kind.required) DBK_UC_TRY(check(field, true, true));
    for (const char* field : kind.secret) DBK_UC_TRY(check(field, true, false));
    for (const char* field : kind.optional) DBK_UC_TRY(check(field, false, true));
    found = std::make_pair(std::string(kind.field), kept);
  }
  return found;
}

void set_credential(json& doc, const std::pair<std::string, json>& credential) {
  for (const auto& kind : credential_kinds()) doc.erase(kind.field);
  doc[credential.first] = credential.second;
}

// A cloud storage URL, `scheme://authority[/path]`, without trailing slashes.
Result<std::string> checked_url(const std::string& url) {
  const auto colon = url.find("://");
  const bool scheme_ok =
      colon != std::string::npos && colon > 0 &&
      std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon),
                  [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-'; });
  const auto authority_end = colon == std::string::npos ? colon : url.find('/', colon + 3);
  const bool authority_ok =
      scheme_ok && (authority_end == std::string::npos ? url.size() : authority_end) > colon + 3;
  const bool chars_ok = std::none_of(url.begin(), url.end(), [](unsigned char c) {
    return c < 0x20 || c == 0x7f || c == ' ' || c == '?' || c == '#';
  });
  if (!scheme_ok || !authority_ok || !chars_ok || url.size() > 4096) {
    return invalid_parameter("Invalid url '" + shown(url) +
                             "': expected <scheme>://<bucket or container>[/<path>].");
  }
  std::string out = url;
  while (out.size() > colon + 3 && out.back() == '/') out.pop_back();
  return out;
}

// Two URLs overlap when they are equal or one lies under the other.
bool overlaps(const std::string& a, const std::string& b) {
  const auto& shorter = a.size() <= b.size() ? a : b;
  const auto& longer = a.size() <= b.size() ? b : a;
  if (longer.compare(0, shorter.size(), shorter) != 0) return false;
  return longer.size() == shorter.size() || longer[shorter.size()] == '/';
}

ApiError credential_missing(const std::string& name) {
  return http_error(404, "STORAGE_CREDENTIAL_DOES_NOT_EXIST",
                    "Storage Credential '" + shown(name) + "' does not exist.");
}

ApiError location_missing(const std::string& name) {
  return http_error(404, "EXTERNAL_LOCATION_DOES_NOT_EXIST",
                    "External Location '" + shown(name) + "' does not exist.");
}

// The external location, other than `except`, whose URL overlaps `url`.
std::optional<std::string> overlapping(const Store::Transaction& tx, const std::string& metastore,
                                       const std::string& url, const std::string& except) {
  for (const auto& [key, doc] : tx.list(kLocation)) {
    if (key.compare(0, metastore.size() + 1, metastore + "/") != 0) continue;
    if (doc.value("name", "") == except) continue;
    if (overlaps(doc.value("url", ""), url)) return doc.value("name", "");
  }
  return std::nullopt;
}

Status check_overlap(const Store::Transaction& tx, const std::string& metastore,
                     const std::string& url, const std::string& except, const char* call) {
  if (auto other = overlapping(tx, metastore, url, except)) {
    return invalid_parameter("Input path url '" + shown(url) +
                             "' overlaps with an existing external location '" + *other +
                             "' within '" + call + "' call.");
  }
  return {};
}

// The name in the path: validated, lower-cased.
Result<std::string> path_name(const Request& request, const char* what) {
  DBK_UC_TRY(check_name(what, request.path_tail));
  return lower(request.path_tail);
}

Result<std::optional<bool>> update_bool(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return invalid_parameter(std::string(field) + " must be a boolean");
  return std::optional<bool>(it->get<bool>());
}

json stamped(const std::string& metastore, std::int64_t now) {
  return json{{"owner", kEmulatorUserName}, {"metastore_id", metastore},
              {"created_at", now},          {"created_by", kEmulatorUserName},
              {"updated_at", now},          {"updated_by", kEmulatorUserName}};
}

// The owner a body names must be a principal of the workspace. Checked before a transaction
// opens (the store is not re-entrant).
Status check_owner(const Store& store, const json& body) {
  DBK_UC_ASSIGN(auto owner, update_string(body, "owner"));
  if (owner && !principal_exists(store, *owner)) return principal_missing(*owner);
  return {};
}

// comment, owner (checked by check_owner) and read_only of a create or update.
Status apply_common(const json& body, json& doc) {
  DBK_UC_ASSIGN(auto comment, update_string(body, "comment"));
  if (comment) doc["comment"] = *comment;
  DBK_UC_ASSIGN(auto owner, update_string(body, "owner"));
  if (owner) doc["owner"] = *owner;
  DBK_UC_ASSIGN(auto read_only, update_bool(body, "read_only"));
  if (read_only) doc["read_only"] = *read_only;
  return {};
}

}  // namespace

void UcStorageService::register_routes(Router& router) {
  const auto versions = {"2.0", "2.1"};
  router.add_versions("POST", versions, "unity-catalog/storage-credentials",
                      member_handler(this, &UcStorageService::create_credential));
  router.add_versions("GET", versions, "unity-catalog/storage-credentials",
                      [this](const Request& request) { return list(request, false); });
  router.add_versions("POST", versions, "unity-catalog/external-locations",
                      member_handler(this, &UcStorageService::create_location));
  router.add_versions("GET", versions, "unity-catalog/external-locations",
                      [this](const Request& request) { return list(request, true); });
  for (const char* method : {"GET", "PATCH", "DELETE"}) {
    router.add_versions(method, versions, "unity-catalog/storage-credentials/*",
                        member_handler(this, &UcStorageService::credential));
    router.add_versions(method, versions, "unity-catalog/external-locations/*",
                        member_handler(this, &UcStorageService::location));
  }
  router.add_versions("POST", versions, "unity-catalog/validate-storage-credentials",
                      member_handler(this, &UcStorageService::validate));
}

Response UcStorageService::create_credential(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto name, update_string(body, "name"));
  if (!name) return error_response(invalid_parameter("Missing required field: name"));
  DBK_RETURN_IF_ERROR(check_name("Storage credential", *name));
  DBK_ASSIGN_OR_RESPOND(auto credential, credential_of(body));
  if (!credential) {
    return error_response(invalid_parameter(
        "Exactly one cloud credential must be specified (aws_iam_role, azure_service_principal, "
        "azure_managed_identity, gcp_service_account_key, databricks_gcp_service_account or "
        "cloudflare_api_token)."));
  }
  DBK_RETURN_IF_ERROR(check_owner(context_.store, body));
  const std::string key_name = lower(*name);
  std::lock_guard<std::mutex> lock(mutex_);
  json created;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    if (tx.get(kCredential, metastore + "/" + key_name)) {
      return http_error(409, "STORAGE_CREDENTIAL_ALREADY_EXISTS",
                        "Storage Credential '" + key_name + "' already exists");
    }
    created = json{{"name", key_name}, {"full_name", key_name}};
    set_credential(created, *credential);
    created.update(stamped(metastore, context_.clock.now_ms()));
    created["read_only"] = false;
    created["used_for_managed_storage"] = false;
    created["isolation_mode"] = "ISOLATION_MODE_OPEN";
    created["id"] = metastore_id_of(tx.next_id(kCredential));
    DBK_UC_TRY(apply_common(body, created));
    tx.put(kCredential, metastore + "/" + key_name, created);
    return {};
  }));
  return json_response(200, public_fields(created));
}

Response UcStorageService::create_location(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  std::string fields[3];
  const char* names[] = {"name", "url", "credential_name"};
  for (int i = 0; i < 3; ++i) {
    DBK_ASSIGN_OR_RESPOND(auto value, update_string(body, names[i]));
    if (!value || value->empty()) {
      return error_response(invalid_parameter(std::string("Missing required field: ") + names[i]));
    }
    fields[i] = *value;
  }
  DBK_RETURN_IF_ERROR(check_name("External location", fields[0]));
  DBK_RETURN_IF_ERROR(check_name("Storage credential", fields[2]));
  DBK_ASSIGN_OR_RESPOND(auto url, checked_url(fields[1]));
  DBK_RETURN_IF_ERROR(check_owner(context_.store, body));
  const std::string key_name = lower(fields[0]);
  const std::string credential_name = lower(fields[2]);
  std::lock_guard<std::mutex> lock(mutex_);
  json created;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    if (tx.get(kLocation, metastore + "/" + key_name)) {
      return http_error(409, "EXTERNAL_LOCATION_ALREADY_EXISTS",
                        "External Location '" + key_name + "' already exists");
    }
    auto credential = tx.get(kCredential, metastore + "/" + credential_name);
    if (!credential) return credential_missing(credential_name);
    DBK_UC_TRY(check_overlap(tx, metastore, url, "", "CreateExternalLocation"));
    created = json{{"name", key_name},
                   {"url", url},
                   {"credential_name", credential_name},
                   {"credential_id", credential->value("id", "")},
                   {"read_only", false}};
    created.update(stamped(metastore, context_.clock.now_ms()));
    created["isolation_mode"] = "ISOLATION_MODE_OPEN";
    created["fallback"] = false;
    DBK_UC_TRY(apply_common(body, created));
    tx.put(kLocation, metastore + "/" + key_name, created);
    return {};
  }));
  return json_response(200, public_fields(created));
}

Response UcStorageService::list(const Request& request, bool locations) {
  std::vector<json> items;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    for (const auto& [key, doc] : tx.list(locations ? kLocation : kCredential)) {
      if (key.compare(0, metastore.size() + 1, metastore + "/") == 0) items.push_back(doc);
    }
    return {};
  }));
  DBK_ASSIGN_OR_RESPOND(auto body,
                        page_of(request, std::move(items),
                                locations ? "external_locations" : "storage_credentials", "name"));
  return json_response(200, body);
}

Response UcStorageService::credential(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto name, path_name(request, "Storage credential"));
  if (request.method == "GET") {
    std::optional<json> found;
    DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
      found = tx.get(kCredential, metastore + "/" + name);
      if (!found) return credential_missing(name);
      return {};
    }));
    return json_response(200, public_fields(*found));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.method == "DELETE") {
    DBK_ASSIGN_OR_RESPOND(bool force, delete_force(request));
    return status_response(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
      if (!tx.get(kCredential, metastore + "/" + name)) return credential_missing(name);
      std::size_t dependents = 0;
      for (const auto& [key, doc] : tx.list(kLocation)) {
        if (key.compare(0, metastore.size() + 1, metastore + "/") == 0 &&
            doc.value("credential_name", "") == name) {
          ++dependents;
        }
      }
      if (dependents > 0 && !force) {
        return invalid_parameter("Storage credential '" + name + "' has " +
                                 std::to_string(dependents) +
                                 " dependent external location(s); use force to delete it.");
      }
      tx.erase(kCredential, metastore + "/" + name);
      return {};
    }));
  }
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto credential, credential_of(body));
  DBK_RETURN_IF_ERROR(check_owner(context_.store, body));
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    auto doc = tx.get(kCredential, metastore + "/" + name);
    if (!doc) return credential_missing(name);
    DBK_UC_ASSIGN(auto rename, new_name_of(body, name, "Storage credential"));
    if (credential) set_credential(*doc, *credential);
    DBK_UC_TRY(apply_common(body, *doc));
    DBK_UC_ASSIGN(auto isolation, update_string(body, "isolation_mode"));
    if (isolation) {
      if (*isolation != "ISOLATION_MODE_OPEN" && *isolation != "ISOLATION_MODE_ISOLATED") {
        return invalid_parameter(
            "isolation_mode must be ISOLATION_MODE_OPEN or "
            "ISOLATION_MODE_ISOLATED");
      }
      (*doc)["isolation_mode"] = *isolation;
    }
    (*doc)["updated_at"] = context_.clock.now_ms();
    (*doc)["updated_by"] = kEmulatorUserName;
    if (rename) {
      if (tx.get(kCredential, metastore + "/" + *rename)) {
        return http_error(409, "STORAGE_CREDENTIAL_ALREADY_EXISTS",
                          "Storage Credential '" + *rename + "' already exists");
      }
      (*doc)["name"] = *rename;
      (*doc)["full_name"] = *rename;
      tx.erase(kCredential, metastore + "/" + name);
      // External locations name their credential: they follow the rename.
      for (auto [key, location] : tx.list(kLocation)) {
        if (key.compare(0, metastore.size() + 1, metastore + "/") == 0 &&
            location.value("credential_name", "") == name) {
          location["credential_name"] = *rename;
          tx.put(kLocation, key, location);
        }
      }
    }
    tx.put(kCredential, metastore + "/" + doc->value("name", name), *doc);
    updated = *doc;
    return {};
  }));
  return json_response(200, public_fields(updated));
}

Response UcStorageService::location(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto name, path_name(request, "External location"));
  if (request.method == "GET") {
    std::optional<json> found;
    DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
      found = tx.get(kLocation, metastore + "/" + name);
      if (!found) return location_missing(name);
      return {};
    }));
    return json_response(200, public_fields(*found));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (request.method == "DELETE") {
    DBK_ASSIGN_OR_RESPOND(bool force, delete_force(request));
    (void)force;  // nothing depends on a location in the emulator (no external tables' data)
    return status_response(context_.store.transaction([&](Store::Transaction& tx) -> Status {
      DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
      if (!tx.get(kLocation, metastore + "/" + name)) return location_missing(name);
      tx.erase(kLocation, metastore + "/" + name);
      return {};
    }));
  }
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_RETURN_IF_ERROR(check_owner(context_.store, body));
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    auto doc = tx.get(kLocation, metastore + "/" + name);
    if (!doc) return location_missing(name);
    DBK_UC_ASSIGN(auto rename, new_name_of(body, name, "External location"));
    DBK_UC_ASSIGN(auto url, update_string(body, "url"));
    if (url) {
      DBK_UC_ASSIGN(auto checked, checked_url(*url));
      DBK_UC_TRY(check_overlap(tx, metastore, checked, name, "UpdateExternalLocation"));
      (*doc)["url"] = checked;
    }
    DBK_UC_ASSIGN(auto credential_name, update_string(body, "credential_name"));
    if (credential_name) {
      DBK_UC_TRY(check_name("Storage credential", *credential_name));
      auto credential = tx.get(kCredential, metastore + "/" + lower(*credential_name));
      if (!credential) return credential_missing(lower(*credential_name));
      (*doc)["credential_name"] = lower(*credential_name);
      (*doc)["credential_id"] = credential->value("id", "");
    }
    DBK_UC_TRY(apply_common(body, *doc));
    (*doc)["updated_at"] = context_.clock.now_ms();
    (*doc)["updated_by"] = kEmulatorUserName;
    if (rename) {
      if (tx.get(kLocation, metastore + "/" + *rename)) {
        return http_error(409, "EXTERNAL_LOCATION_ALREADY_EXISTS",
                          "External Location '" + *rename + "' already exists");
      }
      (*doc)["name"] = *rename;
      tx.erase(kLocation, metastore + "/" + name);
    }
    tx.put(kLocation, metastore + "/" + doc->value("name", name), *doc);
    updated = *doc;
    return {};
  }));
  return json_response(200, public_fields(updated));
}

// The emulator reaches no cloud storage: every operation is answered SKIP with the reason,
// after the names and URL given have been checked as the service checks them.
Response UcStorageService::validate(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  DBK_ASSIGN_OR_RESPOND(auto location_name, update_string(body, "external_location_name"));
  DBK_ASSIGN_OR_RESPOND(auto url, update_string(body, "url"));
  DBK_ASSIGN_OR_RESPOND(auto credential_name, update_string(body, "storage_credential_name"));
  DBK_ASSIGN_OR_RESPOND(auto credential, credential_of(body));
  if (!location_name && !url) {
    return error_response(
        invalid_parameter("Either external_location_name or url must be specified."));
  }
  if (!credential_name && !credential) {
    return error_response(invalid_parameter(
        "Either storage_credential_name or a cloud credential must be specified."));
  }
  if (url) {
    DBK_RETURN_IF_ERROR(checked_url(*url));
  }
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    if (credential_name) {
      DBK_UC_TRY(check_name("Storage credential", *credential_name));
      if (!tx.get(kCredential, metastore + "/" + lower(*credential_name))) {
        return credential_missing(lower(*credential_name));
      }
    }
    if (location_name && !url) {
      DBK_UC_TRY(check_name("External location", *location_name));
      if (!tx.get(kLocation, metastore + "/" + lower(*location_name))) {
        return location_missing(lower(*location_name));
      }
    }
    return {};
  }));
  ordered results = ordered::array();
  for (const char* operation : {"READ", "LIST", "WRITE", "DELETE"}) {
    results.push_back(ordered{{"operation", operation},
                              {"result", "SKIP"},
                              {"message", "The emulator cannot reach cloud storage."}});
  }
  return json_response(200, ordered{{"results", results}});
}

}  // namespace dbk::emulator
