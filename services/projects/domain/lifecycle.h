// The rules of an initiative's life (DOMAIN.md section 4; issue 10): its
// kinds, the states it passes through and which transitions are allowed,
// the letters of its directive's revisions, and the periods a municipality
// takes part in it. Pure functions over plain values: no clock, no storage.
#ifndef ENAMND_PROJECTS_DOMAIN_LIFECYCLE_H_
#define ENAMND_PROJECTS_DOMAIN_LIFECYCLE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace enamnd::projects {

enum class Kind {
  kNeedsAnalysis,
  kPreStudy,  // förstudie
  kDevelopmentProject,
  kImplementationProject,
  kProcurement,
  kSystemInOperation,  // i drift och förvaltning
};

enum class State {
  kProposed,  // raised, not yet decided
  kDecided,   // the committee (or steering group) decided to start it
  kRunning,
  kFinalReport,  // the final report is delivered, awaiting its noting
  kInOperation,  // its result is a system in operation
  kClosed,       // ended as planned
  kStopped,      // ended before its time
};

// Lower-case names used in messages and data files ("final_report").
std::string KindName(Kind kind);
std::string StateName(State state);

// The state an initiative of `kind` starts in: a system in operation is
// registered as such; everything else is proposed.
State InitialState(Kind kind);

// No transition leaves it.
bool IsTerminal(State state);

// The states an initiative of `kind` may move to from `from`, in the order
// the messages name them. Only work whose result is a system (development
// and implementation projects, procurements) goes into operation after its
// final report; a system in operation is only ever closed (decommissioned).
std::vector<State> AllowedNext(Kind kind, State from);

// OK when `kind` may move from `from` to `to`; else FAILED_PRECONDITION
// naming the states, e.g. "state: a pre_study that is running may become
// final_report or stopped, not closed".
absl::Status CheckTransition(Kind kind, State from, State to);

// Directive revisions are lettered A, B, ..., Z, then AA, AB, ... (as
// spreadsheet columns). The letter after `last` ("" for the first: "A").
std::string NextRevisionLetter(absl::string_view last);

// OK when `next` is the revision that follows `last` ("" = none yet); else
// INVALID_ARGUMENT naming `revision_id`, e.g. "revision_id: after Rev A comes Rev
// B, not Rev C" (a revision is never skipped or written twice).
absl::Status CheckNextRevision(absl::string_view last, absl::string_view next);

// One municipality's participation: joined on `joined`, left on `left`
// (the last day it takes part) if it has left.
struct Participation {
  absl::CivilDay joined;
  std::optional<absl::CivilDay> left;
};

// INVALID_ARGUMENT naming `left_date` when it is before `joined`.
absl::Status CheckParticipation(const Participation& participation);

// Whether `periods` (one municipality's participations in one initiative)
// overlap: a municipality cannot join again before it has left.
absl::Status CheckNoOverlap(const std::vector<Participation>& periods);

// Whether the municipality takes part on `day`.
bool TakesPartOn(const Participation& participation, absl::CivilDay day);

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_DOMAIN_LIFECYCLE_H_
