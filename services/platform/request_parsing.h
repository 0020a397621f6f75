// Requests that do not parse. gRPC's callback API answers them with
// UNIMPLEMENTED and an empty message; the server's interceptor makes that
// INVALID_ARGUMENT naming the field (a string with invalid UTF-8, which
// proto3 refuses) or saying that the bytes are no such message.
#ifndef ENAMND_PLATFORM_REQUEST_PARSING_H_
#define ENAMND_PLATFORM_REQUEST_PARSING_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace enamnd::platform {

// Watches one call for a request that did not parse, as part of the
// server's interceptor (server.cc), which runs it at every hook point before
// its own work. Creating it also routes protobuf's own log messages into
// the platform log (log.h), which is how the failing field is learnt; gRPC
// parses a request on the thread that has just created the call's
// interceptors, so create it there.
class RequestParseCheck {
 public:
  explicit RequestParseCheck(grpc::experimental::ServerRpcInfo* info);
  // At POST_RECV_MESSAGE, notes the problem of a request that did not
  // parse; at PRE_SEND_STATUS, turns gRPC's UNIMPLEMENTED for it into
  // INVALID_ARGUMENT naming the problem.
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods);

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const bool request_first_;
  std::string problem_;
};

// The path from `request` to the field protobuf names in full
// ("enamnd.meetings.v1.Case.title" -> "case.title"): the shortest one when
// the message type occurs more than once; the bare field name when it does
// not occur at all.
std::string FieldPathIn(const google::protobuf::Descriptor& request,
                        absl::string_view full_field_name);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_REQUEST_PARSING_H_
