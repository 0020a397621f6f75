// The meetings service as a platform::Service (used by main.cc and tests).
#include "services/meetings/api/service.h"

#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "services/platform/log.h"

#include "services/meetings/api/grpc_service.h"
#include "services/meetings/store/store.h"
#include "services/platform/server.h"

namespace enamnd::meetings {
namespace {

// Runs the deadline job (NoticeOverdue, DecisionFinal) at start, every
// minute, and soon after any commit, on its own thread.
class DeadlineWatcher {
 public:
  DeadlineWatcher(MeetingsApi* api, platform::Outbox* outbox, platform::LegalClock* clock)
      : api_(api), outbox_(outbox), clock_(clock) {
    listener_ = outbox_->AddListener([this] {
      absl::MutexLock lock(&mutex_);
      wake_ = true;
    });
    thread_ = std::thread([this] { Run(); });
  }
  ~DeadlineWatcher() {
    {
      absl::MutexLock lock(&mutex_);
      stopping_ = true;
    }
    thread_.join();
    outbox_->RemoveListener(listener_);
  }

 private:
  void Run() {
    while (true) {
      absl::Status status = api_->RunDeadlines(clock_->Today());
      if (!status.ok()) platform::LogWarning("deadlines", "will retry: ", status.ToString());
      absl::MutexLock lock(&mutex_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return wake_ || stopping_; };
      mutex_.AwaitWithTimeout(absl::Condition(&woken), absl::Minutes(1));
      if (stopping_) return;
      wake_ = false;
    }
  }

  MeetingsApi* api_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
  int listener_ = 0;
  absl::Mutex mutex_;
  bool wake_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

class MeetingsService : public platform::Service {
 public:
  std::vector<platform::MigrationSet> Migrations() const override {
    return {MeetingsMigrations()};
  }
  absl::Status Start(const platform::ServiceContext& context) override {
    grpc_ = std::make_unique<MeetingsGrpcService>(context.db, context.outbox, context.executor,
                                                  context.clock);
    // Catch up on deadlines that passed while the service was down before
    // reporting SERVING; then keep watching.
    absl::Status caught_up = grpc_->api()->RunDeadlines(context.clock->Today());
    if (!caught_up.ok()) {
      platform::LogWarning("deadlines", "catching up at start: ", caught_up.ToString());
    }
    deadlines_ = std::make_unique<DeadlineWatcher>(grpc_->api(), context.outbox, context.clock);
    return absl::OkStatus();
  }
  std::vector<grpc::Service*> GrpcServices() override { return {grpc_.get()}; }
  std::vector<std::string> GrpcServiceNames() const override {
    return {"enamnd.meetings.v1.MeetingsService"};
  }
  void BeginShutdown() override {
    deadlines_.reset();
    if (grpc_ != nullptr) grpc_->EndStreams();
  }

 private:
  std::unique_ptr<MeetingsGrpcService> grpc_;
  std::unique_ptr<DeadlineWatcher> deadlines_;
};

}  // namespace

std::unique_ptr<platform::Service> NewMeetingsService() {
  return std::make_unique<MeetingsService>();
}

}  // namespace enamnd::meetings
