// The meetings service's operations over plain request/response protos:
// validate, run one transaction, append events to the outbox in it. The
// gRPC layer (grpc_service.h) only moves these onto worker threads.
#ifndef ENAMND_MEETINGS_API_MEETINGS_API_H_
#define ENAMND_MEETINGS_API_MEETINGS_API_H_

#include "absl/status/status.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "services/platform/audit_trail.h"
#include "services/platform/calendar.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/outbox.h"

namespace enamnd::meetings {

class MeetingsApi {
 public:
  MeetingsApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  // The service's audit trail (operator role).
  absl::Status ListAuditRecords(const platform::Caller& /*caller*/,
                                const auth::v1::ListAuditRecordsRequest& request,
                                auth::v1::ListAuditRecordsResponse* response) {
    return platform::ListAuditRecords(db_, request, response);
  }

  absl::Status CreateMunicipality(const platform::Caller& caller,
                                  const v1::CreateMunicipalityRequest& request,
                                  v1::Municipality* response);
  absl::Status GetMunicipality(const platform::Caller& caller,
                               const v1::GetMunicipalityRequest& request,
                               v1::Municipality* response);
  absl::Status ListMunicipalities(const platform::Caller& caller,
                                  const v1::ListMunicipalitiesRequest& request,
                                  v1::ListMunicipalitiesResponse* response);

  absl::Status CreateBody(const platform::Caller& caller, const v1::CreateBodyRequest& request,
                          v1::Body* response);
  absl::Status GetBody(const platform::Caller& caller, const v1::GetBodyRequest& request,
                       v1::Body* response);
  absl::Status ListBodies(const platform::Caller& caller, const v1::ListBodiesRequest& request,
                          v1::ListBodiesResponse* response);
  absl::Status UpdateBody(const platform::Caller& caller, const v1::UpdateBodyRequest& request,
                          v1::Body* response);
  absl::Status StartParagraphSeries(const platform::Caller& caller,
                                    const v1::StartParagraphSeriesRequest& request,
                                    v1::ParagraphSeries* response);

  absl::Status CreateMeeting(const platform::Caller& caller,
                             const v1::CreateMeetingRequest& request, v1::Meeting* response);
  absl::Status GetMeeting(const platform::Caller& caller, const v1::GetMeetingRequest& request,
                          v1::Meeting* response);
  absl::Status ListMeetings(const platform::Caller& caller, const v1::ListMeetingsRequest& request,
                            v1::ListMeetingsResponse* response);
  absl::Status UpdateMeeting(const platform::Caller& caller,
                             const v1::UpdateMeetingRequest& request, v1::Meeting* response);
  absl::Status RecordAttendance(const platform::Caller& caller,
                                const v1::RecordAttendanceRequest& request, v1::Meeting* response);

  absl::Status CreateCase(const platform::Caller& caller, const v1::CreateCaseRequest& request,
                          v1::Case* response);
  absl::Status GetCase(const platform::Caller& caller, const v1::GetCaseRequest& request,
                       v1::Case* response);
  absl::Status ListCases(const platform::Caller& caller, const v1::ListCasesRequest& request,
                         v1::ListCasesResponse* response);
  absl::Status UpdateCase(const platform::Caller& caller, const v1::UpdateCaseRequest& request,
                          v1::Case* response);

  absl::Status RecordDecision(const platform::Caller& caller,
                              const v1::RecordDecisionRequest& request, v1::Paragraph* response);
  // The most read calls reply with the stored bytes spliced in
  // (stored_reply.h): `reply` gets the encoded Paragraph, or the encoded
  // ListParagraphsResponse.
  absl::Status GetParagraph(const platform::Caller& caller, const v1::GetParagraphRequest& request,
                            std::string* reply);
  absl::Status ListParagraphs(const platform::Caller& caller,
                              const v1::ListParagraphsRequest& request, std::string* reply);
  absl::Status UpdateParagraph(const platform::Caller& caller,
                               const v1::UpdateParagraphRequest& request, v1::Paragraph* response);

  // The protocol's legal life (protocol_api.cc).
  absl::Status RenderProtocol(const platform::Caller& caller,
                              const v1::RenderProtocolRequest& request,
                              v1::RenderedProtocol* response);
  absl::Status AdjustProtocol(const platform::Caller& caller,
                              const v1::AdjustProtocolRequest& request, v1::Adjustment* response);
  absl::Status AdjustParagraphs(const platform::Caller& caller,
                                const v1::AdjustParagraphsRequest& request,
                                v1::Adjustment* response);
  absl::Status GetAdjustment(const platform::Caller& caller,
                             const v1::GetAdjustmentRequest& request, v1::Adjustment* response);
  absl::Status ListAdjustments(const platform::Caller& caller,
                               const v1::ListAdjustmentsRequest& request,
                               v1::ListAdjustmentsResponse* response);
  absl::Status RecordNoticePosting(const platform::Caller& caller,
                                   const v1::RecordNoticePostingRequest& request,
                                   v1::Adjustment* response);
  absl::Status RecordAppeal(const platform::Caller& caller, const v1::RecordAppealRequest& request,
                            v1::Appeal* response);
  absl::Status RecordCorrection(const platform::Caller& caller,
                                const v1::RecordCorrectionRequest& request,
                                v1::Correction* response);
  absl::Status CreateExtract(const platform::Caller& caller,
                             const v1::CreateExtractRequest& request, v1::Extract* response);
  absl::Status VerifyDocument(const platform::Caller& caller,
                              const v1::VerifyDocumentRequest& request,
                              v1::VerifyDocumentResponse* response);
  absl::Status VerifyChain(const platform::Caller& caller, const v1::VerifyChainRequest& request,
                           v1::VerifyChainResponse* response);

  // Raises NoticeOverdue and DecisionFinal events that are due on `today`.
  // Idempotent: safe to run any number of times, after any downtime.
  absl::Status RunDeadlines(absl::CivilDay today);

  // Writes MunicipalityRegistered for municipalities registered before the
  // event existed, once (at start, before the port opens).
  absl::Status AnnounceMunicipalities();

  // What AdjustProtocol and AdjustParagraphs ask for (protocol_api.cc).
  struct AdjustInput;

 private:
  absl::Status Adjust(const platform::Caller& caller, const AdjustInput& input,
                      v1::Adjustment* response);
  // CreateExtract but for the PDF: certifies (or finds) the extract.
  absl::Status CertifyExtract(const platform::Caller& caller,
                              const v1::CreateExtractRequest& request, v1::Extract* response);

  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
};

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_API_MEETINGS_API_H_
