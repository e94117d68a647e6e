#include "dbk/emulator/emulator.hpp"

#include <openssl/crypto.h>
#include <signal.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "admin/admin_service.hpp"
#include "admin/faults.hpp"
#include "clusters/clusters_service.hpp"
#include "commands/command_execution_service.hpp"
#include "dbfs/dbfs_service.hpp"
#include "dbk/internal/text.hpp"
#include "discovery/host_metadata_service.hpp"
#include "identity/groups_service.hpp"
#include "identity/scim_service.hpp"
#include "jobs/jobs_service.hpp"
#include "libraries/libraries_service.hpp"
#include "pipelines/pipelines_service.hpp"
#include "policies/cluster_policies_service.hpp"
#include "pools/instance_pools_service.hpp"
#include "repos/repos_service.hpp"
#include "runs/runtime_location.hpp"
#include "secrets/secrets_service.hpp"
#include "server/http_server.hpp"
#include "server/request_policy.hpp"
#include "service.hpp"
#include "state/files.hpp"
#include "tokens/token_service.hpp"
#include "unity_catalog/lineage_bindings_service.hpp"
#include "unity_catalog/permissions_service.hpp"
#include "unity_catalog/providers_service.hpp"
#include "unity_catalog/recipients_service.hpp"
#include "unity_catalog/shares_service.hpp"
#include "unity_catalog/storage_service.hpp"
#include "unity_catalog/unity_catalog_service.hpp"
#include "web/web_service.hpp"
#include "workspace/workspace_service.hpp"

namespace dbk::emulator {
namespace {

namespace asio = boost::asio;

using internal::starts_with;

// Constant-time comparison so the token cannot be guessed byte by byte from timings.
bool same_secret(const std::string& given, const std::string& expected) {
  if (given.size() != expected.size()) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

bool is_ip_or_localhost(const std::string& host) {
  boost::system::error_code ec;
  if (host == "localhost") return true;
  asio::ip::make_address(host, ec);
  return !ec;
}

constexpr int kMaxThreads = 1024;

bool is_unspecified_host(const std::string& host) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_unspecified();
}

ApiError start_error(std::string message) {
  return make_error(error_codes::kConfigError, std::move(message));
}

class EmulatorImpl final : public Emulator, public RequestDispatcher {
 public:
  explicit EmulatorImpl(EmulatorOptions options) : options_(std::move(options)) {}
  ~EmulatorImpl() override { stop(); }

  Status init() {
    // The address first: "refusing ... without a token" would blame the wrong thing.
    if (!is_ip_or_localhost(options_.host)) {
      return start_error("cannot listen on host '" + options_.host +
                         "': not an IP address (give e.g. 127.0.0.1, ::1 or localhost)");
    }
    if (options_.threads < 0 || options_.threads > kMaxThreads) {
      return start_error("invalid number of server threads " + std::to_string(options_.threads) +
                         ": give 1 to " + std::to_string(kMaxThreads) + " (0 = automatic)");
    }
    if (options_.port < 0 || options_.port > 65535) {
      return start_error("invalid port " + std::to_string(options_.port) +
                         ": give 0 (any free port) to 65535");
    }
    if (!is_loopback_host(options_.host) && options_.token.empty()) {
      return start_error("refusing to listen on " + options_.host +
                         " without a token: the emulator runs user code; pass --token");
    }
    std::error_code ec;
    if (options_.state_dir.empty()) {
      std::string pattern =
          (std::filesystem::temp_directory_path(ec) / "dbk-emulator-XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) {
        return start_error("cannot create a temporary state folder in " + pattern);
      }
      state_dir_ = pattern;
      remove_state_on_stop_ = true;
    } else {
      state_dir_ = std::filesystem::absolute(options_.state_dir, ec);
    }
    // Private to the user (0700): other local users must not read tokens' effects, user
    // code or data, nor plant files that tasks would run.
    Status private_root = create_private_directories(state_dir_);
    if (!private_root.ok())
      return start_error("cannot create state folder: " + private_root.error().message);
    for (const char* sub : {"dbfs", "tmp", "runs", "workspace", "meta"}) {
      Status created = create_private_directories(state_dir_ / sub);
      if (!created.ok())
        return start_error("cannot create state folder: " + created.error().message);
    }
    // Leftovers of uploads interrupted by a crash; their handles died with the process.
    for (const auto& entry : std::filesystem::directory_iterator(state_dir_ / "tmp", ec)) {
      std::filesystem::remove_all(entry.path(), ec);
    }
    auto store = Store::open(state_dir_ / "meta");
    if (!store.ok()) return start_error("cannot open state: " + store.error().message);
    store_ = std::move(*store);

    context_.emplace(*store_, clock_, options_);
    context_->state_dir = state_dir_;
    context_->dbfs_root = state_dir_ / "dbfs";
    context_->tmp_dir = state_dir_ / "tmp";
    context_->runs_dir = state_dir_ / "runs";
    context_->runtime_dir = find_runtime_dir();

    auto workspace = std::make_unique<WorkspaceService>(*context_);
    context_->workspace = workspace.get();
    auto admin = std::make_unique<AdminService>(*context_, faults_, [this] { return reset_all(); });
    admin_ = admin.get();
    services_.push_back(std::move(admin));
    services_.push_back(std::move(workspace));
    services_.push_back(std::make_unique<DbfsService>(*context_));
    services_.push_back(std::make_unique<ScimService>(*context_));
    services_.push_back(std::make_unique<GroupsService>(*context_));
    services_.push_back(std::make_unique<SecretsService>(*context_));
    auto tokens = std::make_unique<TokenService>(*context_);
    tokens_ = tokens.get();
    services_.push_back(std::move(tokens));
    services_.push_back(std::make_unique<HostMetadataService>(*context_));
    auto clusters = std::make_unique<ClustersService>(*context_);  // before jobs: runs use it
    auto jobs = std::make_unique<JobsService>(*context_, clusters->clusters());
    auto libraries = std::make_unique<LibrariesService>(*context_, clusters->clusters());
    auto commands = std::make_unique<CommandExecutionService>(*context_, jobs->engine());
    services_.push_back(std::move(clusters));
    services_.push_back(std::move(commands));  // before jobs: its contexts use the drivers
    services_.push_back(std::move(jobs));
    services_.push_back(std::make_unique<WebService>(find_web_dir()));
    services_.push_back(std::move(libraries));
    services_.push_back(std::make_unique<InstancePoolsService>(*context_));
    services_.push_back(std::make_unique<ClusterPoliciesService>(*context_));
    services_.push_back(std::make_unique<UnityCatalogService>(*context_));
    services_.push_back(std::make_unique<UcStorageService>(*context_));
    services_.push_back(std::make_unique<UcPermissionsService>(*context_));
    services_.push_back(std::make_unique<UcLineageBindingsService>(*context_));
    services_.push_back(std::make_unique<UcSharesService>(*context_));
    services_.push_back(std::make_unique<UcRecipientsService>(*context_));
    services_.push_back(std::make_unique<UcProvidersService>(*context_));
    services_.push_back(std::make_unique<ReposService>(*context_));
    services_.push_back(std::make_unique<PipelinesService>(*context_));

    ServerOptions server_options;
    server_options.host = options_.host;
    server_options.port = options_.port;
    // Handlers block in fsync (DBFS writes, journal commits), not in the CPU: more threads
    // than cores keep other connections served while some wait for the disk.
    server_options.threads =
        options_.threads > 0
            ? options_.threads
            : std::max(16, 4 * static_cast<int>(std::thread::hardware_concurrency()));
    server_options.tls_cert_file = options_.tls_cert_file;
    server_options.tls_key_file = options_.tls_key_file;
    policy_.emplace(!options_.token.empty(), options_.host, options_.external_url);
    // Listen first so that the base URL (and a port-0 choice) is known to the services,
    // but route nothing until they have recovered.
    auto server = HttpServer::start(server_options, *this);
    if (!server.ok()) return start_error(server.error().message);
    server_ = std::move(*server);
    std::string host = is_unspecified_host(options_.host) ? "127.0.0.1" : options_.host;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    base_url_ = std::string(server_->tls() ? "https" : "http") + "://" + host + ":" +
                std::to_string(server_->port());
    context_->base_url = base_url_;
    context_->external_url = options_.external_url.empty() ? base_url_ : options_.external_url;
    while (!context_->external_url.empty() && context_->external_url.back() == '/') {
      context_->external_url.pop_back();
    }
    for (auto& service : services_) service->recover();
    for (auto& service : services_) service->register_routes(router_);
    ready_.store(true);
    return {};
  }

  // --- Emulator ---
  std::string base_url() const override { return base_url_; }
  int port() const override { return server_ ? server_->port() : 0; }

  void wait(bool install_signal_handlers) override {
    std::unique_ptr<asio::io_context> signal_io;
    std::unique_ptr<asio::signal_set> signals;
    std::thread signal_thread;
    if (install_signal_handlers) {
      signal_io = std::make_unique<asio::io_context>(1);
      signals = std::make_unique<asio::signal_set>(*signal_io, SIGINT, SIGTERM);
      signals->async_wait([this](const boost::system::error_code& ec, int) {
        if (!ec) request_stop();
      });
      signal_thread = std::thread([&] { signal_io->run(); });
    }
    {
      std::unique_lock<std::mutex> lock(stop_mutex_);
      stop_cv_.wait(lock, [this] { return stop_requested_; });
    }
    if (signal_io) {
      signal_io->stop();
      signal_thread.join();
    }
    stop();
  }

  void stop() override {
    std::lock_guard<std::mutex> lock(lifecycle_mutex_);
    if (stopped_) return;
    stopped_ = true;
    if (context_) context_->stopping.store(true);
    clock_.interrupt();
    if (server_) server_->stop();  // no request is in flight once this returns
    for (auto& service : services_) service->stop();
    services_.clear();
    server_.reset();
    store_.reset();
    if (remove_state_on_stop_) {
      std::error_code ec;
      std::filesystem::remove_all(state_dir_, ec);
    }
    request_stop();
  }

  // --- RequestDispatcher ---
  Plan plan(Request& request) override {
    Plan plan;
    const bool admin = starts_with(request.path, "/__dbk/");
    // Delta Sharing's activation endpoints are public: the one-time link is the credential.
    const bool public_api = starts_with(request.path, "/api/2.1/unity-catalog/public/") ||
                            starts_with(request.path, "/api/2.0/unity-catalog/public/");
    if (!options_.token.empty() && (admin || starts_with(request.path, "/api/")) && !public_api) {
      std::string given = request.header("Authorization").value_or("");
      const std::string prefix = "Bearer ";
      const bool bearer =
          given.size() > prefix.size() && given.compare(0, prefix.size(), prefix) == 0;
      const std::string presented = bearer ? given.substr(prefix.size()) : std::string();
      // The --token is the admin token; tokens created through the Token API open the
      // REST API (not the admin surface) until revoked or expired.
      bool ok = bearer && (same_secret(presented, options_.token) ||
                           (!admin && ready_.load() && tokens_->authenticates(presented)));
      if (!ok) {
        plan.response =
            error_response(401, "UNAUTHENTICATED",
                           given.empty() ? "Missing access token." : "Invalid access token.");
        plan.response->headers.emplace_back("WWW-Authenticate", "Bearer");
        return plan;
      }
    }
    if (auto refused = policy_->check(request)) {
      plan.response = std::move(refused);
      return plan;
    }
    // Nothing nested deeper than any value can be copied or printed reaches a handler
    // (multipart parts are checked where they are parsed).
    if (!request.is_multipart()) {
      if (auto deep = too_deep_json(request.body)) {
        plan.response = error_response(*deep);
        return plan;
      }
    }
    if (!ready_.load()) {
      plan.response = error_response(503, "TEMPORARILY_UNAVAILABLE",
                                     "The emulator is starting. Please try again later.");
      return plan;
    }
    if (admin) return plan;  // faults never block the admin surface that removes them
    auto decision = faults_.apply(request);
    plan.delay = decision.delay;
    plan.response = std::move(decision.response);
    return plan;
  }

  Response handle(Request& request) override { return router_.route(request); }

 private:
  Status reset_all() {
    std::lock_guard<std::mutex> lock(reset_mutex_);
    faults_.clear();
    Status cleared = store_->clear();
    if (!cleared.ok()) return cleared;
    clock_.set_offset(0);
    std::error_code ec;
    for (const char* sub : {"dbfs", "tmp", "runs", "workspace"}) {
      for (const auto& entry : std::filesystem::directory_iterator(state_dir_ / sub, ec)) {
        std::filesystem::remove_all(entry.path(), ec);
      }
    }
    for (auto& service : services_) service->reset();
    return {};
  }

  void request_stop() {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_requested_ = true;
    stop_cv_.notify_all();
  }

  EmulatorOptions options_;
  std::filesystem::path state_dir_;
  bool remove_state_on_stop_ = false;
  EmulatedClock clock_;
  std::unique_ptr<Store> store_;
  std::optional<ServiceContext> context_;
  FaultInjector faults_;
  std::optional<RequestPolicy> policy_;  ///< set before the server starts
  Router router_;
  std::vector<std::unique_ptr<Service>> services_;
  AdminService* admin_ = nullptr;
  TokenService* tokens_ = nullptr;  ///< owned by services_; set before the server starts
  std::unique_ptr<HttpServer> server_;
  std::string base_url_;
  std::atomic<bool> ready_{false};
  std::mutex reset_mutex_;
  std::mutex lifecycle_mutex_;
  bool stopped_ = false;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
};

}  // namespace

Result<std::unique_ptr<Emulator>> Emulator::start(const EmulatorOptions& options) {
  auto emulator = std::make_unique<EmulatorImpl>(options);
  Status status = emulator->init();
  if (!status.ok()) return std::move(status).error();
  return std::unique_ptr<Emulator>(std::move(emulator));
}

}  // namespace dbk::emulator
