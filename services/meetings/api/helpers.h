// Validation and mapping helpers shared by the meetings API's files
// (meetings_api.cc, protocol_api.cc). Internal to services/meetings/api.
#ifndef ENAMND_MEETINGS_API_HELPERS_H_
#define ENAMND_MEETINGS_API_HELPERS_H_

#include <optional>
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
#include "enamnd/meetings/v1/meetings.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/meetings/domain/rules.h"
#include "services/meetings/store/store.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/listing.h"
#include "services/platform/requests.h"
#include "services/platform/status.h"

namespace enamnd::meetings {

using platform::ApplyMask;
using platform::CheckEtag;
using platform::InvalidField;
using platform::IsSet;
using platform::NowTimestamp;
using platform::Transaction;
using platform::ValidateDate;
using platform::ValidateMask;
using Store = MeetingsStore;

constexpr absl::string_view kMunicipalityPrefix = "municipalities/";

inline absl::Status NotFound(absl::string_view what, absl::string_view name) {
  return absl::NotFoundError(absl::StrCat(what, " ", name, " does not exist"));
}

inline absl::StatusOr<std::string> ParseBodyName(absl::string_view name, absl::string_view field) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, "bodies/")) {
    return InvalidField(field, "must be bodies/{body_id}");
  }
  ENAMND_RETURN_IF_ERROR(ValidateResourceId(id, field));
  return std::string(id);
}

struct MeetingName {
  std::string body_id;
  std::string meeting_id;
  std::string Full() const { return absl::StrCat("bodies/", body_id, "/meetings/", meeting_id); }
};

inline absl::StatusOr<MeetingName> ParseMeetingName(absl::string_view name,
                                                    absl::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "bodies" || parts[2] != "meetings") {
    return InvalidField(field, "must be bodies/{body_id}/meetings/{meeting_id}");
  }
  ENAMND_RETURN_IF_ERROR(ValidateResourceId(parts[1], field));
  ENAMND_RETURN_IF_ERROR(ValidateResourceId(parts[3], field));
  return MeetingName{parts[1], parts[3]};
}

inline absl::StatusOr<std::string> ValidateParagraphName(absl::string_view name,
                                                         absl::string_view field) {
  size_t at = name.rfind("/paragraphs/");
  if (at == absl::string_view::npos) {
    return InvalidField(field, "must be bodies/{body}/meetings/{meeting}/paragraphs/{number}");
  }
  ENAMND_RETURN_IF_ERROR(ParseMeetingName(name.substr(0, at), field).status());
  int number = 0;
  absl::string_view number_text = name.substr(at + 12);
  if (!absl::SimpleAtoi(number_text, &number) || number < 1 ||
      absl::StrCat(number) != number_text) {
    return InvalidField(field, "paragraph number must be a positive integer");
  }
  return std::string(name);
}

inline absl::Status ValidateCaseName(absl::string_view name, absl::string_view field) {
  absl::string_view rest = name;
  std::vector<std::string> parts;
  if (absl::ConsumePrefix(&rest, "cases/")) parts = absl::StrSplit(rest, '-');
  int year = 0;
  int64_t sequence = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &year) ||
      !absl::SimpleAtoi(parts[1], &sequence) || sequence < 1 ||
      absl::StrCat("cases/", year, "-", sequence) != name) {
    return InvalidField(field, "must be cases/{year}-{sequence}, e.g. cases/2022-9");
  }
  return absl::OkStatus();
}

inline absl::Status ValidateRequestId(const std::string& request_id) {
  return ValidateText(request_id, "request_id", 128, false);
}

// Checks paths against `allowed`; at least one path is required.

inline absl::Status ValidatePerson(const v1::Person& person, const std::string& field,
                                   bool required) {
  ENAMND_RETURN_IF_ERROR(
      ValidateText(person.display_name(), field + ".display_name", kMaxNameLength, required));
  return ValidateText(person.party(), field + ".party", 50, false);
}

inline absl::Status ValidateTime(const enamnd::common::v1::TimeOfDay& t, const std::string& field) {
  if (t.hours() < 0 || t.hours() > 23 || t.minutes() < 0 || t.minutes() > 59) {
    return InvalidField(field, "hours must be 0-23 and minutes 0-59");
  }
  return absl::OkStatus();
}

inline int DateKey(const enamnd::common::v1::Date& d) {
  return d.year() * 10000 + d.month() * 100 + d.day();
}

inline absl::Status RequireMunicipality(Transaction& tx, const std::string& name,
                                        const std::string& field) {
  ENAMND_ASSIGN_OR_RETURN(std::string code, ParseMunicipalityName(name, field));
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetMunicipality(tx, code));
  if (!found.has_value()) {
    return InvalidField(field, absl::StrCat("unknown municipality ", name,
                                            " (not registered with CreateMunicipality)"));
  }
  return absl::OkStatus();
}

template <typename Repeated>
inline absl::Status ValidateListSize(const Repeated& list, const std::string& field) {
  if (static_cast<size_t>(list.size()) > kMaxListLength) {
    return InvalidField(field, absl::StrCat("at most ", kMaxListLength, " entries"));
  }
  return absl::OkStatus();
}

inline absl::Status ValidateSeats(Transaction& tx, const v1::Body& body) {
  ENAMND_RETURN_IF_ERROR(ValidateListSize(body.seats(), "body.seats"));
  std::set<std::string> seen;
  for (int i = 0; i < body.seats_size(); ++i) {
    const v1::Seat& seat = body.seats(i);
    std::string field = absl::StrCat("body.seats[", i, "]");
    ENAMND_RETURN_IF_ERROR(RequireMunicipality(tx, seat.municipality(), field + ".municipality"));
    if (!seen.insert(seat.municipality()).second) {
      return InvalidField(
          field + ".municipality",
          absl::StrCat(seat.municipality(), " has two seats; one per municipality"));
    }
    ENAMND_RETURN_IF_ERROR(ValidatePerson(seat.member(), field + ".member", true));
    ENAMND_RETURN_IF_ERROR(ValidatePerson(seat.substitute(), field + ".substitute", false));
    ENAMND_RETURN_IF_ERROR(ValidateDate(seat.term_start(), field + ".term_start", false));
    ENAMND_RETURN_IF_ERROR(ValidateDate(seat.term_end(), field + ".term_end", false));
    if (IsSet(seat.term_start()) && IsSet(seat.term_end()) &&
        DateKey(seat.term_end()) < DateKey(seat.term_start())) {
      return InvalidField(field + ".term_end", "before term_start");
    }
  }
  return absl::OkStatus();
}

inline absl::Status ValidateBodyFields(const v1::Body& body) {
  ENAMND_RETURN_IF_ERROR(
      ValidateText(body.display_name(), "body.display_name", kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(body.kind(), v1::Body::Kind_descriptor(), "body.kind"));
  return absl::OkStatus();
}

inline absl::Status ValidateMeetingFields(const v1::Meeting& m) {
  ENAMND_RETURN_IF_ERROR(ValidateTime(m.start_time(), "meeting.start_time"));
  ENAMND_RETURN_IF_ERROR(ValidateTime(m.end_time(), "meeting.end_time"));
  if (m.has_start_time() && m.has_end_time() &&
      m.end_time().hours() * 60 + m.end_time().minutes() <
          m.start_time().hours() * 60 + m.start_time().minutes()) {
    return InvalidField("meeting.end_time", "before start_time");
  }
  ENAMND_RETURN_IF_ERROR(ValidateText(m.location(), "meeting.location", kMaxNameLength, false));
  if (!v1::Meeting::State_IsValid(m.state())) {
    return InvalidField("meeting.state", "unknown state");
  }
  return absl::OkStatus();
}

inline absl::Status ValidateCaseFields(const v1::Case& c) {
  ENAMND_RETURN_IF_ERROR(ValidateText(c.title(), "case.title", kMaxTitleLength, true));
  if (!c.subject().empty())
    ENAMND_RETURN_IF_ERROR(ValidateCrossReference(c.subject(), "case.subject"));
  return absl::OkStatus();
}

// Everything of a paragraph the caller writes (not name/number/case).
inline absl::Status ValidateParagraphContent(Transaction& tx, const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(ValidateText(p.title(), "paragraph.title", kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      p.decision().kind(), v1::DecisionKind_descriptor(), "paragraph.decision.kind"));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(p.decision().text(), "paragraph.decision.text", kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateText(p.summary(), "paragraph.summary", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(p.description(), "paragraph.description", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(p.meeting_notes(), "paragraph.meeting_notes", kMaxTextLength, false));

  const v1::DecisionProcedure& proc = p.procedure();
  ENAMND_RETURN_IF_ERROR(ValidateListSize(proc.proposals(), "paragraph.procedure.proposals"));
  for (int i = 0; i < proc.proposals_size(); ++i) {
    std::string field = absl::StrCat("paragraph.procedure.proposals[", i, "]");
    ENAMND_RETURN_IF_ERROR(ValidatePerson(proc.proposals(i).mover(), field + ".mover", true));
    ENAMND_RETURN_IF_ERROR(
        ValidateText(proc.proposals(i).text(), field + ".text", kMaxTextLength, true));
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateText(proc.order_put(), "paragraph.procedure.order_put", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(proc.votes(), "paragraph.procedure.votes"));
  for (int i = 0; i < proc.votes_size(); ++i) {
    const v1::Vote& vote = proc.votes(i);
    std::string field = absl::StrCat("paragraph.procedure.votes[", i, "]");
    ENAMND_RETURN_IF_ERROR(
        ValidateText(vote.question(), field + ".question", kMaxTitleLength, true));
    ENAMND_RETURN_IF_ERROR(ValidateText(vote.result(), field + ".result", kMaxTitleLength, false));
    if (vote.yes_count() < 0 || vote.no_count() < 0 || vote.abstain_count() < 0) {
      return InvalidField(field, "counts must not be negative");
    }
    ENAMND_RETURN_IF_ERROR(ValidateListSize(vote.ballots(), field + ".ballots"));
    int counts[4] = {0, 0, 0, 0};
    for (int j = 0; j < vote.ballots_size(); ++j) {
      const v1::Ballot& ballot = vote.ballots(j);
      std::string bfield = absl::StrCat(field, ".ballots[", j, "]");
      ENAMND_RETURN_IF_ERROR(ValidatePerson(ballot.voter(), bfield + ".voter", true));
      if (!ballot.municipality().empty()) {
        ENAMND_RETURN_IF_ERROR(
            RequireMunicipality(tx, ballot.municipality(), bfield + ".municipality"));
      }
      ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
          ballot.choice(), v1::Ballot::Choice_descriptor(), bfield + ".choice"));
      ++counts[ballot.choice()];
    }
    if (vote.ballots_size() > 0 &&
        (counts[v1::Ballot::CHOICE_YES] != vote.yes_count() || counts[v1::Ballot::CHOICE_NO] != vote.no_count() ||
         counts[v1::Ballot::CHOICE_ABSTAIN] != vote.abstain_count())) {
      return InvalidField(field, absl::StrCat("tally ", vote.yes_count(), "-", vote.no_count(), "-",
                                              vote.abstain_count(), " does not match the ballots ",
                                              counts[1], "-", counts[2], "-", counts[3]));
    }
  }
  ENAMND_RETURN_IF_ERROR(ValidateListSize(p.reservations(), "paragraph.reservations"));
  for (int i = 0; i < p.reservations_size(); ++i) {
    std::string field = absl::StrCat("paragraph.reservations[", i, "]");
    ENAMND_RETURN_IF_ERROR(ValidatePerson(p.reservations(i).person(), field + ".person", true));
    ENAMND_RETURN_IF_ERROR(
        ValidateText(p.reservations(i).text(), field + ".text", kMaxTextLength, false));
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateListSize(p.conflicts_of_interest(), "paragraph.conflicts_of_interest"));
  for (int i = 0; i < p.conflicts_of_interest_size(); ++i) {
    std::string field = absl::StrCat("paragraph.conflicts_of_interest[", i, "]");
    ENAMND_RETURN_IF_ERROR(
        ValidatePerson(p.conflicts_of_interest(i).person(), field + ".person", true));
    ENAMND_RETURN_IF_ERROR(
        ValidateText(p.conflicts_of_interest(i).note(), field + ".note", kMaxTextLength, false));
  }
  ENAMND_RETURN_IF_ERROR(ValidateListSize(p.documents(), "paragraph.documents"));
  for (int i = 0; i < p.documents_size(); ++i) {
    std::string field = absl::StrCat("paragraph.documents[", i, "]");
    const v1::Document& d = p.documents(i);
    ENAMND_RETURN_IF_ERROR(ValidateText(d.title(), field + ".title", kMaxTitleLength, true));
    if (!d.sha256().empty()) ENAMND_RETURN_IF_ERROR(ValidateSha256(d.sha256(), field + ".sha256"));
    ENAMND_RETURN_IF_ERROR(ValidateText(d.uri(), field + ".uri", 2000, false));
  }
  ENAMND_RETURN_IF_ERROR(ValidateListSize(p.recipients(), "paragraph.recipients"));
  std::set<std::string> seen;
  for (int i = 0; i < p.recipients_size(); ++i) {
    std::string field = absl::StrCat("paragraph.recipients[", i, "]");
    const v1::Recipient& r = p.recipients(i);
    std::string key;
    if (r.target_case() == v1::Recipient::kMunicipality) {
      ENAMND_RETURN_IF_ERROR(RequireMunicipality(tx, r.municipality(), field + ".municipality"));
      key = r.municipality();
    } else if (r.target_case() == v1::Recipient::kNamed) {
      ENAMND_RETURN_IF_ERROR(ValidateText(r.named(), field + ".named", kMaxNameLength, true));
      key = absl::StrCat("named:", r.named());
    } else {
      return InvalidField(field, "set municipality or named");
    }
    if (!seen.insert(key).second) return InvalidField(field, "listed twice");
  }
  return absl::OkStatus();
}

inline std::vector<std::string> AudienceOf(const v1::Paragraph& p) {
  std::vector<std::string> codes;
  for (const v1::Recipient& r : p.recipients()) {
    if (r.target_case() == v1::Recipient::kMunicipality) {
      codes.push_back(r.municipality().substr(kMunicipalityPrefix.size()));
    }
  }
  return codes;
}

// Attendance of the body's current seats (a seat removed since does not count).
inline std::vector<SeatPresence> PresenceOf(const v1::Attendance& attendance,
                                            const v1::Body& body) {
  std::set<std::string> seats;
  for (const v1::Seat& seat : body.seats()) seats.insert(seat.municipality());
  std::vector<SeatPresence> out;
  for (const v1::SeatAttendance& s : attendance.seats()) {
    if (seats.count(s.municipality()) == 0) continue;
    SeatPresence p;
    p.member_present = s.member_present();
    p.substitute_served = s.substitute_served();
    p.substitute_paragraphs.assign(s.substitute_paragraphs().begin(),
                                   s.substitute_paragraphs().end());
    out.push_back(std::move(p));
  }
  return out;
}

inline int SeatsRepresented(const v1::Attendance& attendance, const v1::Body& body,
                            std::optional<int> number) {
  int n = 0;
  for (const SeatPresence& p : PresenceOf(attendance, body)) {
    n += SeatRepresented(p, number) ? 1 : 0;
  }
  return n;
}

// The fields of DecisionRecorded/DecisionUpdated besides the paragraph.
struct DecisionContext {
  std::string body;
  std::string body_display_name;
  std::string meeting;
  enamnd::common::v1::Date meeting_date;
  std::string case_subject;
};

inline absl::StatusOr<DecisionContext> LoadDecisionContext(Transaction& tx,
                                                           const v1::Paragraph& p) {
  size_t at = p.name().rfind("/paragraphs/");
  std::string meeting_name = p.name().substr(0, at);
  ENAMND_ASSIGN_OR_RETURN(MeetingName mn, ParseMeetingName(meeting_name, "paragraph.name"));
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, mn.body_id));
  ENAMND_ASSIGN_OR_RETURN(auto meeting, Store::GetMeeting(tx, meeting_name));
  ENAMND_ASSIGN_OR_RETURN(auto c, Store::GetCase(tx, p.case_()));
  if (!body || !meeting || !c) return absl::InternalError("paragraph refers to missing records");
  return DecisionContext{body->name(), body->display_name(), meeting_name, meeting->date(),
                         c->subject()};
}

template <typename Event>
inline void FillDecisionEvent(const v1::Paragraph& p, const DecisionContext& ctx, Event* e) {
  *e->mutable_paragraph() = p;
  e->set_body(ctx.body);
  e->set_body_display_name(ctx.body_display_name);
  e->set_meeting(ctx.meeting);
  *e->mutable_meeting_date() = ctx.meeting_date;
  e->set_case_subject(ctx.case_subject);
}

// A retried call: if `request_id` was used for `method`, reads what that
// call made (get(name) -> StatusOr<optional<Proto>>) into `response` and
// returns true.
template <typename Proto, typename Get>
absl::StatusOr<bool> Replayed(Transaction& tx, const std::string& method,
                              const std::string& request_id, Get get, Proto* response) {
  if (request_id.empty()) return false;
  ENAMND_ASSIGN_OR_RETURN(auto earlier, platform::FindRequest(tx, method, request_id));
  if (!earlier.has_value()) return false;
  ENAMND_ASSIGN_OR_RETURN(std::optional<Proto> found, get(*earlier));
  if (!found.has_value()) return false;
  *response = *std::move(found);
  return true;
}

// FAILED_PRECONDITION once the meeting's whole protocol is adjusted.
inline absl::Status RequireNotAdjusted(Transaction& tx, const std::string& meeting) {
  ENAMND_ASSIGN_OR_RETURN(auto adjustments, Store::ListAdjustmentsOfMeeting(tx, meeting));
  for (const v1::Adjustment& a : adjustments) {
    if (a.kind() == v1::Adjustment::KIND_PROTOCOL) {
      return absl::FailedPreconditionError(
          absl::StrCat("the protocol of ", meeting, " is adjusted (", a.name(), ") and locked"));
    }
  }
  return absl::OkStatus();
}

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_API_HELPERS_H_
