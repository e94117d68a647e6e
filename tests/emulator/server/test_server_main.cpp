// A minimal emulator process for tests that need a real child process (kill -9
// durability, the Python SDK suite): starts the emulator, writes its base URL to
// --url-file once it is listening, and runs until SIGTERM/SIGINT.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "dbk/emulator/emulator.hpp"

int main(int argc, char** argv) {
  dbk::emulator::EmulatorOptions options;
  options.port = 0;
  std::string url_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--port") {
      options.port = std::stoi(value);
    } else if (flag == "--host") {
      options.host = value;
    } else if (flag == "--state") {
      options.state_dir = value;
    } else if (flag == "--token") {
      options.token = value;
    } else if (flag == "--url-file") {
      url_file = value;
    } else if (flag == "--python") {
      options.python = value;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  auto emulator = dbk::emulator::Emulator::start(options);
  if (!emulator.ok()) {
    std::fprintf(stderr, "emulator failed to start: %s\n", emulator.error().message.c_str());
    return 1;
  }
  if (!url_file.empty()) {
    // Written to a temp name and renamed, so readers never see a partial URL.
    std::string temp = url_file + ".tmp";
    std::ofstream(temp) << (*emulator)->base_url() << "\n";
    std::rename(temp.c_str(), url_file.c_str());
  }
  std::printf("%s\n", (*emulator)->base_url().c_str());
  std::fflush(stdout);
  (*emulator)->wait(true);
  return 0;
}
