// The meetings service's operations over plain request/response protos:
// validate, run one transaction, append events to the outbox in it. The
// gRPC layer (grpc_service.h) only moves these onto worker threads.
#ifndef ENAMND_MEETINGS_API_MEETINGS_API_H_
#define ENAMND_MEETINGS_API_MEETINGS_API_H_

#include "absl/status/status.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "services/platform/calendar.h"
#include "services/platform/database.h"
#include "services/platform/outbox.h"

namespace enamnd::meetings {

class MeetingsApi {
 public:
  MeetingsApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  absl::Status CreateMunicipality(const v1::CreateMunicipalityRequest& request,
                                  v1::Municipality* response);
  absl::Status GetMunicipality(const v1::GetMunicipalityRequest& request,
                               v1::Municipality* response);
  absl::Status ListMunicipalities(const v1::ListMunicipalitiesRequest& request,
                                  v1::ListMunicipalitiesResponse* response);

  absl::Status CreateBody(const v1::CreateBodyRequest& request, v1::Body* response);
  absl::Status GetBody(const v1::GetBodyRequest& request, v1::Body* response);
  absl::Status ListBodies(const v1::ListBodiesRequest& request, v1::ListBodiesResponse* response);
  absl::Status UpdateBody(const v1::UpdateBodyRequest& request, v1::Body* response);
  absl::Status StartParagraphSeries(const v1::StartParagraphSeriesRequest& request,
                                    v1::ParagraphSeries* response);

  absl::Status CreateMeeting(const v1::CreateMeetingRequest& request, v1::Meeting* response);
  absl::Status GetMeeting(const v1::GetMeetingRequest& request, v1::Meeting* response);
  absl::Status ListMeetings(const v1::ListMeetingsRequest& request,
                            v1::ListMeetingsResponse* response);
  absl::Status UpdateMeeting(const v1::UpdateMeetingRequest& request, v1::Meeting* response);
  absl::Status RecordAttendance(const v1::RecordAttendanceRequest& request, v1::Meeting* response);

  absl::Status CreateCase(const v1::CreateCaseRequest& request, v1::Case* response);
  absl::Status GetCase(const v1::GetCaseRequest& request, v1::Case* response);
  absl::Status ListCases(const v1::ListCasesRequest& request, v1::ListCasesResponse* response);
  absl::Status UpdateCase(const v1::UpdateCaseRequest& request, v1::Case* response);

  absl::Status RecordDecision(const v1::RecordDecisionRequest& request, v1::Paragraph* response);
  absl::Status GetParagraph(const v1::GetParagraphRequest& request, v1::Paragraph* response);
  absl::Status ListParagraphs(const v1::ListParagraphsRequest& request,
                              v1::ListParagraphsResponse* response);
  absl::Status UpdateParagraph(const v1::UpdateParagraphRequest& request, v1::Paragraph* response);

  // The protocol's legal life (protocol_api.cc).
  absl::Status RenderProtocol(const v1::RenderProtocolRequest& request,
                              v1::RenderedProtocol* response);
  absl::Status AdjustProtocol(const v1::AdjustProtocolRequest& request, v1::Adjustment* response);
  absl::Status AdjustParagraphs(const v1::AdjustParagraphsRequest& request,
                                v1::Adjustment* response);
  absl::Status GetAdjustment(const v1::GetAdjustmentRequest& request, v1::Adjustment* response);
  absl::Status ListAdjustments(const v1::ListAdjustmentsRequest& request,
                               v1::ListAdjustmentsResponse* response);
  absl::Status RecordNoticePosting(const v1::RecordNoticePostingRequest& request,
                                   v1::Adjustment* response);
  absl::Status RecordAppeal(const v1::RecordAppealRequest& request, v1::Appeal* response);
  absl::Status RecordCorrection(const v1::RecordCorrectionRequest& request,
                                v1::Correction* response);
  absl::Status CreateExtract(const v1::CreateExtractRequest& request, v1::Extract* response);
  absl::Status VerifyDocument(const v1::VerifyDocumentRequest& request,
                              v1::VerifyDocumentResponse* response);
  absl::Status VerifyChain(const v1::VerifyChainRequest& request,
                           v1::VerifyChainResponse* response);

  // Raises NoticeOverdue and DecisionFinal events that are due on `today`.
  // Idempotent: safe to run any number of times, after any downtime.
  absl::Status RunDeadlines(absl::CivilDay today);

 private:
  struct AdjustInput;
  absl::Status Adjust(const AdjustInput& input, v1::Adjustment* response);

  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
};

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_API_MEETINGS_API_H_
