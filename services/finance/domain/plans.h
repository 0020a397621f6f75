// The rules of the operational plan and its follow-up (DOMAIN.md section
// 6, issue 13), on the API's protos with the request's field paths: a
// plan's goals, a follow-up's content, and each goal's figures and outlook
// from the facts the other services hold. Pure: no clock, no storage, no
// gRPC; the facts are read by api/plan_sources and handed in as the plain
// structs below.
#ifndef ENAMND_FINANCE_DOMAIN_PLANS_H_
#define ENAMND_FINANCE_DOMAIN_PLANS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "enamnd/finance/v1/finance.pb.h"

namespace enamnd::finance {

// ------------------------------------------------------------ content

// The content a caller gives a plan (`field` is its path, "plan"): a title;
// 1-100 goals, each with an id (lowercase letters, digits, '-', at most 63,
// unique), a kind, a text, a measure, and
//  - the meetings measures: `body` a valid bodies/{id}; MEASURE_MEETINGS_HELD
//    with UNIT_COUNT, the attendance measures with UNIT_PERCENT;
//  - the contracts and projects measures: UNIT_COUNT, no body;
//  - MEASURE_MANUAL: any unit (UNIT_UNSPECIFIED: text only, target 0), no body;
//  - a target 1-1000000 with a unit (a percent at most 100), 0 without.
// INVALID_ARGUMENT naming the field, e.g. "plan.goals[3].unit".
absl::Status ValidatePlanContent(const v1::Plan& plan, absl::string_view field);

// A follow-up's content against its adopted plan (`field`: "follow_up"):
// a title; each GoalFollowUp names a goal of the plan, at most once; a
// value only for a MEASURE_MANUAL goal with a unit, 0-1000000 (a percent at
// most 100); each TextBlock has exactly one of text, bullets, lines.
absl::Status ValidateFollowUpContent(const v1::PlanFollowUp& follow_up, const v1::Plan& plan,
                                     absl::string_view field);

// The day the facts of a follow-up through `through_month` of `year` are
// counted to: `as_of` if given (not before the month's last day, not after
// `today`), else the month's last day, which must not be after `today`.
// INVALID_ARGUMENT naming `field` ("follow_up.as_of_date") or
// "through_month".
absl::StatusOr<absl::CivilDay> AsOfDay(int year, int through_month,
                                       const std::optional<absl::CivilDay>& as_of,
                                       absl::CivilDay today, absl::string_view field);

// ------------------------------------------------------------ facts

// One meeting of a body in the plan's year, as the meetings service holds it.
struct MeetingFact {
  std::string name;  // bodies/e-namnden/meetings/2022-03-16
  absl::CivilDay date;
  enum class State { kPlanned, kHeld, kCancelled };
  State state = State::kPlanned;
  bool attendance_recorded = false;
  // Seats present: the member present, or a substitute serving.
  int present = 0;
};

// A body and its meetings in the year, in date order.
struct BodyFacts {
  std::string body;  // bodies/e-namnden
  int seats = 0;
  std::vector<MeetingFact> meetings;
};

// An agreement as the contracts service holds it.
struct AgreementFact {
  std::string name;  // agreements/{id}
  std::string title;
  bool in_force = false;  // on the as-of day
  std::vector<absl::CivilDay> follow_up_days;
  std::optional<absl::CivilDay> next_follow_up;  // the day the next is due
};

// An initiative as the projects service holds it: its steps, oldest first,
// each the day a state took effect and whether that state is work under way
// (decided, running, final report).
struct InitiativeFact {
  std::string name;  // initiatives/{id}
  std::string title;
  struct Step {
    absl::CivilDay day;
    bool under_way = false;
  };
  std::vector<Step> steps;
};

// How one service answered the reads a report needed.
struct SourceOutcome {
  bool ok = true;
  std::string error;  // the first failure, e.g. "DEADLINE_EXCEEDED after 2000 ms"
  int calls = 0;
  absl::Time read_time = absl::InfinitePast();  // when its answers came
};

// What the other services hold, as far as it could be read. Absent means
// not read (its service's outcome says why).
struct PlanFacts {
  std::map<std::string, BodyFacts> bodies;  // by body name
  std::optional<std::vector<AgreementFact>> agreements;
  std::optional<std::vector<InitiativeFact>> initiatives;
  std::map<std::string, SourceOutcome> sources;  // "meetings", "contracts", "projects"
};

// What a plan's goals need read.
struct FactNeeds {
  int year = 0;
  absl::CivilDay as_of;
  std::set<std::string> bodies;
  bool agreements = false;
  bool initiatives = false;
};
FactNeeds NeedsOf(const v1::Plan& plan, absl::CivilDay as_of);

// ------------------------------------------------------------ evaluation

// The window a follow-up reports on.
struct FollowUpWindow {
  int year = 0;
  int through_month = 0;
  absl::CivilDay as_of;
  std::string follow_up;  // plans/{year}/follow-ups/{month}: the source of entered values
  // Whether overdue agreements are named (title, name, due day) or only
  // counted: the contracts service lists agreements to staff only, so a
  // report for the public counts them.
  bool name_agreements = true;
};

// A percent of part over whole, rounded half up to whole percent
// (9 of 14 -> 64, 11 of 14 -> 79); 0 when whole is 0.
int64_t RoundedPercent(int64_t part, int64_t whole);

// One goal's report: its figures (the main one first, then details, each
// with its source and read time), the computed outlook and why (Swedish),
// and the committee's follow-up (if any). The rules, with "year end" meaning
// the as-of day is Dec 31 of the year or later:
//  - MEETINGS_HELD: held = meetings held on or before as-of; to come =
//    meetings planned after as-of in the year. held >= target, or held + to
//    come >= target: will be met; else will not be met at year end, at risk
//    before. Details: one figure per held and per planned meeting.
//  - ATTENDANCE_AVERAGE: over held meetings (on or before as-of) with
//    attendance: sum present / (seats x meetings). At or over target: will be
//    met; under it: at risk while meetings are planned after as-of, else
//    will not be met. No such meeting: unspecified. Held meetings without
//    attendance are named in the reason. Details: one figure per meeting.
//  - ATTENDANCE_EVERY_MEETING: the main figure is the lowest meeting's; every
//    meeting at or over target: will be met; else will not be met, naming
//    the meetings under it.
//  - AGREEMENTS_IN_FORCE: in force >= target and no follow-up overdue
//    (next_follow_up before as-of): will be met; overdue or under target: at
//    risk (under target at year end: will not be met). Details: follow-ups
//    recorded in the year up to as-of; agreements with an overdue follow-up
//    (each named unless window.name_agreements is false).
//  - INITIATIVES_COORDINATED: initiatives under way on some day from Jan 1
//    to as-of (the state in effect on Jan 1, or a step in the window, is
//    under way). >= target: will be met; else at risk, at year end will not
//    be met. Details: one figure per initiative counted (its title).
//  - MANUAL with a unit and the follow-up's value: as a count against the
//    target; without value or unit: unspecified, "anges i kommentaren".
//  - a fact not read: the main figure missing with its service's error,
//    outlook unspecified.
v1::GoalReport EvaluateGoal(const v1::Goal& goal, const v1::GoalFollowUp* follow_up,
                            const PlanFacts& facts, const FollowUpWindow& window);

// The Swedish words of an outlook ("kommer att nås", "risk att det inte
// nås", "kommer inte att nås", "kan inte bedömas").
std::string OutlookText(v1::Outlook outlook);

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_PLANS_H_
