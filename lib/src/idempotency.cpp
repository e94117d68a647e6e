#include "idempotency.hpp"

#include <openssl/rand.h>

#include <random>
#include <vector>

namespace dbk::detail {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (bytes > 0 && RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    std::random_device device;
    for (auto& byte : buffer) byte = static_cast<unsigned char>(device() & 0xFFu);
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char byte : buffer) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0F]);
  }
  return out;
}

}  // namespace dbk::detail
