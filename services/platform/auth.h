// Authentication and authorization of calls: the caller's principal from
// its client certificate (or, in explicit insecure mode, from a header),
// the policy file, the method policies read from the protos, a write rate
// limit per principal, and the Gate every handler passes through.
#ifndef ENAMND_PLATFORM_AUTH_H_
#define ENAMND_PLATFORM_AUTH_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/platform/access_log.h"
#include "services/platform/call_context.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/executor.h"
#include "services/platform/policy.h"
#include "services/platform/status.h"

namespace enamnd::platform {

// The header that names the caller when the transport cannot (plaintext,
// ENAMND_INSECURE=true): honoured only in insecure mode, where a sidecar or
// a local test is trusted to set it. Ignored under TLS.
inline constexpr char kPrincipalHeader[] = "x-enamnd-principal";

// A plaintext channel whose calls carry `principal` in kPrincipalHeader:
// for services in insecure mode (tests, a local sidecar).
std::shared_ptr<grpc::Channel> InsecureChannelAs(
    const std::string& address, const std::string& principal,
    const grpc::ChannelArguments& args = grpc::ChannelArguments());

struct AuthOptions {
  // ENAMND_POLICY: the policy file; empty denies every call.
  std::string policy_path;
  // Plaintext (ENAMND_INSECURE): principals from kPrincipalHeader. The
  // server runner sets it from ServerConfig::insecure.
  bool insecure = false;
  // Mutating calls per principal: a token bucket of `write_burst` tokens
  // refilled at `write_rate_per_second` (ENAMND_WRITE_RATE, ENAMND_WRITE_BURST).
  double write_rate_per_second = 50;
  double write_burst = 200;
};

class Authorizer {
 public:
  // Reads the policy file (if any); fails when it does not parse.
  static absl::StatusOr<std::unique_ptr<Authorizer>> Create(MethodPolicies policies,
                                                            AuthOptions options);

  // Re-reads the policy file; on error the policy in force stays and the
  // error is returned (and logged by the caller).
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(mutex_);

  // The caller's principal: UNAUTHENTICATED without one.
  absl::StatusOr<std::string> Identify(const grpc::ServerContextBase& context) const;

  // Identifies the caller and admits it to `method` (full name), or says
  // why not: UNAUTHENTICATED, PERMISSION_DENIED (logged), or
  // RESOURCE_EXHAUSTED for a write over the principal's rate.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context, const std::string& method,
                               std::string request_id = "") ABSL_LOCKS_EXCLUDED(mutex_);

 private:
  Authorizer(MethodPolicies policies, AuthOptions options)
      : policies_(std::move(policies)), options_(std::move(options)) {}
  bool TakeWriteToken(const std::string& principal) ABSL_LOCKS_EXCLUDED(mutex_);

  struct Bucket {
    double tokens;
    absl::Time refilled;
  };

  const MethodPolicies policies_;
  const AuthOptions options_;
  mutable absl::Mutex mutex_;
  std::shared_ptr<const PolicyTable> table_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mutex_);
};

// The way into a service's handlers: admits the call, then runs the work
// on the executor with the Caller. One per gRPC service. The work runs
// under the call's CallContext (call_context.h): the traceparent the client
// sent and, when the request has a request_id, its fingerprint.
class Gate {
 public:
  Gate(Authorizer* authorizer, Executor* executor, absl::string_view service_full_name)
      : authorizer_(authorizer),
        executor_(executor),
        prefix_(absl::StrCat("/", service_full_name, "/")) {}

  // Admission for a streaming method (the stream's reactor runs it). Lines
  // logged while admitting carry the call's traceparent.
  absl::StatusOr<Caller> Admit(grpc::CallbackServerContext* context,
                               absl::string_view method) const {
    ScopedCallContext call(CallContext{CallTraceparent(*context), ""});
    absl::StatusOr<Caller> caller = authorizer_->Admit(*context, absl::StrCat(prefix_, method));
    NoteCaller(context, caller);
    return caller;
  }

  // A unary call: admit, then `work(caller)` on the executor; the reactor
  // thread returns at once.
  template <typename Request, typename Work>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* context, absl::string_view method,
                                  const Request& request, Work work) const {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    std::string request_id = RequestIdOf(request);
    CallContext call{CallTraceparent(*context), FingerprintOf(request, request_id)};
    absl::StatusOr<Caller> caller;
    {
      ScopedCallContext scope(call);
      caller = authorizer_->Admit(*context, absl::StrCat(prefix_, method), request_id);
      NoteCaller(context, caller, request_id);
      if (!caller.ok()) {
        reactor->Finish(ToGrpcStatus(caller.status()));
        return reactor;
      }
    }
    executor_->Post([reactor, caller = *std::move(caller), call = std::move(call),
                     work = std::move(work)]() mutable {
      ScopedCallContext scope(std::move(call));
      TakeUnvouchedRead();  // a mark left by earlier work on this thread is not ours
      absl::Status status = work(caller);
      if (TakeUnvouchedRead() && status.ok()) status = UnvouchedReadError();
      reactor->Finish(ToGrpcStatus(status));
    });
    return reactor;
  }

  // A unary call whose reply is built as bytes (stored_reply.h) rather than
  // as a message, for a method the service registers raw (the generated
  // WithRawCallbackMethod_X). Parses the request itself (INVALID_ARGUMENT
  // when the bytes are no `Request`), then as Unary: admit, then
  // `work(caller, request, &reply_bytes)` on the executor.
  template <typename Request, typename Work>
  grpc::ServerUnaryReactor* UnarySpliced(grpc::CallbackServerContext* context,
                                         absl::string_view method,
                                         const grpc::ByteBuffer* request_bytes,
                                         grpc::ByteBuffer* response, Work work) const {
    auto request = std::make_shared<Request>();  // kept until the work has run
    grpc::ByteBuffer received(*request_bytes);   // shares the slices
    if (!grpc::SerializationTraits<Request>::Deserialize(&received, request.get()).ok()) {
      grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat("request: not a valid ", Request::descriptor()->full_name(),
                                    " (a string that is not UTF-8, or bytes of another message)")));
      return reactor;
    }
    return Unary(context, method, *request,
                 [request, response, work = std::move(work)](const Caller& caller) {
                   std::string reply;
                   absl::Status status = work(caller, *request, &reply);
                   if (status.ok()) {
                     // The slice owns the reply's bytes: no copy.
                     auto* bytes = new std::string(std::move(reply));
                     grpc::Slice slice(
                         bytes->data(), bytes->size(),
                         [](void* owned) { delete static_cast<std::string*>(owned); }, bytes);
                     *response = grpc::ByteBuffer(&slice, 1);
                   }
                   return status;
                 });
  }

  // A unary call whose work ends later, e.g. after calls of its own to
  // other services: admit, then `work(caller, deadline, finish)` on the
  // executor, `deadline` being the client's (absl::InfiniteFuture() when
  // it set none). The work calls `finish(status)` exactly once, from any
  // thread, and must not wait for its own outgoing calls on the executor.
  template <typename Request, typename Work>
  grpc::ServerUnaryReactor* UnaryDeferred(grpc::CallbackServerContext* context,
                                          absl::string_view method, const Request& /*request*/,
                                          Work work) const {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    CallContext call{CallTraceparent(*context), ""};
    absl::StatusOr<Caller> caller;
    {
      ScopedCallContext scope(call);
      caller = authorizer_->Admit(*context, absl::StrCat(prefix_, method));
      NoteCaller(context, caller);
      if (!caller.ok()) {
        reactor->Finish(ToGrpcStatus(caller.status()));
        return reactor;
      }
    }
    const absl::Time deadline = absl::FromChrono(context->deadline());
    executor_->Post([reactor, caller = *std::move(caller), call = std::move(call), deadline,
                     work = std::move(work)]() mutable {
      ScopedCallContext scope(std::move(call));
      TakeUnvouchedRead();  // a mark left by earlier work on this thread is not ours
      // Reads here mark `unvouched` as they end, before the work can hand
      // the call to another thread; reads on the thread that finishes are
      // taken there.
      auto unvouched = std::make_shared<std::atomic<bool>>(false);
      ScopedUnvouchedReadMark mark(unvouched.get());
      work(caller, deadline, [reactor, unvouched](const absl::Status& status) {
        bool failed = TakeUnvouchedRead() || unvouched->load();
        reactor->Finish(ToGrpcStatus(failed && status.ok() ? UnvouchedReadError() : status));
      });
    });
    return reactor;
  }

  // SHA-256 (hex) of `request` serialized deterministically with its
  // request_id field cleared; "" when `request_id` is empty (nothing is
  // remembered then).
  static std::string FingerprintOf(const google::protobuf::Message& request,
                                   const std::string& request_id);

 private:
  static std::string RequestIdOf(const google::protobuf::Message& request);
  // The answer to a call whose reads saw a commit whose flush then failed.
  static absl::Status UnvouchedReadError();
  // Tells the access log who called (also when admission failed).
  void NoteCaller(grpc::CallbackServerContext* context, const absl::StatusOr<Caller>& caller,
                  const std::string& request_id = "") const;

  Authorizer* authorizer_;
  Executor* executor_;
  std::string prefix_;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_AUTH_H_
