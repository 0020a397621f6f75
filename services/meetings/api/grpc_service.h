// gRPC callback-API adapter of the meetings service. Unary calls run on the
// platform executor; WatchEvents and WatchDecisions stream the durable event
// log through the platform's EventWatch.
#ifndef ENAMND_MEETINGS_API_GRPC_SERVICE_H_
#define ENAMND_MEETINGS_API_GRPC_SERVICE_H_

#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "services/meetings/api/meetings_api.h"
#include "services/platform/event_watch.h"
#include "services/platform/server.h"

namespace enamnd::meetings {

// GetParagraph and ListParagraphs are served raw: their replies are spliced
// from the stored bytes (stored_reply.h).
class MeetingsGrpcService final : public v1::MeetingsService::CallbackService {
 public:
  explicit MeetingsGrpcService(const platform::ServiceContext& context);

  MeetingsApi* api() { return &api_; }

  ENAMND_UNARY(CreateMunicipality, v1::CreateMunicipalityRequest, v1::Municipality)
  ENAMND_UNARY(GetMunicipality, v1::GetMunicipalityRequest, v1::Municipality)
  ENAMND_UNARY(ListMunicipalities, v1::ListMunicipalitiesRequest, v1::ListMunicipalitiesResponse)
  ENAMND_UNARY(CreateBody, v1::CreateBodyRequest, v1::Body)
  ENAMND_UNARY(GetBody, v1::GetBodyRequest, v1::Body)
  ENAMND_UNARY(ListBodies, v1::ListBodiesRequest, v1::ListBodiesResponse)
  ENAMND_UNARY(UpdateBody, v1::UpdateBodyRequest, v1::Body)
  ENAMND_UNARY(StartParagraphSeries, v1::StartParagraphSeriesRequest, v1::ParagraphSeries)
  ENAMND_UNARY(CreateMeeting, v1::CreateMeetingRequest, v1::Meeting)
  ENAMND_UNARY(GetMeeting, v1::GetMeetingRequest, v1::Meeting)
  ENAMND_UNARY(ListMeetings, v1::ListMeetingsRequest, v1::ListMeetingsResponse)
  ENAMND_UNARY(UpdateMeeting, v1::UpdateMeetingRequest, v1::Meeting)
  ENAMND_UNARY(RecordAttendance, v1::RecordAttendanceRequest, v1::Meeting)
  ENAMND_UNARY(CreateCase, v1::CreateCaseRequest, v1::Case)
  ENAMND_UNARY(GetCase, v1::GetCaseRequest, v1::Case)
  ENAMND_UNARY(ListCases, v1::ListCasesRequest, v1::ListCasesResponse)
  ENAMND_UNARY(UpdateCase, v1::UpdateCaseRequest, v1::Case)
  ENAMND_UNARY(RecordDecision, v1::RecordDecisionRequest, v1::Paragraph)
  ENAMND_UNARY_SPLICED(GetParagraph, v1::GetParagraphRequest)
  ENAMND_UNARY_SPLICED(ListParagraphs, v1::ListParagraphsRequest)
  ENAMND_UNARY(UpdateParagraph, v1::UpdateParagraphRequest, v1::Paragraph)
  ENAMND_UNARY(RenderProtocol, v1::RenderProtocolRequest, v1::RenderedProtocol)
  ENAMND_UNARY(AdjustProtocol, v1::AdjustProtocolRequest, v1::Adjustment)
  ENAMND_UNARY(AdjustParagraphs, v1::AdjustParagraphsRequest, v1::Adjustment)
  ENAMND_UNARY(GetAdjustment, v1::GetAdjustmentRequest, v1::Adjustment)
  ENAMND_UNARY(ListAdjustments, v1::ListAdjustmentsRequest, v1::ListAdjustmentsResponse)
  ENAMND_UNARY(RecordNoticePosting, v1::RecordNoticePostingRequest, v1::Adjustment)
  ENAMND_UNARY(RecordAppeal, v1::RecordAppealRequest, v1::Appeal)
  ENAMND_UNARY(RecordCorrection, v1::RecordCorrectionRequest, v1::Correction)
  ENAMND_UNARY(CreateExtract, v1::CreateExtractRequest, v1::Extract)
  ENAMND_UNARY(VerifyDocument, v1::VerifyDocumentRequest, v1::VerifyDocumentResponse)
  ENAMND_UNARY(VerifyChain, v1::VerifyChainRequest, v1::VerifyChainResponse)
  ENAMND_UNARY(ListAuditRecords, auth::v1::ListAuditRecordsRequest,
               auth::v1::ListAuditRecordsResponse)

  ENAMND_WATCH_EVENTS()
  // WatchEvents of the decision event types, as it was before WatchEvents.
  grpc::ServerWriteReactor<v1::WatchDecisionsResponse>* WatchDecisions(
      grpc::CallbackServerContext* context, const v1::WatchDecisionsRequest* request) override;

 private:
  platform::Gate gate_;
  platform::EventWatch* watch_;
  MeetingsApi api_;
};

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_API_GRPC_SERVICE_H_
