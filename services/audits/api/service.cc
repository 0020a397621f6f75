// The audits service: its API, its subscription to the meetings service's
// decisions (consumer group "audits"), and its deadline job.
#include "services/audits/api/service.h"

#include <unistd.h>

#include <memory>

#include "services/audits/api/grpc_service.h"
#include "services/audits/store/store.h"
#include "services/platform/log.h"
#include "services/platform/periodic_job.h"
#include "services/platform/subscriber.h"

namespace enamnd::audits {
namespace {

std::string Hostname() {
  char buffer[256] = {0};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "local";
  return buffer;
}

class AuditsService : public platform::Service {
 public:
  std::vector<platform::MigrationSet> Migrations() const override { return {AuditsMigrations()}; }

  absl::Status Start(const platform::ServiceContext& context) override {
    grpc_ = std::make_unique<AuditsGrpcService>(context.db, context.outbox, context.executor,
                                                context.clock);
    context_ = context;
    // Catch up before the port accepts calls (idempotent; see meetings).
    absl::Status caught_up = grpc_->api()->RunDeadlines(context.clock->Today());
    if (!caught_up.ok()) {
      platform::LogWarning("deadlines", "catching up at start: ", caught_up.ToString());
    }
    return absl::OkStatus();
  }

  absl::Status OnListening() override {
    const platform::ServiceContext& context = context_;
    AuditsApi* api = grpc_->api();
    platform::LegalClock* clock = context.clock;
    deadlines_ = std::make_unique<platform::PeriodicJob>(
        "deadlines", [api, clock] { return api->RunDeadlines(clock->Today()); }, context.outbox);

    platform::StreamSubscriber::Options options;
    options.stream = "enamnd:events:meetings";
    options.group = "audits";
    // Stable across restarts on the same host, so its own pending entries
    // are re-read; a consumer that never returns is taken over by XAUTOCLAIM.
    options.consumer = "audits-" + Hostname();
    meetings_events_ = std::make_unique<platform::StreamSubscriber>(
        context.db, context.redis, options,
        [api](platform::Transaction& tx, const io::cloudevents::v1::CloudEvent& event) {
          return api->HandleMeetingsEvent(tx, event);
        });
    meetings_events_->Start();
    return absl::OkStatus();
  }

  std::vector<grpc::Service*> GrpcServices() override { return {grpc_.get()}; }
  std::vector<std::string> GrpcServiceNames() const override {
    return {"enamnd.audits.v1.AuditsService"};
  }
  void BeginShutdown() override {
    if (meetings_events_ != nullptr) meetings_events_->Stop();
    deadlines_.reset();
  }

 private:
  platform::ServiceContext context_{};
  std::unique_ptr<AuditsGrpcService> grpc_;
  std::unique_ptr<platform::PeriodicJob> deadlines_;
  std::unique_ptr<platform::StreamSubscriber> meetings_events_;
};

}  // namespace

std::unique_ptr<platform::Service> NewAuditsService() { return std::make_unique<AuditsService>(); }

}  // namespace enamnd::audits
