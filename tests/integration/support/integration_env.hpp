#pragma once

#include <dbk/dbk.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace dbk::test {

/// Base URL of the emulator started by the CTest fixture (integration.emulator.start).
std::string shared_emulator_url();

/// A client for `url` with a token and fast retries (the emulator answers at once).
Client client_for(const std::string& url, const std::string& token = "integration-token");

/// A name no other test (or earlier run on the same state) uses: prefix-<pid>-<counter>.
std::string unique_name(const std::string& prefix);

/// Calls the emulator's admin surface (/__dbk/...); throws on failure, since a test
/// that cannot set up its scenario must stop there.
nlohmann::json admin(const std::string& url, const std::string& method, const std::string& path,
                     const nlohmann::json& body = nlohmann::json::object(),
                     const std::string& token = "");

}  // namespace dbk::test
