#include <cctype>
#include <cstring>

#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/base64.hpp"
#include "dbk/dbfs.hpp"
#include "idempotency.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/dbfs/";
constexpr const char* kPartialDelete = "PARTIAL_DELETE";
// A server that keeps answering PARTIAL_DELETE still makes progress, but the loop
// must end somewhere: 10,000 increments of ~45 s each is far beyond any real delete.
constexpr int kMaxDeleteCalls = 10000;

// "... operation has deleted 1234 files ..." → 1234 (docs/reference/rest-api.md §1.2).
std::optional<std::int64_t> parse_deleted_count(const std::string& message) {
  static const std::string kMarker = "deleted ";
  auto pos = message.find(kMarker);
  if (pos == std::string::npos) return std::nullopt;
  pos += kMarker.size();
  std::int64_t count = 0;
  std::size_t digits = 0;
  while (pos < message.size() && std::isdigit(static_cast<unsigned char>(message[pos])) &&
         digits < 18) {
    count = count * 10 + (message[pos] - '0');
    ++pos;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return count;
}
}  // namespace

Result<std::string> normalize_dbfs_path(std::string_view path) {
  std::string_view rest = path;
  if (rest.rfind("dbfs:", 0) == 0) {
    rest.remove_prefix(5);
    if (rest.rfind("//", 0) == 0) {
      return make_error(
          error_codes::kInvalidArgument,
          "invalid DBFS path '" + std::string(path) + "': use dbfs:/path (one slash), not dbfs://");
    }
    if (rest.empty()) return std::string("/");
  }
  if (rest.empty() || rest.front() != '/') {
    return make_error(error_codes::kInvalidArgument,
                      "invalid DBFS path '" + std::string(path) +
                          "': must be absolute, like dbfs:/path or /path");
  }
  return std::string(rest);
}

DbfsApi::DbfsApi(std::shared_ptr<const detail::ApiCaller> caller) : caller_(std::move(caller)) {}

Result<std::vector<FileInfo>> DbfsApi::list(const std::string& path,
                                            const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  auto response = caller_->get(std::string(kBase) + "list", {{"path", *normalized}}, context);
  if (!response) return std::move(response).error();
  return detail::list_field<FileInfo>(*response, "files");
}

Result<FileInfo> DbfsApi::get_status(const std::string& path, const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  auto response = caller_->get(std::string(kBase) + "get-status", {{"path", *normalized}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<FileInfo>(*response, "dbfs/get-status");
}

Status DbfsApi::mkdirs(const std::string& path, const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  return detail::to_status(caller_->post(std::string(kBase) + "mkdirs", {{"path", *normalized}},
                                         Idempotency::kIdempotent, context));
}

Status DbfsApi::put(const std::string& path, std::string_view contents, bool overwrite,
                    const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  // docs/reference/rest-api.md §0.4: inline contents ≤ 1 MB, else MAX_BLOCK_SIZE_EXCEEDED.
  if (contents.size() > kMaxDbfsBlockBytes) {
    return make_error(error_codes::kInvalidArgument,
                      "cannot put " + *normalized + " inline: " + std::to_string(contents.size()) +
                          " bytes exceed the 1048576-byte limit; use a streaming upload");
  }
  nlohmann::ordered_json body;
  body["path"] = *normalized;
  body["contents"] = base64_encode(contents);
  body["overwrite"] = overwrite;
  return detail::to_status(
      caller_->post(std::string(kBase) + "put", body, Idempotency::kIdempotent, context));
}

Status DbfsApi::put_multipart(const std::string& path, std::string_view contents, bool overwrite,
                              const CallContext& context) const {
  return put_multipart(
      path, contents.size(),
      [contents](char* out, std::size_t size) {
        if (size > 0) std::memcpy(out, contents.data(), size);
        return Status();
      },
      overwrite, context);
}

Status DbfsApi::put_multipart(const std::string& path, std::uint64_t size,
                              const ContentWriter& write, bool overwrite,
                              const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  if (size >= kMaxMultipartPutBytes) {
    return make_error(error_codes::kInvalidArgument,
                      "cannot put " + *normalized + " in one request: " + std::to_string(size) +
                          " bytes reach the 2 GiB multipart limit; use a streaming upload");
  }
  // 128 random bits from a cryptographic source: contents that hold the boundary (and
  // so would be cut short) come by chance with a probability below 2^-90 even at 2 GiB,
  // and nobody can write them on purpose without knowing it beforehand. So the contents
  // are not scanned for it (that scan read every uploaded byte once more). The legacy
  // CLI's multipart encoder does not scan either.
  const std::string boundary = "dbk-" + detail::random_hex(16);
  const std::string part = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"";
  // "True"/"False": what the legacy CLI's form carries (Python's str of a bool).
  const std::string head =
      part + "path\"\r\n\r\n" + *normalized + "\r\n" + part + "overwrite\"\r\n\r\n" +
      (overwrite ? "True" : "False") + "\r\n" + part +
      "file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\n";
  const std::string tail = "\r\n--" + boundary + "--\r\n";
  // The body is allocated once at its final size and the contents written into place.
  auto body = std::make_shared<std::string>(head.size() + size + tail.size(), '\0');
  std::memcpy(body->data(), head.data(), head.size());
  if (auto written = write(body->data() + head.size(), static_cast<std::size_t>(size)); !written) {
    return written;
  }
  std::memcpy(body->data() + head.size() + size, tail.data(), tail.size());

  HttpRequest request;
  request.method = "POST";
  request.url = std::string(kBase) + "put";
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("Content-Type", "multipart/form-data; boundary=" + boundary);
  request.body = HttpBody(std::shared_ptr<const std::string>(std::move(body)));
  request.idempotency = Idempotency::kIdempotent;  // the same bytes to the same path
  auto response = caller_->send(std::move(request), context);
  if (!response) return std::move(response).error();
  return {};
}

Result<std::int64_t> DbfsApi::create(const std::string& path, bool overwrite,
                                     const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  // A replay would open a second handle (or, without overwrite, fail on the first one's file).
  auto response = caller_->post(std::string(kBase) + "create",
                                {{"path", *normalized}, {"overwrite", overwrite}},
                                Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  auto handle = detail::optional_int_field(*response, "handle");
  if (!handle) {
    return make_error(error_codes::kInvalidResponse, "dbfs/create returned no handle");
  }
  return *handle;
}

Status DbfsApi::add_block(std::int64_t handle, std::string_view data,
                          const CallContext& context) const {
  if (data.size() > kMaxDbfsBlockBytes) {
    return make_error(error_codes::kInvalidArgument, "add-block data is " +
                                                         std::to_string(data.size()) +
                                                         " bytes; a block holds at most 1048576");
  }
  nlohmann::ordered_json body;
  body["handle"] = handle;
  body["data"] = base64_encode(data);
  return detail::to_status(
      caller_->post(std::string(kBase) + "add-block", body,
                    Idempotency::kNonIdempotent,  // a replay appends the block twice
                    context));
}

Status DbfsApi::close(std::int64_t handle, const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "close", {{"handle", handle}},
                                         Idempotency::kIdempotent, context));
}

Result<ReadResult> DbfsApi::read(const std::string& path, std::int64_t offset, std::int64_t length,
                                 const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  if (offset < 0 || length < 0 || length > static_cast<std::int64_t>(kMaxDbfsBlockBytes)) {
    return make_error(error_codes::kInvalidArgument,
                      "dbfs read needs offset >= 0 and 0 <= length <= 1048576");
  }
  auto response = caller_->get(std::string(kBase) + "read",
                               {{"path", *normalized},
                                {"offset", std::to_string(offset)},
                                {"length", std::to_string(length)}},
                               context);
  if (!response) return std::move(response).error();
  ReadResult result;
  result.bytes_read = detail::int_field(*response, "bytes_read");
  auto decoded = base64_decode(detail::string_field(*response, "data"));
  if (!decoded) {
    return make_error(error_codes::kInvalidResponse,
                      "dbfs/read returned invalid base64 data: " + decoded.error().message);
  }
  result.data = std::move(*decoded);
  if (static_cast<std::int64_t>(result.data.size()) != result.bytes_read) {
    return make_error(error_codes::kInvalidResponse,
                      "dbfs/read reported " + std::to_string(result.bytes_read) +
                          " bytes but returned " + std::to_string(result.data.size()));
  }
  return result;
}

Status DbfsApi::remove(const std::string& path, bool recursive,
                       const DeleteProgressCallback& progress, const CallContext& context) const {
  auto normalized = normalize_dbfs_path(path);
  if (!normalized) return std::move(normalized).error();
  nlohmann::ordered_json body{{"path", *normalized}, {"recursive", recursive}};
  DeleteProgress state;
  while (true) {
    auto response =
        caller_->post(std::string(kBase) + "delete", body, Idempotency::kIdempotent, context);
    ++state.calls;
    if (response || detail::to_delete_status(response)) return {};
    // docs/reference/rest-api.md §1.2: 503 PARTIAL_DELETE = progress made, call again.
    if (response.error().error_code != kPartialDelete) return std::move(response).error();
    if (state.calls >= kMaxDeleteCalls) {
      auto error = std::move(response).error();
      error.message =
          "gave up after " + std::to_string(state.calls) + " partial deletes: " + error.message;
      return error;
    }
    state.message = response.error().message;
    state.files_deleted = parse_deleted_count(state.message);
    if (progress) progress(state);
  }
}

Status DbfsApi::move(const std::string& source_path, const std::string& destination_path,
                     const CallContext& context) const {
  auto source = normalize_dbfs_path(source_path);
  if (!source) return std::move(source).error();
  auto destination = normalize_dbfs_path(destination_path);
  if (!destination) return std::move(destination).error();
  return detail::to_status(caller_->post(
      std::string(kBase) + "move", {{"source_path", *source}, {"destination_path", *destination}},
      Idempotency::kIdempotent, context));
}

}  // namespace dbk
