#include "services/platform/health_server.h"

#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/platform/log.h"

namespace enamnd::platform {

absl::StatusOr<std::unique_ptr<HealthServer>> HealthServer::Start(
    const std::string& listen, std::vector<std::string> service_names) {
  std::unique_ptr<HealthServer> health(new HealthServer(std::move(service_names)));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Plaintext on purpose: nothing but the health service is registered
  // here (and gRPC's process-wide reflection plugin, which lists only it).
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &health->port_);
  builder.SetMaxReceiveMessageSize(4096);
  health->server_ = builder.BuildAndStart();
  if (health->server_ == nullptr || health->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("ENAMND_HEALTH_LISTEN: cannot listen on ", listen));
  }
  health->SetServing(false);
  LogInfo("server", "health (plaintext, grpc.health.v1 only) on ", listen, " (port ", health->port_,
          ")");
  return health;
}

HealthServer::~HealthServer() {
  if (server_ == nullptr) return;
  EnterShutdown();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
}

void HealthServer::SetServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus("", serving);
  for (const std::string& name : service_names_) health->SetServingStatus(name, serving);
}

void HealthServer::EnterShutdown() { server_->GetHealthCheckService()->Shutdown(); }

}  // namespace enamnd::platform
