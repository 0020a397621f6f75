// gRPC callback-API adapter of the contracts service: every call runs on
// the platform executor once its policy admits the caller; WatchEvents is
// the platform's.
#ifndef ENAMND_CONTRACTS_API_GRPC_SERVICE_H_
#define ENAMND_CONTRACTS_API_GRPC_SERVICE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/contracts/v1/contracts.grpc.pb.h"
#include "services/contracts/api/contracts_api.h"
#include "services/platform/event_watch.h"
#include "services/platform/members.h"
#include "services/platform/server.h"

namespace enamnd::contracts {

class ContractsGrpcService final : public v1::ContractsService::CallbackService {
 public:
  ContractsGrpcService(const platform::ServiceContext& context, std::vector<int> expiry_horizons)
      : gate_(context.authorizer, context.executor, v1::ContractsService::service_full_name()),
        watch_(context.watch),
        api_(context.db, context.outbox, context.clock, std::move(expiry_horizons)) {
    // A watch filtered by municipality names a member the service knows.
    platform::WatchHooks hooks;
    hooks.check_municipality = [](platform::Transaction& tx, const std::string& code) {
      return platform::RequireMember(tx, absl::StrCat("municipalities/", code), "municipality")
          .status();
    };
    watch_->SetHooks(std::move(hooks));
  }

  ContractsApi* api() { return &api_; }

  ENAMND_UNARY(CreateProcurement, v1::CreateProcurementRequest, v1::Procurement)
  ENAMND_UNARY(GetProcurement, v1::GetProcurementRequest, v1::Procurement)
  ENAMND_UNARY(ListProcurements, v1::ListProcurementsRequest, v1::ListProcurementsResponse)
  ENAMND_UNARY(TransitionProcurement, v1::TransitionProcurementRequest, v1::Procurement)
  ENAMND_UNARY(RecordAward, v1::RecordAwardRequest, v1::Procurement)
  ENAMND_UNARY(RecordReviewRequest, v1::RecordReviewRequestRequest, v1::Procurement)
  ENAMND_UNARY(RecordReviewOutcome, v1::RecordReviewOutcomeRequest, v1::Procurement)
  ENAMND_UNARY(CreateAgreement, v1::CreateAgreementRequest, v1::Agreement)
  ENAMND_UNARY(GetAgreement, v1::GetAgreementRequest, v1::Agreement)
  ENAMND_UNARY(ListAgreements, v1::ListAgreementsRequest, v1::ListAgreementsResponse)
  ENAMND_UNARY(UpdateAgreement, v1::UpdateAgreementRequest, v1::Agreement)
  ENAMND_UNARY(ExtendAgreement, v1::ExtendAgreementRequest, v1::Agreement)
  ENAMND_UNARY(JoinAgreement, v1::JoinAgreementRequest, v1::Agreement)
  ENAMND_UNARY(RecordFollowUp, v1::RecordFollowUpRequest, v1::Agreement)
  ENAMND_UNARY(ListOverdueFollowUps, v1::ListOverdueFollowUpsRequest,
               v1::ListOverdueFollowUpsResponse)
  ENAMND_UNARY(ListAuditRecords, auth::v1::ListAuditRecordsRequest,
               auth::v1::ListAuditRecordsResponse)
  ENAMND_WATCH_EVENTS()

 private:
  platform::Gate gate_;
  platform::EventWatch* watch_;
  ContractsApi api_;
};

}  // namespace enamnd::contracts

#endif  // ENAMND_CONTRACTS_API_GRPC_SERVICE_H_
