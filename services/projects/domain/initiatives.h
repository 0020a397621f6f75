// The rules about an initiative's content as the API carries it (protos):
// what a new initiative, a transition, a participation, a directive
// revision, a status report and a final report must satisfy. Built on the
// plain rules of lifecycle.h. No clock: `today` is passed in. Errors name
// the request field ("initiative.participations[1].left_date: ...").
#ifndef ENAMND_PROJECTS_DOMAIN_INITIATIVES_H_
#define ENAMND_PROJECTS_DOMAIN_INITIATIVES_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/projects/v1/projects.pb.h"
#include "services/projects/domain/lifecycle.h"
#include "services/projects/domain/names.h"

namespace enamnd::projects {

// The proto enums and the domain's. A proto value that is unspecified or
// unknown is INVALID_ARGUMENT naming `field` and the choices.
absl::StatusOr<Kind> KindOf(v1::Kind kind, absl::string_view field);
absl::StatusOr<State> StateOf(v1::State state, absl::string_view field);
v1::Kind ToProto(Kind kind);
v1::State ToProto(State state);

// Neither closed nor stopped.
bool IsActive(v1::State state);

// The content a client gives on create and update: title, kind,
// description, participations (periods valid, no overlap per
// municipality), steering group, project leader, effect goals, budget
// line. `field` prefixes the paths ("initiative").
absl::Status ValidateInitiative(const v1::Initiative& initiative, absl::string_view field);

// The fields UpdateInitiative may change.
const std::set<std::string>& UpdatableInitiativeFields();

// The initiative as registered: the given content, in its kind's first
// state since `since` (required, not after `today`), with that first step
// as its only transition. Output-only fields the client sent are dropped.
absl::StatusOr<v1::Initiative> NewInitiative(const InitiativeName& name,
                                             const v1::Initiative& given,
                                             const common::v1::Date& since, absl::CivilDay today);

// Where the initiative stands; nullopt when the transitions are empty.
struct CurrentState {
  State state;
  absl::CivilDay since;
};
std::optional<CurrentState> CurrentOf(const v1::Initiative& initiative);

// The state it was in on `day` (the last step dated on or before it);
// nullopt when it was not registered yet then.
std::optional<v1::State> StateOn(const v1::Initiative& initiative, absl::CivilDay day);

// The step a TransitionInitiative request asks for, checked against the
// initiative: an allowed next state (FAILED_PRECONDITION naming the allowed
// ones), a day not in the future and not before the current state's, and
// a well-formed decided_by. nullopt when the initiative is already in that
// state since that day (a retried call: nothing to do).
absl::StatusOr<std::optional<v1::Transition>> PlanTransition(
    const v1::Initiative& initiative, const v1::TransitionInitiativeRequest& request,
    absl::CivilDay today);

// Appends the step and moves the state.
void ApplyTransition(const v1::Transition& step, v1::Initiative* initiative);

// An initiative that ends (closed or stopped) on `day` ends every open
// participation that day: the indexes of the periods ended. INVALID_ARGUMENT
// naming date when a municipality joined after `day`.
absl::StatusOr<std::vector<int>> EndParticipations(v1::Initiative* initiative, absl::CivilDay day);

// A municipality's new participation from `joined` (not in the future; not
// while it takes part; not on or before the day its last period ended).
// FAILED_PRECONDITION when it already takes part.
absl::StatusOr<v1::Participation> PlanJoin(const v1::Initiative& initiative,
                                           const std::string& municipality,
                                           const common::v1::Date& joined, absl::CivilDay today);

// Ends the municipality's open period on `left` (its last day; not before
// it joined, not in the future). FAILED_PRECONDITION when it does not take
// part. Returns the index of the period ended.
absl::StatusOr<int> PlanLeave(const v1::Initiative& initiative, const std::string& municipality,
                              const common::v1::Date& left, absl::CivilDay today);

// The municipalities (municipalities/{code}) taking part on `day`, in the
// order they joined.
std::vector<std::string> ParticipantsOn(const v1::Initiative& initiative, absl::CivilDay day);

// A new directive revision with letter `letter` after `last_letter` (""
// when it is the first): the next letter (INVALID_ARGUMENT naming
// revision_id otherwise), text or document, a change summary from Rev B
// on, what decided it and when (not in the future, not before the
// previous revision was decided).
absl::Status ValidateRevision(const v1::Revision& revision, absl::string_view last_letter,
                              absl::string_view letter, absl::CivilDay today,
                              std::optional<absl::CivilDay> previous_decided = std::nullopt);

// A new status report: a day not in the future and not before `previous`'s,
// at least one status line, milestones with a title and a planned day.
absl::Status ValidateStatusReport(const v1::StatusReport& report,
                                  const std::optional<v1::StatusReport>& previous,
                                  absl::CivilDay today);

// A final report for `initiative`: only in STATE_FINAL_REPORT
// (FAILED_PRECONDITION), with a document title, a continuation and a
// report day not in the future.
absl::Status ValidateFinalReport(const v1::FinalReport& report, const v1::Initiative& initiative,
                                 absl::CivilDay today);

// The filter of ListInitiatives: `kind = KIND_PRE_STUDY`, `state =
// STATE_RUNNING`, `active = true|false`, `municipality =
// "municipalities/2582"` and, only with municipality, `date = 2022-06-22`.
struct InitiativeFilter {
  std::optional<v1::Kind> kind;
  std::optional<v1::State> state;
  std::optional<bool> active;
  std::optional<std::string> municipality;  // municipalities/{code}
  std::optional<absl::CivilDay> date;
};
absl::StatusOr<InitiativeFilter> ParseInitiativeFilter(absl::string_view filter);

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_DOMAIN_INITIATIVES_H_
