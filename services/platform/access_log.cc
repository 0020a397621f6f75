#include "services/platform/access_log.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "services/platform/call_context.h"
#include "services/platform/log.h"

namespace enamnd::platform {
namespace {

// An error message often quotes the request: more room than a value, still
// far from a request's size.
constexpr size_t kErrorMaxBytes = 1024;

thread_local const ScopedAccessNote* current_note = nullptr;

}  // namespace

std::string CallTraceparent(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  if (metadata.count("traceparent") != 1) return "";  // W3C: several are invalid
  const grpc::string_ref& value = metadata.find("traceparent")->second;
  return ValidTraceparent(std::string(value.data(), value.size()));
}

ScopedAccessNote::ScopedAccessNote(const grpc::ServerContextBase* call, std::string principal,
                                   std::string request_id)
    : call_(call),
      principal_(std::move(principal)),
      request_id_(std::move(request_id)),
      previous_(current_note) {
  current_note = this;
}

ScopedAccessNote::~ScopedAccessNote() { current_note = previous_; }

void LogAccess(grpc::experimental::ServerRpcInfo* info, const grpc::Status& status,
               absl::Duration elapsed) {
  if (!LogEnabled(LogLevel::kInfo)) return;
  grpc::ServerContextBase* context = info->server_context();
  std::string method = LogSafe(info->method());
  std::vector<LogField> fields = {
      {"method", method, /*is_number=*/false, /*in_text=*/false},
      {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))},
      {"duration_ms", absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(elapsed)),
       /*is_number=*/true},
      {"peer", context != nullptr ? LogSafe(context->peer()) : ""},
  };
  // The note of another call (a stream finished from inside a unary call's
  // work) is not this call's.
  if (current_note != nullptr && current_note->call() == context) {
    fields.push_back({"principal", LogSafe(current_note->principal())});
    fields.push_back({"request_id", LogSafe(current_note->request_id())});
  }
  if (context != nullptr) fields.push_back({"traceparent", CallTraceparent(*context)});
  if (!status.ok()) fields.push_back({"error", LogSafe(status.error_message(), kErrorMaxBytes)});
  LogLine(LogLevel::kInfo, "access", method, fields);
}

}  // namespace enamnd::platform
