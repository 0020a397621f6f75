#include "services/meetings/api/grpc_service.h"

#include <deque>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/meetings/domain/rules.h"
#include "services/meetings/store/store.h"
#include "services/platform/log.h"

namespace enamnd::meetings {
namespace {

// Event types a decision subscriber receives.
const std::set<std::string>& DecisionEventTypes() {
  static const auto* types = new std::set<std::string>{
      "enamnd.meetings.v1.DecisionRecorded",  "enamnd.meetings.v1.DecisionUpdated",
      "enamnd.meetings.v1.ProtocolAdjusted",  "enamnd.meetings.v1.NoticePosted",
      "enamnd.meetings.v1.NoticeOverdue",     "enamnd.meetings.v1.AppealLodged",
      "enamnd.meetings.v1.ProtocolCorrected", "enamnd.meetings.v1.DecisionFinal"};
  return *types;
}

constexpr int kFetchBatch = 200;
constexpr size_t kMaxQueued = 100;

// Puts the sealed (full) payload of `e`, if it has one, in place of the
// redacted payload its outbox copy carries (callers with the confidential
// role only).
void Unseal(const std::map<int64_t, std::string>& sealed, platform::LoggedEvent* e) {
  auto it = sealed.find(e->sequence);
  if (it == sealed.end()) return;
  io::cloudevents::v1::CloudEvent event;
  if (!event.ParseFromString(e->event)) return;  // Fetch reports it
  event.mutable_proto_data()->set_value(it->second);
  e->event = event.SerializeAsString();
}

}  // namespace

// The shared state of one WatchDecisions stream. Every call into the reactor
// (StartWrite, Finish) happens under mutex_ and only while !finished_, so
// tasks still queued on the executor after the stream ended are harmless.
class WatchState : public std::enable_shared_from_this<WatchState> {
 public:
  using Reactor = grpc::ServerWriteReactor<v1::WatchDecisionsResponse>;

  WatchState(MeetingsGrpcService* service, int64_t after, std::string municipality_code,
             bool sees_confidential)
      : service_(service),
        sees_confidential_(sees_confidential),
        cursor_(after),
        municipality_code_(std::move(municipality_code)) {}

  void Attach(Reactor* reactor) {
    absl::MutexLock lock(&mutex_);
    reactor_ = reactor;
  }

  // Starts the replay.
  void Begin() {
    absl::MutexLock lock(&mutex_);
    ScheduleFetchLocked();
  }

  // New events were committed.
  void Notify() {
    absl::MutexLock lock(&mutex_);
    if (finished_) return;
    if (fetching_) {
      dirty_ = true;
    } else if (queue_.size() >= kMaxQueued) {
      more_ = true;
    } else {
      ScheduleFetchLocked();
    }
  }

  void WriteDone(bool ok) {
    absl::MutexLock lock(&mutex_);
    if (!queue_.empty()) queue_.pop_front();
    writing_ = false;
    if (!ok) {
      EndLocked(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    StartWriteLocked();
    if (more_ && !fetching_ && queue_.size() < kMaxQueued) {
      more_ = false;
      ScheduleFetchLocked();
    }
  }

  void End(const grpc::Status& status) {
    absl::MutexLock lock(&mutex_);
    EndLocked(status);
  }

 private:
  void ScheduleFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_ || fetching_) return;
    fetching_ = true;
    dirty_ = false;
    std::shared_ptr<WatchState> self = shared_from_this();
    service_->executor_->Post([self] { self->Fetch(); });
  }

  void StartWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_ || writing_ || queue_.empty() || reactor_ == nullptr) return;
    writing_ = true;
    reactor_->StartWrite(&queue_.front());
  }

  void EndLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (finished_ || reactor_ == nullptr) return;
    finished_ = true;
    reactor_->Finish(status);
  }

  // Runs on the executor: reads the next events after the cursor.
  void Fetch() {
    int64_t from;
    {
      absl::MutexLock lock(&mutex_);
      if (finished_) return;
      from = cursor_;
    }
    absl::StatusOr<std::vector<platform::LoggedEvent>> events = ReadAfter(from);
    absl::MutexLock lock(&mutex_);
    fetching_ = false;
    if (!events.ok()) {
      EndLocked(platform::ToGrpcStatus(events.status()));
      return;
    }
    for (const platform::LoggedEvent& e : *events) {
      cursor_ = e.sequence;
      if (!Wanted(e)) continue;
      v1::WatchDecisionsResponse response;
      response.set_sequence(e.sequence);
      if (!response.mutable_event()->ParseFromString(e.event)) {
        EndLocked(grpc::Status(grpc::StatusCode::DATA_LOSS,
                               absl::StrCat("event ", e.sequence, " in the log does not parse")));
        return;
      }
      queue_.push_back(std::move(response));
    }
    bool full = static_cast<int>(events->size()) == kFetchBatch;
    if (full || dirty_) {
      if (queue_.size() < kMaxQueued) {
        ScheduleFetchLocked();
      } else {
        more_ = true;
      }
    }
    StartWriteLocked();
  }

  // The next batch of the durable log after `from` (one scan; events of
  // other types are skipped by Wanted, few per decision). The first call
  // also checks that the municipality exists.
  absl::StatusOr<std::vector<platform::LoggedEvent>> ReadAfter(int64_t from) {
    ENAMND_ASSIGN_OR_RETURN(platform::Transaction tx, service_->db_->BeginRead());
    if (!municipality_checked_ && !municipality_code_.empty()) {
      MunicipalityName municipality{municipality_code_};
      ENAMND_ASSIGN_OR_RETURN(auto found, store::GetMunicipality(tx, municipality));
      if (!found.has_value()) {
        return platform::InvalidField(
            "municipality", absl::StrCat("unknown municipality ", municipality.ToString()));
      }
    }
    municipality_checked_ = true;
    ENAMND_ASSIGN_OR_RETURN(auto events, platform::Outbox::ReadAfter(tx, from, kFetchBatch));
    if (sees_confidential_ && !events.empty()) {
      ENAMND_ASSIGN_OR_RETURN(auto sealed, store::SealedEvents(tx, from, events.back().sequence));
      for (platform::LoggedEvent& e : events) Unseal(sealed, &e);
    }
    return events;
  }

  // A decision event, addressed to the municipality if the stream has one.
  bool Wanted(const platform::LoggedEvent& e) const {
    if (DecisionEventTypes().count(e.type) == 0) return false;
    if (municipality_code_.empty()) return true;
    std::vector<absl::string_view> audience = absl::StrSplit(e.audience, ',');
    return std::find(audience.begin(), audience.end(), municipality_code_) != audience.end();
  }

  MeetingsGrpcService* service_;
  // Events about paragraphs under secrecy come in full (sealed payloads).
  const bool sees_confidential_;
  bool municipality_checked_ = false;  // touched only by the (single) running Fetch
  absl::Mutex mutex_;
  Reactor* reactor_ ABSL_GUARDED_BY(mutex_) = nullptr;
  int64_t cursor_ ABSL_GUARDED_BY(mutex_);
  const std::string municipality_code_;
  std::deque<v1::WatchDecisionsResponse> queue_ ABSL_GUARDED_BY(mutex_);
  bool finished_ ABSL_GUARDED_BY(mutex_) = false;
  bool writing_ ABSL_GUARDED_BY(mutex_) = false;
  bool fetching_ ABSL_GUARDED_BY(mutex_) = false;
  bool dirty_ ABSL_GUARDED_BY(mutex_) = false;
  bool more_ ABSL_GUARDED_BY(mutex_) = false;
};

namespace {

class WatchReactor : public grpc::ServerWriteReactor<v1::WatchDecisionsResponse> {
 public:
  WatchReactor(std::shared_ptr<WatchState> state, std::function<void()> on_done)
      : state_(std::move(state)), on_done_(std::move(on_done)) {}
  void OnWriteDone(bool ok) override { state_->WriteDone(ok); }
  void OnCancel() override { state_->End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }
  void OnDone() override {
    on_done_();
    delete this;
  }

 private:
  std::shared_ptr<WatchState> state_;
  std::function<void()> on_done_;
};

// Finishes at once with an error.
class FailedWriteReactor : public grpc::ServerWriteReactor<v1::WatchDecisionsResponse> {
 public:
  explicit FailedWriteReactor(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

MeetingsGrpcService::MeetingsGrpcService(const platform::ServiceContext& context)
    : db_(context.db),
      outbox_(context.outbox),
      executor_(context.executor),
      gate_(context.authorizer, context.executor, v1::MeetingsService::service_full_name()),
      max_watches_per_principal_(context.config->max_watch_streams_per_principal),
      api_(context.db, context.outbox, context.clock) {
  listener_ = outbox_->AddListener([this] {
    absl::MutexLock lock(&mutex_);
    for (const auto& state : watches_) state->Notify();
  });
}

MeetingsGrpcService::~MeetingsGrpcService() {
  outbox_->RemoveListener(listener_);
  EndStreams();
}

void MeetingsGrpcService::EndStreams() {
  std::set<std::shared_ptr<WatchState>> watches;
  {
    absl::MutexLock lock(&mutex_);
    ending_ = true;
    watches = watches_;
  }
  for (const auto& state : watches) {
    state->End(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "server shutting down; reconnect with your last sequence"));
  }
}

void MeetingsGrpcService::Forget(const std::shared_ptr<WatchState>& state,
                                 const std::string& principal) {
  absl::MutexLock lock(&mutex_);
  watches_.erase(state);
  auto it = watches_per_principal_.find(principal);
  if (it != watches_per_principal_.end() && --it->second == 0) watches_per_principal_.erase(it);
}

grpc::ServerWriteReactor<v1::WatchDecisionsResponse>* MeetingsGrpcService::WatchDecisions(
    grpc::CallbackServerContext* context, const v1::WatchDecisionsRequest* request) {
  absl::StatusOr<platform::Caller> caller = gate_.Admit(context, "WatchDecisions");
  if (!caller.ok()) return new FailedWriteReactor(platform::ToGrpcStatus(caller.status()));
  if (request->after_sequence() < 0) {
    return new FailedWriteReactor(
        platform::ToGrpcStatus(platform::InvalidField("after_sequence", "must not be negative")));
  }
  std::string code;
  if (!request->municipality().empty()) {
    auto parsed = MunicipalityName::Parse(request->municipality(), "municipality");
    if (!parsed.ok()) return new FailedWriteReactor(platform::ToGrpcStatus(parsed.status()));
    code = parsed->code;
  }
  auto state = std::make_shared<WatchState>(this, request->after_sequence(), code,
                                            caller->SeesConfidential());
  {
    absl::MutexLock lock(&mutex_);
    if (ending_) {
      return new FailedWriteReactor(
          grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
    }
    int& open = watches_per_principal_[caller->principal()];
    if (open >= max_watches_per_principal_) {
      return new FailedWriteReactor(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat(caller->principal(), " already has ", open,
                       " open WatchDecisions streams (ENAMND_MAX_WATCHES); close one first")));
    }
    ++open;
    watches_.insert(state);
  }
  auto* reactor = new WatchReactor(
      state, [this, state, principal = caller->principal()] { Forget(state, principal); });
  state->Attach(reactor);
  state->Begin();
  return reactor;
}

}  // namespace enamnd::meetings
