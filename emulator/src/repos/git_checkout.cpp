#include "repos/git_checkout.hpp"

#include "http/request.hpp"
#include "process/child_process.hpp"
#include "state/files.hpp"

namespace dbk::emulator {
namespace {

constexpr int kGitTimeoutSeconds = 300;

bool has_control_bytes(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// The last "fatal:"/"error:" line git printed, without the prefix: the reason, not the
// emulator's own paths that other lines may carry.
std::string git_reason(const std::string& output) {
  std::string reason;
  std::size_t pos = 0;
  while (pos < output.size()) {
    std::size_t end = output.find('\n', pos);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(pos, end - pos);
    for (const char* prefix : {"fatal: ", "error: "}) {
      if (line.rfind(prefix, 0) == 0) reason = line.substr(std::string(prefix).size());
    }
    pos = end + 1;
  }
  return reason.empty() ? "git could not read the repository" : reason;
}

}  // namespace

Result<GitSource> classify_git_url(const std::string& url) {
  auto refuse = [&](const std::string& why) {
    return invalid_parameter("Invalid Git repository URL (" + url + "): " + why);
  };
  if (url.empty()) return invalid_parameter("Git repository URL missing for project");
  if (has_control_bytes(url)) return refuse("it contains control characters");
  if (url.front() == '-') return refuse("it cannot start with '-'");
  if (url.find("::") != std::string::npos) return refuse("transport helpers are not supported");
  if (url.front() == '/') return GitSource{true, url};
  const std::string file_scheme = "file://";
  if (url.rfind(file_scheme, 0) == 0) {
    std::string path = url.substr(file_scheme.size());
    if (path.empty() || path.front() != '/') return refuse("a file:// URL needs an absolute path");
    return GitSource{true, path};
  }
  for (const char* scheme : {"https://", "http://", "ssh://", "git://"}) {
    const std::string prefix = scheme;
    if (url.rfind(prefix, 0) == 0) {
      std::string rest = url.substr(prefix.size());
      std::string host = rest.substr(0, rest.find('/'));
      if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
      if (host.empty()) return refuse("it names no host");
      return GitSource{false, host};
    }
  }
  // scp-like syntax: user@host:path
  auto colon = url.find(':');
  auto at = url.find('@');
  if (at != std::string::npos && colon != std::string::npos && at < colon) {
    return GitSource{false, url.substr(at + 1, colon - at - 1)};
  }
  return refuse("give an https:// or ssh URL, or a file:// URL or absolute path");
}

bool valid_ref_name(const std::string& name) {
  // git check-ref-format's rules, checked here so that git never sees an option.
  if (name.empty() || name.size() > 255 || name.front() == '-' || name.front() == '/' ||
      name.back() == '/' || name.back() == '.' || has_control_bytes(name)) {
    return false;
  }
  if (name.find("..") != std::string::npos || name.find("//") != std::string::npos ||
      name.find("@{") != std::string::npos || name == "@" ||
      name.find_first_of(" ~^:?*[\\") != std::string::npos) {
    return false;
  }
  const std::string lock = ".lock";
  if (name.size() >= lock.size() && name.compare(name.size() - lock.size(), lock.size(), lock) == 0)
    return false;
  return name.find("/.") == std::string::npos && name.front() != '.';
}

GitCheckout::GitCheckout(std::filesystem::path dir, std::filesystem::path scratch,
                         const std::atomic<bool>& stop)
    : dir_(std::move(dir)), scratch_(std::move(scratch)), stop_(stop) {}

Result<std::string> GitCheckout::git(const std::vector<std::string>& args) const {
  std::vector<std::string> command = {"git",
                                      "-c",
                                      "protocol.allow=never",
                                      "-c",
                                      "protocol.file.allow=always",
                                      "-c",
                                      "protocol.ext.allow=never",
                                      "-c",
                                      "core.symlinks=false",
                                      "-c",
                                      "core.hooksPath=/dev/null",
                                      "-c",
                                      "advice.detachedHead=false",
                                      "-c",
                                      "safe.directory=*"};
  command.insert(command.end(), args.begin(), args.end());
  const std::vector<std::string> env = {"GIT_ALLOW_PROTOCOL=file", "GIT_TERMINAL_PROMPT=0",
                                        "GIT_CONFIG_NOSYSTEM=1",   "GIT_CONFIG_GLOBAL=/dev/null",
                                        "GIT_ASKPASS=/bin/false",  "LC_ALL=C"};
  const auto log = unique_temp_path(scratch_, "git-log");
  ChildOutcome outcome = run_child(command, env, log, stop_, kGitTimeoutSeconds, "git");
  auto output = read_file(log);
  std::error_code ec;
  std::filesystem::remove(log, ec);
  if (!outcome.ok) {
    return invalid_parameter(output.ok() ? git_reason(*output) : outcome.message);
  }
  return output.ok() ? *output : std::string();
}

Status GitCheckout::clone(const std::string& source) const {
  auto done = git({"clone", "--quiet", "--no-hardlinks", "--", source, dir_.string()});
  if (!done.ok()) return std::move(done).error();
  return {};
}

Status GitCheckout::fetch() const {
  auto done = git({"-C", dir_.string(), "fetch", "--quiet", "--prune", "--tags", "--force",
                   "origin", "+refs/heads/*:refs/remotes/origin/*"});
  if (!done.ok()) return std::move(done).error();
  return {};
}

std::optional<std::string> GitCheckout::resolve(const std::string& ref) const {
  auto out = git({"-C", dir_.string(), "rev-parse", "--verify", "--quiet", ref + "^{commit}"});
  if (!out.ok()) return std::nullopt;
  std::string sha = *out;
  while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) sha.pop_back();
  if (sha.size() != 40) return std::nullopt;
  return sha;
}

Status GitCheckout::checkout(const std::string& commit, const std::string& branch) const {
  std::vector<std::string> args = {"-C", dir_.string(), "checkout", "--quiet", "--force"};
  if (branch.empty()) {
    args.push_back("--detach");
  } else {
    args.push_back("-B");
    args.push_back(branch);
  }
  args.push_back(commit);
  args.push_back("--");
  auto done = git(args);
  if (!done.ok()) return std::move(done).error();
  return {};
}

std::string GitCheckout::head_commit() const {
  return resolve("HEAD").value_or("");
}

std::string GitCheckout::head_branch() const {
  auto out = git({"-C", dir_.string(), "symbolic-ref", "--quiet", "--short", "HEAD"});
  if (!out.ok()) return "";
  std::string name = *out;
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  return name;
}

}  // namespace dbk::emulator
