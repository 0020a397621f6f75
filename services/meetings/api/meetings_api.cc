#include "services/meetings/api/meetings_api.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/meetings/api/helpers.h"
#include "services/meetings/domain/rules.h"
#include "services/meetings/store/store.h"
#include "services/platform/enums.h"
#include "services/platform/listing.h"
#include "services/platform/status.h"

namespace enamnd::meetings {

// ------------------------------------------------------------ municipalities

absl::Status MeetingsApi::CreateMunicipality(const v1::CreateMunicipalityRequest& request,
                                             v1::Municipality* response) {
  ENAMND_RETURN_IF_ERROR(ValidateMunicipalityCode(request.municipality_id(), "municipality_id"));
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::Municipality m = request.municipality();
  ENAMND_RETURN_IF_ERROR(
      ValidateText(m.display_name(), "municipality.display_name", kMaxNameLength, true));
  if (m.population() < 0) return InvalidField("municipality.population", "must not be negative");
  ENAMND_RETURN_IF_ERROR(ValidateDate(m.population_date(), "municipality.population_date", false));
  m.set_name(absl::StrCat(kMunicipalityPrefix, request.municipality_id()));
  *m.mutable_create_time() = NowTimestamp();

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed, Replayed(
                                             tx, "CreateMunicipality", request.request_id(),
                                             [&](const std::string& name) {
                                               return Store::GetMunicipality(
                                                   tx, name.substr(kMunicipalityPrefix.size()));
                                             },
                                             response));
  if (replayed) return absl::OkStatus();
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "CreateMunicipality", request.request_id(), m.name()));
  ENAMND_ASSIGN_OR_RETURN(auto existing, Store::GetMunicipality(tx, request.municipality_id()));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(m.name(), " exists"));
  ENAMND_RETURN_IF_ERROR(Store::InsertMunicipality(tx, request.municipality_id(), m));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = m;
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetMunicipality(const v1::GetMunicipalityRequest& request,
                                          v1::Municipality* response) {
  ENAMND_ASSIGN_OR_RETURN(std::string code, ParseMunicipalityName(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetMunicipality(tx, code));
  if (!found.has_value()) return NotFound("municipality", request.name());
  *response = *found;
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListMunicipalities(const v1::ListMunicipalitiesRequest& request,
                                             v1::ListMunicipalitiesResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(int page_size, platform::EffectivePageSize(request.page_size()));
  const std::string scope = "ListMunicipalities";
  std::string after;
  if (!request.page_token().empty()) {
    ENAMND_ASSIGN_OR_RETURN(auto key, platform::DecodePageToken(request.page_token(), scope));
    if (key.size() != 1) return InvalidField("page_token", "malformed");
    after = key[0];
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto list, Store::ListMunicipalities(tx, after, page_size + 1));
  for (int i = 0; i < static_cast<int>(list.size()) && i < page_size; ++i) {
    *response->add_municipalities() = list[i];
  }
  if (static_cast<int>(list.size()) > page_size) {
    const std::string& last = list[page_size - 1].name();
    response->set_next_page_token(
        platform::EncodePageToken(scope, {last.substr(kMunicipalityPrefix.size())}));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ bodies

absl::Status MeetingsApi::CreateBody(const v1::CreateBodyRequest& request, v1::Body* response) {
  ENAMND_RETURN_IF_ERROR(ValidateResourceId(request.body_id(), "body_id"));
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::Body body = request.body();
  ENAMND_RETURN_IF_ERROR(ValidateBodyFields(body));
  body.set_name(absl::StrCat("bodies/", request.body_id()));
  *body.mutable_create_time() = NowTimestamp();
  *body.mutable_update_time() = body.create_time();

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      Replayed(
          tx, "CreateBody", request.request_id(),
          [&](const std::string& name) { return Store::GetBody(tx, name.substr(7)); }, response));
  if (replayed) return absl::OkStatus();
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "CreateBody", request.request_id(), body.name()));
  ENAMND_ASSIGN_OR_RETURN(auto existing, Store::GetBody(tx, request.body_id()));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(body.name(), " exists"));
  ENAMND_RETURN_IF_ERROR(ValidateSeats(tx, body));
  ENAMND_RETURN_IF_ERROR(Store::InsertBody(tx, request.body_id(), body));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = body;
  response->set_etag("1");
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetBody(const v1::GetBodyRequest& request, v1::Body* response) {
  ENAMND_ASSIGN_OR_RETURN(std::string id, ParseBodyName(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetBody(tx, id));
  if (!found.has_value()) return NotFound("body", request.name());
  *response = *found;
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListBodies(const v1::ListBodiesRequest& request,
                                     v1::ListBodiesResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(int page_size, platform::EffectivePageSize(request.page_size()));
  const std::string scope = "ListBodies";
  std::string after;
  if (!request.page_token().empty()) {
    ENAMND_ASSIGN_OR_RETURN(auto key, platform::DecodePageToken(request.page_token(), scope));
    if (key.size() != 1) return InvalidField("page_token", "malformed");
    after = key[0];
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto list, Store::ListBodies(tx, after, page_size + 1));
  for (int i = 0; i < static_cast<int>(list.size()) && i < page_size; ++i) {
    *response->add_bodies() = list[i];
  }
  if (static_cast<int>(list.size()) > page_size) {
    response->set_next_page_token(
        platform::EncodePageToken(scope, {list[page_size - 1].name().substr(7)}));
  }
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateBody(const v1::UpdateBodyRequest& request, v1::Body* response) {
  ENAMND_ASSIGN_OR_RETURN(std::string id, ParseBodyName(request.body().name(), "body.name"));
  ENAMND_RETURN_IF_ERROR(ValidateMask(request.update_mask(), {"display_name", "kind", "seats"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetBody(tx, id));
  if (!found.has_value()) return NotFound("body", request.body().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.body().etag(), found->etag(), found->name()));
  v1::Body body = *found;
  ApplyMask(request.update_mask(), request.body(), &body);
  ENAMND_RETURN_IF_ERROR(ValidateBodyFields(body));
  ENAMND_RETURN_IF_ERROR(ValidateSeats(tx, body));
  *body.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::UpdateBody(tx, id, body));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = body;
  response->set_etag(platform::NextEtag(found->etag()));
  return absl::OkStatus();
}

absl::Status MeetingsApi::StartParagraphSeries(const v1::StartParagraphSeriesRequest& request,
                                               v1::ParagraphSeries* response) {
  ENAMND_ASSIGN_OR_RETURN(std::string id, ParseBodyName(request.body(), "body"));
  if (request.year() < 1900 || request.year() > 2999) return InvalidField("year", "1900-2999");
  if (request.next_number() < 1 || request.next_number() > 100000) {
    return InvalidField("next_number", "must be 1-100000");
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, id));
  if (!body.has_value()) return NotFound("body", request.body());
  ENAMND_ASSIGN_OR_RETURN(int64_t max_number, Store::MaxParagraphNumber(tx, id, request.year()));
  ENAMND_ASSIGN_OR_RETURN(auto current, Store::SeriesStart(tx, id, request.year()));
  if (max_number > 0 && !(current.has_value() && *current == request.next_number())) {
    return absl::FailedPreconditionError(absl::StrCat(request.body(), " already has paragraphs in ",
                                                      request.year(), " (up to § ", max_number,
                                                      "); its numbering can no longer be moved"));
  }
  ENAMND_RETURN_IF_ERROR(Store::SetSeriesStart(tx, id, request.year(), request.next_number()));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  response->set_name(absl::StrCat(request.body(), "/paragraph-series/", request.year()));
  response->set_year(request.year());
  response->set_next_number(max_number > 0 ? static_cast<int32_t>(max_number + 1)
                                           : request.next_number());
  return absl::OkStatus();
}

// ------------------------------------------------------------ meetings

absl::Status MeetingsApi::CreateMeeting(const v1::CreateMeetingRequest& request,
                                        v1::Meeting* response) {
  ENAMND_ASSIGN_OR_RETURN(std::string body_id, ParseBodyName(request.parent(), "parent"));
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::Meeting m = request.meeting();
  ENAMND_RETURN_IF_ERROR(ValidateDate(m.date(), "meeting.date", true));
  std::string meeting_id = request.meeting_id().empty()
                               ? FormatDay(m.date().year(), m.date().month(), m.date().day())
                               : request.meeting_id();
  ENAMND_RETURN_IF_ERROR(ValidateResourceId(meeting_id, "meeting_id"));
  ENAMND_RETURN_IF_ERROR(ValidateMeetingFields(m));
  if (m.state() == v1::Meeting::STATE_UNSPECIFIED) m.set_state(v1::Meeting::STATE_PLANNED);
  if (m.state() == v1::Meeting::STATE_CANCELLED) {
    return InvalidField("meeting.state", "a new meeting is STATE_PLANNED or STATE_HELD");
  }
  if (m.has_attendance()) {
    return InvalidField("meeting.attendance", "record attendance with RecordAttendance");
  }
  m.set_name(absl::StrCat(request.parent(), "/meetings/", meeting_id));
  *m.mutable_create_time() = NowTimestamp();
  *m.mutable_update_time() = m.create_time();

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      Replayed(
          tx, "CreateMeeting", request.request_id(),
          [&](const std::string& name) { return Store::GetMeeting(tx, name); }, response));
  if (replayed) return absl::OkStatus();
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "CreateMeeting", request.request_id(), m.name()));
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, body_id));
  if (!body.has_value()) return NotFound("body", request.parent());
  ENAMND_ASSIGN_OR_RETURN(auto existing, Store::GetMeeting(tx, m.name()));
  if (existing.has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat(m.name(), " exists; give another meeting_id for a second meeting that day"));
  }
  ENAMND_RETURN_IF_ERROR(Store::InsertMeeting(tx, body_id, meeting_id, m));
  v1::MeetingScheduled event;
  *event.mutable_meeting() = m;
  event.mutable_meeting()->set_etag("1");
  event.set_body_display_name(body->display_name());
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = m;
  response->set_etag("1");
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetMeeting(const v1::GetMeetingRequest& request, v1::Meeting* response) {
  ENAMND_RETURN_IF_ERROR(ParseMeetingName(request.name(), "name").status());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetMeeting(tx, request.name()));
  if (!found.has_value()) return NotFound("meeting", request.name());
  *response = *found;
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListMeetings(const v1::ListMeetingsRequest& request,
                                       v1::ListMeetingsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(int page_size, platform::EffectivePageSize(request.page_size()));
  MeetingQuery q;
  if (request.parent() != "bodies/-") {
    ENAMND_ASSIGN_OR_RETURN(std::string body_id, ParseBodyName(request.parent(), "parent"));
    q.body_id = body_id;
  }
  ENAMND_ASSIGN_OR_RETURN(auto terms, platform::ParseFilter(request.filter(), {"year", "state"}));
  if (terms.count("year")) {
    int64_t year = 0;
    if (!absl::SimpleAtoi(terms["year"], &year))
      return InvalidField("filter", "year must be a number");
    q.year = year;
  }
  if (terms.count("state")) {
    ENAMND_ASSIGN_OR_RETURN(
        int state, platform::ParseEnumValue(terms["state"], v1::Meeting::State_descriptor(),
                                            "filter.state"));
    q.state = state;
  }
  const std::string scope = absl::StrCat("ListMeetings|", request.parent(), "|", request.filter());
  if (!request.page_token().empty()) {
    ENAMND_ASSIGN_OR_RETURN(auto key, platform::DecodePageToken(request.page_token(), scope));
    if (key.size() != 3) return InvalidField("page_token", "malformed");
    q.after_body = key[0];
    q.after_date = key[1];
    q.after_id = key[2];
  }
  q.limit = page_size + 1;
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto list, Store::ListMeetings(tx, q));
  for (int i = 0; i < static_cast<int>(list.size()) && i < page_size; ++i) {
    *response->add_meetings() = list[i];
  }
  if (static_cast<int>(list.size()) > page_size) {
    const v1::Meeting& last = list[page_size - 1];
    ENAMND_ASSIGN_OR_RETURN(MeetingName mn, ParseMeetingName(last.name(), "name"));
    response->set_next_page_token(platform::EncodePageToken(
        scope, {mn.body_id, FormatDay(last.date().year(), last.date().month(), last.date().day()),
                mn.meeting_id}));
  }
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateMeeting(const v1::UpdateMeetingRequest& request,
                                        v1::Meeting* response) {
  ENAMND_RETURN_IF_ERROR(ParseMeetingName(request.meeting().name(), "meeting.name").status());
  ENAMND_RETURN_IF_ERROR(
      ValidateMask(request.update_mask(), {"start_time", "end_time", "location", "state"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetMeeting(tx, request.meeting().name()));
  if (!found.has_value()) return NotFound("meeting", request.meeting().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.meeting().etag(), found->etag(), found->name()));
  ENAMND_RETURN_IF_ERROR(RequireNotAdjusted(tx, found->name()));
  v1::Meeting m = *found;
  ApplyMask(request.update_mask(), request.meeting(), &m);
  ENAMND_RETURN_IF_ERROR(ValidateMeetingFields(m));
  if (m.state() == v1::Meeting::STATE_UNSPECIFIED) {
    return InvalidField("meeting.state",
                        absl::StrCat("required: ", platform::EnumChoices(v1::Meeting::State_descriptor())));
  }
  if (m.state() != found->state()) {
    ENAMND_ASSIGN_OR_RETURN(int64_t paragraphs, Store::CountParagraphsOfMeeting(tx, m.name()));
    if (paragraphs > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          m.name(), " has ", paragraphs, " recorded paragraphs; its state can no longer change"));
    }
    if (m.state() == v1::Meeting::STATE_CANCELLED) m.clear_attendance();
    if (m.state() == v1::Meeting::STATE_PLANNED && m.has_attendance()) {
      return absl::FailedPreconditionError(
          absl::StrCat(m.name(), " has recorded attendance; it was held"));
    }
  }
  *m.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::UpdateMeeting(tx, m));
  m.set_etag(platform::NextEtag(found->etag()));
  v1::MeetingUpdated event;
  *event.mutable_meeting() = m;
  for (const std::string& path : request.update_mask().paths()) event.add_changed_fields(path);
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = m;
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordAttendance(const v1::RecordAttendanceRequest& request,
                                           v1::Meeting* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName mn, ParseMeetingName(request.meeting(), "meeting"));
  const v1::Attendance& a = request.attendance();
  ENAMND_RETURN_IF_ERROR(ValidateListSize(a.seats(), "attendance.seats"));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(a.others_present(), "attendance.others_present"));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(a.chair(), "attendance.chair", false));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(a.secretary(), "attendance.secretary", false));
  for (int i = 0; i < a.others_present_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(ValidatePerson(
        a.others_present(i), absl::StrCat("attendance.others_present[", i, "]"), true));
  }
  ENAMND_RETURN_IF_ERROR(ValidateListSize(a.adjusters(), "attendance.adjusters"));
  for (int i = 0; i < a.adjusters_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(
        ValidatePerson(a.adjusters(i), absl::StrCat("attendance.adjusters[", i, "]"), true));
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetMeeting(tx, request.meeting()));
  if (!found.has_value()) return NotFound("meeting", request.meeting());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.etag(), found->etag(), found->name()));
  if (found->state() == v1::Meeting::STATE_CANCELLED) {
    return absl::FailedPreconditionError(
        absl::StrCat(found->name(), " is cancelled; nobody can attend it"));
  }
  ENAMND_ASSIGN_OR_RETURN(auto adjustments, Store::ListAdjustmentsOfMeeting(tx, found->name()));
  if (!adjustments.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(found->name(), " has adjusted paragraphs (",
                                                      adjustments.front().name(),
                                                      "); its attendance is locked"));
  }
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, mn.body_id));
  if (!body.has_value()) return absl::InternalError("meeting without body");
  std::set<std::string> seats;
  for (const v1::Seat& s : body->seats()) seats.insert(s.municipality());
  std::set<std::string> seen;
  for (int i = 0; i < a.seats_size(); ++i) {
    const v1::SeatAttendance& s = a.seats(i);
    std::string field = absl::StrCat("attendance.seats[", i, "]");
    ENAMND_RETURN_IF_ERROR(
        ParseMunicipalityName(s.municipality(), field + ".municipality").status());
    if (seats.count(s.municipality()) == 0) {
      return InvalidField(field + ".municipality",
                          absl::StrCat(s.municipality(), " has no seat in ", body->name()));
    }
    if (!seen.insert(s.municipality()).second) {
      return InvalidField(field + ".municipality", "listed twice");
    }
    if (!s.substitute_served() && s.substitute_paragraphs_size() > 0) {
      return InvalidField(field + ".substitute_paragraphs", "set only when substitute_served");
    }
    if (s.member_present() && s.substitute_served() && s.substitute_paragraphs_size() == 0) {
      return InvalidField(field + ".substitute_served",
                          "the member was present; name the paragraphs the substitute served for");
    }
    for (int number : s.substitute_paragraphs()) {
      if (number < 1) return InvalidField(field + ".substitute_paragraphs", "positive numbers");
    }
  }
  // A correction after decisions were recorded must not take away the
  // quorum they were recorded with.
  ParagraphQuery recorded;
  recorded.meeting = found->name();
  recorded.limit = 100000;
  ENAMND_ASSIGN_OR_RETURN(auto paragraphs, Store::ListParagraphs(tx, recorded));
  for (const auto& row : paragraphs) {
    int number = row.paragraph.number();
    int represented = SeatsRepresented(a, *body, number);
    if (!HasQuorum(represented, body->seats_size())) {
      return absl::FailedPreconditionError(
          absl::StrCat("this attendance leaves recorded § ", number, " without quorum (",
                       represented, " of ", body->seats_size(), " seats represented)"));
    }
  }
  v1::Meeting m = *found;
  *m.mutable_attendance() = a;
  bool became_held = m.state() == v1::Meeting::STATE_PLANNED;
  if (became_held) m.set_state(v1::Meeting::STATE_HELD);
  *m.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::UpdateMeeting(tx, m));
  m.set_etag(platform::NextEtag(found->etag()));
  v1::AttendanceRecorded event;
  event.set_meeting(m.name());
  *event.mutable_meeting_date() = m.date();
  *event.mutable_attendance() = a;
  event.set_seats_represented(SeatsRepresented(a, *body, std::nullopt));
  event.set_seats_total(body->seats_size());
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, m.name()).status());
  if (became_held) {
    v1::MeetingUpdated updated;
    *updated.mutable_meeting() = m;
    updated.add_changed_fields("state");
    ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, updated, m.name()).status());
  }
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = m;
  return absl::OkStatus();
}

// ------------------------------------------------------------ cases

absl::Status MeetingsApi::CreateCase(const v1::CreateCaseRequest& request, v1::Case* response) {
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::Case c = request.case_();
  ENAMND_ASSIGN_OR_RETURN(CaseNumber number, ParseCaseNumber(c.case_number(), "case.case_number"));
  ENAMND_RETURN_IF_ERROR(ValidateCaseFields(c));
  c.set_name(number.ResourceName());
  c.set_case_number(number.ToString());
  *c.mutable_create_time() = NowTimestamp();
  *c.mutable_update_time() = c.create_time();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      Replayed(
          tx, "CreateCase", request.request_id(),
          [&](const std::string& name) { return Store::GetCase(tx, name); }, response));
  if (replayed) return absl::OkStatus();
  ENAMND_RETURN_IF_ERROR(platform::SaveRequest(tx, "CreateCase", request.request_id(), c.name()));
  ENAMND_ASSIGN_OR_RETURN(auto existing, Store::GetCase(tx, c.name()));
  if (existing.has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat(c.name(), " exists (case number ", existing->case_number(), ")"));
  }
  ENAMND_RETURN_IF_ERROR(Store::InsertCase(tx, number.year, number.sequence, c));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = c;
  response->set_etag("1");
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetCase(const v1::GetCaseRequest& request, v1::Case* response) {
  ENAMND_RETURN_IF_ERROR(ValidateCaseName(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetCase(tx, request.name()));
  if (!found.has_value()) return NotFound("case", request.name());
  *response = *found;
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListCases(const v1::ListCasesRequest& request,
                                    v1::ListCasesResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(int page_size, platform::EffectivePageSize(request.page_size()));
  ENAMND_ASSIGN_OR_RETURN(auto terms, platform::ParseFilter(request.filter(), {"year", "subject"}));
  CaseQuery q;
  if (terms.count("year")) {
    int64_t year = 0;
    if (!absl::SimpleAtoi(terms["year"], &year))
      return InvalidField("filter", "year must be a number");
    q.year = year;
  }
  if (terms.count("subject")) q.subject = terms["subject"];
  const std::string scope = absl::StrCat("ListCases|", request.filter());
  if (!request.page_token().empty()) {
    ENAMND_ASSIGN_OR_RETURN(auto key, platform::DecodePageToken(request.page_token(), scope));
    if (key.size() != 2 || !absl::SimpleAtoi(key[0], &q.after_year) ||
        !absl::SimpleAtoi(key[1], &q.after_sequence)) {
      return InvalidField("page_token", "malformed");
    }
  }
  q.limit = page_size + 1;
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto list, Store::ListCases(tx, q));
  for (int i = 0; i < static_cast<int>(list.size()) && i < page_size; ++i) {
    *response->add_cases() = list[i];
  }
  if (static_cast<int>(list.size()) > page_size) {
    ENAMND_ASSIGN_OR_RETURN(CaseNumber n,
                            ParseCaseNumber(list[page_size - 1].case_number(), "case_number"));
    response->set_next_page_token(
        platform::EncodePageToken(scope, {absl::StrCat(n.year), absl::StrCat(n.sequence)}));
  }
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateCase(const v1::UpdateCaseRequest& request, v1::Case* response) {
  ENAMND_RETURN_IF_ERROR(ValidateCaseName(request.case_().name(), "case.name"));
  ENAMND_RETURN_IF_ERROR(ValidateMask(request.update_mask(), {"title", "subject"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetCase(tx, request.case_().name()));
  if (!found.has_value()) return NotFound("case", request.case_().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.case_().etag(), found->etag(), found->name()));
  v1::Case c = *found;
  ApplyMask(request.update_mask(), request.case_(), &c);
  ENAMND_RETURN_IF_ERROR(ValidateCaseFields(c));
  *c.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::UpdateCase(tx, c));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = c;
  response->set_etag(platform::NextEtag(found->etag()));
  return absl::OkStatus();
}

// ------------------------------------------------------------ paragraphs

absl::Status MeetingsApi::RecordDecision(const v1::RecordDecisionRequest& request,
                                         v1::Paragraph* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName mn, ParseMeetingName(request.parent(), "parent"));
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::Paragraph p = request.paragraph();
  ENAMND_RETURN_IF_ERROR(ValidateCaseName(p.case_(), "paragraph.case"));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      Replayed(
          tx, "RecordDecision", request.request_id(),
          [&](const std::string& name) { return Store::GetParagraph(tx, name); }, response));
  if (replayed) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(auto meeting, Store::GetMeeting(tx, request.parent()));
  if (!meeting.has_value()) return NotFound("meeting", request.parent());
  if (meeting->state() == v1::Meeting::STATE_CANCELLED) {
    return absl::FailedPreconditionError(
        absl::StrCat(meeting->name(), " is cancelled; it cannot record decisions"));
  }
  ENAMND_RETURN_IF_ERROR(RequireNotAdjusted(tx, meeting->name()));
  ENAMND_ASSIGN_OR_RETURN(auto c, Store::GetCase(tx, p.case_()));
  if (!c.has_value()) {
    return InvalidField("paragraph.case",
                        absl::StrCat(p.case_(), " does not exist; CreateCase first"));
  }
  if (p.title().empty()) p.set_title(c->title());
  ENAMND_RETURN_IF_ERROR(ValidateParagraphContent(tx, p));
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, mn.body_id));
  if (!body.has_value()) return absl::InternalError("meeting without body");

  // Consecutive per body and calendar year: the write lock is held, so no
  // other transaction can take the same number.
  int64_t year = meeting->date().year();
  ENAMND_ASSIGN_OR_RETURN(int64_t max_number, Store::MaxParagraphNumber(tx, mn.body_id, year));
  ENAMND_ASSIGN_OR_RETURN(auto series, Store::SeriesStart(tx, mn.body_id, year));
  int64_t number = max_number > 0 ? max_number + 1 : series.value_or(1);

  if (!meeting->has_attendance()) {
    return absl::FailedPreconditionError(
        absl::StrCat(meeting->name(),
                     " has no recorded attendance, so quorum cannot be established;"
                     " RecordAttendance first"));
  }
  int represented = SeatsRepresented(meeting->attendance(), *body, static_cast<int>(number));
  if (!HasQuorum(represented, body->seats_size())) {
    return absl::FailedPreconditionError(
        absl::StrCat(meeting->name(), " lacks quorum for § ", number, ": ", represented, " of ",
                     body->seats_size(), " seats represented; more than half are needed"));
  }

  p.set_number(static_cast<int32_t>(number));
  p.set_name(absl::StrCat(meeting->name(), "/paragraphs/", number));
  p.set_case_number(c->case_number());
  p.clear_etag();
  // Output-only fields a client may have sent.
  p.set_legal_state(v1::Paragraph::LEGAL_STATE_DRAFT);
  p.clear_adjustment();
  p.clear_legal_force_date();
  p.clear_corrections();
  p.clear_appeals();
  *p.mutable_create_time() = NowTimestamp();
  *p.mutable_update_time() = p.create_time();
  ENAMND_RETURN_IF_ERROR(Store::InsertParagraph(tx, mn.body_id, year, meeting->name(), p));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "RecordDecision", request.request_id(), p.name()));
  p.set_etag("1");
  v1::DecisionRecorded event;
  FillDecisionEvent(p,
                    DecisionContext{body->name(), body->display_name(), meeting->name(),
                                    meeting->date(), c->subject()},
                    &event);
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, p.name(), AudienceOf(p)).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = p;
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetParagraph(const v1::GetParagraphRequest& request,
                                       v1::Paragraph* response) {
  ENAMND_RETURN_IF_ERROR(ValidateParagraphName(request.name(), "name").status());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetParagraph(tx, request.name()));
  if (!found.has_value()) return NotFound("paragraph", request.name());
  *response = *found;
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListParagraphs(const v1::ListParagraphsRequest& request,
                                         v1::ListParagraphsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(int page_size, platform::EffectivePageSize(request.page_size()));
  ParagraphQuery q;
  if (absl::StrContains(request.parent(), "/meetings/")) {
    ENAMND_RETURN_IF_ERROR(ParseMeetingName(request.parent(), "parent").status());
    q.meeting = request.parent();
  } else if (request.parent() != "bodies/-") {
    auto body_id = ParseBodyName(request.parent(), "parent");
    if (!body_id.ok()) {
      return InvalidField("parent", "a meeting name, bodies/{body_id} or bodies/-");
    }
    q.body_id = *body_id;
  }
  ENAMND_ASSIGN_OR_RETURN(
      auto terms, platform::ParseFilter(request.filter(), {"recipient", "case", "year", "kind"}));
  if (terms.count("recipient")) {
    ENAMND_ASSIGN_OR_RETURN(std::string code,
                            ParseMunicipalityName(terms["recipient"], "filter recipient"));
    q.recipient_code = code;
  }
  if (terms.count("case")) {
    ENAMND_RETURN_IF_ERROR(ValidateCaseName(terms["case"], "filter case"));
    q.case_name = terms["case"];
  }
  if (terms.count("year")) {
    int64_t year = 0;
    if (!absl::SimpleAtoi(terms["year"], &year))
      return InvalidField("filter", "year must be a number");
    q.year = year;
  }
  if (terms.count("kind")) {
    ENAMND_ASSIGN_OR_RETURN(
        int kind,
        platform::ParseEnumValue(terms["kind"], v1::DecisionKind_descriptor(), "filter.kind"));
    q.kind = kind;
  }
  const std::string scope =
      absl::StrCat("ListParagraphs|", request.parent(), "|", request.filter());
  if (!request.page_token().empty()) {
    ENAMND_ASSIGN_OR_RETURN(auto key, platform::DecodePageToken(request.page_token(), scope));
    if (key.size() != 3 || !absl::SimpleAtoi(key[1], &q.after_year) ||
        !absl::SimpleAtoi(key[2], &q.after_number)) {
      return InvalidField("page_token", "malformed");
    }
    q.after_body = key[0];
  }
  q.limit = page_size + 1;
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto rows, Store::ListParagraphs(tx, q));
  for (int i = 0; i < static_cast<int>(rows.size()) && i < page_size; ++i) {
    *response->add_paragraphs() = rows[i].paragraph;
  }
  if (static_cast<int>(rows.size()) > page_size) {
    const auto& last = rows[page_size - 1];
    response->set_next_page_token(platform::EncodePageToken(
        scope, {last.body_id, absl::StrCat(last.year), absl::StrCat(last.paragraph.number())}));
  }
  return absl::OkStatus();
}

absl::Status MeetingsApi::UpdateParagraph(const v1::UpdateParagraphRequest& request,
                                          v1::Paragraph* response) {
  ENAMND_RETURN_IF_ERROR(
      ValidateParagraphName(request.paragraph().name(), "paragraph.name").status());
  ENAMND_RETURN_IF_ERROR(
      ValidateMask(request.update_mask(),
                   {"title", "decision", "summary", "description", "meeting_notes", "procedure",
                    "reservations", "conflicts_of_interest", "documents", "recipients"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetParagraph(tx, request.paragraph().name()));
  if (!found.has_value()) return NotFound("paragraph", request.paragraph().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.paragraph().etag(), found->etag(), found->name()));
  if (found->legal_state() != v1::Paragraph::LEGAL_STATE_DRAFT &&
      found->legal_state() != v1::Paragraph::LEGAL_STATE_UNSPECIFIED) {
    return absl::FailedPreconditionError(
        absl::StrCat(found->name(), " is adjusted (", found->adjustment(),
                     ") and locked; record a correction with RecordCorrection instead"));
  }
  v1::Paragraph p = *found;
  ApplyMask(request.update_mask(), request.paragraph(), &p);
  ENAMND_RETURN_IF_ERROR(ValidateParagraphContent(tx, p));
  *p.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::UpdateParagraph(tx, p));
  p.set_etag(platform::NextEtag(found->etag()));
  ENAMND_ASSIGN_OR_RETURN(DecisionContext ctx, LoadDecisionContext(tx, p));
  v1::DecisionUpdated event;
  FillDecisionEvent(p, ctx, &event);
  for (const std::string& path : request.update_mask().paths()) event.add_changed_fields(path);
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, p.name(), AudienceOf(p)).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = p;
  return absl::OkStatus();
}

}  // namespace enamnd::meetings
