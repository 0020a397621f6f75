#include "services/platform/status.h"

#include <string>

#include "services/platform/log.h"

namespace enamnd::platform {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    LogError("rpc", "internal error: ", status.ToString());
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error (logged by the service)");
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace enamnd::platform
