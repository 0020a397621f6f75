// Municipalities, bodies, meetings, cases and paragraphs. Each handler
// reads: load -> domain check -> store -> emit.
#include "services/meetings/api/meetings_api.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/meetings/api/helpers.h"
#include "services/meetings/domain/content.h"
#include "services/meetings/domain/filters.h"
#include "services/meetings/domain/legal_state.h"
#include "services/meetings/domain/names.h"
#include "services/meetings/domain/rules.h"
#include "services/meetings/domain/secrecy.h"
#include "services/meetings/store/store.h"
#include "services/platform/api_util.h"
#include "services/platform/status.h"
#include "services/platform/stored_reply.h"
#include "services/platform/validation.h"

namespace enamnd::meetings {
namespace {

using platform::ApplyMask;
using platform::CheckEtag;
using platform::NowTimestamp;
using platform::Transaction;
using platform::ValidateMask;

// The numbers of the paragraphs recorded at a meeting.
absl::StatusOr<std::vector<int>> RecordedNumbers(Transaction& tx, const MeetingName& meeting) {
  ENAMND_ASSIGN_OR_RETURN(auto paragraphs, store::ParagraphsOfMeeting(tx, meeting));
  std::vector<int> numbers;
  for (const v1::Paragraph& p : paragraphs) numbers.push_back(p.number());
  return numbers;
}

// The name of the next paragraph of `meeting`, numbered consecutively per
// body and calendar year. The write lock is held, so no other transaction
// can take the same number.
absl::StatusOr<ParagraphName> NextParagraphName(Transaction& tx, const MeetingName& meeting,
                                                int64_t year) {
  ENAMND_ASSIGN_OR_RETURN(int64_t max_number, store::MaxParagraphNumber(tx, meeting.body, year));
  ENAMND_ASSIGN_OR_RETURN(auto series, store::SeriesStart(tx, meeting.body, year));
  return ParagraphName{meeting, static_cast<int>(NextParagraphNumber(max_number, series))};
}

}  // namespace

// ------------------------------------------------------------ municipalities

absl::Status MeetingsApi::CreateMunicipality(const platform::Caller& caller,
                                             const v1::CreateMunicipalityRequest& request,
                                             v1::Municipality* response) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateMunicipalityCode(request.municipality_id(), "municipality_id"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  const MunicipalityName name{request.municipality_id()};
  v1::Municipality m = request.municipality();
  ENAMND_RETURN_IF_ERROR(ValidateMunicipality(m));
  m.set_name(name.ToString());
  *m.mutable_create_time() = NowTimestamp();
  m.set_create_principal(caller.principal());

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(
          tx, "CreateMunicipality", request.request_id(), m.name(),
          platform::ByStoredName<MunicipalityName>(tx, store::GetMunicipality), response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_ASSIGN_OR_RETURN(auto existing, store::GetMunicipality(tx, name));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(m.name(), " exists"));
  ENAMND_RETURN_IF_ERROR(store::InsertMunicipality(tx, name, m));
  v1::MunicipalityRegistered event;
  *event.mutable_municipality() = m;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, m.name()));
  *response = m;
  return absl::OkStatus();
}

absl::Status MeetingsApi::AnnounceMunicipalities() {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Municipality> unannounced,
                          store::UnannouncedMunicipalities(tx));
  if (unannounced.empty()) return absl::OkStatus();
  for (const v1::Municipality& m : unannounced) {
    ENAMND_ASSIGN_OR_RETURN(MunicipalityName name, MunicipalityName::Parse(m.name(), "name"));
    v1::MunicipalityRegistered event;
    *event.mutable_municipality() = m;
    ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
    ENAMND_RETURN_IF_ERROR(store::MarkAnnounced(tx, name));
  }
  return tx.Commit();
}

absl::Status MeetingsApi::GetMunicipality(const platform::Caller& /*caller*/,
                                          const v1::GetMunicipalityRequest& request,
                                          v1::Municipality* response) {
  ENAMND_ASSIGN_OR_RETURN(MunicipalityName name, MunicipalityName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetMunicipality(tx, name));
  if (!found.has_value()) return platform::NotFound("municipality", request.name());
  *response = *std::move(found);
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListMunicipalities(const platform::Caller& /*caller*/,
                                             const v1::ListMunicipalitiesRequest& request,
                                             v1::ListMunicipalitiesResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto page,
                          store::ListMunicipalities(tx, request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListMunicipalitiesResponse::mutable_municipalities,
                     response);
  return absl::OkStatus();
}

// ------------------------------------------------------------ bodies

absl::Status MeetingsApi::CreateBody(const platform::Caller& caller,
                                     const v1::CreateBodyRequest& request, v1::Body* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(request.body_id(), "body_id"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  const BodyName name{request.body_id()};
  v1::Body body = request.body();
  ENAMND_RETURN_IF_ERROR(ValidateBody(body));
  body.set_name(name.ToString());
  *body.mutable_create_time() = NowTimestamp();
  *body.mutable_update_time() = body.create_time();
  body.set_create_principal(caller.principal());
  body.set_update_principal(caller.principal());

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(tx, "CreateBody", request.request_id(), body.name(),
                                 platform::ByStoredName<BodyName>(tx, store::GetBody), response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_ASSIGN_OR_RETURN(auto existing, store::GetBody(tx, name));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(body.name(), " exists"));
  ENAMND_RETURN_IF_ERROR(store::RequireMunicipalities(tx, MunicipalitiesOf(body)));
  ENAMND_RETURN_IF_ERROR(store::InsertBody(tx, name, body));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, body.name()));
  *response = body;
  response->set_etag("1");
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetBody(const platform::Caller& /*caller*/,
                                  const v1::GetBodyRequest& request, v1::Body* response) {
  ENAMND_ASSIGN_OR_RETURN(BodyName name, BodyName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetBody(tx, name));
  if (!found.has_value()) return platform::NotFound("body", request.name());
  *response = *std::move(found);
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListBodies(const platform::Caller& /*caller*/,
                                     const v1::ListBodiesRequest& request,
                                     v1::ListBodiesResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto page,
                          store::ListBodies(tx, request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListBodiesResponse::mutable_bodies, response);
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateBody(const platform::Caller& caller,
                                     const v1::UpdateBodyRequest& request, v1::Body* response) {
  ENAMND_ASSIGN_OR_RETURN(BodyName name, BodyName::Parse(request.body().name(), "body.name"));
  ENAMND_RETURN_IF_ERROR(
      ValidateMask(request.update_mask(),
                   {"display_name", "kind", "seats", "keeping_municipality", "protocol_archive"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetBody(tx, name));
  if (!found.has_value()) return platform::NotFound("body", request.body().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.body().etag(), found->etag(), found->name()));
  v1::Body body = *found;
  ApplyMask(request.update_mask(), request.body(), &body);
  ENAMND_RETURN_IF_ERROR(ValidateBody(body));
  ENAMND_RETURN_IF_ERROR(store::RequireMunicipalities(tx, MunicipalitiesOf(body)));
  *body.mutable_update_time() = NowTimestamp();
  body.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::UpdateBody(tx, name, body));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, body.name()));
  *response = body;
  response->set_etag(platform::NextEtag(found->etag()));
  return absl::OkStatus();
}

absl::Status MeetingsApi::StartParagraphSeries(const platform::Caller& caller,
                                               const v1::StartParagraphSeriesRequest& request,
                                               v1::ParagraphSeries* response) {
  ENAMND_ASSIGN_OR_RETURN(BodyName body, BodyName::Parse(request.body(), "body"));
  ENAMND_RETURN_IF_ERROR(ValidateSeriesStart(request.year(), request.next_number()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetBody(tx, body));
  if (!found.has_value()) return platform::NotFound("body", request.body());
  ENAMND_ASSIGN_OR_RETURN(int64_t max_number, store::MaxParagraphNumber(tx, body, request.year()));
  ENAMND_ASSIGN_OR_RETURN(auto current, store::SeriesStart(tx, body, request.year()));
  ENAMND_RETURN_IF_ERROR(CheckSeriesMovable(request.body(), request.year(), max_number, current,
                                            request.next_number()));
  ENAMND_RETURN_IF_ERROR(store::SetSeriesStart(tx, body, request.year(), request.next_number()));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, request.body()));
  response->set_name(ParagraphSeriesName{body, request.year()}.ToString());
  response->set_year(request.year());
  response->set_next_number(
      static_cast<int32_t>(NextParagraphNumber(max_number, request.next_number())));
  return absl::OkStatus();
}

// ------------------------------------------------------------ meetings

absl::Status MeetingsApi::CreateMeeting(const platform::Caller& caller,
                                        const v1::CreateMeetingRequest& request,
                                        v1::Meeting* response) {
  ENAMND_ASSIGN_OR_RETURN(BodyName body_name, BodyName::Parse(request.parent(), "parent"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  v1::Meeting m = request.meeting();
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(m.date(), "meeting.date", true));
  const MeetingName name{body_name, request.meeting_id().empty()
                                        ? platform::DayText(platform::ToCivil(m.date()))
                                        : request.meeting_id()};
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(name.meeting_id, "meeting_id"));
  ENAMND_RETURN_IF_ERROR(ValidateMeeting(m));
  ENAMND_RETURN_IF_ERROR(PrepareNewMeeting(&m));
  m.set_name(name.ToString());
  *m.mutable_create_time() = NowTimestamp();
  *m.mutable_update_time() = m.create_time();
  m.set_create_principal(caller.principal());
  m.set_update_principal(caller.principal());

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(
          tx, "CreateMeeting", request.request_id(), m.name(),
          [&](const std::string&) { return store::GetMeeting(tx, name); }, response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_ASSIGN_OR_RETURN(auto body, store::GetBody(tx, body_name));
  if (!body.has_value()) return platform::NotFound("body", request.parent());
  ENAMND_ASSIGN_OR_RETURN(auto existing, store::GetMeeting(tx, name));
  if (existing.has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat(m.name(), " exists; give another meeting_id for a second meeting that day"));
  }
  ENAMND_RETURN_IF_ERROR(store::InsertMeeting(tx, name, m));
  m.set_etag("1");
  v1::MeetingScheduled event;
  *event.mutable_meeting() = m;
  event.set_body_display_name(body->display_name());
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, m.name()));
  *response = m;
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetMeeting(const platform::Caller& /*caller*/,
                                     const v1::GetMeetingRequest& request, v1::Meeting* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName name, MeetingName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetMeeting(tx, name));
  if (!found.has_value()) return platform::NotFound("meeting", request.name());
  *response = *std::move(found);
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListMeetings(const platform::Caller& /*caller*/,
                                       const v1::ListMeetingsRequest& request,
                                       v1::ListMeetingsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingFilter filter,
                          ParseMeetingFilter(request.parent(), request.filter()));
  const std::string scope = absl::StrCat("ListMeetings|", request.parent(), "|", request.filter());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      auto page, store::ListMeetings(tx, scope, filter, request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListMeetingsResponse::mutable_meetings, response);
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateMeeting(const platform::Caller& caller,
                                        const v1::UpdateMeetingRequest& request,
                                        v1::Meeting* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName name,
                          MeetingName::Parse(request.meeting().name(), "meeting.name"));
  ENAMND_RETURN_IF_ERROR(
      ValidateMask(request.update_mask(), {"start_time", "end_time", "location", "state", "kind"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetMeeting(tx, name));
  if (!found.has_value()) return platform::NotFound("meeting", request.meeting().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.meeting().etag(), found->etag(), found->name()));
  ENAMND_ASSIGN_OR_RETURN(auto adjustments, store::AdjustmentsOfMeeting(tx, name));
  ENAMND_RETURN_IF_ERROR(CheckProtocolOpen(found->name(), adjustments));
  v1::Meeting m = *found;
  ApplyMask(request.update_mask(), request.meeting(), &m);
  ENAMND_RETURN_IF_ERROR(ValidateMeeting(m));
  ENAMND_ASSIGN_OR_RETURN(int64_t paragraphs, store::CountParagraphsOfMeeting(tx, name));
  ENAMND_RETURN_IF_ERROR(CheckMeetingUpdate(*found, paragraphs, &m));
  *m.mutable_update_time() = NowTimestamp();
  m.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::UpdateMeeting(tx, m));
  m.set_etag(platform::NextEtag(found->etag()));
  v1::MeetingUpdated event;
  *event.mutable_meeting() = m;
  for (const std::string& path : request.update_mask().paths()) event.add_changed_fields(path);
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, m.name()));
  *response = m;
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordAttendance(const platform::Caller& caller,
                                           const v1::RecordAttendanceRequest& request,
                                           v1::Meeting* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName name, MeetingName::Parse(request.meeting(), "meeting"));
  const v1::Attendance& a = request.attendance();
  ENAMND_RETURN_IF_ERROR(ValidateAttendanceFields(a));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(MeetingAndBody mb, LoadMeetingAndBody(tx, name));
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.etag(), mb.meeting.etag(), mb.meeting.name()));
  ENAMND_ASSIGN_OR_RETURN(auto adjustments, store::AdjustmentsOfMeeting(tx, name));
  ENAMND_RETURN_IF_ERROR(CheckAttendanceOpen(mb.meeting, adjustments));
  ENAMND_ASSIGN_OR_RETURN(std::vector<int> recorded, RecordedNumbers(tx, name));
  ENAMND_RETURN_IF_ERROR(CheckAttendance(a, mb.body, recorded));

  v1::Meeting m = mb.meeting;
  *m.mutable_attendance() = a;
  bool became_held = m.state() == v1::Meeting::STATE_PLANNED;
  if (became_held) m.set_state(v1::Meeting::STATE_HELD);
  *m.mutable_update_time() = NowTimestamp();
  m.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::UpdateMeeting(tx, m));
  m.set_etag(platform::NextEtag(mb.meeting.etag()));
  v1::AttendanceRecorded event;
  event.set_meeting(m.name());
  *event.mutable_meeting_date() = m.date();
  *event.mutable_attendance() = a;
  event.set_seats_represented(SeatsRepresented(a, mb.body, std::nullopt));
  event.set_seats_total(mb.body.seats_size());
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
  if (became_held) {
    v1::MeetingUpdated updated;
    *updated.mutable_meeting() = m;
    updated.add_changed_fields("state");
    ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, updated, m.name()).status());
  }
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, m.name()));
  *response = m;
  return absl::OkStatus();
}

// ------------------------------------------------------------ cases

absl::Status MeetingsApi::CreateCase(const platform::Caller& caller,
                                     const v1::CreateCaseRequest& request, v1::Case* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  v1::Case c = request.case_();
  ENAMND_ASSIGN_OR_RETURN(CaseNumber number, ParseCaseNumber(c.case_number(), "case.case_number"));
  ENAMND_RETURN_IF_ERROR(ValidateCase(c));
  const CaseName name{number.year, number.sequence};
  c.set_name(name.ToString());
  c.set_case_number(number.ToString());
  *c.mutable_create_time() = NowTimestamp();
  *c.mutable_update_time() = c.create_time();
  c.set_create_principal(caller.principal());
  c.set_update_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed, platform::ReplayOrRemember(
                         tx, "CreateCase", request.request_id(), c.name(),
                         [&](const std::string&) { return store::GetCase(tx, name); }, response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_ASSIGN_OR_RETURN(auto existing, store::GetCase(tx, name));
  if (existing.has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat(c.name(), " exists (case number ", existing->case_number(), ")"));
  }
  ENAMND_RETURN_IF_ERROR(store::InsertCase(tx, name, c));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, c.name()));
  *response = c;
  response->set_etag("1");
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetCase(const platform::Caller& /*caller*/,
                                  const v1::GetCaseRequest& request, v1::Case* response) {
  ENAMND_ASSIGN_OR_RETURN(CaseName name, CaseName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetCase(tx, name));
  if (!found.has_value()) return platform::NotFound("case", request.name());
  *response = *std::move(found);
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListCases(const platform::Caller& /*caller*/,
                                    const v1::ListCasesRequest& request,
                                    v1::ListCasesResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(CaseFilter filter, ParseCaseFilter(request.filter()));
  const std::string scope = absl::StrCat("ListCases|", request.filter());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      auto page, store::ListCases(tx, scope, filter, request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListCasesResponse::mutable_cases, response);
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateCase(const platform::Caller& caller,
                                     const v1::UpdateCaseRequest& request, v1::Case* response) {
  ENAMND_ASSIGN_OR_RETURN(CaseName name, CaseName::Parse(request.case_().name(), "case.name"));
  ENAMND_RETURN_IF_ERROR(ValidateMask(request.update_mask(), {"title", "subject"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetCase(tx, name));
  if (!found.has_value()) return platform::NotFound("case", request.case_().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.case_().etag(), found->etag(), found->name()));
  v1::Case c = *found;
  ApplyMask(request.update_mask(), request.case_(), &c);
  ENAMND_RETURN_IF_ERROR(ValidateCase(c));
  *c.mutable_update_time() = NowTimestamp();
  c.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::UpdateCase(tx, c));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, c.name()));
  *response = c;
  response->set_etag(platform::NextEtag(found->etag()));
  return absl::OkStatus();
}

// ------------------------------------------------------------ paragraphs

absl::Status MeetingsApi::RecordDecision(const platform::Caller& caller,
                                         const v1::RecordDecisionRequest& request,
                                         v1::Paragraph* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName meeting_name, MeetingName::Parse(request.parent(), "parent"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  v1::Paragraph p = request.paragraph();
  ENAMND_ASSIGN_OR_RETURN(CaseName case_name, CaseName::Parse(p.case_(), "paragraph.case"));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::Replayed(tx, "RecordDecision", request.request_id(),
                         platform::ByStoredName<ParagraphName>(tx, store::GetParagraph), response));
  if (replayed) {
    RedactFor(caller.SeesConfidential(), response);
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_ASSIGN_OR_RETURN(MeetingAndBody mb, LoadMeetingAndBody(tx, meeting_name));
  ENAMND_RETURN_IF_ERROR(CheckRecordsDecisions(mb.meeting));
  ENAMND_ASSIGN_OR_RETURN(auto adjustments, store::AdjustmentsOfMeeting(tx, meeting_name));
  ENAMND_RETURN_IF_ERROR(CheckProtocolOpen(mb.meeting.name(), adjustments));
  ENAMND_ASSIGN_OR_RETURN(v1::Case c, store::RequireCase(tx, case_name, "paragraph.case"));
  if (p.title().empty()) p.set_title(c.title());
  ENAMND_RETURN_IF_ERROR(ValidateParagraphContent(p));
  ENAMND_RETURN_IF_ERROR(store::RequireMunicipalities(tx, MunicipalitiesOf(p)));

  int64_t year = mb.meeting.date().year();
  ENAMND_ASSIGN_OR_RETURN(ParagraphName name, NextParagraphName(tx, meeting_name, year));
  ENAMND_RETURN_IF_ERROR(CheckQuorum(mb.meeting, mb.body, name.number));
  PrepareNewParagraph(name.ToString(), name.number, c.case_number(), &p);
  *p.mutable_create_time() = NowTimestamp();
  *p.mutable_update_time() = p.create_time();
  p.set_create_principal(caller.principal());
  p.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::InsertParagraph(tx, name, year, p));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "RecordDecision", request.request_id(), p.name()));
  p.set_etag("1");
  v1::DecisionRecorded event;
  ENAMND_RETURN_IF_ERROR(
      AppendDecisionEvent(tx, *outbox_, p,
                          DecisionContext{mb.body.name(), mb.body.display_name(), mb.meeting.name(),
                                          mb.meeting.date(), c.subject()},
                          &event));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, p.name()));
  *response = p;
  RedactFor(caller.SeesConfidential(), response);
  return absl::OkStatus();
}

namespace {

// A stored paragraph row (data, revision) as a reply sees it: what decides
// whether its stored bytes can go out as they are.
struct StoredParagraph {
  absl::string_view data;
  int64_t revision = 0;
  bool adjusted = false;  // adjustment (field 19) set: an official document
  bool secret = false;    // secrecy (field 23) set: redacted for most callers

  static absl::StatusOr<StoredParagraph> Of(const platform::Row& row) {
    StoredParagraph p{row.Text(0), row.Int(1)};
    constexpr int kWanted[] = {v1::Paragraph::kAdjustmentFieldNumber,
                               v1::Paragraph::kSecrecyFieldNumber};
    platform::StoredField found[2];
    ENAMND_RETURN_IF_ERROR(platform::ScanStoredFields(p.data, kWanted, absl::MakeSpan(found)));
    p.adjusted = !found[0].value.empty();
    p.secret = found[1].present;
    return p;
  }
};

// Appends `p` as the caller may see it: as stored, or parsed and redacted
// for a caller without the confidential role. `field` 0: the whole reply
// is the paragraph; otherwise it is that field of the reply.
absl::Status AppendParagraph(const platform::Caller& caller, const platform::Row& row,
                             const StoredParagraph& p, int field, std::string* reply) {
  if (p.secret && !caller.SeesConfidential()) {
    ENAMND_ASSIGN_OR_RETURN(v1::Paragraph paragraph, platform::DecodeProto<v1::Paragraph>(row));
    RedactFor(/*sees_confidential=*/false, &paragraph);
    std::string encoded = paragraph.SerializeAsString();
    if (field == 0) {
      reply->append(encoded);
    } else {
      platform::AppendEmbedded(field, encoded, reply);
    }
    return absl::OkStatus();
  }
  if (field == 0) {
    platform::AppendStoredWithEtag(p.data, v1::Paragraph::kEtagFieldNumber, p.revision, reply);
  } else {
    platform::AppendEmbeddedStored(field, p.data, v1::Paragraph::kEtagFieldNumber, p.revision,
                                   reply);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MeetingsApi::GetParagraph(const platform::Caller& caller,
                                       const v1::GetParagraphRequest& request, std::string* reply) {
  ENAMND_ASSIGN_OR_RETURN(ParagraphName name, ParagraphName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(std::optional<platform::Row> row, store::ParagraphRow(tx, name));
  if (!row.has_value()) return platform::NotFound("paragraph", request.name());
  ENAMND_ASSIGN_OR_RETURN(StoredParagraph p, StoredParagraph::Of(*row));
  // A decision is an official document once its protocol is adjusted.
  if (!p.adjusted) ENAMND_RETURN_IF_ERROR(caller.RequireDraftAccess(request.name()));
  return AppendParagraph(caller, *row, p, 0, reply);
}

absl::Status MeetingsApi::ListParagraphs(const platform::Caller& caller,
                                         const v1::ListParagraphsRequest& request,
                                         std::string* reply) {
  ENAMND_ASSIGN_OR_RETURN(ParagraphFilter filter,
                          ParseParagraphFilter(request.parent(), request.filter()));
  const std::string scope =
      absl::StrCat("ListParagraphs|", request.parent(), "|", request.filter());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      platform::ListPage page,
      store::ParagraphsQuery(scope, filter).Run(tx, request.page_size(), request.page_token()));
  for (const platform::Row& row : page.rows) {
    ENAMND_ASSIGN_OR_RETURN(StoredParagraph p, StoredParagraph::Of(row));
    // Callers of official documents only see adjusted paragraphs; a page
    // may then hold fewer than page_size (the token still leads on).
    if (!p.adjusted && !caller.SeesDrafts()) continue;
    ENAMND_RETURN_IF_ERROR(
        AppendParagraph(caller, row, p, v1::ListParagraphsResponse::kParagraphsFieldNumber, reply));
  }
  platform::AppendStringField(v1::ListParagraphsResponse::kNextPageTokenFieldNumber,
                              page.next_page_token, reply);
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateParagraph(const platform::Caller& caller,
                                          const v1::UpdateParagraphRequest& request,
                                          v1::Paragraph* response) {
  ENAMND_ASSIGN_OR_RETURN(ParagraphName name,
                          ParagraphName::Parse(request.paragraph().name(), "paragraph.name"));
  ENAMND_RETURN_IF_ERROR(ValidateMask(
      request.update_mask(),
      {"title", "decision", "summary", "description", "meeting_notes", "procedure", "reservations",
       "conflicts_of_interest", "documents", "recipients", "secrecy"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetParagraph(tx, name));
  if (!found.has_value()) return platform::NotFound("paragraph", request.paragraph().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.paragraph().etag(), found->etag(), found->name()));
  ENAMND_RETURN_IF_ERROR(CheckEditable(*found));
  v1::Paragraph p = *found;
  ApplyMask(request.update_mask(), request.paragraph(), &p);
  ENAMND_RETURN_IF_ERROR(CheckSecrecyChange(*found, p, caller.SeesConfidential()));
  ENAMND_RETURN_IF_ERROR(ValidateParagraphContent(p));
  ENAMND_RETURN_IF_ERROR(store::RequireMunicipalities(tx, MunicipalitiesOf(p)));
  *p.mutable_update_time() = NowTimestamp();
  p.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::UpdateParagraph(tx, p));
  p.set_etag(platform::NextEtag(found->etag()));
  ENAMND_ASSIGN_OR_RETURN(DecisionContext ctx, LoadDecisionContext(tx, p));
  v1::DecisionUpdated event;
  for (const std::string& path : request.update_mask().paths()) event.add_changed_fields(path);
  ENAMND_RETURN_IF_ERROR(AppendDecisionEvent(tx, *outbox_, p, ctx, &event));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, p.name()));
  *response = p;
  RedactFor(caller.SeesConfidential(), response);
  return absl::OkStatus();
}

}  // namespace enamnd::meetings
