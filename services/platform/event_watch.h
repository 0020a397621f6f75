// Watch streams: a service's durable event log (the outbox) over gRPC. A
// stream replays the log after the client's cursor, then follows it live as
// transactions commit, filtered by event type and audience municipality.
// Every service serves WatchEvents through it (ENAMND_WATCH_EVENTS); a
// service may open streams of its own shape too (meetings: WatchDecisions).
//
// Memory is bounded per stream: the events read but not yet handed to gRPC
// are at most WatchOptions::max_queued_bytes, and reading the log pauses
// while they are, so a replay goes at the reader's pace. A reader that
// falls more than max_backlog events behind the log once it has caught up
// (it stopped reading, or reads slower than events are written) is ended
// with RESOURCE_EXHAUSTED and resumes from its cursor.
#ifndef ENAMND_PLATFORM_EVENT_WATCH_H_
#define ENAMND_PLATFORM_EVENT_WATCH_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "enamnd/common/v1/watch.pb.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "google/protobuf/descriptor.h"
#include "services/platform/auth.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/executor.h"
#include "services/platform/metrics.h"
#include "services/platform/outbox.h"
#include "services/platform/status.h"

namespace enamnd::platform {

struct WatchOptions {
  // ENAMND_MAX_WATCHES: open streams per principal, every method together.
  int max_streams_per_principal = 8;
  // ENAMND_WATCH_MAX_BACKLOG: events committed after the last one a live
  // stream has written, beyond which a stream waiting on its reader ends.
  int64_t max_backlog = 1000;
  // Bytes of events read and not yet handed to gRPC, per stream (at least
  // one event, however large).
  size_t max_queued_bytes = 256 * 1024;
  // The event types the service publishes (full names); empty: unknown, so
  // WatchEvents accepts any name in `types`.
  std::set<std::string> event_types;
};

// What a service adds to its streams; both optional.
struct WatchHooks {
  // Checks the municipality (SCB code) of a stream once, in its first read
  // transaction, e.g. that the service knows it; an error ends the stream.
  std::function<absl::Status(Transaction& tx, const std::string& code)> check_municipality;
  // Rewrites a batch of events read in `tx` (after sequence `after`) for
  // `caller` before filtering: e.g. meetings puts the full payload of an
  // event under secrecy in place of the redacted one for the
  // confidential role.
  std::function<absl::Status(Transaction& tx, const Caller& caller, int64_t after,
                             std::vector<LoggedEvent>& events)>
      transform;
};

// Which events a stream carries.
struct WatchFilter {
  int64_t after_sequence = 0;
  std::set<std::string> types;  // full type names; empty: every type
  std::string municipality;     // SCB code in the audience; empty: any
};

// The message types of the events.proto next to each of `services`' files
// (enamnd/<area>/v1/events.proto): the types a service publishes.
std::set<std::string> EventTypesNextTo(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

namespace watch_internal {

// The stream's side of its reactor.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual void WriteDone(bool ok) = 0;
  virtual void Cancelled() = 0;
  virtual void Done() = 0;
};

// The reactor's side, called by the stream under its lock and never after
// Close.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Bind(std::shared_ptr<Stream> stream) = 0;
  // Starts writing one event; the stream waits for WriteDone before the next.
  virtual void Send(int64_t sequence, io::cloudevents::v1::CloudEvent event) = 0;
  virtual void Close(const grpc::Status& status) = 0;
};

// A server-streaming reactor of any response with the fields `sequence`
// and `event` (WatchEventsResponse, WatchDecisionsResponse).
template <typename Response>
class Reactor final : public grpc::ServerWriteReactor<Response>, public Sink {
 public:
  void Bind(std::shared_ptr<Stream> stream) override { stream_ = std::move(stream); }

  // No buffer hint for a write with more queued: a buffered write completes
  // (OnWriteDone) only once something flushes it, and the stream waits for
  // that completion before its next write.
  void Send(int64_t sequence, io::cloudevents::v1::CloudEvent event) override {
    in_flight_.set_sequence(sequence);
    *in_flight_.mutable_event() = std::move(event);
    this->StartWrite(&in_flight_);
  }
  void Close(const grpc::Status& status) override { this->Finish(status); }

  void OnWriteDone(bool ok) override {
    if (stream_ != nullptr) stream_->WriteDone(ok);
  }
  void OnCancel() override {
    if (stream_ != nullptr) stream_->Cancelled();
  }
  void OnDone() override {
    if (stream_ != nullptr) stream_->Done();
    delete this;
  }

 private:
  std::shared_ptr<Stream> stream_;
  Response in_flight_;  // the event being written
};

class WatchStream;

}  // namespace watch_internal

// The watch streams of one service: opens them under the per-principal
// limit, wakes them when the outbox commits, ends them at shutdown. The
// server runner owns one per service (ServiceContext::watch).
class EventWatch {
 public:
  EventWatch(Database* db, Outbox* outbox, Executor* executor, WatchOptions options);
  ~EventWatch();  // after every stream has ended (the gRPC server is down)
  EventWatch(const EventWatch&) = delete;
  EventWatch& operator=(const EventWatch&) = delete;

  // The service's hooks, for every stream opened afterwards. Call while
  // building the service, before it serves.
  void SetHooks(WatchHooks hooks) ABSL_LOCKS_EXCLUDED(mutex_);

  // The WatchEvents RPC: admits the caller through `gate`, checks the
  // request (INVALID_ARGUMENT naming the field) and opens the stream.
  grpc::ServerWriteReactor<common::v1::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* context, const common::v1::WatchEventsRequest& request,
      const Gate& gate);

  // Opens a stream of `filter` for an admitted caller of `method` (e.g.
  // "WatchDecisions"). Response has the fields `sequence` and `event`.
  template <typename Response>
  grpc::ServerWriteReactor<Response>* Open(absl::string_view method, const Caller& caller,
                                           WatchFilter filter) {
    auto* reactor = new watch_internal::Reactor<Response>();
    Start(method, caller, std::move(filter), reactor);
    return reactor;
  }

  // A stream refused before it opens (bad request, denied caller).
  template <typename Response>
  static grpc::ServerWriteReactor<Response>* Refuse(const absl::Status& status) {
    auto* reactor = new watch_internal::Reactor<Response>();
    reactor->Close(ToGrpcStatus(status));
    return reactor;
  }

  // Ends every open stream with UNAVAILABLE and refuses new ones (shutdown).
  void EndAll() ABSL_LOCKS_EXCLUDED(mutex_);

  // Open streams, all methods or one ("WatchEvents"), e.g. for metrics.
  int open_streams() const ABSL_LOCKS_EXCLUDED(mutex_);
  int open_streams(absl::string_view method) const ABSL_LOCKS_EXCLUDED(mutex_);

  // Streams ended for falling too far behind (RESOURCE_EXHAUSTED), e.g.
  // for metrics.
  int64_t cut_off() const { return cut_off_.load(); }

  // The highest committed sequence this process knows of.
  int64_t head() const { return head_.load(); }

  // Log rows read by every stream since construction (a filtered stream
  // reads only its municipality's rows): for tests and metrics.
  int64_t rows_read() const { return rows_read_.load(); }

 private:
  friend class watch_internal::WatchStream;

  // Makes the stream of `sink` and starts it, or ends it at once (limit,
  // shutdown).
  void Start(absl::string_view method, const Caller& caller, WatchFilter filter,
             watch_internal::Sink* sink) ABSL_LOCKS_EXCLUDED(mutex_);
  // Counts `stream` in, or says why not.
  absl::Status Admit(const std::shared_ptr<watch_internal::WatchStream>& stream)
      ABSL_LOCKS_EXCLUDED(mutex_);
  absl::StatusOr<WatchFilter> FilterOf(const common::v1::WatchEventsRequest& request) const;
  // OK for a caller of any reach; a scoped caller (scoped_roles) must
  // filter by one of its municipalities: it sees the events addressed to
  // it, nothing else.
  static absl::Status CheckScope(const Caller& caller, const WatchFilter& filter);
  void Forget(const std::shared_ptr<watch_internal::WatchStream>& stream)
      ABSL_LOCKS_EXCLUDED(mutex_);
  // After a commit: wake the streams now, and re-read the head (once for a
  // burst of commits) to check the backlog of the live ones.
  void OnCommit() ABSL_LOCKS_EXCLUDED(mutex_);
  void RefreshHead() ABSL_LOCKS_EXCLUDED(mutex_);
  void RaiseHead(int64_t sequence);

  Database* const db_;
  Outbox* const outbox_;
  Executor* const executor_;
  const WatchOptions options_;
  int listener_ = 0;
  std::atomic<int64_t> head_{0};
  std::atomic<int64_t> cut_off_{0};
  std::atomic<int64_t> rows_read_{0};
  mutable absl::Mutex mutex_;
  WatchHooks hooks_ ABSL_GUARDED_BY(mutex_);
  std::set<std::shared_ptr<watch_internal::WatchStream>> streams_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, int> per_principal_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, int, std::less<>> per_method_ ABSL_GUARDED_BY(mutex_);
  bool head_refresh_queued_ ABSL_GUARDED_BY(mutex_) = false;
  bool head_refresh_again_ ABSL_GUARDED_BY(mutex_) = false;
  bool ending_ ABSL_GUARDED_BY(mutex_) = false;
  // Last: removed (and waited for) before anything their callbacks read.
  std::vector<MetricHandle> metrics_;
};

}  // namespace enamnd::platform

// Inside a generated CallbackService subclass with members `gate_`
// (platform::Gate) and `watch_` (platform::EventWatch*, from
// ServiceContext::watch): declares the WatchEvents RPC.
#define ENAMND_WATCH_EVENTS()                                                                    \
  grpc::ServerWriteReactor<::enamnd::common::v1::WatchEventsResponse>* WatchEvents(              \
      grpc::CallbackServerContext* context, const ::enamnd::common::v1::WatchEventsRequest* req) \
      override {                                                                                 \
    return watch_->WatchEvents(context, *req, gate_);                                            \
  }

#endif  // ENAMND_PLATFORM_EVENT_WATCH_H_
