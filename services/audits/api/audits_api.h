// The audits service's operations over plain request/response protos:
// validate, one transaction, events appended to the outbox in it.
#ifndef ENAMND_AUDITS_API_AUDITS_API_H_
#define ENAMND_AUDITS_API_AUDITS_API_H_

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "services/audits/domain/meetings_events.h"
#include "services/platform/audit_trail.h"
#include "services/platform/calendar.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/outbox.h"
#include "services/platform/unreadable_events.h"

namespace enamnd::audits {

class AuditsApi {
 public:
  AuditsApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  // The service's audit trail (operator role).
  absl::Status ListAuditRecords(const platform::Caller& /*caller*/,
                                const auth::v1::ListAuditRecordsRequest& request,
                                auth::v1::ListAuditRecordsResponse* response) {
    return platform::ListAuditRecords(db_, request, response);
  }

  absl::Status CreateReview(const platform::Caller& caller, const v1::CreateReviewRequest& request,
                            v1::Review* response);
  absl::Status GetReview(const platform::Caller& caller, const v1::GetReviewRequest& request,
                         v1::Review* response);
  absl::Status ListReviews(const platform::Caller& caller, const v1::ListReviewsRequest& request,
                           v1::ListReviewsResponse* response);
  absl::Status UpdateReview(const platform::Caller& caller, const v1::UpdateReviewRequest& request,
                            v1::Review* response);
  absl::Status RecordDischarge(const platform::Caller& caller,
                               const v1::RecordDischargeRequest& request, v1::Review* response);

  absl::Status CreateRecommendation(const platform::Caller& caller,
                                    const v1::CreateRecommendationRequest& request,
                                    v1::Recommendation* response);
  absl::Status GetRecommendation(const platform::Caller& caller,
                                 const v1::GetRecommendationRequest& request,
                                 v1::Recommendation* response);
  absl::Status ListRecommendations(const platform::Caller& caller,
                                   const v1::ListRecommendationsRequest& request,
                                   v1::ListRecommendationsResponse* response);
  absl::Status UpdateRecommendation(const platform::Caller& caller,
                                    const v1::UpdateRecommendationRequest& request,
                                    v1::Recommendation* response);

  absl::Status CreateControlPlan(const platform::Caller& caller,
                                 const v1::CreateControlPlanRequest& request,
                                 v1::ControlPlan* response);
  absl::Status GetControlPlan(const platform::Caller& caller,
                              const v1::GetControlPlanRequest& request, v1::ControlPlan* response);
  absl::Status CreateControlPoint(const platform::Caller& caller,
                                  const v1::CreateControlPointRequest& request,
                                  v1::ControlPoint* response);
  absl::Status ListControlPoints(const platform::Caller& caller,
                                 const v1::ListControlPointsRequest& request,
                                 v1::ListControlPointsResponse* response);
  absl::Status RecordControlFollowUp(const platform::Caller& caller,
                                     const v1::RecordControlFollowUpRequest& request,
                                     v1::ControlPoint* response);
  absl::Status ListMissedControlPoints(const platform::Caller& caller,
                                       const v1::ListMissedControlPointsRequest& request,
                                       v1::ListMissedControlPointsResponse* response);

  absl::Status CreateReportingYear(const platform::Caller& caller,
                                   const v1::CreateReportingYearRequest& request,
                                   v1::ReportingYear* response);
  absl::Status CopyReportingYear(const platform::Caller& caller,
                                 const v1::CopyReportingYearRequest& request,
                                 v1::ReportingYear* response);
  absl::Status GetReportingYear(const platform::Caller& caller,
                                const v1::GetReportingYearRequest& request,
                                v1::ReportingYear* response);
  absl::Status MarkMomentReported(const platform::Caller& caller,
                                  const v1::MarkMomentReportedRequest& request,
                                  v1::ReportingYear* response);
  absl::Status ListOverdueMoments(const platform::Caller& caller,
                                  const v1::ListOverdueMomentsRequest& request,
                                  v1::ListOverdueMomentsResponse* response);

  // Consumes an event of the meetings service (inside the subscriber's
  // transaction): links decisions about reviews to them.
  absl::Status HandleMeetingsEvent(platform::Transaction& tx,
                                   const io::cloudevents::v1::CloudEvent& event);

  // Raises RecommendationOverdue, MomentOverdue and ControlPointMissed once
  // each when due on `today`.
  absl::Status RunDeadlines(absl::CivilDay today);

  // Meetings events skipped because their payload never parses (the
  // degraded path of the consumer; each skip logs the running count).
  int64_t skipped_events() const { return unreadable_.count(); }

 private:
  absl::Status LinkDecision(platform::Transaction& tx, const ReviewDecision& decision);
  absl::Status SetLegalForce(platform::Transaction& tx, const ReviewDecisionFinal& final_decision);
  absl::Status RevokeLegalForce(platform::Transaction& tx, const ParagraphAppealed& appeal);

  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
  platform::UnreadableEvents unreadable_{"audits"};
};

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_API_AUDITS_API_H_
