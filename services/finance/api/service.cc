// The finance service as a table row of the platform's service kit: its
// API and its subscriptions as consumer group "finance" to the meetings
// service's events (budget decisions and members) and the projects
// service's (participations, for the participation allocation model).
#include "services/finance/api/service.h"

#include <memory>

#include "services/finance/api/grpc_service.h"
#include "services/finance/store/schema.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/members.h"
#include "services/platform/service_kit.h"

namespace enamnd::finance {

std::unique_ptr<platform::Service> NewFinanceService() {
  return platform::NewService({
      .name = "finance",
      .migrations = {FinanceMigrations(), platform::MembersMigrations(),
                     platform::LinkedDecisionsMigrations()},
      .grpc_service_names = {"enamnd.finance.v1.FinanceService"},
      .build =
          [](const platform::ServiceContext& context) -> absl::StatusOr<platform::ServiceParts> {
        auto grpc = std::make_unique<FinanceGrpcService>(context);
        FinanceApi* api = grpc->api();
        platform::ServiceParts parts;
        parts.subscriptions.push_back(
            {"meetings",
             [api](platform::Transaction& tx, const io::cloudevents::v1::CloudEvent& event) {
               return api->HandleMeetingsEvent(tx, event);
             }});
        parts.subscriptions.push_back(
            {"projects",
             [api](platform::Transaction& tx, const io::cloudevents::v1::CloudEvent& event) {
               return api->HandleProjectsEvent(tx, event);
             }});
        parts.grpc_services.push_back(std::move(grpc));
        return parts;
      },
  });
}

}  // namespace enamnd::finance
