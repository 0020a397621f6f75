#include "services/meetings/domain/content.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/meetings/domain/names.h"
#include "services/meetings/domain/secrecy.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::meetings {
namespace {

using platform::InvalidField;
using platform::kMaxNameLength;
using platform::kMaxTextLength;
using platform::kMaxTitleLength;
using platform::ValidateText;

std::string Item(absl::string_view list, int i) { return absl::StrCat(list, "[", i, "]"); }

template <typename Repeated>
absl::Status ValidateListSize(const Repeated& list, absl::string_view field) {
  return platform::ValidateListLength(static_cast<size_t>(list.size()), field);
}

absl::Status ValidateTime(const enamnd::common::v1::TimeOfDay& t, absl::string_view field) {
  if (t.hours() < 0 || t.hours() > 23 || t.minutes() < 0 || t.minutes() > 59) {
    return InvalidField(field, "hours must be 0-23 and minutes 0-59");
  }
  return absl::OkStatus();
}

int Minutes(const enamnd::common::v1::TimeOfDay& t) { return t.hours() * 60 + t.minutes(); }

absl::Status ValidateSeat(const v1::Seat& seat, const std::string& field) {
  ENAMND_RETURN_IF_ERROR(
      MunicipalityName::Parse(seat.municipality(), field + ".municipality").status());
  ENAMND_RETURN_IF_ERROR(ValidatePerson(seat.member(), field + ".member", true));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(seat.substitute(), field + ".substitute", false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(seat.term_start(), field + ".term_start", false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(seat.term_end(), field + ".term_end", false));
  if (platform::IsSet(seat.term_start()) && platform::IsSet(seat.term_end()) &&
      platform::ToCivil(seat.term_end()) < platform::ToCivil(seat.term_start())) {
    return InvalidField(field + ".term_end", "before term_start");
  }
  return absl::OkStatus();
}

absl::Status ValidateVote(const v1::Vote& vote, const std::string& field) {
  ENAMND_RETURN_IF_ERROR(ValidateText(vote.question(), field + ".question", kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateText(vote.result(), field + ".result", kMaxTitleLength, false));
  if (vote.yes_count() < 0 || vote.no_count() < 0 || vote.abstain_count() < 0) {
    return InvalidField(field, "counts must not be negative");
  }
  ENAMND_RETURN_IF_ERROR(ValidateListSize(vote.ballots(), field + ".ballots"));
  int counts[4] = {0, 0, 0, 0};
  for (int j = 0; j < vote.ballots_size(); ++j) {
    const v1::Ballot& ballot = vote.ballots(j);
    std::string bfield = Item(field + ".ballots", j);
    ENAMND_RETURN_IF_ERROR(ValidatePerson(ballot.voter(), bfield + ".voter", true));
    if (!ballot.municipality().empty()) {
      ENAMND_RETURN_IF_ERROR(
          MunicipalityName::Parse(ballot.municipality(), bfield + ".municipality").status());
    }
    ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
        ballot.choice(), v1::Ballot::Choice_descriptor(), bfield + ".choice"));
    ++counts[ballot.choice()];
  }
  if (vote.ballots_size() > 0 && (counts[v1::Ballot::CHOICE_YES] != vote.yes_count() ||
                                  counts[v1::Ballot::CHOICE_NO] != vote.no_count() ||
                                  counts[v1::Ballot::CHOICE_ABSTAIN] != vote.abstain_count())) {
    return InvalidField(field, absl::StrCat("tally ", vote.yes_count(), "-", vote.no_count(), "-",
                                            vote.abstain_count(), " does not match the ballots ",
                                            counts[1], "-", counts[2], "-", counts[3]));
  }
  return absl::OkStatus();
}

absl::Status ValidateProcedure(const v1::DecisionProcedure& proc) {
  ENAMND_RETURN_IF_ERROR(ValidateListSize(proc.proposals(), "paragraph.procedure.proposals"));
  for (int i = 0; i < proc.proposals_size(); ++i) {
    std::string field = Item("paragraph.procedure.proposals", i);
    ENAMND_RETURN_IF_ERROR(ValidatePerson(proc.proposals(i).mover(), field + ".mover", true));
    ENAMND_RETURN_IF_ERROR(
        ValidateText(proc.proposals(i).text(), field + ".text", kMaxTextLength, true));
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateText(proc.order_put(), "paragraph.procedure.order_put", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(proc.votes(), "paragraph.procedure.votes"));
  for (int i = 0; i < proc.votes_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(ValidateVote(proc.votes(i), Item("paragraph.procedure.votes", i)));
  }
  return absl::OkStatus();
}

// Reservations, conflicts of interest and documents.
absl::Status ValidateParagraphLists(const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(ValidateListSize(p.reservations(), "paragraph.reservations"));
  for (int i = 0; i < p.reservations_size(); ++i) {
    std::string field = Item("paragraph.reservations", i);
    ENAMND_RETURN_IF_ERROR(ValidatePerson(p.reservations(i).person(), field + ".person", true));
    ENAMND_RETURN_IF_ERROR(
        ValidateText(p.reservations(i).text(), field + ".text", kMaxTextLength, false));
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateListSize(p.conflicts_of_interest(), "paragraph.conflicts_of_interest"));
  for (int i = 0; i < p.conflicts_of_interest_size(); ++i) {
    std::string field = Item("paragraph.conflicts_of_interest", i);
    ENAMND_RETURN_IF_ERROR(
        ValidatePerson(p.conflicts_of_interest(i).person(), field + ".person", true));
    ENAMND_RETURN_IF_ERROR(
        ValidateText(p.conflicts_of_interest(i).note(), field + ".note", kMaxTextLength, false));
  }
  ENAMND_RETURN_IF_ERROR(ValidateListSize(p.documents(), "paragraph.documents"));
  for (int i = 0; i < p.documents_size(); ++i) {
    std::string field = Item("paragraph.documents", i);
    const v1::Document& d = p.documents(i);
    ENAMND_RETURN_IF_ERROR(ValidateText(d.title(), field + ".title", kMaxTitleLength, true));
    if (!d.sha256().empty()) {
      ENAMND_RETURN_IF_ERROR(platform::ValidateSha256(d.sha256(), field + ".sha256"));
    }
    ENAMND_RETURN_IF_ERROR(ValidateText(d.uri(), field + ".uri", 2000, false));
  }
  return absl::OkStatus();
}

absl::Status ValidateRecipients(const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(ValidateListSize(p.recipients(), "paragraph.recipients"));
  std::set<std::string> seen;
  for (int i = 0; i < p.recipients_size(); ++i) {
    std::string field = Item("paragraph.recipients", i);
    const v1::Recipient& r = p.recipients(i);
    std::string key;
    if (r.target_case() == v1::Recipient::kMunicipality) {
      ENAMND_RETURN_IF_ERROR(
          MunicipalityName::Parse(r.municipality(), field + ".municipality").status());
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

absl::Status ValidatePersons(const google::protobuf::RepeatedPtrField<v1::Person>& persons,
                             absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(ValidateListSize(persons, field));
  for (int i = 0; i < persons.size(); ++i) {
    ENAMND_RETURN_IF_ERROR(ValidatePerson(persons[i], Item(field, i), true));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePerson(const v1::Person& person, absl::string_view field, bool required) {
  ENAMND_RETURN_IF_ERROR(ValidateText(person.display_name(), absl::StrCat(field, ".display_name"),
                                      kMaxNameLength, required));
  return ValidateText(person.party(), absl::StrCat(field, ".party"), 50, false);
}

absl::Status ValidateMunicipality(const v1::Municipality& m) {
  ENAMND_RETURN_IF_ERROR(
      ValidateText(m.display_name(), "municipality.display_name", kMaxNameLength, true));
  if (m.population() < 0) return InvalidField("municipality.population", "must not be negative");
  return platform::ValidateDate(m.population_date(), "municipality.population_date", false);
}

absl::Status ValidateBody(const v1::Body& body) {
  ENAMND_RETURN_IF_ERROR(
      ValidateText(body.display_name(), "body.display_name", kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(body.kind(), v1::Body::Kind_descriptor(), "body.kind"));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(body.seats(), "body.seats"));
  if (!body.keeping_municipality().empty()) {
    ENAMND_RETURN_IF_ERROR(
        MunicipalityName::Parse(body.keeping_municipality(), "body.keeping_municipality").status());
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateText(body.protocol_archive(), "body.protocol_archive", kMaxNameLength, false));
  std::set<std::string> seen;
  for (int i = 0; i < body.seats_size(); ++i) {
    const v1::Seat& seat = body.seats(i);
    std::string field = Item("body.seats", i);
    ENAMND_RETURN_IF_ERROR(ValidateSeat(seat, field));
    if (!seen.insert(seat.municipality()).second) {
      return InvalidField(
          field + ".municipality",
          absl::StrCat(seat.municipality(), " has two seats; one per municipality"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateMeeting(const v1::Meeting& m) {
  ENAMND_RETURN_IF_ERROR(ValidateTime(m.start_time(), "meeting.start_time"));
  ENAMND_RETURN_IF_ERROR(ValidateTime(m.end_time(), "meeting.end_time"));
  if (m.has_start_time() && m.has_end_time() && Minutes(m.end_time()) < Minutes(m.start_time())) {
    return InvalidField("meeting.end_time", "before start_time");
  }
  ENAMND_RETURN_IF_ERROR(ValidateText(m.location(), "meeting.location", kMaxNameLength, false));
  if (m.kind() != v1::Meeting::KIND_UNSPECIFIED) {  // unset reads as ordinary
    ENAMND_RETURN_IF_ERROR(
        platform::RequireEnumValue(m.kind(), v1::Meeting::Kind_descriptor(), "meeting.kind"));
  }
  if (m.state() == v1::Meeting::STATE_UNSPECIFIED) return absl::OkStatus();  // PLANNED
  return platform::RequireEnumValue(m.state(), v1::Meeting::State_descriptor(), "meeting.state");
}

absl::Status ValidateCase(const v1::Case& c) {
  ENAMND_RETURN_IF_ERROR(ValidateText(c.title(), "case.title", kMaxTitleLength, true));
  if (c.subject().empty()) return absl::OkStatus();
  return platform::ValidateCrossReference(c.subject(), "case.subject");
}

absl::Status ValidateParagraphContent(const v1::Paragraph& p) {
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
  ENAMND_RETURN_IF_ERROR(ValidateProcedure(p.procedure()));
  ENAMND_RETURN_IF_ERROR(ValidateParagraphLists(p));
  if (p.has_secrecy()) ENAMND_RETURN_IF_ERROR(ValidateSecrecy(p.secrecy(), "paragraph.secrecy"));
  return ValidateRecipients(p);
}

absl::Status ValidateAttendanceFields(const v1::Attendance& a) {
  ENAMND_RETURN_IF_ERROR(ValidateListSize(a.seats(), "attendance.seats"));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(a.others_present(), "attendance.others_present"));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(a.chair(), "attendance.chair", false));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(a.secretary(), "attendance.secretary", false));
  ENAMND_RETURN_IF_ERROR(ValidatePersons(a.others_present(), "attendance.others_present"));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(a.other_substitutes(), "attendance.other_substitutes"));
  ENAMND_RETURN_IF_ERROR(ValidatePersons(a.other_substitutes(), "attendance.other_substitutes"));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(a.adjustment_place(), "attendance.adjustment_place", kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateDate(a.adjustment_date(), "attendance.adjustment_date", false));
  return ValidatePersons(a.adjusters(), "attendance.adjusters");
}

absl::Status ValidateAppeal(const v1::Appeal& a) {
  if (!platform::IsSet(a.lodged_date())) return InvalidField("appeal.lodged_date", "required");
  ENAMND_RETURN_IF_ERROR(ValidateText(a.appellant(), "appeal.appellant", kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(a.court_reference(), "appeal.court_reference", kMaxNameLength, false));
  return ValidateText(a.note(), "appeal.note", kMaxTextLength, false);
}

absl::Status ValidateCorrection(const v1::Correction& c) {
  static const std::set<std::string> kFields = {
      "title",         "decision.text", "summary",      "description",
      "meeting_notes", "procedure",     "reservations", "conflicts_of_interest",
      "documents",     "recipients",    "attendance"};
  if (kFields.count(c.field()) == 0) {
    return InvalidField("correction.field", absl::StrCat("one of: ", absl::StrJoin(kFields, ", ")));
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateText(c.corrected_text(), "correction.corrected_text", kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateText(c.reason(), "correction.reason", kMaxTextLength, true));
  return ValidatePerson(c.recorded_by(), "correction.recorded_by", true);
}

absl::Status ValidateSigners(const v1::Body& body, const v1::Attendance& attendance,
                             const v1::Person& chair,
                             const google::protobuf::RepeatedPtrField<v1::Person>& adjusters) {
  // Who decided at the meeting (beslutande), and who was of the body only.
  std::set<std::string> deciding, of_body;
  std::map<std::string, const v1::SeatAttendance*> by_seat;
  for (const v1::SeatAttendance& s : attendance.seats()) by_seat[s.municipality()] = &s;
  for (const v1::Seat& seat : body.seats()) {
    auto it = by_seat.find(seat.municipality());
    const v1::SeatAttendance* s = it == by_seat.end() ? nullptr : it->second;
    if (!seat.member().display_name().empty()) {
      of_body.insert(seat.member().display_name());
      if (s != nullptr && s->member_present()) deciding.insert(seat.member().display_name());
    }
    if (!seat.substitute().display_name().empty()) {
      of_body.insert(seat.substitute().display_name());
      if (s != nullptr && s->substitute_served()) deciding.insert(seat.substitute().display_name());
    }
  }
  auto check = [&](const v1::Person& p, absl::string_view field) -> absl::Status {
    if (deciding.count(p.display_name()) > 0) return absl::OkStatus();
    if (of_body.count(p.display_name()) == 0) {
      return InvalidField(
          field, absl::StrCat(p.display_name(), " is not a member or substitute of ", body.name()));
    }
    return InvalidField(field, absl::StrCat(p.display_name(),
                                            " was neither a member present nor a substitute "
                                            "serving at the meeting"));
  };
  ENAMND_RETURN_IF_ERROR(ValidatePerson(chair, "chair", true));
  ENAMND_RETURN_IF_ERROR(check(chair, "chair"));
  if (adjusters.empty()) return InvalidField("adjusters", "at least one adjuster (justerare)");
  if (adjusters.size() > 10) return InvalidField("adjusters", "at most 10");
  std::set<std::string> signers = {chair.display_name()};
  for (int i = 0; i < adjusters.size(); ++i) {
    std::string field = Item("adjusters", i);
    ENAMND_RETURN_IF_ERROR(ValidatePerson(adjusters[i], field, true));
    if (!signers.insert(adjusters[i].display_name()).second) {
      return InvalidField(
          field, absl::StrCat(adjusters[i].display_name(), " is already the chair or an adjuster"));
    }
    ENAMND_RETURN_IF_ERROR(check(adjusters[i], field));
  }
  return absl::OkStatus();
}

absl::Status ValidateJusteringText(absl::string_view place, absl::string_view late_reason) {
  ENAMND_RETURN_IF_ERROR(ValidateText(place, "place", kMaxNameLength, false));
  return ValidateText(late_reason, "late_reason", kMaxTextLength, false);
}

std::vector<MunicipalityRef> MunicipalitiesOf(const v1::Body& body) {
  std::vector<MunicipalityRef> refs;
  for (int i = 0; i < body.seats_size(); ++i) {
    refs.push_back({Item("body.seats", i) + ".municipality", body.seats(i).municipality()});
  }
  if (!body.keeping_municipality().empty()) {
    refs.push_back({"body.keeping_municipality", body.keeping_municipality()});
  }
  return refs;
}

std::vector<MunicipalityRef> MunicipalitiesOf(const v1::Paragraph& p) {
  std::vector<MunicipalityRef> refs;
  for (int i = 0; i < p.procedure().votes_size(); ++i) {
    const v1::Vote& vote = p.procedure().votes(i);
    for (int j = 0; j < vote.ballots_size(); ++j) {
      if (vote.ballots(j).municipality().empty()) continue;
      refs.push_back(
          {absl::StrCat(Item("paragraph.procedure.votes", i), ".ballots[", j, "].municipality"),
           vote.ballots(j).municipality()});
    }
  }
  for (int i = 0; i < p.recipients_size(); ++i) {
    if (p.recipients(i).target_case() != v1::Recipient::kMunicipality) continue;
    refs.push_back(
        {Item("paragraph.recipients", i) + ".municipality", p.recipients(i).municipality()});
  }
  return refs;
}

}  // namespace enamnd::meetings
