#include "services/platform/status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/platform/log.h"

namespace enamnd::platform {
namespace {

// A message that quotes a huge request field must still fit the client's
// metadata limit (8 KiB by default; non-ASCII is sent percent-encoded).
constexpr size_t kMaxMessageBytes = 2048;

std::string Bounded(absl::string_view message) {
  if (message.size() <= kMaxMessageBytes) return std::string(message);
  size_t cut = kMaxMessageBytes;
  // Back to the start of a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xc0) == 0x80) --cut;
  return absl::StrCat(message.substr(0, cut), "...[truncated, ", message.size(), " bytes in all]");
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    LogError("rpc", "internal error: ", status.ToString());
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error (logged by the service)");
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), Bounded(status.message()));
}

}  // namespace enamnd::platform
