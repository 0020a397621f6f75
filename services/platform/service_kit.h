// A service as a table row. A service says what is its own (name, tables,
// gRPC services, time-driven work, the streams it reads); the platform does
// the wiring every service shares: deadline catch-up before the port opens,
// the periodic deadline job and the subscribers once it is bound, consumer
// names from the host name, and the order of shutdown.
#ifndef ENAMND_PLATFORM_SERVICE_KIT_H_
#define ENAMND_PLATFORM_SERVICE_KIT_H_

#include <grpcpp/impl/codegen/service_type.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/platform/server.h"
#include "services/platform/subscriber.h"

namespace enamnd::platform {

// Reads another service's events (consumer group = this service's name).
struct Subscription {
  std::string producer;  // "meetings" reads the stream enamnd:events:meetings
  StreamSubscriber::Handler handler;
};

// What a service builds once its database is open.
struct ServiceParts {
  std::vector<std::unique_ptr<grpc::Service>> grpc_services;
  // Time-driven work for the legal day (deadlines); optional. Run once
  // before the port opens (catch-up; must be idempotent) and then by a
  // PeriodicJob, also soon after every commit that appends events.
  std::function<absl::Status(absl::CivilDay today)> deadlines;
  std::vector<Subscription> subscriptions;
};

struct ServiceDefinition {
  std::string name;  // "meetings": log tag, consumer group, stream suffix
  std::vector<MigrationSet> migrations;
  std::vector<std::string>
      grpc_service_names;  // for health, e.g. "enamnd.meetings.v1.MeetingsService"
  std::function<absl::StatusOr<ServiceParts>(const ServiceContext& context)> build;
};

std::unique_ptr<Service> NewService(ServiceDefinition definition);

// A consumer name stable across restarts on one host ("<group>-<host>"), so
// a restarted process re-reads its own pending entries; a consumer that
// never returns is taken over by XAUTOCLAIM.
std::string ConsumerName(absl::string_view group);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_SERVICE_KIT_H_
