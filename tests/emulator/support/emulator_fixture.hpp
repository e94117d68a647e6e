#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "dbk/emulator/emulator.hpp"
#include "http_client.hpp"

namespace dbk::emulator::testing {

/// A fresh folder under the temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dbk-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// An in-process emulator on a free port with its own state folder.
class TestEmulator {
 public:
  explicit TestEmulator(EmulatorOptions options = {}) {
    options.port = 0;
    if (options.state_dir.empty()) options.state_dir = (dir_.path() / "state").string();
    auto started = Emulator::start(options);
    if (!started.ok()) throw std::runtime_error("emulator failed: " + started.error().message);
    emulator_ = std::move(*started);
    tls_ = !options.tls_cert_file.empty();
    token_ = options.token;
  }
  Emulator& emulator() { return *emulator_; }
  int port() const { return emulator_->port(); }
  std::filesystem::path state() const { return dir_.path() / "state"; }
  HttpClient client() const { return HttpClient("127.0.0.1", emulator_->port(), tls_, token_); }

 private:
  TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
  bool tls_ = false;
  std::string token_;
};

}  // namespace dbk::emulator::testing
