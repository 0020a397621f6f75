// A second, plaintext gRPC listener that serves only grpc.health.v1
// (ENAMND_HEALTH_LISTEN). The kubelet's native gRPC probes cannot present a
// client certificate, so they cannot reach the service's mTLS port; this
// port answers them without exposing any API method.
#ifndef ENAMND_PLATFORM_HEALTH_SERVER_H_
#define ENAMND_PLATFORM_HEALTH_SERVER_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace enamnd::platform {

class HealthServer {
 public:
  // Listens on `listen` (host:port; port 0 picks a free one) and reports
  // NOT_SERVING for "" and for every name in `service_names` until
  // SetServing(true).
  static absl::StatusOr<std::unique_ptr<HealthServer>> Start(
      const std::string& listen, std::vector<std::string> service_names);
  ~HealthServer();

  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  int port() const { return port_; }
  // Mirrors the main server's status for "" and every service name.
  void SetServing(bool serving);
  // NOT_SERVING from now on, whatever SetServing is told later (shutdown).
  void EnterShutdown();

 private:
  explicit HealthServer(std::vector<std::string> service_names)
      : service_names_(std::move(service_names)) {}

  std::vector<std::string> service_names_;
  // Answers every method but health's with UNIMPLEMENTED; outlives server_.
  grpc::CallbackGenericService unknown_methods_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_HEALTH_SERVER_H_
