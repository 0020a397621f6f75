// The meetings service as a table row of the platform's service kit.
#include "services/meetings/api/service.h"

#include <memory>

#include "services/meetings/api/grpc_service.h"
#include "services/meetings/store/store.h"
#include "services/platform/service_kit.h"
#include "services/platform/status.h"

namespace enamnd::meetings {

std::unique_ptr<platform::Service> NewMeetingsService() {
  return platform::NewService({
      .name = "meetings",
      .migrations = {MeetingsMigrations()},
      .grpc_service_names = {"enamnd.meetings.v1.MeetingsService"},
      .build =
          [](const platform::ServiceContext& context) -> absl::StatusOr<platform::ServiceParts> {
        auto grpc = std::make_unique<MeetingsGrpcService>(context);
        MeetingsApi* api = grpc->api();
        ENAMND_RETURN_IF_ERROR(api->AnnounceMunicipalities());
        platform::ServiceParts parts;
        parts.deadlines = [api](absl::CivilDay today) { return api->RunDeadlines(today); };
        parts.grpc_services.push_back(std::move(grpc));
        return parts;
      },
  });
}

}  // namespace enamnd::meetings
