#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "service.hpp"

namespace dbk::emulator {

/// The emulator's web pages (docs/emulator.md, "Web pages"): a fixed table of files from
/// emulator/web (installed as share/dbk/web), served at fixed URLs. No part of a request path
/// ever names a file, so nothing outside the table can be read. The pages hold no data: they
/// fetch it from the REST API, with the bearer token when the emulator has one, so the API's
/// authentication and origin rules (server/request_policy.hpp) are all that guard the data.
class WebService : public Service {
 public:
  /// Reads the files from `web_dir` once; a missing file is answered with a 404 that says so.
  explicit WebService(const std::filesystem::path& web_dir);
  void register_routes(Router& router) override;

  /// The URL paths served ("/", "/web/dbk.js", ...), for tests.
  static std::vector<std::string> url_paths();

 private:
  struct Page {
    std::string url;
    std::string content_type;
    bool loaded = false;
    std::string body;
    std::string missing_message;
  };
  std::vector<Page> pages_;
};

/// The headers every page file carries: type, no caching, no sniffing, a Content-Security-Policy
/// that allows only the emulator's own scripts, styles and API, and no framing.
Response web_file_response(std::string body, const std::string& content_type);

}  // namespace dbk::emulator
