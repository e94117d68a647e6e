#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace dbk {

/// The bytes of a request body, immutable and shared by every copy of the request. The
/// transport layers copy a request on its way down (authentication, the User-Agent, each
/// retry), and an upload's body of many MiB must not be copied with it: copying an
/// HttpBody copies a pointer.
class HttpBody {
 public:
  HttpBody() = default;
  /// Takes the string's bytes without copying them (move it in).
  HttpBody(
      std::string bytes)  // NOLINT(google-explicit-constructor): `body = text` reads as a string
      : bytes_(bytes.empty() ? nullptr : std::make_shared<const std::string>(std::move(bytes))) {}
  HttpBody(const char* bytes)
      : HttpBody(std::string(bytes)) {}  // NOLINT(google-explicit-constructor)
  /// Shares a buffer that already holds the body (null = empty).
  explicit HttpBody(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}

  const std::string& str() const noexcept { return bytes_ ? *bytes_ : empty_string(); }
  operator const std::string&() const noexcept { return str(); }  // NOLINT: reads as a string
  operator std::string_view() const noexcept { return str(); }    // NOLINT
  const char* data() const noexcept { return str().data(); }
  std::size_t size() const noexcept { return str().size(); }
  bool empty() const noexcept { return size() == 0; }
  const char* begin() const noexcept { return data(); }
  const char* end() const noexcept { return data() + size(); }
  /// The shared buffer itself, for a transport that must keep the bytes alive while it
  /// sends them asynchronously; null when the body is empty.
  const std::shared_ptr<const std::string>& shared() const noexcept { return bytes_; }

  friend bool operator==(const HttpBody& body, std::string_view text) noexcept {
    return std::string_view(body.str()) == text;
  }
  friend bool operator!=(const HttpBody& body, std::string_view text) noexcept {
    return !(body == text);
  }

 private:
  static const std::string& empty_string() noexcept {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const std::string> bytes_;
};

}  // namespace dbk
