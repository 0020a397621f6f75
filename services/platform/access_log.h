// The access log: one line per RPC (method, status code, duration, peer,
// and what the Gate knows of the call: principal, request_id; the W3C
// traceparent the client sent), in the format of log.h.
#ifndef ENAMND_PLATFORM_ACCESS_LOG_H_
#define ENAMND_PLATFORM_ACCESS_LOG_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <string>

#include "absl/time/time.h"

namespace enamnd::platform {

// The well-formed W3C traceparent in the call's metadata, or "" (none, or
// malformed: ignored, as W3C Trace Context asks).
std::string CallTraceparent(const grpc::ServerContextBase& context);

// While it lives, the access line written on this thread for `call` names
// `principal` and `request_id`. The Gate finishes a call inside one, so its
// line says who called.
class ScopedAccessNote {
 public:
  ScopedAccessNote(const grpc::ServerContextBase* call, std::string principal,
                   std::string request_id);
  ~ScopedAccessNote();
  ScopedAccessNote(const ScopedAccessNote&) = delete;
  ScopedAccessNote& operator=(const ScopedAccessNote&) = delete;

  const grpc::ServerContextBase* call() const { return call_; }
  const std::string& principal() const { return principal_; }
  const std::string& request_id() const { return request_id_; }

 private:
  const grpc::ServerContextBase* call_;
  std::string principal_;
  std::string request_id_;
  const ScopedAccessNote* previous_;
};

// Writes the access line of the call `info` as it sends `status`, `elapsed`
// after it began. Values from the request are cut and escaped (LogSafe).
void LogAccess(grpc::experimental::ServerRpcInfo* info, const grpc::Status& status,
               absl::Duration elapsed);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_ACCESS_LOG_H_
