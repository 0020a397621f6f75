// The meetings service as a platform::Service (used by main.cc and tests).
#include "services/meetings/api/service.h"

#include <memory>

#include "services/meetings/api/grpc_service.h"
#include "services/meetings/store/store.h"
#include "services/platform/log.h"
#include "services/platform/periodic_job.h"
#include "services/platform/server.h"

namespace enamnd::meetings {
namespace {

class MeetingsService : public platform::Service {
 public:
  std::vector<platform::MigrationSet> Migrations() const override { return {MeetingsMigrations()}; }
  absl::Status Start(const platform::ServiceContext& context) override {
    grpc_ = std::make_unique<MeetingsGrpcService>(context.db, context.outbox, context.executor,
                                                  context.clock);
    context_ = context;
    // Catch up on deadlines that passed while the service was down before
    // the port accepts calls: no client sees a decision not yet final on
    // or after its day of legal force. (Idempotent, so harmless even in a
    // second instance that then fails to bind.)
    absl::Status caught_up = grpc_->api()->RunDeadlines(context.clock->Today());
    if (!caught_up.ok()) {
      platform::LogWarning("deadlines", "catching up at start: ", caught_up.ToString());
    }
    return absl::OkStatus();
  }
  absl::Status OnListening() override {
    const platform::ServiceContext& context = context_;
    // Then keep watching.
    MeetingsApi* api = grpc_->api();
    platform::LegalClock* clock = context.clock;
    deadlines_ = std::make_unique<platform::PeriodicJob>(
        "deadlines", [api, clock] { return api->RunDeadlines(clock->Today()); }, context.outbox);
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
  platform::ServiceContext context_{};
  std::unique_ptr<MeetingsGrpcService> grpc_;
  std::unique_ptr<platform::PeriodicJob> deadlines_;
};

}  // namespace

std::unique_ptr<platform::Service> NewMeetingsService() {
  return std::make_unique<MeetingsService>();
}

}  // namespace enamnd::meetings
