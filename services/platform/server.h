// The runtime every service shares: configuration (flags and ENAMND_*
// environment), the database with migrations, the outbox relay, the gRPC
// server with health, reflection and an access log, and clean shutdown.
#ifndef ENAMND_PLATFORM_SERVER_H_
#define ENAMND_PLATFORM_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/platform/calendar.h"
#include "services/platform/database.h"
#include "services/platform/executor.h"
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
  // Addresses of the other services (ENAMND_<NAME>_ADDR), by service name.
  std::map<std::string, std::string> peers;
  int worker_threads = 4;
  // Pins the legal calendar's "today" (--today / ENAMND_TODAY, YYYY-MM-DD);
  // unset means the real day in Europe/Stockholm.
  std::optional<absl::CivilDay> today;
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
  // then reports SERVING.
  absl::Status Start();
  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // Health -> NOT_SERVING, stop the service's streams, drain RPCs until
  // `deadline`, flush the relay, close the database. Idempotent.
  void Shutdown(absl::Duration deadline = absl::Seconds(10));

  Database* db() { return db_.get(); }
  Outbox* outbox() { return outbox_.get(); }
  OutboxRelay* relay() { return relay_.get(); }
  LegalClock* clock() { return &clock_; }

 private:
  ServerConfig config_;
  std::unique_ptr<Service> service_;
  OutboxRelay::Options relay_options_;
  LegalClock clock_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool stopped_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread; call first in main(),
// before any thread starts, so every thread inherits the mask.
void BlockTerminationSignals();
// Waits (sigwait) for SIGTERM or SIGINT; returns the signal number.
int WaitForTerminationSignal();

// The usual main(): parse flags, load config, start, wait for a signal,
// shut down. Returns the process exit code.
int RunServiceMain(int argc, char** argv, const std::string& service_name,
                   std::unique_ptr<Service> service);

// Runs `work` on the executor and finishes the unary call with its status;
// the reactor thread returns at once.
template <typename Work>
grpc::ServerUnaryReactor* RunUnary(Executor* executor, grpc::CallbackServerContext* context,
                                   Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  executor->Post(
      [reactor, work = std::move(work)]() mutable { reactor->Finish(ToGrpcStatus(work())); });
  return reactor;
}

}  // namespace enamnd::platform

// Inside a generated CallbackService subclass with members `executor_`
// (platform::Executor*) and `api_` (whose Method(request, response*)
// returns absl::Status): declares the unary RPC Method, run on the executor.
#define ENAMND_UNARY(Method, Request, Response)                                                 \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, const Request* req,    \
                                   Response* resp) override {                                   \
    return ::enamnd::platform::RunUnary(executor_, context,                                     \
                                        [this, req, resp] { return api_.Method(*req, resp); }); \
  }

#endif  // ENAMND_PLATFORM_SERVER_H_
