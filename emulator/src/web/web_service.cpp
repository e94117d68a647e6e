#include "web/web_service.hpp"

#include "state/files.hpp"

namespace dbk::emulator {
namespace {

struct WebFile {
  const char* url;
  const char* file;  ///< name inside the web folder
  const char* content_type;
};

// The whole of what is served; GET "/?o=0#job/1/run/2" (the run page URL the Jobs API hands
// out) is "/" and the script reads the fragment.
constexpr WebFile kWebFiles[] = {
    {"/", "index.html", "text/html; charset=utf-8"},
    {"/web/dbk.css", "dbk.css", "text/css; charset=utf-8"},
    {"/web/dbk.js", "dbk.js", "text/javascript; charset=utf-8"},
    {"/web/jobs.js", "jobs.js", "text/javascript; charset=utf-8"},
    {"/web/browse.js", "browse.js", "text/javascript; charset=utf-8"},
    {"/web/main.js", "main.js", "text/javascript; charset=utf-8"},
    {"/web/favicon.svg", "favicon.svg", "image/svg+xml"},
};

// No inline script or style, no plugins, no foreign origin for anything; fetch only to the
// emulator itself; no <base> rewriting, no form posts, no framing.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace

Response web_file_response(std::string body, const std::string& content_type) {
  Response response = bytes_response(200, std::move(body), content_type);
  // The files change with the emulator; a stale script against a newer API helps nobody.
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  return response;
}

WebService::WebService(const std::filesystem::path& web_dir) {
  for (const WebFile& file : kWebFiles) {
    Page page;
    page.url = file.url;
    page.content_type = file.content_type;
    auto bytes = read_file(web_dir / file.file);
    if (bytes.ok()) {
      page.loaded = true;
      page.body = std::move(*bytes);
    } else {
      page.missing_message =
          "The emulator's web pages are not installed: " + (web_dir / file.file).string() +
          " cannot be read.";
    }
    pages_.push_back(std::move(page));
  }
}

void WebService::register_routes(Router& router) {
  for (const Page& page : pages_) {
    router.add("GET", page.url, [&page](const Request&) {
      if (!page.loaded) return error_response(404, "RESOURCE_DOES_NOT_EXIST", page.missing_message);
      return web_file_response(page.body, page.content_type);
    });
  }
}

std::vector<std::string> WebService::url_paths() {
  std::vector<std::string> urls;
  for (const WebFile& file : kWebFiles) urls.emplace_back(file.url);
  return urls;
}

}  // namespace dbk::emulator
