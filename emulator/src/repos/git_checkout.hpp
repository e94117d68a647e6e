#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// Where a clone comes from: a local folder (a path or a file:// URL; the emulator is
/// offline, docs/compatibility.md) or a network URL it cannot reach.
struct GitSource {
  bool local = false;
  std::string location;  ///< what git is given (local), or the host named (network)
};

/// Classifies a repo URL. 400 INVALID_PARAMETER_VALUE for what is no Git URL at all, or
/// could be read by git as an option or a transport helper (`-…`, `ext::…`, control bytes).
Result<GitSource> classify_git_url(const std::string& url);

/// A branch or tag name that git would accept and that cannot be read as an option.
bool valid_ref_name(const std::string& name);

/// Runs git (Debian's /usr/bin/git or PATH) on a clone in the emulator's state folder, with
/// only the file protocol allowed, no prompts and no system/global configuration. Every
/// user-given value comes after `--` or as a fully qualified ref.
class GitCheckout {
 public:
  /// `dir` is the working tree; `scratch` a folder for git's output logs.
  GitCheckout(std::filesystem::path dir, std::filesystem::path scratch,
              const std::atomic<bool>& stop);

  /// `git clone` of `source` into dir (which must not exist). Error: the reason git gave.
  Status clone(const std::string& source) const;
  /// `git fetch` of branches and tags from origin.
  Status fetch() const;
  /// The commit `ref` names (a fully qualified ref), or nullopt when there is none.
  std::optional<std::string> resolve(const std::string& ref) const;
  /// Checks out `commit`, on a local branch `branch` (empty: detached).
  Status checkout(const std::string& commit, const std::string& branch) const;
  /// The commit checked out (empty for an empty repository) and the branch (empty: detached).
  std::string head_commit() const;
  std::string head_branch() const;

 private:
  /// Runs `git <args>`; on success, what it printed.
  Result<std::string> git(const std::vector<std::string>& args) const;

  std::filesystem::path dir_;
  std::filesystem::path scratch_;
  const std::atomic<bool>& stop_;
};

}  // namespace dbk::emulator
