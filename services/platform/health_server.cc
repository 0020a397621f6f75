#include "services/platform/health_server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/platform/log.h"

namespace enamnd::platform {
namespace {

// Drops the server reflection that InitProtoReflectionServerBuilderPlugin
// adds to every server of the process: on this unauthenticated port it
// would describe every proto the binary holds (the test asks for it).
class NoReflection : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
      return plugin->name() == "proto_server_reflection";
    });
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<HealthServer>> HealthServer::Start(
    const std::string& listen, std::vector<std::string> service_names) {
  std::unique_ptr<HealthServer> health(new HealthServer(std::move(service_names)));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Plaintext on purpose: nothing but the health service is registered.
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &health->port_);
  builder.SetOption(std::make_unique<NoReflection>());
  // Any other method: UNIMPLEMENTED. gRPC also needs one service that polls
  // its completion queue, which the health service alone is not.
  builder.RegisterCallbackGenericService(&health->unknown_methods_);
  // Anyone who reaches the port may call it: keep what a caller can hold small.
  builder.SetMaxReceiveMessageSize(4096);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 4);
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
