#include "unity_catalog/providers_service.hpp"

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

ApiError provider_missing(const std::string& name) {
  return http_error(404, "PROVIDER_DOES_NOT_EXIST",
                    "Provider '" + shown(name) + "' does not exist.");
}

ApiError provider_exists(const std::string& name) {
  return http_error(409, "PROVIDER_ALREADY_EXISTS", "Provider '" + name + "' already exists");
}

// recipient_profile_str: a Delta Sharing profile (the credential file a recipient downloads).
Result<json> parse_profile(const std::string& text) {
  auto parsed = parse_client_json(text, "recipient_profile_str");
  if (!parsed) return std::move(parsed).error();
  const json& profile = *parsed;
  if (!profile.is_object()) return invalid_parameter("recipient_profile_str must be a JSON object");
  auto version = profile.find("shareCredentialsVersion");
  if (version == profile.end() || !version->is_number_integer()) {
    return invalid_parameter("recipient_profile_str: shareCredentialsVersion must be an integer");
  }
  for (const char* field : {"endpoint", "bearerToken"}) {
    auto it = profile.find(field);
    if (it == profile.end() || !it->is_string() || it->get<std::string>().empty()) {
      return invalid_parameter(std::string("recipient_profile_str: ") + field +
                               " must be a non-empty string");
    }
  }
  return profile;
}

// The public part of a profile: never its bearer token.
json public_profile(const json& profile) {
  return json{{"endpoint", profile["endpoint"]},
              {"share_credentials_version", profile["shareCredentialsVersion"]}};
}

}  // namespace

void UcProvidersService::register_routes(Router& router) {
  const auto versions = {"2.0", "2.1"};
  router.add_versions("POST", versions, "unity-catalog/providers",
                      [this](const Request& request) { return create(request); });
  router.add_versions("GET", versions, "unity-catalog/providers",
                      [this](const Request& request) { return list(request); });
  for (const char* method : {"GET", "PATCH", "DELETE"}) {
    router.add_versions(method, versions, "unity-catalog/providers/*",
                        [this](const Request& request) { return provider(request); });
  }
}

Response UcProvidersService::create(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  if (!body.is_object()) return error_response(invalid_parameter("The body must be an object."));
  DBK_ASSIGN_OR_RESPOND(auto name, update_string(body, "name"));
  if (!name) return error_response(invalid_parameter("Missing required field: name"));
  DBK_RETURN_IF_ERROR(check_name("Provider", *name));
  DBK_ASSIGN_OR_RESPOND(auto type, update_string(body, "authentication_type"));
  if (!type)
    return error_response(invalid_parameter("Missing required field: authentication_type"));
  if (*type != "TOKEN") {
    return error_response(invalid_parameter(
        "authentication_type '" + shown(*type) +
        "' is not served by the emulator: it creates TOKEN providers (DATABRICKS providers "
        "appear when another metastore shares with this one)."));
  }
  DBK_ASSIGN_OR_RESPOND(auto profile_text, update_string(body, "recipient_profile_str"));
  if (!profile_text) {
    return error_response(
        invalid_parameter("recipient_profile_str is required for TOKEN authentication."));
  }
  DBK_ASSIGN_OR_RESPOND(auto profile, parse_profile(*profile_text));
  DBK_ASSIGN_OR_RESPOND(auto comment, update_string(body, "comment"));
  const std::string key_name = lower(*name);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = context_.clock.now_ms();
  json created;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    if (tx.get(kProvider, metastore + "/" + key_name)) return provider_exists(key_name);
    created = json{{"name", key_name},
                   {"authentication_type", *type},
                   {"owner", kEmulatorUserName},
                   {"created_at", now},
                   {"created_by", kEmulatorUserName},
                   {"updated_at", now},
                   {"updated_by", kEmulatorUserName},
                   {"recipient_profile", public_profile(profile)},
                   {"_profile", profile}};
    if (comment) created["comment"] = *comment;
    tx.put(kProvider, metastore + "/" + key_name, created);
    return {};
  }));
  return json_response(200, public_fields(created));
}

Response UcProvidersService::list(const Request& request) {
  std::vector<json> items;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto metastore, current_metastore(tx));
    for (const auto& [key, doc] : tx.list(kProvider)) {
      if (key.compare(0, metastore.size() + 1, metastore + "/") == 0) items.push_back(doc);
    }
    return {};
  }));
  DBK_ASSIGN_OR_RESPOND(auto body, page_of(request, std::move(items), "providers", "name"));
  return json_response(200, body);
}

Response UcProvidersService::provider(const Request& request) {
  if (auto name = before_suffix(request.path_tail, "/shares")) {
    if (request.method != "GET") {
      return error_response(not_allowed_on(request.method, "a provider's shares"));
    }
    return shares(request, *name);
  }
  DBK_RETURN_IF_ERROR(check_name("Provider", request.path_tail));
  const std::string name = lower(request.path_tail);
  if (request.method == "PATCH") return update(request, name);
  std::lock_guard<std::mutex> lock(mutex_);
  json found;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto provider, find_named(tx, kProvider, name, provider_missing));
    if (request.method == "DELETE") tx.erase(kProvider, provider.key);
    found = std::move(provider.doc);
    return {};
  }));
  if (request.method == "DELETE") return empty_response();
  return json_response(200, public_fields(found));
}

Response UcProvidersService::update(const Request& request, const std::string& name) {
  DBK_ASSIGN_OR_RESPOND(auto body, request_body(request));
  if (!body.is_object()) return error_response(invalid_parameter("The body must be an object."));
  DBK_ASSIGN_OR_RESPOND(auto comment, update_string(body, "comment"));
  DBK_ASSIGN_OR_RESPOND(auto owner, update_string(body, "owner"));
  if (owner && !principal_exists(context_.store, *owner)) {
    return error_response(principal_missing(*owner));
  }
  DBK_ASSIGN_OR_RESPOND(auto profile_text, update_string(body, "recipient_profile_str"));
  std::optional<json> profile;
  if (profile_text) {
    DBK_ASSIGN_OR_RESPOND(auto parsed, parse_profile(*profile_text));
    profile = std::move(parsed);
  }
  DBK_ASSIGN_OR_RESPOND(auto rename, new_name_of(body, name, "Provider"));
  std::lock_guard<std::mutex> lock(mutex_);
  json updated;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto found, find_named(tx, kProvider, name, provider_missing));
    const std::string& metastore = found.metastore;
    json* doc = &found.doc;
    if (comment) (*doc)["comment"] = *comment;
    if (owner) (*doc)["owner"] = *owner;
    if (profile) {
      (*doc)["recipient_profile"] = public_profile(*profile);
      (*doc)["_profile"] = *profile;
    }
    (*doc)["updated_at"] = context_.clock.now_ms();
    (*doc)["updated_by"] = kEmulatorUserName;
    if (rename) {
      if (tx.get(kProvider, metastore + "/" + *rename)) return provider_exists(*rename);
      (*doc)["name"] = *rename;
      tx.erase(kProvider, metastore + "/" + name);
    }
    tx.put(kProvider, metastore + "/" + doc->value("name", name), *doc);
    updated = *doc;
    return {};
  }));
  return json_response(200, public_fields(updated));
}

Response UcProvidersService::shares(const Request& request, const std::string& given) {
  DBK_RETURN_IF_ERROR(check_name("Provider", given));
  const std::string name = lower(given);
  const std::string ours = context_.external_url + "/api/2.0/delta-sharing/metastores/";
  const auto now = context_.clock.now_ms();
  std::vector<json> items;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    DBK_UC_ASSIGN(auto found, find_named(tx, kProvider, name, provider_missing));
    const json profile = found.doc.value("_profile", json::object());
    const std::string endpoint = profile.value("endpoint", "");
    if (endpoint.compare(0, ours.size(), ours) != 0) {
      return http_error(501, "NOT_IMPLEMENTED",
                        "The emulator reads shares only from its own Delta Sharing endpoint (" +
                            ours + "<metastore id>); provider '" + name + "' points elsewhere.");
    }
    // The recipient the profile's bearer token belongs to, in the metastore it names.
    const std::string source = endpoint.substr(ours.size());
    const std::string hash = sha256_hex(profile.value("bearerToken", ""));
    for (const auto& [key, recipient] : tx.list(kRecipient)) {
      if (key.compare(0, source.size() + 1, source + "/") != 0) continue;
      for (const auto& token : recipient.value("_tokens", json::array())) {
        if (token.value("_bearer_sha256", "") != hash) continue;
        if (token.contains("expiration_time") && token["expiration_time"] <= now) break;
        for (const auto& granted : shares_granted(tx, source, recipient.value("name", ""))) {
          items.push_back(json{{"name", granted["share_name"]}});
        }
        return {};
      }
    }
    return http_error(403, "PERMISSION_DENIED",
                      "The bearer token of provider '" + name +
                          "' is not valid (expired, "
                          "rotated out or unknown to the sharing server).");
  }));
  DBK_ASSIGN_OR_RESPOND(auto body, page_of(request, std::move(items), "shares", "name"));
  return json_response(200, body);
}

}  // namespace dbk::emulator
