// What the platform knows about the call a thread is working for: set by
// the Gate around a handler's work (and by a subscriber around an event's
// handling), read by code that has no Caller at hand: the outbox (the W3C
// traceparent travels into the event), the request-id table (a reused id
// with another request is refused) and the logger (lines carry the trace).
#ifndef ENAMND_PLATFORM_CALL_CONTEXT_H_
#define ENAMND_PLATFORM_CALL_CONTEXT_H_

#include <string>

namespace enamnd::platform {

struct CallContext {
  // A valid W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>"), or empty.
  std::string traceparent;
  // SHA-256 (hex) of the request with its request_id cleared: what a
  // request_id was first used with (AIP-155). Empty outside unary calls.
  std::string request_fingerprint;
};

// The context of the call the current thread works for; never null (an
// empty context outside any call).
const CallContext& CurrentCall();

// Makes `context` the current thread's call for its lifetime (nests).
class ScopedCallContext {
 public:
  explicit ScopedCallContext(CallContext context);
  ~ScopedCallContext();
  ScopedCallContext(const ScopedCallContext&) = delete;
  ScopedCallContext& operator=(const ScopedCallContext&) = delete;

 private:
  CallContext context_;
  const CallContext* previous_;
};

// `value` if it is a well-formed W3C traceparent (version 00, non-zero
// trace and parent ids, lower-case hex), else empty.
std::string ValidTraceparent(const std::string& value);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_CALL_CONTEXT_H_
