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

// A callback context with room for what the Gate learns of the call. The
// note is written by the handler's thread and read as the status is sent,
// which gRPC orders after the handler's Finish.
class NotedContext : public grpc::CallbackServerContext {
 public:
  std::string principal;
  std::string request_id;
};

class NotingContextAllocator : public grpc::ContextAllocator {
 public:
  grpc::CallbackServerContext* NewCallbackServerContext() override { return new NotedContext(); }
  // gRPC also hands back contexts it made itself: those of calls to no
  // registered method, which its generic service answers UNIMPLEMENTED
  // (the allocator makes no generic contexts, so gRPC uses one of its own
  // and releases it through this overload). Only ours are deleted here.
  void Release(grpc::CallbackServerContext* context) override {
    delete dynamic_cast<NotedContext*>(context);
  }
};

const NotedContext* NotesOf(const grpc::ServerContextBase* call) {
  return dynamic_cast<const NotedContext*>(call);
}

}  // namespace

std::string CallTraceparent(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  if (metadata.count("traceparent") != 1) return "";  // W3C: several are invalid
  const grpc::string_ref& value = metadata.find("traceparent")->second;
  return ValidTraceparent(std::string(value.data(), value.size()));
}

void NoteCall(const grpc::ServerContextBase* call, std::string principal, std::string request_id) {
  // The note belongs to the call the Gate is answering: writing it through
  // a const pointer is the Gate's one way in.
  auto* noted = const_cast<NotedContext*>(NotesOf(call));
  if (noted == nullptr) return;
  noted->principal = std::move(principal);
  noted->request_id = std::move(request_id);
}

std::unique_ptr<grpc::ContextAllocator> NewNotingContextAllocator() {
  return std::make_unique<NotingContextAllocator>();
}

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
  if (context != nullptr) {
    const NotedContext* noted = NotesOf(context);
    fields.push_back({"principal", noted != nullptr ? LogSafe(noted->principal) : ""});
    fields.push_back({"request_id", noted != nullptr ? LogSafe(noted->request_id) : ""});
  }
  if (context != nullptr) fields.push_back({"traceparent", CallTraceparent(*context)});
  if (!status.ok()) fields.push_back({"error", LogSafe(status.error_message(), kErrorMaxBytes)});
  LogLine(LogLevel::kInfo, "access", method, fields);
}

}  // namespace enamnd::platform
