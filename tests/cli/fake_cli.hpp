#pragma once

// Runs the real command line (run_cli) against a scripted service: the dbk::testing fake
// transport, a fake clock whose sleeps return at once, and an environment holding only a
// host and a token, so no network, config file or wall-clock wait is involved.
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/runner.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"

namespace dbk::cli::test {

struct CliOutcome {
  int code = -1;
  std::string out;
  std::string err;
};

struct FakeCli {
  std::shared_ptr<testing::FakeTransport> fake = std::make_shared<testing::FakeTransport>();
  std::shared_ptr<testing::FakeClock> clock = std::make_shared<testing::FakeClock>();
  std::shared_ptr<testing::FakeSleeper> sleeper = std::make_shared<testing::FakeSleeper>(clock);

  CliOutcome run(const std::vector<std::string>& args, const std::string& program = "dbk") {
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    Backend backend;
    backend.transport = fake;
    backend.clock = clock;
    backend.sleeper = sleeper;
    backend.environment = std::map<std::string, std::string>{
        {"DATABRICKS_HOST", "https://fake.example"},
        {"DATABRICKS_TOKEN", "dapi-fake"},
        {"DATABRICKS_CONFIG_FILE", "/nonexistent/dbk-test/databrickscfg"},
        {"HOME", "/nonexistent/dbk-test"}};
    CliOutcome outcome;
    outcome.code = run_cli(args, program, Io{&in, &out, &err}, backend);
    outcome.out = out.str();
    outcome.err = err.str();
    return outcome;
  }

  /// Method and path of every request sent, e.g. "POST /api/2.1/jobs/reset".
  std::vector<std::string> sent() const {
    std::vector<std::string> lines;
    for (const auto& request : fake->requests()) {
      auto path = request.url.substr(request.url.find("/api/"));
      lines.push_back(request.method + " " + path.substr(0, path.find('?')));
    }
    return lines;
  }

  nlohmann::json body(std::size_t i) const {
    return nlohmann::json::parse(fake->requests().at(i).body);
  }
  std::string query(std::size_t i) const {
    const std::string url = fake->requests().at(i).url;  // requests() is a copy
    auto mark = url.find('?');
    return mark == std::string::npos ? "" : url.substr(mark + 1);
  }
};

}  // namespace dbk::cli::test
