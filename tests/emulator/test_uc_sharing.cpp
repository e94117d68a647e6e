// Delta Sharing in the emulator: recipients and their tokens, providers, share permissions.
#include <catch2/catch.hpp>

#include "jobs_support/jobs_harness.hpp"
#include "temp_dir.hpp"
#include "unity_catalog/permissions_service.hpp"
#include "unity_catalog/providers_service.hpp"
#include "unity_catalog/recipients_service.hpp"
#include "unity_catalog/shares_service.hpp"
#include "unity_catalog/unity_catalog_service.hpp"

using dbk::emulator::testing::JobsHarness;
using dbk::emulator::testing::Reply;
using nlohmann::json;

namespace {

constexpr const char* kUc = "/api/2.1/unity-catalog/";

struct SharingHarness {
  explicit SharingHarness(std::filesystem::path state = {}) : h(std::move(state)) {
    uc.recover();
    for (dbk::emulator::Service* service : std::initializer_list<dbk::emulator::Service*>{
             &uc, &shares, &recipients, &providers, &permissions}) {
      service->register_routes(h.router);
    }
  }
  Reply get(const std::string& path) { return h.get(kUc + path); }
  Reply post(const std::string& path, const json& body) { return h.post(kUc + path, body); }
  Reply call(const std::string& method, const std::string& path, const json& body = nullptr) {
    return h.call(method, kUc + path, body);
  }
  // The code of an activation URL (what follows its '?').
  static std::string code_of(const json& recipient) {
    const std::string url = recipient["activation_url"];
    return url.substr(url.find('?') + 1);
  }
  JobsHarness h;
  dbk::emulator::UnityCatalogService uc{*h.context};
  dbk::emulator::UcSharesService shares{*h.context};
  dbk::emulator::UcRecipientsService recipients{*h.context};
  dbk::emulator::UcProvidersService providers{*h.context};
  dbk::emulator::UcPermissionsService permissions{*h.context};
};

}  // namespace

TEST_CASE("delta sharing: a TOKEN recipient's activation link hands out its token once",
          "[unity-catalog][sharing]") {
  SharingHarness s;
  // The legacy CLI sends empty lists when no address or property is given.
  auto created =
      s.post("recipients", {{"name", "Partner"},
                            {"authentication_type", "TOKEN"},
                            {"ip_access_list", {{"allowed_ip_addresses", json::array()}}},
                            {"properties_kvpairs", {{"properties", json::array()}}}});
  REQUIRE(created.status == 200);
  CHECK(created.body["name"] == "partner");
  CHECK(created.body["activated"] == false);
  CHECK_FALSE(created.body.contains("ip_access_list"));
  REQUIRE(created.body["tokens"].size() == 1);
  const std::string url = created.body["activation_url"];
  CHECK(url.rfind("http://emulator.test/delta_sharing/retrieve_config.html?", 0) == 0);
  CHECK(created.body["tokens"][0]["activation_url"] == url);
  CHECK(s.post("recipients", {{"name", "partner"}, {"authentication_type", "TOKEN"}}).status ==
        409);

  const std::string code = SharingHarness::code_of(created.body);
  CHECK(s.get("public/data_sharing_activation_info/" + code).status == 200);
  auto profile = s.get("public/data_sharing_activation/" + code);
  REQUIRE(profile.status == 200);
  CHECK(profile.body["shareCredentialsVersion"] == 1);
  CHECK(profile.body["bearerToken"].get<std::string>().size() == 64);
  const std::string metastore = s.get("metastore_summary").body["metastore_id"];
  CHECK(profile.body["endpoint"] ==
        "http://emulator.test/api/2.0/delta-sharing/metastores/" + metastore);
  // Once only; and the recipient now shows as activated, without the link.
  CHECK(s.get("public/data_sharing_activation/" + code).status == 404);
  CHECK(s.get("public/data_sharing_activation/not-a-code").status == 404);
  auto got = s.get("recipients/partner");
  CHECK(got.body["activated"] == true);
  CHECK_FALSE(got.body.contains("activation_url"));
  CHECK_FALSE(got.body["tokens"][0].contains("activation_url"));
  // Neither the code nor the bearer token is ever in an answer.
  CHECK(got.body.dump().find(profile.body["bearerToken"].get<std::string>()) == std::string::npos);
  CHECK(got.body.dump().find("sha256") == std::string::npos);
}

TEST_CASE("delta sharing: rotate-token expires the old token as asked",
          "[unity-catalog][sharing]") {
  SharingHarness s;
  REQUIRE(s.post("recipients", {{"name", "r"}, {"authentication_type", "TOKEN"}}).status == 200);
  // Kept for an hour: two tokens, the old one with an expiry.
  auto rotated = s.post("recipients/r/rotate-token", {{"existing_token_expire_in_seconds", 3600}});
  REQUIRE(rotated.status == 200);
  REQUIRE(rotated.body["tokens"].size() == 2);
  CHECK(rotated.body["tokens"][0].contains("expiration_time"));
  CHECK_FALSE(rotated.body["tokens"][1].contains("expiration_time"));
  CHECK(rotated.body["activation_url"] == rotated.body["tokens"][1]["activation_url"]);
  // A third live token is refused; expiring the others now makes room.
  CHECK(s.post("recipients/r/rotate-token", json::object()).status == 400);
  CHECK(s.post("recipients/r/rotate-token", {{"existing_token_expire_in_seconds", -1}}).status ==
        400);
  auto now = s.post("recipients/r/rotate-token", {{"existing_token_expire_in_seconds", 0}});
  REQUIRE(now.status == 200);
  CHECK(now.body["tokens"].size() == 1);
  // The hour passes: the old token drops out of the answer and its link no longer works.
  auto again = s.post("recipients/r/rotate-token", {{"existing_token_expire_in_seconds", 60}});
  REQUIRE(again.body["tokens"].size() == 2);
  const std::string old_code = SharingHarness::code_of(now.body);
  s.h.advance(61 * 1000);
  CHECK(s.get("recipients/r").body["tokens"].size() == 1);
  CHECK(s.get("public/data_sharing_activation/" + old_code).status == 404);
  // DATABRICKS recipients have no token to rotate.
  auto d2d = s.post("recipients", {{"name", "d"},
                                   {"authentication_type", "DATABRICKS"},
                                   {"data_recipient_global_metastore_id", "aws:us-west-2:abc"}});
  REQUIRE(d2d.status == 200);
  CHECK(d2d.body["cloud"] == "aws");
  CHECK(d2d.body["region"] == "us-west-2");
  CHECK_FALSE(d2d.body.contains("tokens"));
  CHECK(s.post("recipients/d/rotate-token", json::object()).status == 400);
  CHECK(s.post("recipients", {{"name", "e"},
                              {"authentication_type", "DATABRICKS"},
                              {"data_recipient_global_metastore_id", "nocolons"}})
            .status == 400);
}

TEST_CASE("delta sharing: updates, share permissions and their recipients",
          "[unity-catalog][sharing]") {
  SharingHarness s;
  REQUIRE(s.post("recipients", {{"name", "r"},
                                {"authentication_type", "TOKEN"},
                                {"ip_access_list", {{"allowed_ip_addresses", {"10.0.0.0/8"}}}},
                                {"properties_kvpairs",
                                 {{"properties", {{{"key", "country"}, {"value", "US"}}}}}}})
              .status == 200);
  auto got = s.get("recipients/r");
  CHECK(got.body["ip_access_list"]["allowed_ip_addresses"] == json::array({"10.0.0.0/8"}));
  CHECK(got.body["properties_kvpairs"]["properties"]["country"] == "US");
  for (const char* bad : {"10.0.0.0/33", "300.1.1.1", "a.b.c.d", "1.2.3.4/8x"}) {
    INFO(bad);
    CHECK(s.call("PATCH", "recipients/r", {{"ip_access_list", {{"allowed_ip_addresses", {bad}}}}})
              .status == 400);
  }
  // Legacy sends unset flags as null; an empty ip_access_list clears it.
  auto cleared = s.call("PATCH", "recipients/r",
                        {{"name", nullptr},
                         {"owner", nullptr},
                         {"ip_access_list", json::object()},
                         {"properties_kvpairs", {{"properties", {{"tier", "gold"}}}}}});
  REQUIRE(cleared.status == 200);
  CHECK_FALSE(cleared.body.contains("ip_access_list"));
  CHECK(cleared.body["properties_kvpairs"]["properties"] == json{{"tier", "gold"}});

  REQUIRE(s.post("shares", {{"name", "s1"}}).status == 200);
  auto granted = s.call("PATCH", "shares/s1/permissions",
                        {{"changes", {{{"principal", "R"}, {"add", {"select"}}}}}});
  REQUIRE(granted.status == 200);
  CHECK(granted.body["privilege_assignments"] ==
        json::array({{{"principal", "r"}, {"privileges", {"SELECT"}}}}));
  CHECK(s.call("PATCH", "shares/s1/permissions",
               {{"changes", {{{"principal", "r"}, {"add", {"MODIFY"}}}}}})
            .status == 400);
  auto nobody = s.call("PATCH", "shares/s1/permissions",
                       {{"changes", {{{"principal", "nobody"}, {"add", {"SELECT"}}}}}});
  CHECK(nobody.status == 404);
  CHECK(nobody.body["error_code"] == "RECIPIENT_DOES_NOT_EXIST");
  // The generic permissions endpoint sees the same grants.
  CHECK(s.get("permissions/share/s1").body == s.get("shares/s1/permissions").body);
  CHECK(s.get("recipients/r/share-permissions").body["permissions_out"] ==
        json::array(
            {{{"share_name", "s1"},
              {"privilege_assignments", {{{"principal", "r"}, {"privileges", {"SELECT"}}}}}}}));
  // A renamed recipient keeps its grants; a deleted one loses them.
  REQUIRE(s.call("PATCH", "recipients/r", {{"new_name", "r2"}}).status == 200);
  CHECK(s.get("shares/s1/permissions").body["privilege_assignments"][0]["principal"] == "r2");
  CHECK(s.call("DELETE", "recipients/r2").status == 200);
  CHECK(s.get("shares/s1/permissions").body == json::object());
  CHECK(s.get("recipients/r2").body["error_code"] == "RECIPIENT_DOES_NOT_EXIST");
  CHECK(s.get("shares/nope/permissions").body["error_code"] == "SHARE_DOES_NOT_EXIST");
}

TEST_CASE("delta sharing: a provider from this emulator's profile lists its shares",
          "[unity-catalog][sharing]") {
  SharingHarness s;
  auto recipient = s.post("recipients", {{"name", "r"}, {"authentication_type", "TOKEN"}});
  REQUIRE(s.post("shares", {{"name", "s1"}}).status == 200);
  REQUIRE(s.post("shares", {{"name", "s2"}}).status == 200);
  REQUIRE(s.call("PATCH", "shares/s2/permissions",
                 {{"changes", {{{"principal", "r"}, {"add", {"SELECT"}}}}}})
              .status == 200);
  auto profile = s.get("public/data_sharing_activation/" + SharingHarness::code_of(recipient.body));
  REQUIRE(profile.status == 200);
  auto created = s.post("providers/", {{"name", "Upstream"},
                                       {"authentication_type", "TOKEN"},
                                       {"recipient_profile_str", profile.body.dump()}});
  REQUIRE(created.status == 200);
  CHECK(created.body["name"] == "upstream");
  CHECK(created.body["recipient_profile"]["endpoint"] == profile.body["endpoint"]);
  CHECK(created.body.dump().find(profile.body["bearerToken"].get<std::string>()) ==
        std::string::npos);
  CHECK(s.get("providers/upstream/shares").body ==
        json{{"shares", json::array({{{"name", "s2"}}})}});
  CHECK(s.get("providers").body["providers"].size() == 1);
  // Bad profiles are refused; a foreign endpoint's shares cannot be read.
  CHECK(s.post("providers", {{"name", "p"},
                             {"authentication_type", "TOKEN"},
                             {"recipient_profile_str", "{not json"}})
            .status == 400);
  CHECK(s.post("providers", {{"name", "p"}, {"authentication_type", "TOKEN"}}).status == 400);
  REQUIRE(s.post("providers",
                 {{"name", "far"},
                  {"authentication_type", "TOKEN"},
                  {"recipient_profile_str", json{{"shareCredentialsVersion", 1},
                                                 {"endpoint", "https://elsewhere.example/api"},
                                                 {"bearerToken", "x"}}
                                                .dump()}})
              .status == 200);
  CHECK(s.get("providers/far/shares").status == 501);
  // Rotating the recipient's token out revokes what the provider can read.
  REQUIRE(s.post("recipients/r/rotate-token", {{"existing_token_expire_in_seconds", 0}}).status ==
          200);
  CHECK(s.get("providers/upstream/shares").status == 403);
  auto renamed = s.call("PATCH", "providers/upstream", {{"new_name", "up"}, {"comment", "c"}});
  CHECK(renamed.body["name"] == "up");
  CHECK(s.call("DELETE", "providers/up").status == 200);
  CHECK(s.get("providers/up").body["error_code"] == "PROVIDER_DOES_NOT_EXIST");
}

TEST_CASE("delta sharing: recipients and providers survive a restart",
          "[unity-catalog][sharing][durability]") {
  dbk::test_support::TempDir dir;
  std::string code;
  {
    SharingHarness s(dir.path());
    auto created = s.post("recipients", {{"name", "kept"}, {"authentication_type", "TOKEN"}});
    REQUIRE(created.status == 200);
    code = SharingHarness::code_of(created.body);
    REQUIRE(s.post("shares", {{"name", "s"}}).status == 200);
    REQUIRE(s.call("PATCH", "shares/s/permissions",
                   {{"changes", {{{"principal", "kept"}, {"add", {"SELECT"}}}}}})
                .status == 200);
  }
  SharingHarness after(dir.path());
  CHECK(after.get("recipients/kept").status == 200);
  CHECK(after.get("shares/s/permissions").body["privilege_assignments"].size() == 1);
  CHECK(after.get("public/data_sharing_activation/" + code).status == 200);
}
