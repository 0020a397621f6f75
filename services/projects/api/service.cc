// The projects service as a table row of the platform's service kit: its API
// and its subscription to the meetings service's events (consumer group
// "projects": decisions about initiatives, and the member register).
#include "services/projects/api/service.h"

#include <memory>

#include "services/platform/linked_decisions.h"
#include "services/platform/members.h"
#include "services/platform/service_kit.h"
#include "services/projects/api/grpc_service.h"
#include "services/projects/store/store.h"

namespace enamnd::projects {

std::unique_ptr<platform::Service> NewProjectsService() {
  return platform::NewService({
      .name = "projects",
      .migrations = {ProjectsMigrations(), platform::MembersMigrations(),
                     platform::LinkedDecisionsMigrations()},
      .grpc_service_names = {"enamnd.projects.v1.ProjectsService"},
      .build =
          [](const platform::ServiceContext& context) -> absl::StatusOr<platform::ServiceParts> {
        auto grpc = std::make_unique<ProjectsGrpcService>(context);
        ProjectsApi* api = grpc->api();
        platform::ServiceParts parts;
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

}  // namespace enamnd::projects
