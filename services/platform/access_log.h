// The access log: one line per RPC (method, status code, duration, peer,
// and what the Gate knows of the call: principal, request_id; the W3C
// traceparent the client sent), in the format of log.h.
#ifndef ENAMND_PLATFORM_ACCESS_LOG_H_
#define ENAMND_PLATFORM_ACCESS_LOG_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace enamnd::platform {

// The well-formed W3C traceparent in the call's metadata, or "" (none, or
// malformed: ignored, as W3C Trace Context asks).
std::string CallTraceparent(const grpc::ServerContextBase& context);

// Notes who made `call` and its request_id, for the call's access line
// (the Gate does, once it knows). The note lives in the call's server
// context; a call whose context did not come from NewNotingContextAllocator
// (a synchronous service's, such as reflection) keeps no note.
void NoteCall(const grpc::ServerContextBase* call, std::string principal, std::string request_id);

// The allocator of the server's callback contexts, which have room for the
// note: the runtime registers it (ServerBuilder::SetContextAllocator).
std::unique_ptr<grpc::ContextAllocator> NewNotingContextAllocator();

// Writes the access line of the call `info` as it sends `status`, `elapsed`
// after it began. Values from the request are cut and escaped (LogSafe).
void LogAccess(grpc::experimental::ServerRpcInfo* info, const grpc::Status& status,
               absl::Duration elapsed);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_ACCESS_LOG_H_
