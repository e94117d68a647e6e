#pragma once

#include <filesystem>

namespace dbk::emulator {

/// The folder holding the notebook runtime's `dbk_runtime` Python package.
/// An installed dbk finds it relative to its own executable (<bindir>/../share/dbk/runtime,
/// as laid out by `cmake --install` and the Debian package), so it needs no source tree;
/// a program run from the build tree (tests, a developer's `build/*/cli/dbk`) falls back to
/// the source checkout's emulator/runtime.
std::filesystem::path find_runtime_dir();

/// find_runtime_dir() for the executable at `exe`.
std::filesystem::path find_runtime_dir_for(const std::filesystem::path& exe);

/// The folder holding the web pages (index.html and its scripts), found the same way:
/// <bindir>/../share/dbk/web when installed, else the source checkout's emulator/web.
std::filesystem::path find_web_dir();

/// find_web_dir() for the executable at `exe`.
std::filesystem::path find_web_dir_for(const std::filesystem::path& exe);

}  // namespace dbk::emulator
