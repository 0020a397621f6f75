// The contracts service as a table row of the platform's service kit: its
// API, its deadline job (the expiry watch and overdue follow-ups) and its
// subscription to the meetings service's events (consumer group
// "contracts": decisions about procurements and agreements, and members).
#include "services/contracts/api/service.h"

#include <cstdlib>
#include <memory>
#include <vector>

#include "services/contracts/api/grpc_service.h"
#include "services/contracts/domain/rules.h"
#include "services/contracts/store/store.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/members.h"
#include "services/platform/raised.h"
#include "services/platform/service_kit.h"
#include "services/platform/status.h"

namespace enamnd::contracts {
namespace {

// ENAMND_EXPIRY_HORIZONS, e.g. "12,6,3" (months before the last day to
// give notice); unset: the default.
absl::StatusOr<std::vector<int>> ConfiguredHorizons() {
  const char* text = std::getenv("ENAMND_EXPIRY_HORIZONS");
  if (text == nullptr || *text == '\0') return DefaultExpiryHorizons();
  return ParseHorizons(text, "ENAMND_EXPIRY_HORIZONS");
}

}  // namespace

std::unique_ptr<platform::Service> NewContractsService() {
  return platform::NewService({
      .name = "contracts",
      .migrations = {ContractsMigrations(), platform::MembersMigrations(),
                     platform::LinkedDecisionsMigrations(), platform::RaisedMigrations()},
      .grpc_service_names = {"enamnd.contracts.v1.ContractsService"},
      .build =
          [](const platform::ServiceContext& context) -> absl::StatusOr<platform::ServiceParts> {
        ENAMND_ASSIGN_OR_RETURN(std::vector<int> horizons, ConfiguredHorizons());
        auto grpc = std::make_unique<ContractsGrpcService>(context, std::move(horizons));
        ContractsApi* api = grpc->api();
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

}  // namespace enamnd::contracts
