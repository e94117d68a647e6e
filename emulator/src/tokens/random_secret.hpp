#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace dbk::emulator {

/// Unguessable hex from OpenSSL's CSPRNG (2 digits a byte); nullopt when it fails (never a
/// weaker source for a credential).
std::optional<std::string> random_hex(std::size_t bytes);
/// The SHA-256 of `text` in hex: what is stored of a credential instead of the credential.
std::string sha256_hex(const std::string& text);

}  // namespace dbk::emulator
