#include "services/platform/access_log.h"

#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "services/platform/call_context.h"
#include "services/platform/log.h"

namespace enamnd::platform {
namespace {

// An error message often quotes the request: more room than a value, still
// far from a request's size.
constexpr size_t kErrorMaxBytes = 1024;

struct CallNote {
  std::string principal;
  std::string request_id;
};

// The notes of the calls in progress, by call. A call's entry lives as
// long as its CallNotesInterceptor, so a note never outlives its call.
class CallNotes {
 public:
  void Open(const grpc::ServerContextBase* call) {
    absl::MutexLock lock(&mutex_);
    notes_[call];
  }
  void Close(const grpc::ServerContextBase* call) {
    absl::MutexLock lock(&mutex_);
    notes_.erase(call);
  }
  void Set(const grpc::ServerContextBase* call, CallNote note) {
    absl::MutexLock lock(&mutex_);
    auto it = notes_.find(call);
    if (it != notes_.end()) it->second = std::move(note);
  }
  CallNote Get(const grpc::ServerContextBase* call) {
    absl::MutexLock lock(&mutex_);
    auto it = notes_.find(call);
    return it != notes_.end() ? it->second : CallNote{};
  }

 private:
  absl::Mutex mutex_;
  std::unordered_map<const grpc::ServerContextBase*, CallNote> notes_ ABSL_GUARDED_BY(mutex_);
};

CallNotes& Notes() {
  static CallNotes* notes = new CallNotes();
  return *notes;
}

class CallNotesInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CallNotesInterceptor(const grpc::ServerContextBase* call) : call_(call) {
    Notes().Open(call_);
  }
  ~CallNotesInterceptor() override { Notes().Close(call_); }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  const grpc::ServerContextBase* call_;
};

class CallNotesFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallNotesInterceptor(info->server_context());
  }
};

}  // namespace

std::string CallTraceparent(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  if (metadata.count("traceparent") != 1) return "";  // W3C: several are invalid
  const grpc::string_ref& value = metadata.find("traceparent")->second;
  return ValidTraceparent(std::string(value.data(), value.size()));
}

void NoteCall(const grpc::ServerContextBase* call, std::string principal, std::string request_id) {
  Notes().Set(call, CallNote{std::move(principal), std::move(request_id)});
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallNotesInterceptorFactory() {
  return std::make_unique<CallNotesFactory>();
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
    CallNote note = Notes().Get(context);
    fields.push_back({"principal", LogSafe(note.principal)});
    fields.push_back({"request_id", LogSafe(note.request_id)});
  }
  if (context != nullptr) fields.push_back({"traceparent", CallTraceparent(*context)});
  if (!status.ok()) fields.push_back({"error", LogSafe(status.error_message(), kErrorMaxBytes)});
  LogLine(LogLevel::kInfo, "access", method, fields);
}

}  // namespace enamnd::platform
