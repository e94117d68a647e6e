#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "state/store.hpp"

namespace dbk::emulator {

/// The one workspace user; jobs, runs and clusters name it as their creator.
inline constexpr const char* kEmulatorUserName = "emulator@dbk.local";
/// Store kind of groups, keyed by display name: {id, displayName, members: [{type, name}]}
/// with type "user" or "group" (docs/emulator.md, "Groups").
inline constexpr const char* kGroupKind = "scim_group";

/// The group named `name`, if any.
std::optional<nlohmann::json> find_group(const Store& store, const std::string& name);
/// A user or group of the workspace (secret ACLs and group members name principals).
bool principal_exists(const Store& store, const std::string& name);

}  // namespace dbk::emulator
