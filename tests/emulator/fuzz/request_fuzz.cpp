// libFuzzer entry point for the emulator's request handling: the bytes are an HTTP request
// as the server reads it (Beast's parser), then go through everything that looks at a
// request before a handler does its own work: the local-only policy, the JSON depth check,
// parameter parsing with its typed accessors, multipart parsing, DBFS and notebook parsing.
// Input that is not an HTTP request is used as the JSON body of a POST. Run by
// dbk_emulator_request_fuzz_replay (tests/scorer/fuzz/replay_main.cpp) under the sanitizers.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

#include "dbfs/dbfs_paths.hpp"
#include "http/request.hpp"
#include "server/http_server.hpp"
#include "server/request_policy.hpp"
#include "workspace/notebook_format.hpp"

namespace {

namespace http = boost::beast::http;
using dbk::emulator::Request;

void exercise(const Request& request) {
  using namespace dbk::emulator;
  for (bool token : {false, true}) (void)RequestPolicy(token, "127.0.0.1").check(request);
  (void)too_deep_json(request.body);
  (void)parse_client_json(request.body);
  (void)jupyter_language(request.body);
  (void)jupyter_to_source(request.body, "PYTHON");
  if (request.is_multipart()) (void)parse_multipart(request);
  auto params = Params::from_request(request);
  if (!params.ok()) return;
  (void)params->optional_int64("offset");
  (void)params->optional_bool("overwrite", false);
  (void)params->optional_json("base_parameters");
  auto path = params->optional_string("path");
  if (path.ok() && path->has_value()) (void)resolve_dbfs_path(**path, "/nonexistent-dbfs-root");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(1 << 20);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes), ec);
  if (!ec && parser.is_done()) {
    auto message = parser.release();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    dbk::emulator::parse_target(request.target, request.path, request.query);
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    exercise(request);
  }
  Request post;
  post.method = "POST";
  post.target = post.path = "/api/2.1/jobs/create";
  post.headers.emplace_back("Content-Type", "application/json");
  post.body = bytes;
  exercise(post);
  return 0;
}
