#pragma once

#include <memory>
#include <string>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// How to run the emulator (`dbk emulator --host --port --state --token ...`).
struct EmulatorOptions {
  std::string host = "127.0.0.1";
  int port = 8080;        ///< 0 = pick a free port (see Emulator::port())
  std::string state_dir;  ///< empty = a temporary folder, removed on stop
  /// Non-empty: every API request must carry `Authorization: Bearer <token>`.
  /// Required when `host` is not a loopback address (the emulator runs user code).
  std::string token;
  std::string tls_cert_file;  ///< both set = serve HTTPS with this certificate (PEM)
  std::string tls_key_file;
  std::string external_url;  ///< base of returned URLs (run_page_url); default = listen URL
  std::string spark_master = "local[*]";  ///< where notebook tasks run
  std::string python;                     ///< interpreter for the notebook runtime; "" = auto
  int threads = 0;                        ///< server threads; 0 = a sensible default
};

/// A running emulator. start() returns once the socket is listening and the
/// durable state has been recovered.
class Emulator {
 public:
  static Result<std::unique_ptr<Emulator>> start(const EmulatorOptions& options);
  virtual ~Emulator() = default;

  virtual std::string base_url() const = 0;  ///< e.g. http://127.0.0.1:8080
  virtual int port() const = 0;
  /// Blocks until stop() is called or SIGINT/SIGTERM arrives (when install_signal_handlers).
  virtual void wait(bool install_signal_handlers = true) = 0;
  virtual void stop() = 0;
};

}  // namespace dbk::emulator
