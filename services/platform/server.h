// The runtime every service shares: configuration (flags and ENAMND_*
// environment), the database with migrations, the outbox relay, the gRPC
// server with health, reflection and an access log, and clean shutdown.
#ifndef ENAMND_PLATFORM_SERVER_H_
#define ENAMND_PLATFORM_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/platform/auth.h"
#include "services/platform/calendar.h"
#include "services/platform/database.h"
#include "services/platform/event_watch.h"
#include "services/platform/executor.h"
#include "services/platform/health_server.h"
#include "services/platform/metrics.h"
#include "services/platform/outbox.h"
#include "services/platform/redis.h"
#include "services/platform/status.h"

namespace enamnd::platform {

struct ServerConfig {
  std::string service;  // "meetings"
  std::string listen;   // host:port; port 0 picks a free one
  std::string data_dir;
  std::string redis;  // tcp://host:port or unix:///path
  // ENAMND_REDIS_USER (default: the service name), ENAMND_REDIS_PASSWORD_FILE.
  RedisCredentials redis_credentials;
  std::string log_level = "info";
  // ENAMND_LOG_FORMAT: "text" (the default) or "json", one object per line.
  std::string log_format = "text";
  // Addresses of the other services (ENAMND_<NAME>_ADDR), by service name.
  std::map<std::string, std::string> peers;
  // Handlers block their worker thread on SQLite, and a durable commit on
  // the WAL flush it shares with the commits in flight beside it (group
  // commit): more threads, more commits per flush. Idle threads cost
  // stack address space, not memory.
  int worker_threads = 16;
  // Pins the legal calendar's "today" (--today / ENAMND_TODAY, YYYY-MM-DD);
  // unset means the real day in Europe/Stockholm.
  std::optional<absl::CivilDay> today;
  // Transport security: ENAMND_TLS_CERT, ENAMND_TLS_KEY (PEM files) and
  // ENAMND_TLS_CLIENT_CA (PEM; set = client certificates required and
  // verified against it; also the root that peers' server certificates are
  // checked against). ENAMND_INSECURE=true serves plaintext, on a loopback
  // address unless ENAMND_INSECURE_ANY_ADDRESS=true.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  bool insecure = false;
  bool insecure_any_address = false;
  // ENAMND_POLICY, ENAMND_WRITE_RATE, ENAMND_WRITE_BURST (auth.h).
  AuthOptions auth;
  // ENAMND_MAX_WATCHES: open watch streams allowed per principal.
  int max_watch_streams_per_principal = 8;
  // ENAMND_STREAM_MAXLEN: trim the service's stream to about this many
  // entries (XADD MAXLEN ~); 0 keeps every entry.
  int64_t stream_max_length = 0;
  // ENAMND_METRICS_LISTEN: host:port of the plain-HTTP /metrics endpoint
  // (Prometheus text format); port 0 picks a free one; empty: none.
  std::string metrics_listen;
  // ENAMND_HEALTH_LISTEN: host:port of a plaintext listener that serves
  // only grpc.health.v1, for probes that cannot do mTLS (the kubelet's);
  // port 0 picks a free one; empty: none.
  std::string health_listen;
  // ENAMND_WATCH_MAX_BACKLOG: events a live watch stream may fall behind
  // the log while its reader does not take them, before it is ended with
  // RESOURCE_EXHAUSTED (event_watch.h).
  int64_t watch_max_backlog = 1000;
};

// Default ports of the services, by name.
int DefaultPort(const std::string& service);

// Builds the configuration of `service` from the --listen, --data_dir,
// --redis and --log_level flags (already parsed by absl::ParseCommandLine),
// falling back to ENAMND_LISTEN, ENAMND_DATA_DIR, ENAMND_REDIS,
// ENAMND_LOG_LEVEL and then the defaults.
absl::StatusOr<ServerConfig> LoadConfig(const std::string& service);

// What the runtime gives a service when it starts.
struct ServiceContext {
  Database* db;
  Outbox* outbox;
  Executor* executor;
  RedisAddress redis;
  const ServerConfig* config;
  LegalClock* clock;
  Authorizer* authorizer;
  // The service's watch streams: WatchEvents (ENAMND_WATCH_EVENTS) and any
  // stream of its own over the event log.
  EventWatch* watch;
};

// A service plugged into the runtime.
class Service {
 public:
  virtual ~Service() = default;
  // Its own tables (the platform's are added by the runtime).
  virtual std::vector<MigrationSet> Migrations() const = 0;
  // Called once the database is open and migrated, before the port is bound:
  // build the gRPC services and do idempotent catch-up work. May run in a
  // second instance that then fails to bind, so start no background work.
  virtual absl::Status Start(const ServiceContext& context) = 0;
  // Called once the port is bound (so this is the only instance on it) and
  // before SERVING: start background work (subscribers, deadline jobs).
  virtual absl::Status OnListening() { return absl::OkStatus(); }
  virtual std::vector<grpc::Service*> GrpcServices() = 0;
  // Full gRPC service names, for health status.
  virtual std::vector<std::string> GrpcServiceNames() const = 0;
  // Called when shutdown begins, before the gRPC server drains: end
  // long-lived streams and stop background work.
  virtual void BeginShutdown() {}
};

class ServerRunner {
 public:
  ServerRunner(ServerConfig config, std::unique_ptr<Service> service,
               OutboxRelay::Options relay_options = {});
  ~ServerRunner();

  // Opens and migrates the database, starts the relay and the gRPC server,
  // then reports SERVING (NOT_SERVING for good if the database fails).
  absl::Status Start();
  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // The /metrics port bound (config.metrics_listen), or 0 when it is off.
  int metrics_port() const { return metrics_server_ == nullptr ? 0 : metrics_server_->port(); }
  // The plaintext health port bound (config.health_listen), or 0 when off.
  int health_port() const { return health_server_ == nullptr ? 0 : health_server_->port(); }
  // Health -> NOT_SERVING, stop the service's streams, drain RPCs until
  // `deadline`, flush the relay, close the database. Idempotent.
  void Shutdown(absl::Duration deadline = absl::Seconds(10));

  Database* db() { return db_.get(); }
  Outbox* outbox() { return outbox_.get(); }
  OutboxRelay* relay() { return relay_.get(); }
  LegalClock* clock() { return &clock_; }
  Authorizer* authorizer() { return authorizer_.get(); }
  // The open watch streams (open_streams()); null before Start.
  EventWatch* watch() { return watch_.get(); }
  // Re-reads the policy file (SIGHUP); the old policy stays on error.
  absl::Status ReloadPolicy();

 private:
  ServerConfig config_;
  std::unique_ptr<Service> service_;
  OutboxRelay::Options relay_options_;
  LegalClock clock_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<EventWatch> watch_;
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MetricsServer> metrics_server_;
  std::unique_ptr<HealthServer> health_server_;
  // Once the database cannot make commits durable any more (a WAL flush
  // failed), both health services say NOT_SERVING for good, so that the
  // liveness probe restarts the process. The database's callback may come
  // from any thread, hence the mutex over what it touches.
  void OnStorageFailure(const absl::Status& status);
  absl::Mutex health_mutex_;
  bool storage_failed_ ABSL_GUARDED_BY(health_mutex_) = false;
  grpc::HealthCheckServiceInterface* serving_health_ ABSL_GUARDED_BY(health_mutex_) = nullptr;
  HealthServer* serving_plain_health_ ABSL_GUARDED_BY(health_mutex_) = nullptr;
  // The outbox gauges; they read db_, so they go before it.
  std::vector<MetricHandle> outbox_metrics_;
  int port_ = 0;
  bool stopped_ = false;
};

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread; call first in
// main(), before any thread starts, so every thread inherits the mask.
void BlockTerminationSignals();
// Waits (sigwait) for SIGTERM or SIGINT; returns the signal number. Calls
// `on_hangup` for each SIGHUP meanwhile.
int WaitForTerminationSignal(const std::function<void()>& on_hangup = nullptr);

// Credentials of the server from the configuration; refuses plaintext
// unless ENAMND_INSECURE=true, and plaintext on a non-loopback address
// unless ENAMND_INSECURE_ANY_ADDRESS=true.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsOf(
    const ServerConfig& config);
// Whether host:port names a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopbackListen(absl::string_view listen);
// A channel to another service (config.peers[peer]) under this service's
// own identity: its certificate under TLS, or in insecure mode the
// principal header spiffe://enamnd/service/<name>. `args` tune the channel
// (peer_calls.h: deadlines' companions, retries and their budget).
absl::StatusOr<std::shared_ptr<grpc::Channel>> PeerChannel(
    const ServerConfig& config, const std::string& peer,
    const grpc::ChannelArguments& args = grpc::ChannelArguments());

// The index of method `method` in service `service` (full name), which is
// its index in the generated grpc::Service. Aborts, naming both, when there
// is no such method: a mistake in the code, found at the first start.
int MethodIndex(absl::string_view service, absl::string_view method);

// The usual main(): parse flags, load config, start, wait for a signal,
// shut down. Returns the process exit code.
int RunServiceMain(int argc, char** argv, const std::string& service_name,
                   std::unique_ptr<Service> service);

}  // namespace enamnd::platform

// Inside a generated CallbackService subclass with a member `gate_`
// (platform::Gate) and a member `api` whose Method(caller, request,
// response*) returns absl::Status: declares the unary RPC Method, admitted
// by its policy and run on the executor. ENAMND_UNARY uses the member
// `api_`; a service whose handlers live in more than one class names the
// member with ENAMND_UNARY_ON.
// ENAMND_UNARY_DEFERRED_ON: the same for a method whose work ends later
// (Gate::UnaryDeferred): api.Method(caller, request, response*, deadline,
// finish).
#define ENAMND_UNARY_DEFERRED_ON(api, Method, Request, Response)                             \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, const Request* req, \
                                   Response* resp) override {                                \
    return gate_.UnaryDeferred(                                                              \
        context, #Method, *req,                                                              \
        [this, req, resp](const ::enamnd::platform::Caller& caller, absl::Time deadline,     \
                          std::function<void(const absl::Status&)> finish) {                 \
          api.Method(caller, *req, resp, deadline, std::move(finish));                       \
        });                                                                                  \
  }

#define ENAMND_UNARY_ON(api, Method, Request, Response)                                      \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, const Request* req, \
                                   Response* resp) override {                                \
    return gate_.Unary(context, #Method, *req,                                               \
                       [this, req, resp](const ::enamnd::platform::Caller& caller) {         \
                         return api.Method(caller, *req, resp);                              \
                       });                                                                   \
  }
#define ENAMND_UNARY(Method, Request, Response) ENAMND_UNARY_ON(api_, Method, Request, Response)

// A unary RPC whose reply api_.Method appends as bytes (stored_reply.h):
// Method(caller, request, std::string*). ENAMND_UNARY_SPLICED declares the
// handler (MethodSpliced, admitted and run as Gate::UnarySpliced says);
// ENAMND_SERVE_SPLICED(Service, Method), in the constructor, registers it in
// place of the generated typed handler. (The generated
// WithRawCallbackMethod_ classes would do the same, but their raw Method
// hides the typed overload, which clang's -Woverloaded-virtual refuses.)
#define ENAMND_UNARY_SPLICED(Method, Request)                                                      \
  grpc::ServerUnaryReactor* Method##Spliced(grpc::CallbackServerContext* context,                  \
                                            const grpc::ByteBuffer* req, grpc::ByteBuffer* resp) { \
    return gate_.UnarySpliced<Request>(                                                            \
        context, #Method, req, resp,                                                               \
        [this](const ::enamnd::platform::Caller& caller, const Request& request,                   \
               std::string* reply) { return api_.Method(caller, request, reply); });               \
  }
#define ENAMND_SERVE_SPLICED(Service, Method)                                               \
  MarkMethodRawCallback(                                                                    \
      ::enamnd::platform::MethodIndex(Service::service_full_name(), #Method),               \
      new ::grpc::internal::CallbackUnaryHandler<::grpc::ByteBuffer, ::grpc::ByteBuffer>(   \
          [this](::grpc::CallbackServerContext* context, const ::grpc::ByteBuffer* request, \
                 ::grpc::ByteBuffer* response) {                                            \
            return Method##Spliced(context, request, response);                             \
          }))

#endif  // ENAMND_PLATFORM_SERVER_H_
