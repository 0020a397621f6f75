#include "services/meetings/domain/rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "services/meetings/domain/names.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/status.h"

namespace enamnd::meetings {
namespace {

using platform::InvalidField;

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return InvalidField(field, rule);
}

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace

std::string CaseNumber::ToString() const {
  return absl::StrCat(year, "/", sequence, "-", classification);
}

std::string CaseNumber::ResourceName() const { return CaseName{year, sequence}.ToString(); }

absl::StatusOr<CaseNumber> ParseCaseNumber(absl::string_view text, absl::string_view field) {
  const char* kShape = "must look like 2022/9-2.2.0.1 (year/sequence-classification)";
  if (text.empty()) return Invalid(field, "required");
  // year "/" sequence "-" classification; the classification has no "/".
  std::vector<absl::string_view> halves = absl::StrSplit(text, absl::MaxSplits('/', 1));
  if (halves.size() != 2 || !absl::StrContains(halves[1], '-') ||
      absl::StrContains(halves[1], '/')) {
    return Invalid(field, kShape);
  }
  std::vector<absl::string_view> rest = absl::StrSplit(halves[1], absl::MaxSplits('-', 1));
  absl::string_view year_text = halves[0];
  absl::string_view sequence_text = rest[0];
  absl::string_view class_text = rest[1];
  CaseNumber out;
  if (year_text.size() != 4 || !AllDigits(year_text) || !absl::SimpleAtoi(year_text, &out.year) ||
      out.year < 1900 || out.year > 2999) {
    return Invalid(
        field, absl::StrCat("year \"", year_text, "\" must be four digits, 1900-2999; ", kShape));
  }
  if (!AllDigits(sequence_text) || sequence_text.size() > 9 || sequence_text[0] == '0' ||
      !absl::SimpleAtoi(sequence_text, &out.sequence) || out.sequence < 1) {
    return Invalid(field,
                   absl::StrCat("sequence \"", sequence_text,
                                "\" must be a positive number without leading zeros; ", kShape));
  }
  std::vector<absl::string_view> groups = absl::StrSplit(class_text, '.');
  if (groups.size() > 6) return Invalid(field, "classification has more than 6 levels");
  for (absl::string_view g : groups) {
    if (!AllDigits(g) || g.size() > 3) {
      return Invalid(field, absl::StrCat("classification \"", class_text,
                                         "\" must be dot-separated numbers, e.g. 2.2.0.1"));
    }
  }
  out.classification = std::string(class_text);
  return out;
}

bool SeatRepresented(const SeatPresence& seat, std::optional<int> number) {
  if (seat.member_present) return true;
  if (!seat.substitute_served) return false;
  if (seat.substitute_paragraphs.empty()) return true;
  if (!number.has_value()) return false;
  return std::find(seat.substitute_paragraphs.begin(), seat.substitute_paragraphs.end(), *number) !=
         seat.substitute_paragraphs.end();
}

bool HasQuorum(int seats_represented, int seats_total) {
  return seats_total > 0 && 2 * seats_represented > seats_total;
}

// ------------------------------------------------------------ meetings

absl::Status PrepareNewMeeting(v1::Meeting* m) {
  if (m->state() == v1::Meeting::STATE_UNSPECIFIED) m->set_state(v1::Meeting::STATE_PLANNED);
  if (m->state() == v1::Meeting::STATE_CANCELLED) {
    return InvalidField("meeting.state", "a new meeting is STATE_PLANNED or STATE_HELD");
  }
  if (m->has_attendance()) {
    return InvalidField("meeting.attendance", "record attendance with RecordAttendance");
  }
  return absl::OkStatus();
}

absl::Status CheckMeetingUpdate(const v1::Meeting& before, int64_t recorded_paragraphs,
                                v1::Meeting* after) {
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(after->state(), v1::Meeting::State_descriptor(), "meeting.state"));
  if (after->state() == before.state()) return absl::OkStatus();
  if (recorded_paragraphs > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(before.name(), " has ", recorded_paragraphs,
                     " recorded paragraphs; its state can no longer change"));
  }
  if (after->state() == v1::Meeting::STATE_CANCELLED) after->clear_attendance();
  if (after->state() == v1::Meeting::STATE_PLANNED && after->has_attendance()) {
    return absl::FailedPreconditionError(
        absl::StrCat(before.name(), " has recorded attendance; it was held"));
  }
  return absl::OkStatus();
}

absl::Status CheckRecordsDecisions(const v1::Meeting& m) {
  if (m.state() == v1::Meeting::STATE_CANCELLED) {
    return absl::FailedPreconditionError(
        absl::StrCat(m.name(), " is cancelled; it cannot record decisions"));
  }
  return absl::OkStatus();
}

absl::Status CheckProtocolOpen(absl::string_view meeting,
                               const std::vector<v1::Adjustment>& adjustments) {
  for (const v1::Adjustment& a : adjustments) {
    if (a.kind() == v1::Adjustment::KIND_PROTOCOL) {
      return absl::FailedPreconditionError(
          absl::StrCat("the protocol of ", meeting, " is adjusted (", a.name(), ") and locked"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAttendanceOpen(const v1::Meeting& m,
                                 const std::vector<v1::Adjustment>& adjustments) {
  if (m.state() == v1::Meeting::STATE_CANCELLED) {
    return absl::FailedPreconditionError(
        absl::StrCat(m.name(), " is cancelled; nobody can attend it"));
  }
  if (!adjustments.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(m.name(), " has adjusted paragraphs (",
                                                      adjustments.front().name(),
                                                      "); its attendance is locked"));
  }
  return absl::OkStatus();
}

absl::Status CheckAdjustable(const v1::Meeting& m, const std::vector<v1::Adjustment>& adjustments,
                             absl::CivilDay adjusted) {
  if (m.state() == v1::Meeting::STATE_CANCELLED) {
    return absl::FailedPreconditionError(absl::StrCat(m.name(), " is cancelled"));
  }
  if (!m.has_attendance()) {
    return absl::FailedPreconditionError(
        absl::StrCat(m.name(), " has no recorded attendance; the protocol cannot be adjusted"));
  }
  ENAMND_RETURN_IF_ERROR(CheckProtocolOpen(m.name(), adjustments));
  if (adjusted < platform::ToCivil(m.date())) {
    return InvalidField("adjusted_date", "before the meeting was held");
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ quorum

int SeatsRepresented(const v1::Attendance& attendance, const v1::Body& body,
                     std::optional<int> number) {
  std::set<std::string> seats;
  for (const v1::Seat& seat : body.seats()) seats.insert(seat.municipality());
  int n = 0;
  for (const v1::SeatAttendance& s : attendance.seats()) {
    if (seats.count(s.municipality()) == 0) continue;
    SeatPresence p;
    p.member_present = s.member_present();
    p.substitute_served = s.substitute_served();
    p.substitute_paragraphs.assign(s.substitute_paragraphs().begin(),
                                   s.substitute_paragraphs().end());
    n += SeatRepresented(p, number) ? 1 : 0;
  }
  return n;
}

absl::Status CheckQuorum(const v1::Meeting& m, const v1::Body& body, int number) {
  if (!m.has_attendance()) {
    return absl::FailedPreconditionError(
        absl::StrCat(m.name(),
                     " has no recorded attendance, so quorum cannot be established;"
                     " RecordAttendance first"));
  }
  int represented = SeatsRepresented(m.attendance(), body, number);
  if (!HasQuorum(represented, body.seats_size())) {
    return absl::FailedPreconditionError(
        absl::StrCat(m.name(), " lacks quorum for § ", number, ": ", represented, " of ",
                     body.seats_size(), " seats represented; more than half are needed"));
  }
  return absl::OkStatus();
}

namespace {

absl::Status CheckSeatAttendance(const v1::SeatAttendance& s, const std::string& field) {
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
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAttendance(const v1::Attendance& attendance, const v1::Body& body,
                             const std::vector<int>& recorded_numbers) {
  std::set<std::string> seats;
  for (const v1::Seat& s : body.seats()) seats.insert(s.municipality());
  std::set<std::string> seen;
  for (int i = 0; i < attendance.seats_size(); ++i) {
    const v1::SeatAttendance& s = attendance.seats(i);
    std::string field = absl::StrCat("attendance.seats[", i, "]");
    ENAMND_RETURN_IF_ERROR(
        MunicipalityName::Parse(s.municipality(), field + ".municipality").status());
    if (seats.count(s.municipality()) == 0) {
      return InvalidField(field + ".municipality",
                          absl::StrCat(s.municipality(), " has no seat in ", body.name()));
    }
    if (!seen.insert(s.municipality()).second) {
      return InvalidField(field + ".municipality", "listed twice");
    }
    ENAMND_RETURN_IF_ERROR(CheckSeatAttendance(s, field));
  }
  // A correction after decisions were recorded must not take away the
  // quorum they were recorded with.
  for (int number : recorded_numbers) {
    int represented = SeatsRepresented(attendance, body, number);
    if (!HasQuorum(represented, body.seats_size())) {
      return absl::FailedPreconditionError(
          absl::StrCat("this attendance leaves recorded § ", number, " without quorum (",
                       represented, " of ", body.seats_size(), " seats represented)"));
    }
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ numbering

int64_t NextParagraphNumber(int64_t max_number, std::optional<int64_t> series_start) {
  return max_number > 0 ? max_number + 1 : series_start.value_or(1);
}

absl::Status ValidateSeriesStart(int year, int next_number) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateYear(year, "year"));
  if (next_number < 1 || next_number > 100000) {
    return InvalidField("next_number", "must be 1-100000");
  }
  return absl::OkStatus();
}

absl::Status CheckSeriesMovable(absl::string_view body, int year, int64_t max_number,
                                std::optional<int64_t> current, int next_number) {
  if (max_number > 0 && !(current.has_value() && *current == next_number)) {
    return absl::FailedPreconditionError(absl::StrCat(body, " already has paragraphs in ", year,
                                                      " (up to § ", max_number,
                                                      "); its numbering can no longer be moved"));
  }
  return absl::OkStatus();
}

}  // namespace enamnd::meetings
