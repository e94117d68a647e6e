#include "unity_catalog/recipients_service.hpp"

#include <cstdio>
#include <ctime>

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "identity/principals.hpp"
#include "state/store.hpp"
#include "tokens/random_secret.hpp"
#include "unity_catalog/uc_common.hpp"
#include "unity_catalog/uc_sharing.hpp"

namespace dbk::emulator {
namespace {

using namespace uc;

constexpr const char* kTokenCounter = "uc_recipient_token";
// The service's limit on an IP access list.
constexpr std::size_t kMaxAllowedAddresses = 100;
// Seconds beyond which a lifetime would overflow epoch milliseconds.
constexpr std::int64_t kMaxSeconds = std::int64_t{1} << 40;

std::string sharing_id_of(int kind, std::int64_t n) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "0dbc%04d-0000-4000-8000-%012lld", kind,
                static_cast<long long>(n));
  return buffer;
}

ApiError recipient_exists(const std::string& name) {
  return http_error(409, "RECIPIENT_ALREADY_EXISTS", "Recipient '" + name + "' already exists");
}

bool token_expired(const json& token, std::int64_t now) {
  return token.contains("expiration_time") && token["expiration_time"].get<std::int64_t>() <= now;
}

// An IPv4 address with an optional /prefix (CIDR), as the service's allowlist takes.
bool is_ipv4_cidr(const std::string& text) {
  unsigned a, b, c, d, bits = 32;
  char tail = 0;
  int n = std::sscanf(text.c_str(), "%3u.%3u.%3u.%3u/%2u%c", &a, &b, &c, &d, &bits, &tail);
  const bool shape = (n == 4 && text.find('/') == std::string::npos) || n == 5;
  return shape && a < 256 && b < 256 && c < 256 && d < 256 && bits <= 32 &&
         text.find_first_not_of("0123456789./") == std::string::npos;
}

// ip_access_list of a request: nullopt when absent, an empty object when it clears the list.
Result<std::optional<json>> ip_access_list_of(const json& body) {
  auto it = body.find("ip_access_list");
  if (it == body.end() || it->is_null()) return std::optional<json>();
  if (!it->is_object()) return invalid_parameter("ip_access_list must be an object");
  json out = json::object();
  auto list = it->find("allowed_ip_addresses");
  if (list == it->end() || list->is_null()) return std::optional<json>(out);
  if (!list->is_array()) return invalid_parameter("allowed_ip_addresses must be a list");
  if (list->size() > kMaxAllowedAddresses) {
    return invalid_parameter("An IP access list holds at most 100 addresses.");
  }
  for (const auto& address : *list) {
    if (!address.is_string() || !is_ipv4_cidr(address.get<std::string>())) {
      return invalid_parameter(
          "Invalid IP address '" +
          shown(address.is_string() ? address.get<std::string>() : address.dump()) +
          "': expected an IPv4 address in CIDR notation.");
    }
  }
  if (!list->empty()) out["allowed_ip_addresses"] = *list;
  return std::optional<json>(out);
}

// properties_kvpairs of a request as {"properties": {key: value}}: the official clients send
// that map, the legacy CLI a list of {key, value}. nullopt when absent; {} clears them.
Result<std::optional<json>> properties_of(const json& body) {
  auto it = body.find("properties_kvpairs");
  if (it == body.end() || it->is_null()) return std::optional<json>();
  if (!it->is_object()) return invalid_parameter("properties_kvpairs must be an object");
  json map = json::object();
  auto given = it->find("properties");
  if (given != it->end() && given->is_array()) {
    for (const auto& pair : *given) {
      if (!pair.is_object() || !pair.contains("key") || !pair["key"].is_string() ||
          !pair.contains("value") || !pair["value"].is_string()) {
        return invalid_parameter("each property must be {\"key\": string, \"value\": string}");
      }
      map[pair["key"].get<std::string>()] = pair["value"];
    }
  } else if (given != it->end() && given->is_object()) {
    for (const auto& [key, value] : given->items()) {
      if (!value.is_string()) return invalid_parameter("property values must be strings");
      map[key] = value;
    }
  } else if (given != it->end() && !given->is_null()) {
    return invalid_parameter("properties must be a map of strings");
  }
  json out = json::object();
  if (!map.empty()) out["properties"] = map;
  return std::optional<json>(out);
}

// Sets (or, when empty, removes) an optional object field.
void set_or_clear(json& doc, const char* field, const json& value) {
  if (value.empty()) {
    doc.erase(field);
  } else {
    doc[field] = value;
  }
}

// The recipient as the service answers it: its unexpired tokens, and while the newest
// token's credential is not downloaded, that token's activation URL.
ordered answer_of(const json& doc, std::int64_t now) {
  if (doc.value("authentication_type", "") != "TOKEN") return public_fields(doc);
  json out = doc;  // keys in the same (sorted) order as the stored ones
  json tokens = json::array();
  for (const auto& token : doc.value("_tokens", json::array())) {
    if (!token_expired(token, now)) tokens.push_back(json(public_fields(token)));
  }
  const json newest =
      doc.value("_tokens", json::array()).empty() ? json::object() : doc["_tokens"].back();
  out["activated"] = !newest.contains("activation_url");
  if (newest.contains("activation_url") && !token_expired(newest, now)) {
    out["activation_url"] = newest["activation_url"];
  }
  out["tokens"] = tokens;
  return public_fields(out);
}

// A new token: its id, times and one-time activation URL (only the code's hash is kept to
// find it again).
Result<json> new_token(Store::Transaction& tx, const std::string& external_url, std::int64_t now,
                       std::optional<std::int64_t> expiration) {
  auto code = random_hex(16);
  if (!code) return http_error(500, "INTERNAL_ERROR", "no random bytes for a recipient token");
  json token = {{"id", sharing_id_of(2, tx.next_id(kTokenCounter))},
                {"created_at", now},
                {"created_by", kEmulatorUserName},
                {"updated_at", now},
                {"updated_by", kEmulatorUserName},
                {"activation_url", external_url + "/delta_sharing/retrieve_config.html?" + *code},
                {"_code_sha256", sha256_hex(*code)}};
  if (expiration) token["expiration_time"] = *expiration;
  return token;
}

// The expiry of a new token: the metastore's recipient token lifetime, when it sets one.
std::optional<std::int64_t> default_expiration(const Store::Transaction& tx,
                                               const std::string& metastore, std::int64_t now) {
  auto doc = tx.get(kMetastore, metastore);
  if (!doc) return std::nullopt;
  auto lifetime = doc->find("delta_sharing_recipient_token_lifetime_in_seconds");
  if (lifetime == doc->end() || !lifetime->is_number_integer()) return std::nullopt;
  const auto seconds = lifetime->get<std::int64_t>();
  if (seconds <= 0 || seconds > kMaxSeconds) return std::nullopt;
  return now + seconds * 1000;
}

// "2024-01-02T03:04:05.678Z", as a Delta Sharing profile's expirationTime.
std::string iso_time(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buffer;
}

}  // namespace

void UcRecipientsService::register_routes(Router& router) {
  const auto versions = {"2.0", "2.1"};
  router.add_versions("POST", versions, "unity-catalog/recipients",
                      [this](const Request& request) { return create(request); });
  router.add_versions("GET", versions, "unity-catalog/recipients",
                      [this](const Request& request) { return list(request); });
  for (const char* method : {"GET", "PATCH", "DELETE", "POST"}) {
    router.add_versions(method, versions, "unity-catalog/recipients/*",
                        [this](const Request& request) { return recipient(request); });
  }
  router.add_versions("GET", versions, "unity-catalog/public/data_sharing_activation_info/*",
                      [this](const Request& request) { return activation(request, false); });
  router.add_versions("GET", versions, "unity-catalog/public/data_sharing_activation/*",
                      [this](const Request& request) { return activation(request, true); });
}

Response UcRecipientsService::create(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  if (!body.is_object()) return error_response(invalid_parameter("The body must be an object."));
  DBK_ASSIGN_OR_RESPOND(auto name, update_string(body, "name"));
  if (!name) return error_response(invalid_parameter("Missing required field: name"));
  DBK_RETURN_IF_ERROR(check_name("Recipient", *name));
  DBK_ASSIGN_OR_RESPOND(auto type, update_string(body, "authentication_type"));
  if (!type)
    return error_response(invalid_parameter("Missing required field: authentication_type"));
  if (*type != "TOKEN" && *type != "DATABRICKS") {
    return error_response(
        invalid_parameter("authentication_type '" + shown(*type) +
                          "' is not served by the emulator (TOKEN or DATABRICKS)."));
  }
  DBK_ASSIGN_OR_RESPOND(auto global_id, update_string(body, "data_recipient_global_metastore_id"));
  std::vector<std::string> parts;
  if (*type == "DATABRICKS") {
    if (!global_id) {
      return error_response(invalid_parameter(
          "data_recipient_global_metastore_id is required for DATABRICKS authentication."));
    }
    std::size_t start = 0;
    for (std::size_t colon; (colon = global_id->find(':', start)) != std::string::npos;
         start = colon + 1) {
      parts.push_back(global_id->substr(start, colon - start));
    }
    parts.push_back(global_id->substr(start));
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
      return error_response(invalid_parameter("Invalid data_recipient_global_metastore_id '" +
                                              shown(*global_id) +
                                              "': expected <cloud>:<region>:<metastore id>."));
    }
  } else if (global_id) {
    return error_response(invalid_parameter(
        "data_recipient_global_metastore_id is only for DATABRICKS authentication."));
  }
  DBK_ASSIGN_OR_RESPOND(auto comment, update_string(body, "comment"));
  DBK_ASSIGN_OR_RESPOND(auto owner, update_string(body, "owner"));
  if (owner && !principal_exists(context_.store, *owner)) {
    return error_response(principal_missing(*owner));
  }
  DBK_ASSIGN_OR_RESPOND(auto ip_list, ip_access_list_of(body));
  DBK_ASSIGN_OR_RESPOND(auto properties, properties_of(body));
  std::optional<std::int64_t> expiration;
  if (auto it = body.find("expiration_time"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return error_response(invalid_parameter("expiration_time must be an integer"));
    }
    expiration = it->get<std::int64_t>();
  }
  const std::string key_name = lower(*name);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  if (expiration && *expiration <= now) {
    return error_response(invalid_parameter("expiration_time must be in the future."));
  }
  json created;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    if (tx.get(kRecipient, metastore + "/" + key_name)) return recipient_exists(key_name);
    created = json{{"name", key_name},
                   {"id", sharing_id_of(1, tx.next_id(kRecipient))},
                   {"authentication_type", *type},
                   {"owner", owner.value_or(kEmulatorUserName)},
                   {"created_at", now},
                   {"created_by", kEmulatorUserName},
                   {"updated_at", now},
                   {"updated_by", kEmulatorUserName}};
    if (comment) created["comment"] = *comment;
    if (ip_list) set_or_clear(created, "ip_access_list", *ip_list);
    if (properties) set_or_clear(created, "properties_kvpairs", *properties);
    if (*type == "DATABRICKS") {
      created["data_recipient_global_metastore_id"] = *global_id;
      created["cloud"] = parts[0];
      created["region"] = parts[1];
      created["metastore_id"] = parts[2];
      created["activated"] = true;
    } else {
      DBK_UC_ASSIGN(auto token,
                    new_token(tx, context_.external_url, now,
                              expiration ? expiration : default_expiration(tx, metastore, now)));
      created["_tokens"] = json::array({token});
    }
    tx.put(kRecipient, metastore + "/" + key_name, created);
    return {};
  }));
  return json_response(200, answer_of(created, now));
}

Response UcRecipientsService::list(const Request& request) {
  std::vector<json> items;
  const auto now = context_.clock.now_ms();
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    for (const auto& [key, doc] : tx.list(kRecipient)) {
      if (key.compare(0, metastore.size() + 1, metastore + "/") != 0) continue;
      items.push_back(json(answer_of(doc, now)));
    }
    return {};
  }));
  DBK_ASSIGN_OR_RESPOND(auto body, page_of(request, std::move(items), "recipients", "name"));
  return json_response(200, body);
}

Response UcRecipientsService::recipient(const Request& request) {
  if (request.method == "POST") {
    auto name = before_suffix(request.path_tail, "/rotate-token");
    if (!name) {
      return error_response(http_error(404, "ENDPOINT_NOT_FOUND",
                                       "No API found for 'POST " + shown(request.path) + "'"));
    }
    return rotate(request, *name);
  }
  if (auto name = before_suffix(request.path_tail, "/share-permissions")) {
    if (request.method != "GET") {
      return error_response(not_allowed_on(request.method, "share permissions"));
    }
    return share_permissions(request, *name);
  }
  DBK_RETURN_IF_ERROR(check_name("Recipient", request.path_tail));
  const std::string name = lower(request.path_tail);
  if (request.method == "PATCH") return update(request, name);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  json found;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto recipient, find_named(tx, kRecipient, name, recipient_missing));
    if (request.method == "DELETE") {
      move_grants(tx, recipient.metastore, name, std::nullopt);
      tx.erase(kRecipient, recipient.key);
    }
    found = std::move(recipient.doc);
    return {};
  }));
  if (request.method == "DELETE") return empty_response();
  return json_response(200, answer_of(found, now));
}

Response UcRecipientsService::update(const Request& request, const std::string& name) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  if (!body.is_object()) return error_response(invalid_parameter("The body must be an object."));
  DBK_ASSIGN_OR_RESPOND(auto comment, update_string(body, "comment"));
  DBK_ASSIGN_OR_RESPOND(auto owner, update_string(body, "owner"));
  if (owner && !principal_exists(context_.store, *owner)) {
    return error_response(principal_missing(*owner));
  }
  DBK_ASSIGN_OR_RESPOND(auto ip_list, ip_access_list_of(body));
  DBK_ASSIGN_OR_RESPOND(auto properties, properties_of(body));
  DBK_ASSIGN_OR_RESPOND(auto rename, new_name_of(body, name, "Recipient"));
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto found, find_named(tx, kRecipient, name, recipient_missing));
    const std::string& metastore = found.metastore;
    json* doc = &found.doc;
    if (comment) (*doc)["comment"] = *comment;
    if (owner) (*doc)["owner"] = *owner;
    if (ip_list) set_or_clear(*doc, "ip_access_list", *ip_list);
    if (properties) set_or_clear(*doc, "properties_kvpairs", *properties);
    (*doc)["updated_at"] = now;
    (*doc)["updated_by"] = kEmulatorUserName;
    if (rename) {
      if (tx.get(kRecipient, metastore + "/" + *rename)) return recipient_exists(*rename);
      (*doc)["name"] = *rename;
      tx.erase(kRecipient, metastore + "/" + name);
      move_grants(tx, metastore, name, *rename);
    }
    tx.put(kRecipient, metastore + "/" + doc->value("name", name), *doc);
    updated = *doc;
    return {};
  }));
  return json_response(200, answer_of(updated, now));
}

Response UcRecipientsService::rotate(const Request& request, const std::string& given) {
  DBK_RETURN_IF_ERROR(check_name("Recipient", given));
  const std::string name = lower(given);
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  if (!body.is_object()) return error_response(invalid_parameter("The body must be an object."));
  std::optional<std::int64_t> seconds;
  if (auto it = body.find("existing_token_expire_in_seconds"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return error_response(
          invalid_parameter("existing_token_expire_in_seconds must be an integer"));
    }
    seconds = it->get<std::int64_t>();
    if (*seconds < 0) {
      return error_response(
          invalid_parameter("existing_token_expire_in_seconds must not be negative."));
    }
    if (*seconds > kMaxSeconds) seconds = kMaxSeconds;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto found, find_named(tx, kRecipient, name, recipient_missing));
    const std::string& metastore = found.metastore;
    json* doc = &found.doc;
    if (doc->value("authentication_type", "") != "TOKEN") {
      return invalid_parameter("Recipient '" + name +
                               "' does not use TOKEN authentication: it has no token to rotate.");
    }
    // The old tokens' lives can only get shorter; expired ones are dropped.
    json kept = json::array();
    for (auto token : doc->value("_tokens", json::array())) {
      if (seconds) {
        const std::int64_t cut = now + *seconds * 1000;
        if (!token.contains("expiration_time") || token["expiration_time"] > cut) {
          token["expiration_time"] = cut;
          token["updated_at"] = now;
          token["updated_by"] = kEmulatorUserName;
        }
      }
      if (!token_expired(token, now)) kept.push_back(token);
    }
    if (kept.size() >= 2) {
      return invalid_parameter("Recipient '" + name +
                               "' already has two active tokens: expire the older one first "
                               "(existing_token_expire_in_seconds=0).");
    }
    DBK_UC_ASSIGN(auto token, new_token(tx, context_.external_url, now,
                                        default_expiration(tx, metastore, now)));
    kept.push_back(token);
    (*doc)["_tokens"] = kept;
    (*doc)["updated_at"] = now;
    (*doc)["updated_by"] = kEmulatorUserName;
    tx.put(kRecipient, metastore + "/" + name, *doc);
    updated = *doc;
    return {};
  }));
  return json_response(200, answer_of(updated, now));
}

Response UcRecipientsService::share_permissions(const Request& request, const std::string& given) {
  DBK_RETURN_IF_ERROR(check_name("Recipient", given));
  const std::string name = lower(given);
  std::vector<json> items;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto found, find_named(tx, kRecipient, name, recipient_missing));
    items = shares_granted(tx, found.metastore, name);
    return {};
  }));
  DBK_ASSIGN_OR_RESPOND(auto body,
                        page_of(request, std::move(items), "permissions_out", "share_name"));
  return json_response(200, body);
}

Response UcRecipientsService::activation(const Request& request, bool retrieve) {
  // The whole activation URL or its code (what follows the '?').
  std::string code = request.path_tail;
  if (auto mark = code.rfind('?'); mark != std::string::npos) code = code.substr(mark + 1);
  const std::string hash = sha256_hex(code);
  const auto invalid = not_found("The activation link is invalid, expired or already used.");
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  ordered answer = ordered::object();
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    for (auto [key, doc] : tx.list(kRecipient)) {
      auto tokens = doc.value("_tokens", json::array());
      for (auto& token : tokens) {
        if (token.value("_code_sha256", "") != hash) continue;
        if (token_expired(token, now)) return invalid;
        if (!retrieve) return {};
        auto bearer = random_hex(32);
        if (!bearer) return http_error(500, "INTERNAL_ERROR", "no random bytes for a token");
        token.erase("activation_url");
        token.erase("_code_sha256");
        token["_bearer_sha256"] = sha256_hex(*bearer);
        token["updated_at"] = now;
        doc["_tokens"] = tokens;
        tx.put(kRecipient, key, doc);
        const std::string metastore = key.substr(0, key.find('/'));
        answer["shareCredentialsVersion"] = 1;
        answer["bearerToken"] = *bearer;
        answer["endpoint"] =
            context_.external_url + "/api/2.0/delta-sharing/metastores/" + metastore;
        if (token.contains("expiration_time")) {
          answer["expirationTime"] = iso_time(token["expiration_time"].get<std::int64_t>());
        }
        return {};
      }
    }
    return invalid;
  }));
  return json_response(200, answer);
}

}  // namespace dbk::emulator
