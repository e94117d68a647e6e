#include "private_folder.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "dbk/api_error.hpp"

namespace dbk::scorer::detail {

Status PrivateFolder::create(const std::string& parent, const std::string& name_prefix,
                             const std::string& purpose) {
  std::string base = parent;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  const std::string templ = base + "/" + name_prefix + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return make_error(dbk::error_codes::kIoError, "cannot create a " + purpose + " folder in " +
                                                      base + ": " + std::strerror(errno));
  }
  path_ = buf.data();
  return {};
}

void PrivateFolder::remove() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

}  // namespace dbk::scorer::detail
