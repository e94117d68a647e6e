// A private temporary folder of the scorer: a comparison's spill files, the staging of a
// DBFS output.
#pragma once

#include <string>

#include "dbk/result.hpp"

namespace dbk::scorer::detail {

/// Made with mkdtemp (mode 0700 from the start, a name nobody can guess or take first) and
/// removed with everything in it by remove() and by the destructor, so no error path leaves
/// files behind.
class PrivateFolder {
 public:
  PrivateFolder() = default;
  ~PrivateFolder() { remove(); }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;
  /// "<parent>/<name_prefix>-XXXXXX"; `parent` "" = $TMPDIR, else /tmp. Errors: IO_ERROR
  /// "cannot create a <purpose> folder in <parent>: <reason>".
  Status create(const std::string& parent, const std::string& name_prefix,
                const std::string& purpose);
  const std::string& path() const { return path_; }
  void remove();

 private:
  std::string path_;
};

}  // namespace dbk::scorer::detail
