// The contracts service's operations over plain request/response protos:
// validate, one transaction, events appended to the outbox in it.
#ifndef ENAMND_CONTRACTS_API_CONTRACTS_API_H_
#define ENAMND_CONTRACTS_API_CONTRACTS_API_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "enamnd/contracts/v1/contracts.pb.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "services/contracts/domain/names.h"
#include "services/contracts/domain/rules.h"
#include "services/platform/audit_trail.h"
#include "services/platform/calendar.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/meetings_feed.h"
#include "services/platform/outbox.h"
#include "services/platform/unreadable_events.h"

namespace enamnd::contracts {

// The expiry watch's horizons when none are configured: months before the
// last day to give notice.
inline const std::vector<int>& DefaultExpiryHorizons() {
  static const auto* horizons = new std::vector<int>{12, 6, 3};
  return *horizons;
}

class ContractsApi {
 public:
  ContractsApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock,
               std::vector<int> expiry_horizons = DefaultExpiryHorizons())
      : db_(db), outbox_(outbox), clock_(clock), expiry_horizons_(std::move(expiry_horizons)) {}

  // The service's audit trail (operator role).
  absl::Status ListAuditRecords(const platform::Caller& /*caller*/,
                                const auth::v1::ListAuditRecordsRequest& request,
                                auth::v1::ListAuditRecordsResponse* response) {
    return platform::ListAuditRecords(db_, request, response);
  }

  absl::Status CreateProcurement(const platform::Caller& caller,
                                 const v1::CreateProcurementRequest& request,
                                 v1::Procurement* response);
  absl::Status GetProcurement(const platform::Caller& caller,
                              const v1::GetProcurementRequest& request, v1::Procurement* response);
  absl::Status ListProcurements(const platform::Caller& caller,
                                const v1::ListProcurementsRequest& request,
                                v1::ListProcurementsResponse* response);
  absl::Status TransitionProcurement(const platform::Caller& caller,
                                     const v1::TransitionProcurementRequest& request,
                                     v1::Procurement* response);
  absl::Status RecordAward(const platform::Caller& caller, const v1::RecordAwardRequest& request,
                           v1::Procurement* response);
  absl::Status RecordReviewRequest(const platform::Caller& caller,
                                   const v1::RecordReviewRequestRequest& request,
                                   v1::Procurement* response);
  absl::Status RecordReviewOutcome(const platform::Caller& caller,
                                   const v1::RecordReviewOutcomeRequest& request,
                                   v1::Procurement* response);

  absl::Status CreateAgreement(const platform::Caller& caller,
                               const v1::CreateAgreementRequest& request, v1::Agreement* response);
  absl::Status GetAgreement(const platform::Caller& caller, const v1::GetAgreementRequest& request,
                            v1::Agreement* response);
  absl::Status ListAgreements(const platform::Caller& caller,
                              const v1::ListAgreementsRequest& request,
                              v1::ListAgreementsResponse* response);
  absl::Status UpdateAgreement(const platform::Caller& caller,
                               const v1::UpdateAgreementRequest& request, v1::Agreement* response);
  absl::Status ExtendAgreement(const platform::Caller& caller,
                               const v1::ExtendAgreementRequest& request, v1::Agreement* response);
  absl::Status JoinAgreement(const platform::Caller& caller,
                             const v1::JoinAgreementRequest& request, v1::Agreement* response);
  absl::Status RecordFollowUp(const platform::Caller& caller,
                              const v1::RecordFollowUpRequest& request, v1::Agreement* response);
  absl::Status ListOverdueFollowUps(const platform::Caller& caller,
                                    const v1::ListOverdueFollowUpsRequest& request,
                                    v1::ListOverdueFollowUpsResponse* response);

  // Consumes an event of the meetings service (inside the subscriber's
  // transaction): links decisions about procurements and agreements, and
  // keeps the member register.
  absl::Status HandleMeetingsEvent(platform::Transaction& tx,
                                   const io::cloudevents::v1::CloudEvent& event);

  // Raises AgreementExpiring (per horizon) and FollowUpOverdue (per due
  // day) once each when due on `today`.
  absl::Status RunDeadlines(absl::CivilDay today);

  // Meetings events skipped because their payload never parses.
  int64_t skipped_events() const { return unreadable_.count(); }

 private:
  // A procurement to change: parsed, loaded (NOT_FOUND) and its etag
  // checked when one is given.
  absl::StatusOr<v1::Procurement> Writable(platform::Transaction& tx, absl::string_view name,
                                           absl::string_view etag);
  // The event a move adds to ProcurementStateChanged, made from the
  // procurement as stored (its new etag included).
  using ExtraEvent =
      std::function<std::unique_ptr<google::protobuf::Message>(const v1::Procurement& stored)>;
  // Moves `p` to `to` on `day`, stores it, emits `extra` (if any) and
  // ProcurementStateChanged, and commits.
  absl::Status MoveAndCommit(platform::Transaction& tx, const platform::Caller& caller,
                             v1::Procurement* p, ProcurementState to, const common::v1::Date& day,
                             const ExtraEvent& extra = nullptr);
  absl::StatusOr<v1::Agreement> WritableAgreement(platform::Transaction& tx, absl::string_view name,
                                                  absl::string_view etag);
  // An agreement's procurement, when given, is one of this service's.
  absl::Status CheckProcurementExists(platform::Transaction& tx, absl::string_view reference);
  // The entitled municipalities must be members.
  absl::Status CheckMembers(platform::Transaction& tx, const v1::Agreement& agreement);
  // A scoped caller (a municipality system) reads an agreement only when
  // its municipality is entitled to call it off.
  absl::Status CheckMayRead(const platform::Caller& caller, const v1::Agreement& agreement);
  absl::Status LinkDecision(platform::Transaction& tx, const platform::SubjectDecision& decision);

  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
  std::vector<int> expiry_horizons_;
  platform::UnreadableEvents unreadable_{"contracts"};
};

}  // namespace enamnd::contracts

#endif  // ENAMND_CONTRACTS_API_CONTRACTS_API_H_
