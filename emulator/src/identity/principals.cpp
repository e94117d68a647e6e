#include "identity/principals.hpp"

namespace dbk::emulator {

std::optional<nlohmann::json> find_group(const Store& store, const std::string& name) {
  return store.get(kGroupKind, name);
}

bool principal_exists(const Store& store, const std::string& name) {
  return name == kEmulatorUserName || find_group(store, name).has_value();
}

}  // namespace dbk::emulator
