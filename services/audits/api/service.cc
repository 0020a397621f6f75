// The audits service as a table row of the platform's service kit: its API,
// its deadline job, and its subscription to the meetings service's events
// (consumer group "audits").
#include "services/audits/api/service.h"

#include <memory>

#include "services/audits/api/grpc_service.h"
#include "services/audits/store/store.h"
#include "services/platform/raised.h"
#include "services/platform/service_kit.h"
#include "services/platform/status.h"

namespace enamnd::audits {

std::unique_ptr<platform::Service> NewAuditsService() {
  return platform::NewService({
      .name = "audits",
      .migrations = {AuditsMigrations(), platform::RaisedMigrations()},
      .grpc_service_names = {"enamnd.audits.v1.AuditsService"},
      .build =
          [](const platform::ServiceContext& context) -> absl::StatusOr<platform::ServiceParts> {
        // Rows stored before migration 2 get their list columns from their
        // protos (SQL cannot read those), before any List is answered.
        ENAMND_RETURN_IF_ERROR(store::FillListColumns(context.db));
        auto grpc = std::make_unique<AuditsGrpcService>(context);
        AuditsApi* api = grpc->api();
        platform::ServiceParts parts;
        parts.deadlines = [api](absl::CivilDay today) { return api->RunDeadlines(today); };
        parts.subscriptions.push_back(
            {"meetings",
             [api](platform::Transaction& tx, const io::cloudevents::v1::CloudEvent& event) {
               return api->HandleMeetingsEvent(tx, event);
             }});
        parts.grpc_services.push_back(std::move(grpc));
        return parts;
      },
  });
}

}  // namespace enamnd::audits
