#include "services/platform/service_kit.h"

#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/platform/log.h"
#include "services/platform/periodic_job.h"

namespace enamnd::platform {
namespace {

class KitService : public Service {
 public:
  explicit KitService(ServiceDefinition definition) : definition_(std::move(definition)) {}

  std::vector<MigrationSet> Migrations() const override { return definition_.migrations; }

  absl::Status Start(const ServiceContext& context) override {
    context_ = context;
    ENAMND_ASSIGN_OR_RETURN(parts_, definition_.build(context));
    if (parts_.deadlines) {
      // Before the port accepts calls, so no client sees the state of a day
      // that has passed (e.g. a decision not yet final on its day of legal
      // force). A failure is logged; the periodic job retries.
      absl::Status caught_up = parts_.deadlines(context.clock->Today());
      if (!caught_up.ok()) LogWarning("deadlines", "catching up at start: ", caught_up.ToString());
    }
    return absl::OkStatus();
  }

  absl::Status OnListening() override {
    if (parts_.deadlines) {
      auto deadlines = parts_.deadlines;
      LegalClock* clock = context_.clock;
      deadlines_ = std::make_unique<PeriodicJob>(
          "deadlines", [deadlines, clock] { return deadlines(clock->Today()); }, context_.outbox);
    }
    for (const Subscription& subscription : parts_.subscriptions) {
      StreamSubscriber::Options options;
      options.stream = EventStream(subscription.producer);
      options.group = definition_.name;
      options.consumer = ConsumerName(definition_.name);
      auto subscriber = std::make_unique<StreamSubscriber>(context_.db, context_.redis, options,
                                                           subscription.handler);
      subscriber->Start();
      subscribers_.push_back(std::move(subscriber));
    }
    return absl::OkStatus();
  }

  std::vector<grpc::Service*> GrpcServices() override {
    std::vector<grpc::Service*> services;
    for (const auto& service : parts_.grpc_services) services.push_back(service.get());
    return services;
  }

  std::vector<std::string> GrpcServiceNames() const override {
    return definition_.grpc_service_names;
  }

  void BeginShutdown() override {
    for (const auto& subscriber : subscribers_) subscriber->Stop();
    deadlines_.reset();
  }

 private:
  ServiceDefinition definition_;
  ServiceContext context_{};
  ServiceParts parts_;
  std::unique_ptr<PeriodicJob> deadlines_;
  std::vector<std::unique_ptr<StreamSubscriber>> subscribers_;
};

}  // namespace

std::unique_ptr<Service> NewService(ServiceDefinition definition) {
  return std::make_unique<KitService>(std::move(definition));
}

std::string ConsumerName(absl::string_view group) {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) return absl::StrCat(group, "-local");
  return absl::StrCat(group, "-", host);
}

}  // namespace enamnd::platform
