// Pure rules of the meetings domain: case numbers, meeting states,
// attendance and quorum, paragraph numbering. No gRPC, no SQL, no clock.
// The protocol's legal life (justering, notices, appeals) is in
// legal_state.h.
#ifndef ENAMND_MEETINGS_DOMAIN_RULES_H_
#define ENAMND_MEETINGS_DOMAIN_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/meetings/v1/meetings.pb.h"

namespace enamnd::meetings {

// A diarienummer such as "2022/9-2.2.0.1".
struct CaseNumber {
  int year = 0;
  int64_t sequence = 0;
  std::string classification;  // "2.2.0.1"

  std::string ToString() const;
  // The resource name: cases/{year}-{sequence}.
  std::string ResourceName() const;
};

// Parses and validates a case number: a year 1900-2999, a positive sequence,
// and a classification of 1 to 6 dot-separated groups of 1-3 digits.
// Errors are INVALID_ARGUMENT prefixed with `field`.
absl::StatusOr<CaseNumber> ParseCaseNumber(absl::string_view text, absl::string_view field);

// ------------------------------------------------------------ meetings

// A meeting as created: state PLANNED unless given as HELD; no attendance.
absl::Status PrepareNewMeeting(v1::Meeting* m);
// An update from `before` to `*after` when the meeting has
// `recorded_paragraphs`: the state is set, changes only before decisions,
// and CANCELLED drops the attendance.
absl::Status CheckMeetingUpdate(const v1::Meeting& before, int64_t recorded_paragraphs,
                                v1::Meeting* after);
// FAILED_PRECONDITION for a cancelled meeting.
absl::Status CheckRecordsDecisions(const v1::Meeting& m);
// FAILED_PRECONDITION once the whole protocol of `meeting` is adjusted.
absl::Status CheckProtocolOpen(absl::string_view meeting,
                               const std::vector<v1::Adjustment>& adjustments);
// A meeting that can take attendance: not cancelled, nothing adjusted.
absl::Status CheckAttendanceOpen(const v1::Meeting& m,
                                 const std::vector<v1::Adjustment>& adjustments);
// Whether `m`'s protocol may be adjusted on `adjusted`: with attendance,
// not cancelled, not adjusted as a whole yet, not before the meeting.
absl::Status CheckAdjustable(const v1::Meeting& m, const std::vector<v1::Adjustment>& adjustments,
                             absl::CivilDay adjusted);

// ------------------------------------------------------------ quorum

// How one seat attended, for quorum.
struct SeatPresence {
  bool member_present = false;
  bool substitute_served = false;
  std::vector<int> substitute_paragraphs;  // empty = all
};

// A seat counts for paragraph `number` if its member was present or its
// substitute served for that paragraph.
bool SeatRepresented(const SeatPresence& seat, std::optional<int> number);
// More than half of all seats represented (Kommunallagen 6 kap. 28 §).
bool HasQuorum(int seats_represented, int seats_total);
// Seats of the body's current seats represented for paragraph `number`
// (any paragraph when unset); a seat removed since does not count.
int SeatsRepresented(const v1::Attendance& attendance, const v1::Body& body,
                     std::optional<int> number);
// FAILED_PRECONDITION unless `m` has attendance and a quorum for § number.
absl::Status CheckQuorum(const v1::Meeting& m, const v1::Body& body, int number);
// An attendance of `body`'s seats, each listed once, that keeps a quorum
// for every paragraph already recorded (`recorded_numbers`).
absl::Status CheckAttendance(const v1::Attendance& attendance, const v1::Body& body,
                             const std::vector<int>& recorded_numbers);

// ------------------------------------------------------------ numbering

// Paragraphs are numbered consecutively per body and calendar year, from
// the series start (default 1) until the first paragraph exists.
int64_t NextParagraphNumber(int64_t max_number, std::optional<int64_t> series_start);
absl::Status ValidateSeriesStart(int year, int next_number);
// A series can be moved only while the year has no paragraphs (or to where
// it already starts).
absl::Status CheckSeriesMovable(absl::string_view body, int year, int64_t max_number,
                                std::optional<int64_t> current, int next_number);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_RULES_H_
