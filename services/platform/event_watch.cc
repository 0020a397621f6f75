#include "services/platform/event_watch.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/platform/log.h"
#include "services/platform/validation.h"

namespace enamnd::platform {
namespace {

// Log rows read per fetch. Rows of other types than the stream wants are
// read and skipped, so a fetch is one scan of the primary key (or, for a
// stream filtered to a municipality, of that municipality's index range).
// Large enough that a replay spends its time writing, not reading.
constexpr int kFetchBatch = 500;

absl::StatusOr<int64_t> LogHead(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COALESCE(MAX(sequence), 0) FROM outbox"));
  return row.has_value() ? row->Int(0) : 0;
}

bool InAudience(absl::string_view audience, absl::string_view code) {
  for (absl::string_view member : absl::StrSplit(audience, ',')) {
    if (member == code) return true;
  }
  return false;
}

}  // namespace

std::set<std::string> EventTypesNextTo(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  std::set<std::string> types;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const google::protobuf::ServiceDescriptor* service : services) {
    const std::string& file = service->file()->name();
    size_t slash = file.rfind('/');
    std::string events = absl::StrCat(file.substr(0, slash + 1), "events.proto");
    const google::protobuf::FileDescriptor* descriptor = pool->FindFileByName(events);
    if (descriptor == nullptr) continue;
    for (int i = 0; i < descriptor->message_type_count(); ++i) {
      types.insert(descriptor->message_type(i)->full_name());
    }
  }
  return types;
}

namespace watch_internal {

// One open stream. Its state is under mutex_; every call into the sink
// (the reactor) happens under it and only while !finished_, so executor
// tasks still queued after the stream ended do nothing.
//
// The stream reads the log in batches on the executor (never on a gRPC
// thread) into queue_, and hands queue_ to gRPC one event at a time. It
// reads the next batch when notified of a commit or when the last batch was
// full, unless queue_ holds max_queued_bytes: then it waits for the reader
// to take events (paused_).
class WatchStream final : public Stream, public std::enable_shared_from_this<WatchStream> {
 public:
  WatchStream(EventWatch* hub, std::string method, Caller caller, WatchFilter filter,
              WatchHooks hooks)
      : hub_(hub),
        method_(std::move(method)),
        caller_(std::move(caller)),
        filter_(std::move(filter)),
        hooks_(std::move(hooks)),
        cursor_(filter_.after_sequence) {}

  const std::string& method() const { return method_; }
  const std::string& principal() const { return caller_.principal(); }

  void Attach(Sink* sink) {
    absl::MutexLock lock(&mutex_);
    sink_ = sink;
  }

  void Begin() {
    absl::MutexLock lock(&mutex_);
    ScheduleFetchLocked();
  }

  // A transaction that appended events committed.
  void Notify() {
    absl::MutexLock lock(&mutex_);
    if (finished_) return;
    if (fetching_) {
      dirty_ = true;
    } else if (QueueFullLocked()) {
      paused_ = true;
    } else {
      ScheduleFetchLocked();
    }
  }

  // The log's head moved to `head`.
  void CheckBacklog(int64_t head) {
    absl::MutexLock lock(&mutex_);
    CheckBacklogLocked(head);
  }

  void WriteDone(bool ok) override {
    absl::MutexLock lock(&mutex_);
    writing_ = false;
    if (!ok) {
      EndLocked(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    StartWriteLocked();
    if (paused_ && !fetching_ && !QueueFullLocked()) {
      paused_ = false;
      ScheduleFetchLocked();
    }
  }

  void Cancelled() override { End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }

  void Done() override { hub_->Forget(shared_from_this()); }

  void End(const grpc::Status& status) {
    absl::MutexLock lock(&mutex_);
    EndLocked(status);
  }

 private:
  struct Item {
    int64_t sequence;
    io::cloudevents::v1::CloudEvent event;
    size_t bytes;
  };

  bool QueueFullLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return queued_bytes_ >= hub_->options_.max_queued_bytes;
  }

  // Every wanted event up to this sequence has been handed to gRPC, which
  // sends it before any status: the cursor a cut-off reader resumes from.
  int64_t DeliveredThroughLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return queue_.empty() ? cursor_ : queue_.front().sequence - 1;
  }

  // A live stream that waits on its reader (queue full) and is more than
  // max_backlog events behind `head` ends; a replay is never cut off.
  void CheckBacklogLocked(int64_t head) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_ || !live_ || !QueueFullLocked()) return;
    int64_t delivered = DeliveredThroughLocked();
    int64_t behind = std::max(head, cursor_) - delivered;
    if (behind <= hub_->options_.max_backlog) return;
    queue_.clear();
    queued_bytes_ = 0;
    hub_->cut_off_.fetch_add(1);
    LogInfo("watch", method_, " of ", caller_.principal(), " cut off ", behind,
            " events behind (ENAMND_WATCH_MAX_BACKLOG ", hub_->options_.max_backlog, ")");
    EndLocked(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("fell ", behind, " events behind; resume with after_sequence=", delivered)));
  }

  void ScheduleFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_ || fetching_) return;
    fetching_ = true;
    dirty_ = false;
    paused_ = false;
    std::shared_ptr<WatchStream> self = shared_from_this();
    hub_->executor_->Post([self] { self->Fetch(); });
  }

  void StartWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_ || writing_ || queue_.empty() || sink_ == nullptr) return;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= item.bytes;
    writing_ = true;
    sink_->Send(item.sequence, std::move(item.event));
  }

  void EndLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_ || sink_ == nullptr) return;
    finished_ = true;
    sink_->Close(status);
  }

  // Runs on the executor: reads the next batch after the cursor.
  void Fetch() {
    int64_t from;
    {
      absl::MutexLock lock(&mutex_);
      if (finished_) return;
      from = cursor_;
    }
    absl::StatusOr<std::vector<LoggedEvent>> events = Read(from);
    absl::MutexLock lock(&mutex_);
    fetching_ = false;
    if (!events.ok()) {
      EndLocked(ToGrpcStatus(events.status()));
      return;
    }
    size_t taken = 0;
    for (const LoggedEvent& e : *events) {
      if (QueueFullLocked() && !queue_.empty()) break;  // the rest is read again later
      ++taken;
      cursor_ = e.sequence;
      if (!Wanted(e)) continue;
      Item item{e.sequence, {}, e.event.size()};
      if (!item.event.ParseFromString(e.event)) {
        EndLocked(grpc::Status(grpc::StatusCode::DATA_LOSS,
                               absl::StrCat("event ", e.sequence, " in the log does not parse")));
        return;
      }
      queue_.push_back(std::move(item));
      queued_bytes_ += e.event.size();
    }
    bool more = taken < events->size() || static_cast<int>(events->size()) == kFetchBatch;
    if (!more) live_ = true;  // read up to the head
    if (more || dirty_) {
      if (QueueFullLocked()) {
        paused_ = true;
        CheckBacklogLocked(hub_->head());
      } else {
        ScheduleFetchLocked();
      }
    }
    StartWriteLocked();
  }

  // The batch after `from` in one read transaction; the first read also
  // checks the cursor against the head and the municipality. Returns once
  // the rows read are on disk (the read transaction's end waits for the
  // durable commits it could see, and events commit durably): nothing
  // reaches a client that a crash could take back.
  absl::StatusOr<std::vector<LoggedEvent>> Read(int64_t from) {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, hub_->db_->BeginRead());
    if (!checked_) {
      ENAMND_ASSIGN_OR_RETURN(int64_t head, LogHead(tx));
      hub_->RaiseHead(head);
      if (from > head) {
        return absl::OutOfRangeError(
            absl::StrCat("after_sequence ", from, " is beyond the log's head ", head));
      }
      if (!filter_.municipality.empty() && hooks_.check_municipality) {
        ENAMND_RETURN_IF_ERROR(hooks_.check_municipality(tx, filter_.municipality));
      }
      checked_ = true;
    }
    // A stream of one municipality reads only its events (outbox_audience).
    ENAMND_ASSIGN_OR_RETURN(
        std::vector<LoggedEvent> events,
        filter_.municipality.empty()
            ? Outbox::ReadAfter(tx, from, kFetchBatch)
            : Outbox::ReadAfterInAudience(tx, filter_.municipality, from, kFetchBatch));
    hub_->rows_read_.fetch_add(static_cast<int64_t>(events.size()));
    if (!events.empty()) hub_->RaiseHead(events.back().sequence);
    if (hooks_.transform && !events.empty()) {
      ENAMND_RETURN_IF_ERROR(hooks_.transform(tx, caller_, from, events));
    }
    // Ending it waits for the flush; a failed flush ends the stream.
    ENAMND_RETURN_IF_ERROR(tx.Commit());
    return events;
  }

  bool Wanted(const LoggedEvent& e) const {
    if (!filter_.types.empty() && filter_.types.count(e.type) == 0) return false;
    return filter_.municipality.empty() || InAudience(e.audience, filter_.municipality);
  }

  EventWatch* const hub_;
  const std::string method_;
  const Caller caller_;
  const WatchFilter filter_;
  const WatchHooks hooks_;
  bool checked_ = false;  // touched only by the (single) running Fetch
  absl::Mutex mutex_;
  Sink* sink_ ABSL_GUARDED_BY(mutex_) = nullptr;
  // The last sequence read from the log (and queued if wanted).
  int64_t cursor_ ABSL_GUARDED_BY(mutex_);
  std::deque<Item> queue_ ABSL_GUARDED_BY(mutex_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mutex_) = 0;
  bool finished_ ABSL_GUARDED_BY(mutex_) = false;
  bool writing_ ABSL_GUARDED_BY(mutex_) = false;
  bool fetching_ ABSL_GUARDED_BY(mutex_) = false;
  bool dirty_ ABSL_GUARDED_BY(mutex_) = false;   // a commit arrived during the fetch
  bool paused_ ABSL_GUARDED_BY(mutex_) = false;  // more to read once the reader takes some
  bool live_ ABSL_GUARDED_BY(mutex_) = false;    // has read up to the head once
};

}  // namespace watch_internal

using watch_internal::WatchStream;

EventWatch::EventWatch(Database* db, Outbox* outbox, Executor* executor, WatchOptions options)
    : db_(db), outbox_(outbox), executor_(executor), options_(std::move(options)) {
  auto tx = db_->BeginRead();
  if (tx.ok()) {
    auto head = LogHead(*tx);
    if (head.ok()) head_.store(*head);
  }
  listener_ = outbox_->AddListener([this] { OnCommit(); });
  MetricsRegistry& metrics = MetricsRegistry::Global();
  for (const char* method : {"WatchEvents", "WatchDecisions"}) {
    metrics_.push_back(metrics.AddCallbackGauge(
        "enamnd_watch_streams", "Open event streams over gRPC.", {{"method", method}},
        [this, method] { return static_cast<double>(open_streams(method)); }));
  }
  metrics_.push_back(metrics.AddCallbackCounter(
      "enamnd_watch_cut_off_total",
      "Streams ended with RESOURCE_EXHAUSTED because the reader fell too far behind.", {},
      [this] { return static_cast<double>(cut_off_.load()); }));
}

EventWatch::~EventWatch() {
  outbox_->RemoveListener(listener_);
  EndAll();
}

void EventWatch::SetHooks(WatchHooks hooks) {
  absl::MutexLock lock(&mutex_);
  hooks_ = std::move(hooks);
}

void EventWatch::RaiseHead(int64_t sequence) {
  int64_t known = head_.load();
  while (sequence > known && !head_.compare_exchange_weak(known, sequence)) {
  }
}

void EventWatch::OnCommit() {
  std::vector<std::shared_ptr<WatchStream>> streams;
  {
    absl::MutexLock lock(&mutex_);
    if (streams_.empty()) return;
    streams.assign(streams_.begin(), streams_.end());
    if (head_refresh_queued_) {
      head_refresh_again_ = true;
    } else {
      head_refresh_queued_ = true;
      executor_->Post([this] { RefreshHead(); });
    }
  }
  for (const auto& stream : streams) stream->Notify();
}

void EventWatch::RefreshHead() {
  while (true) {
    {
      absl::MutexLock lock(&mutex_);
      head_refresh_again_ = false;
    }
    auto tx = db_->BeginRead();
    if (tx.ok()) {
      absl::StatusOr<int64_t> head = LogHead(*tx);
      if (head.ok()) RaiseHead(*head);
    }
    std::vector<std::shared_ptr<WatchStream>> streams;
    {
      absl::MutexLock lock(&mutex_);
      streams.assign(streams_.begin(), streams_.end());
    }
    for (const auto& stream : streams) stream->CheckBacklog(head_.load());
    absl::MutexLock lock(&mutex_);
    if (!head_refresh_again_) {
      head_refresh_queued_ = false;
      return;
    }
  }
}

absl::StatusOr<WatchFilter> EventWatch::FilterOf(
    const common::v1::WatchEventsRequest& request) const {
  WatchFilter filter;
  if (request.after_sequence() < 0) {
    return InvalidField("after_sequence",
                        absl::StrCat("must not be negative, got ", request.after_sequence()));
  }
  filter.after_sequence = request.after_sequence();
  ENAMND_RETURN_IF_ERROR(ValidateListLength(request.types_size(), "types"));
  for (const std::string& type : request.types()) {
    if (!options_.event_types.empty() && options_.event_types.count(type) == 0) {
      return InvalidField("types",
                          absl::StrCat("unknown event type \"", type, "\"; this service publishes ",
                                       absl::StrJoin(options_.event_types, ", ")));
    }
    filter.types.insert(type);
  }
  if (!request.municipality().empty()) {
    ENAMND_ASSIGN_OR_RETURN(filter.municipality,
                            ParseMunicipalityName(request.municipality(), "municipality"));
  }
  return filter;
}

absl::Status EventWatch::CheckScope(const Caller& caller, const WatchFilter& filter) {
  // A caller whose role reaches only its municipalities (a municipality
  // system) watches the events addressed to one of them, never the rest.
  if (caller.ReachesEveryMunicipality()) return absl::OkStatus();
  if (filter.municipality.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat(caller.method(), ": ", caller.principal(),
                     " watches the events addressed to its municipality: set municipality"));
  }
  return caller.RequireMunicipality(
      filter.municipality,
      absl::StrCat("events addressed to municipalities/", filter.municipality));
}

grpc::ServerWriteReactor<common::v1::WatchEventsResponse>* EventWatch::WatchEvents(
    grpc::CallbackServerContext* context, const common::v1::WatchEventsRequest& request,
    const Gate& gate) {
  using Response = common::v1::WatchEventsResponse;
  absl::StatusOr<Caller> caller = gate.Admit(context, "WatchEvents");
  if (!caller.ok()) return Refuse<Response>(caller.status());
  absl::StatusOr<WatchFilter> filter = FilterOf(request);
  if (!filter.ok()) return Refuse<Response>(filter.status());
  absl::Status scoped = CheckScope(*caller, *filter);
  if (!scoped.ok()) return Refuse<Response>(scoped);
  return Open<Response>("WatchEvents", *caller, *std::move(filter));
}

void EventWatch::Start(absl::string_view method, const Caller& caller, WatchFilter filter,
                       watch_internal::Sink* sink) {
  WatchHooks hooks;
  {
    absl::MutexLock lock(&mutex_);
    hooks = hooks_;
  }
  auto stream = std::make_shared<WatchStream>(this, std::string(method), caller, std::move(filter),
                                              std::move(hooks));
  // Bound both ways before anyone can wake or end it: a stream in streams_
  // always has its sink, and a refused one ends through the stream too.
  sink->Bind(stream);
  stream->Attach(sink);
  absl::Status admitted = Admit(stream);
  if (!admitted.ok()) {
    stream->End(ToGrpcStatus(admitted));
    return;
  }
  stream->Begin();
}

absl::Status EventWatch::Admit(const std::shared_ptr<WatchStream>& stream) {
  absl::MutexLock lock(&mutex_);
  if (ending_) return absl::UnavailableError("server shutting down");
  auto open = per_principal_.find(stream->principal());
  int count = open == per_principal_.end() ? 0 : open->second;
  if (count >= options_.max_streams_per_principal) {
    return absl::ResourceExhaustedError(
        absl::StrCat(stream->principal(), " already has ", count,
                     " open watch streams (WatchEvents and WatchDecisions together; "
                     "ENAMND_MAX_WATCHES); close one first"));
  }
  ++per_principal_[stream->principal()];
  ++per_method_[stream->method()];
  streams_.insert(stream);
  return absl::OkStatus();
}

void EventWatch::Forget(const std::shared_ptr<WatchStream>& stream) {
  absl::MutexLock lock(&mutex_);
  if (streams_.erase(stream) == 0) return;
  auto principal = per_principal_.find(stream->principal());
  if (principal != per_principal_.end() && --principal->second == 0) {
    per_principal_.erase(principal);
  }
  auto method = per_method_.find(stream->method());
  if (method != per_method_.end() && --method->second == 0) per_method_.erase(method);
}

void EventWatch::EndAll() {
  std::vector<std::shared_ptr<WatchStream>> streams;
  {
    absl::MutexLock lock(&mutex_);
    ending_ = true;
    streams.assign(streams_.begin(), streams_.end());
  }
  for (const auto& stream : streams) {
    stream->End(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "server shutting down; reconnect with your last sequence"));
  }
}

int EventWatch::open_streams() const {
  absl::MutexLock lock(&mutex_);
  return static_cast<int>(streams_.size());
}

int EventWatch::open_streams(absl::string_view method) const {
  absl::MutexLock lock(&mutex_);
  auto it = per_method_.find(method);
  return it == per_method_.end() ? 0 : it->second;
}

}  // namespace enamnd::platform
