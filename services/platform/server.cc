#include "services/platform/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/server_interceptor.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/platform/access_log.h"
#include "services/platform/flags_usage.h"
#include "services/platform/log.h"
#include "services/platform/request_parsing.h"

ABSL_FLAG(std::string, listen, "", "host:port to serve gRPC on (env ENAMND_LISTEN)");
ABSL_FLAG(std::string, data_dir, "", "directory of the SQLite file (env ENAMND_DATA_DIR)");
ABSL_FLAG(std::string, redis, "", "Redis: tcp://host:port or unix:///path (env ENAMND_REDIS)");
ABSL_FLAG(std::string, log_level, "", "debug, info, warning or error (env ENAMND_LOG_LEVEL)");
ABSL_FLAG(std::string, today, "",
          "pin the legal calendar's today, YYYY-MM-DD, for demos and tests (env ENAMND_TODAY)");

namespace enamnd::platform {
namespace {

// gRPC's own default, made explicit: no request is near it.
constexpr int kMaxReceiveMessageBytes = 4 * 1024 * 1024;

std::string FirstNonEmpty(const std::string& flag, const char* env, const std::string& fallback) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  if (value != nullptr && *value != '\0') return value;
  return fallback;
}

// host:port with a port in 0..65535 (0 picks a free one).
bool IsListenAddress(const std::string& listen) {
  size_t colon = listen.rfind(':');
  int port = 0;
  return colon != std::string::npos && colon != 0 &&
         absl::SimpleAtoi(listen.substr(colon + 1), &port) && port >= 0 && port <= 65535;
}

// The server's one interceptor (one per call: each interceptor in the chain
// costs an allocation and a dispatch at every hook point of every call). It
// turns gRPC's answer to a request that did not parse into INVALID_ARGUMENT
// (request_parsing.h), then, as the status goes out, counts the call and
// writes its access line (access_log.h).
class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CallInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info), start_(absl::Now()), parse_check_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    parse_check_.Intercept(methods);
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      absl::Duration duration = absl::Now() - start_;
      RecordRpc(info_->method(), status.error_code(), duration);
      LogAccess(info_, status, duration);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  absl::Time start_;
  RequestParseCheck parse_check_;
};

class CallInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(info);
  }
};

absl::StatusOr<bool> EnvBool(const char* name) {
  std::string value = absl::AsciiStrToLower(FirstNonEmpty("", name, "false"));
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": want true or false, got \"", value, "\""));
}

absl::StatusOr<double> EnvNumber(const char* name, double fallback) {
  std::string value = FirstNonEmpty("", name, "");
  if (value.empty()) return fallback;
  double number = 0;
  if (!absl::SimpleAtod(value, &number) || number <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": want a positive number, got \"", value, "\""));
  }
  return number;
}

absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view setting) {
  std::ifstream in(path);
  if (!in) return absl::FailedPreconditionError(absl::StrCat(setting, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::FailedPreconditionError(absl::StrCat(setting, ": ", path, " is not PEM"));
  }
  return text.str();
}

// The outbox's unpublished rows at scrape time: their count, and the age
// of the oldest (0 when there is none; NaN when the read fails).
std::vector<MetricHandle> OutboxMetrics(Database* db, const std::string& stream) {
  struct Unpublished {
    double count = NAN;
    double oldest_age_seconds = NAN;
  };
  auto read = [db] {
    Unpublished result;
    auto tx = db->BeginRead();
    if (!tx.ok()) return result;
    // Unpublished: above the relay's published-up-to cursor (outbox.h).
    auto row = tx->QueryOne(
        "WITH cursor AS (SELECT up_to_sequence FROM outbox_published)"
        " SELECT COUNT(*), (SELECT created_at FROM outbox"
        "   WHERE sequence > (SELECT up_to_sequence FROM cursor) ORDER BY sequence LIMIT 1)"
        " FROM outbox WHERE sequence > (SELECT up_to_sequence FROM cursor)");
    if (!row.ok() || !row->has_value()) return result;
    result.count = static_cast<double>((*row)->Int(0));
    if ((*row)->IsNull(1)) {
      result.oldest_age_seconds = 0;
      return result;
    }
    absl::Time created;
    std::string error;
    if (absl::ParseTime(absl::RFC3339_full, (*row)->Text(1), &created, &error)) {
      result.oldest_age_seconds = std::max(0.0, absl::ToDoubleSeconds(absl::Now() - created));
    }
    return result;
  };
  MetricsRegistry& registry = MetricsRegistry::Global();
  std::vector<MetricHandle> handles;
  handles.push_back(
      registry.AddCallbackGauge("enamnd_outbox_unpublished",
                                "Outbox rows committed but not yet published to the event stream.",
                                {{"stream", stream}}, [read] { return read().count; }));
  handles.push_back(registry.AddCallbackGauge(
      "enamnd_outbox_oldest_unpublished_age_seconds",
      "Age in seconds of the oldest unpublished outbox row (0 when every row is published).",
      {{"stream", stream}}, [read] { return read().oldest_age_seconds; }));
  return handles;
}

}  // namespace

bool IsLoopbackListen(absl::string_view listen) {
  size_t colon = listen.rfind(':');
  absl::string_view host = listen.substr(0, colon == absl::string_view::npos ? 0 : colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsOf(
    const ServerConfig& config) {
  if (config.insecure) {
    if (!config.tls_cert.empty()) {
      return absl::InvalidArgumentError(
          "ENAMND_INSECURE=true and ENAMND_TLS_CERT are both set: choose one");
    }
    if (!IsLoopbackListen(config.listen) && !config.insecure_any_address) {
      return absl::FailedPreconditionError(absl::StrCat(
          "ENAMND_INSECURE=true serves plaintext on loopback only; ", config.listen,
          " is not loopback (set ENAMND_INSECURE_ANY_ADDRESS=true behind a TLS sidecar)"));
    }
    return grpc::InsecureServerCredentials();
  }
  if (config.tls_cert.empty() || config.tls_key.empty()) {
    return absl::FailedPreconditionError(
        "no transport security: set ENAMND_TLS_CERT and ENAMND_TLS_KEY (and ENAMND_TLS_CLIENT_CA "
        "for client certificates), or ENAMND_INSECURE=true for plaintext on loopback");
  }
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ENAMND_ASSIGN_OR_RETURN(pair.cert_chain, ReadPemFile(config.tls_cert, "ENAMND_TLS_CERT"));
  ENAMND_ASSIGN_OR_RETURN(pair.private_key, ReadPemFile(config.tls_key, "ENAMND_TLS_KEY"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!config.tls_client_ca.empty()) {
    ENAMND_ASSIGN_OR_RETURN(options.pem_root_certs,
                            ReadPemFile(config.tls_client_ca, "ENAMND_TLS_CLIENT_CA"));
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  } else {
    options.client_certificate_request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> PeerChannel(const ServerConfig& config,
                                                           const std::string& peer,
                                                           const grpc::ChannelArguments& args) {
  auto address = config.peers.find(peer);
  if (address == config.peers.end()) {
    return absl::NotFoundError(absl::StrCat("no address of service ", peer));
  }
  if (config.insecure) {
    return InsecureChannelAs(address->second,
                             absl::StrCat("spiffe://enamnd/service/", config.service), args);
  }
  grpc::SslCredentialsOptions options;
  ENAMND_ASSIGN_OR_RETURN(options.pem_cert_chain, ReadPemFile(config.tls_cert, "ENAMND_TLS_CERT"));
  ENAMND_ASSIGN_OR_RETURN(options.pem_private_key, ReadPemFile(config.tls_key, "ENAMND_TLS_KEY"));
  ENAMND_ASSIGN_OR_RETURN(options.pem_root_certs,
                          ReadPemFile(config.tls_client_ca, "ENAMND_TLS_CLIENT_CA"));
  return grpc::CreateCustomChannel(address->second, grpc::SslCredentials(options), args);
}

int DefaultPort(const std::string& service) {
  static const std::map<std::string, int> kPorts = {{"meetings", 50051},
                                                    {"audits", 50052},
                                                    {"projects", 50053},
                                                    {"contracts", 50054},
                                                    {"finance", 50055}};
  auto it = kPorts.find(service);
  return it == kPorts.end() ? 50050 : it->second;
}

absl::StatusOr<ServerConfig> LoadConfig(const std::string& service) {
  ServerConfig config;
  config.service = service;
  config.listen = FirstNonEmpty(absl::GetFlag(FLAGS_listen), "ENAMND_LISTEN",
                                absl::StrCat("127.0.0.1:", DefaultPort(service)));
  config.data_dir = FirstNonEmpty(absl::GetFlag(FLAGS_data_dir), "ENAMND_DATA_DIR", "./var");
  config.redis = FirstNonEmpty(absl::GetFlag(FLAGS_redis), "ENAMND_REDIS", "tcp://127.0.0.1:6379");
  config.log_level = FirstNonEmpty(absl::GetFlag(FLAGS_log_level), "ENAMND_LOG_LEVEL", "info");
  config.redis_credentials.user = FirstNonEmpty("", "ENAMND_REDIS_USER", service);
  config.redis_credentials.password_file = FirstNonEmpty("", "ENAMND_REDIS_PASSWORD_FILE", "");
  for (const char* peer : {"meetings", "audits", "projects", "contracts", "finance"}) {
    std::string env = absl::StrCat("ENAMND_", absl::AsciiStrToUpper(peer), "_ADDR");
    config.peers[peer] =
        FirstNonEmpty("", env.c_str(), absl::StrCat("127.0.0.1:", DefaultPort(peer)));
  }
  std::string today = FirstNonEmpty(absl::GetFlag(FLAGS_today), "ENAMND_TODAY", "");
  if (!today.empty()) {
    auto day = ParseDay(today);
    if (!day.ok())
      return absl::InvalidArgumentError(absl::StrCat("today: ", day.status().message()));
    config.today = *day;
  }
  config.tls_cert = FirstNonEmpty("", "ENAMND_TLS_CERT", "");
  config.tls_key = FirstNonEmpty("", "ENAMND_TLS_KEY", "");
  config.tls_client_ca = FirstNonEmpty("", "ENAMND_TLS_CLIENT_CA", "");
  config.auth.policy_path = FirstNonEmpty("", "ENAMND_POLICY", "");
  ENAMND_ASSIGN_OR_RETURN(config.insecure, EnvBool("ENAMND_INSECURE"));
  ENAMND_ASSIGN_OR_RETURN(config.insecure_any_address, EnvBool("ENAMND_INSECURE_ANY_ADDRESS"));
  ENAMND_ASSIGN_OR_RETURN(config.auth.write_rate_per_second,
                          EnvNumber("ENAMND_WRITE_RATE", config.auth.write_rate_per_second));
  ENAMND_ASSIGN_OR_RETURN(config.auth.write_burst,
                          EnvNumber("ENAMND_WRITE_BURST", config.auth.write_burst));
  ENAMND_ASSIGN_OR_RETURN(double watches,
                          EnvNumber("ENAMND_MAX_WATCHES", config.max_watch_streams_per_principal));
  config.max_watch_streams_per_principal = static_cast<int>(watches);
  ENAMND_ASSIGN_OR_RETURN(double max_length,
                          EnvNumber("ENAMND_STREAM_MAXLEN", config.stream_max_length));
  if (max_length < 0) {
    return absl::InvalidArgumentError("ENAMND_STREAM_MAXLEN: must be 0 (keep all) or more");
  }
  config.stream_max_length = static_cast<int64_t>(max_length);
  config.metrics_listen = FirstNonEmpty("", "ENAMND_METRICS_LISTEN", "");
  config.health_listen = FirstNonEmpty("", "ENAMND_HEALTH_LISTEN", "");
  ENAMND_ASSIGN_OR_RETURN(double backlog,
                          EnvNumber("ENAMND_WATCH_MAX_BACKLOG", config.watch_max_backlog));
  config.watch_max_backlog = static_cast<int64_t>(backlog);
  absl::Status status = SetLogLevel(config.log_level);
  if (!status.ok()) return status;
  config.log_format = FirstNonEmpty("", "ENAMND_LOG_FORMAT", "text");
  if (!SetLogFormat(config.log_format).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("ENAMND_LOG_FORMAT: want text or json, got \"",
                                                   LogSafe(config.log_format), "\""));
  }
  if (!ParseRedisAddress(config.redis).ok()) return ParseRedisAddress(config.redis).status();
  status = CheckRedisCredentials(config.redis_credentials);
  if (!status.ok()) return status;
  if (config.listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: want host:port, got \"", config.listen, "\""));
  }
  for (const auto& [name, value] : {std::pair{"ENAMND_METRICS_LISTEN", &config.metrics_listen},
                                    std::pair{"ENAMND_HEALTH_LISTEN", &config.health_listen}}) {
    if (!value->empty() && !IsListenAddress(*value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": want host:port, got \"", LogSafe(*value), "\""));
    }
  }
  return config;
}

ServerRunner::ServerRunner(ServerConfig config, std::unique_ptr<Service> service,
                           OutboxRelay::Options relay_options)
    : config_(std::move(config)),
      service_(std::move(service)),
      relay_options_(std::move(relay_options)) {}

ServerRunner::~ServerRunner() { Shutdown(absl::Seconds(1)); }

absl::Status ServerRunner::Start() {
  auto redis = ParseRedisAddress(config_.redis);
  if (!redis.ok()) return redis.status();
  redis->credentials = config_.redis_credentials;
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", config_.data_dir, ": ", ec.message()));
  }
  std::string path = (std::filesystem::path(config_.data_dir) / (config_.service + ".db")).string();
  std::vector<MigrationSet> migrations = {PlatformMigrations()};
  for (MigrationSet& set : service_->Migrations()) migrations.push_back(std::move(set));
  DatabaseOptions database_options;
  database_options.on_failure = [this](const absl::Status& status) { OnStorageFailure(status); };
  auto db = Database::Open(path, migrations, std::move(database_options));
  if (!db.ok()) return db.status();
  db_ = std::move(*db);
  LogInfo("server", "database ", path, " open and migrated");

  outbox_ = std::make_unique<Outbox>(absl::StrCat("//enamnd/", config_.service),
                                     EventStream(config_.service));
  executor_ = std::make_unique<Executor>(config_.worker_threads);
  clock_.Pin(config_.today);
  if (config_.today.has_value()) {
    LogWarning("server", "legal calendar pinned to ", absl::FormatCivilTime(*config_.today),
               " (--today / ENAMND_TODAY)");
  }
  (void)StockholmTimeZone();  // fail at start, not at the first deadline, without tzdata
  std::vector<const google::protobuf::ServiceDescriptor*> served;
  for (const std::string& name : service_->GrpcServiceNames()) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (descriptor == nullptr) return absl::InternalError(absl::StrCat("no descriptor of ", name));
    served.push_back(descriptor);
  }
  // Deny by default: a method without a policy stops the start.
  ENAMND_ASSIGN_OR_RETURN(MethodPolicies policies, ReadMethodPolicies(served));
  // Health and reflection are not gated: probes need the one, and the
  // other only describes the API, which is public.
  AuthOptions auth = config_.auth;
  auth.insecure = config_.insecure;
  ENAMND_ASSIGN_OR_RETURN(authorizer_, Authorizer::Create(std::move(policies), auth));
  ENAMND_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                          ServerCredentialsOf(config_));
  if (config_.insecure) {
    LogWarning("server", "INSECURE: plaintext on ", config_.listen,
               "; callers name themselves with the ", kPrincipalHeader,
               " header (ENAMND_INSECURE=true",
               config_.insecure_any_address ? ", ENAMND_INSECURE_ANY_ADDRESS=true" : "", ")");
  } else {
    LogInfo("server", "TLS with ", config_.tls_cert,
            config_.tls_client_ca.empty()
                ? "; no ENAMND_TLS_CLIENT_CA, so no caller has an identity and every call is denied"
                : absl::StrCat("; client certificates required, verified against ",
                               config_.tls_client_ca));
  }
  WatchOptions watch;
  watch.max_streams_per_principal = config_.max_watch_streams_per_principal;
  watch.max_backlog = config_.watch_max_backlog;
  watch.event_types = EventTypesNextTo(served);
  watch_ = std::make_unique<EventWatch>(db_.get(), outbox_.get(), executor_.get(), watch);
  ServiceContext context{db_.get(), outbox_.get(), executor_.get(),   *redis,
                         &config_,  &clock_,       authorizer_.get(), watch_.get()};
  absl::Status status = service_->Start(context);
  if (!status.ok()) return status;
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // A second process on the same port (and so probably the same data) must
  // fail to start, not share the port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(config_.listen, credentials, &port_);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  // Keepalive: the server pings idle connections (dead watchers go away),
  // and a client pinging more often than every 20 s is told GOAWAY.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  for (grpc::Service* s : service_->GrpcServices()) builder.RegisterService(s);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<CallInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(creators));
  builder.SetContextAllocator(NewNotingContextAllocator());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen));
  }
  // gRPC's default health service answers SERVING from the start; say
  // NOT_SERVING until the background work below is running.
  server_->GetHealthCheckService()->SetServingStatus("", false);
  for (const std::string& name : service_->GrpcServiceNames()) {
    server_->GetHealthCheckService()->SetServingStatus(name, false);
  }
  if (!config_.health_listen.empty()) {
    ENAMND_ASSIGN_OR_RETURN(
        health_server_, HealthServer::Start(config_.health_listen, service_->GrpcServiceNames()));
  }
  // Only once the port is ours: a second instance that fails to bind must
  // not publish this database's events or consume others' too.
  OutboxRelay::Options relay_options = relay_options_;
  if (relay_options.stream_max_length == 0) {
    relay_options.stream_max_length = config_.stream_max_length;
  }
  relay_ = std::make_unique<OutboxRelay>(db_.get(), outbox_.get(), *redis, relay_options);
  relay_->Start();
  outbox_metrics_ = OutboxMetrics(db_.get(), outbox_->stream());
  if (!config_.metrics_listen.empty()) {
    ENAMND_ASSIGN_OR_RETURN(metrics_server_, MetricsServer::Start(config_.metrics_listen));
  }
  status = service_->OnListening();
  if (!status.ok()) return status;
  {
    absl::MutexLock lock(&health_mutex_);
    if (storage_failed_) {
      return absl::InternalError("the database cannot make commits durable (see the log)");
    }
    grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
    health->SetServingStatus("", true);
    for (const std::string& name : service_->GrpcServiceNames()) {
      health->SetServingStatus(name, true);
    }
    if (health_server_ != nullptr) health_server_->SetServing(true);
    serving_health_ = health;
    serving_plain_health_ = health_server_.get();
  }
  LogInfo("server", "enamnd-", config_.service, " serving on ", config_.listen, " (port ", port_,
          "), events to ", outbox_->stream(), " at ", config_.redis);
  return absl::OkStatus();
}

absl::Status ServerRunner::ReloadPolicy() {
  if (authorizer_ == nullptr) return absl::FailedPreconditionError("not started");
  absl::Status status = authorizer_->Reload();
  if (!status.ok()) {
    LogError("auth", "policy not reloaded, the previous one stays in force: ", status.message());
  }
  return status;
}

void ServerRunner::OnStorageFailure(const absl::Status& status) {
  absl::MutexLock lock(&health_mutex_);
  if (storage_failed_) return;
  storage_failed_ = true;
  // Shutdown/EnterShutdown: NOT_SERVING, and deaf to later SetServing.
  if (serving_health_ != nullptr) serving_health_->Shutdown();
  if (serving_plain_health_ != nullptr) serving_plain_health_->EnterShutdown();
  LogError("server", "health NOT_SERVING from now on: ", status.message());
}

void ServerRunner::Shutdown(absl::Duration deadline) {
  if (stopped_) return;
  stopped_ = true;
  {
    absl::MutexLock lock(&health_mutex_);
    serving_health_ = nullptr;
    serving_plain_health_ = nullptr;
  }
  if (server_ != nullptr) {
    LogInfo("server", "shutting down");
    server_->GetHealthCheckService()->Shutdown();
    if (health_server_ != nullptr) health_server_->EnterShutdown();
    service_->BeginShutdown();
    if (watch_ != nullptr) watch_->EndAll();
    // Returns once calls have finished (cancelled at the deadline) and the
    // clients have closed their connections after GOAWAY (gRPC waits up to
    // about 5 s for idle clients to do so).
    server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(deadline));
    LogDebug("server", "rpcs drained");
    server_->Wait();
    LogDebug("server", "server stopped");
  } else if (service_ != nullptr) {
    service_->BeginShutdown();
  }
  executor_.reset();  // finishes queued work
  LogDebug("server", "workers stopped");
  metrics_server_.reset();
  health_server_.reset();   // answered NOT_SERVING until here
  outbox_metrics_.clear();  // before db_ goes
  watch_.reset();           // no stream left: every call has ended
  if (relay_ != nullptr) relay_->Stop(absl::Seconds(2));
  LogDebug("server", "relay stopped");
  relay_.reset();
  server_.reset();
  service_.reset();
  db_.reset();
  LogInfo("server", "stopped");
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal(const std::function<void()>& on_hangup) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  while (true) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    if (signal != SIGHUP) return signal;
    if (on_hangup) on_hangup();
  }
}

int MethodIndex(absl::string_view service, absl::string_view method) {
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service));
  const google::protobuf::MethodDescriptor* found =
      descriptor == nullptr ? nullptr : descriptor->FindMethodByName(std::string(method));
  if (found == nullptr) {
    LogError("server", "no method ", method, " in service ", service);
    std::abort();
  }
  return found->index();
}

int RunServiceMain(int argc, char** argv, const std::string& service_name,
                   std::unique_ptr<Service> service) {
  SetUpFlagsUsage(service_name);
  if (PlainHelpRequested(argc, argv)) {
    std::fputs(absl::StrCat("enamnd-", service_name, ": ", UsageMessage(service_name)).c_str(),
               stdout);
    return 0;
  }
  BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  // Debian builds Abseil without NDEBUG, so absl::Mutex (gRPC's too) would
  // keep a lock-order graph behind a global lock on every Lock and every
  // destruction: a debugging aid the tests keep, which a served process
  // does not pay for.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto config = LoadConfig(service_name);
  if (!config.ok()) {
    LogError("server", "configuration: ", config.status().ToString());
    return 2;
  }
  ServerRunner runner(*config, std::move(service));
  absl::Status status = runner.Start();
  if (!status.ok()) {
    LogError("server", "start: ", status.ToString());
    runner.Shutdown(absl::Seconds(1));
    return 1;
  }
  // The main thread is the sigwait thread: every other thread has the
  // signals blocked, so they arrive only here.
  int signal = WaitForTerminationSignal([&runner] {
    LogInfo("server", "received SIGHUP: reloading the policy");
    (void)runner.ReloadPolicy();
  });
  LogInfo("server", "received ", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  runner.Shutdown(absl::Seconds(10));
  return 0;
}

}  // namespace enamnd::platform
