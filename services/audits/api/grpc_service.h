// gRPC callback-API adapter of the audits service: every call runs on the
// platform executor once its policy admits the caller; WatchEvents is the
// platform's.
#ifndef ENAMND_AUDITS_API_GRPC_SERVICE_H_
#define ENAMND_AUDITS_API_GRPC_SERVICE_H_

#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "services/audits/api/audits_api.h"
#include "services/platform/event_watch.h"
#include "services/platform/server.h"

namespace enamnd::audits {

class AuditsGrpcService final : public v1::AuditsService::CallbackService {
 public:
  explicit AuditsGrpcService(const platform::ServiceContext& context)
      : gate_(context.authorizer, context.executor, v1::AuditsService::service_full_name()),
        watch_(context.watch),
        api_(context.db, context.outbox, context.clock) {}

  AuditsApi* api() { return &api_; }

  ENAMND_UNARY(CreateReview, v1::CreateReviewRequest, v1::Review)
  ENAMND_UNARY(GetReview, v1::GetReviewRequest, v1::Review)
  ENAMND_UNARY(ListReviews, v1::ListReviewsRequest, v1::ListReviewsResponse)
  ENAMND_UNARY(UpdateReview, v1::UpdateReviewRequest, v1::Review)
  ENAMND_UNARY(RecordDischarge, v1::RecordDischargeRequest, v1::Review)
  ENAMND_UNARY(CreateRecommendation, v1::CreateRecommendationRequest, v1::Recommendation)
  ENAMND_UNARY(GetRecommendation, v1::GetRecommendationRequest, v1::Recommendation)
  ENAMND_UNARY(ListRecommendations, v1::ListRecommendationsRequest, v1::ListRecommendationsResponse)
  ENAMND_UNARY(UpdateRecommendation, v1::UpdateRecommendationRequest, v1::Recommendation)
  ENAMND_UNARY(CreateControlPlan, v1::CreateControlPlanRequest, v1::ControlPlan)
  ENAMND_UNARY(GetControlPlan, v1::GetControlPlanRequest, v1::ControlPlan)
  ENAMND_UNARY(CreateControlPoint, v1::CreateControlPointRequest, v1::ControlPoint)
  ENAMND_UNARY(ListControlPoints, v1::ListControlPointsRequest, v1::ListControlPointsResponse)
  ENAMND_UNARY(RecordControlFollowUp, v1::RecordControlFollowUpRequest, v1::ControlPoint)
  ENAMND_UNARY(ListMissedControlPoints, v1::ListMissedControlPointsRequest,
               v1::ListMissedControlPointsResponse)
  ENAMND_UNARY(CreateReportingYear, v1::CreateReportingYearRequest, v1::ReportingYear)
  ENAMND_UNARY(CopyReportingYear, v1::CopyReportingYearRequest, v1::ReportingYear)
  ENAMND_UNARY(GetReportingYear, v1::GetReportingYearRequest, v1::ReportingYear)
  ENAMND_UNARY(MarkMomentReported, v1::MarkMomentReportedRequest, v1::ReportingYear)
  ENAMND_UNARY(ListOverdueMoments, v1::ListOverdueMomentsRequest, v1::ListOverdueMomentsResponse)
  ENAMND_UNARY(ListAuditRecords, auth::v1::ListAuditRecordsRequest,
               auth::v1::ListAuditRecordsResponse)
  ENAMND_WATCH_EVENTS()

 private:
  platform::Gate gate_;
  platform::EventWatch* watch_;
  AuditsApi api_;
};

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_API_GRPC_SERVICE_H_
