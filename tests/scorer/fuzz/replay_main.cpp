// Replays files (and mutations of them) through LLVMFuzzerTestOneInput: every argument is a
// file or a folder of files. Each file is run as is, truncated at many lengths and with bytes
// flipped at deterministic positions, so sanitizer builds exercise the error paths without
// libFuzzer. Exit code 0 unless the process crashes (which the sanitizers turn into a failure).

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& bytes) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

void replay(const std::string& bytes) {
  run(bytes);
  // Truncations: the tail (footer) and a spread of prefix lengths.
  for (std::size_t cut = 1; cut <= 64 && cut < bytes.size(); ++cut)
    run(bytes.substr(0, bytes.size() - cut));
  for (std::size_t k = 1; k < 16; ++k) run(bytes.substr(0, bytes.size() * k / 16));
  // Byte flips everywhere in small steps, the footer densely (Thrift metadata lives there).
  std::uint32_t seed = 12345;
  const std::size_t step = bytes.size() / 200 + 1;
  for (std::size_t pos = 0; pos < bytes.size(); pos += step) {
    std::string m = bytes;
    seed = seed * 1103515245u + 12345u;
    m[pos] = static_cast<char>(m[pos] ^ static_cast<char>(1u << (seed >> 29)));
    run(m);
  }
  const std::size_t tail = bytes.size() > 600 ? 600 : bytes.size();
  for (std::size_t pos = bytes.size() - tail; pos < bytes.size(); ++pos) {
    std::string m = bytes;
    seed = seed * 1103515245u + 12345u;
    m[pos] = static_cast<char>(seed >> 24);
    run(m);
  }
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::size_t files = 0;
  for (int a = 1; a < argc; ++a) {
    std::vector<fs::path> paths;
    if (fs::is_directory(argv[a])) {
      for (const auto& e : fs::recursive_directory_iterator(argv[a])) {
        if (e.is_regular_file() && e.path().extension() == ".parquet") paths.push_back(e.path());
      }
    } else {
      paths.emplace_back(argv[a]);
    }
    for (const auto& p : paths) {
      std::ifstream in(p, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      replay(bytes);
      ++files;
    }
  }
  std::printf("replayed %zu files\n", files);
  return 0;
}
