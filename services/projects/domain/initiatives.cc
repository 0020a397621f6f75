#include "services/projects/domain/initiatives.h"

#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/listing.h"
#include "services/platform/resource_name.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::projects {
namespace {

using common::v1::Date;
using platform::InvalidField;
using platform::IsSet;
using platform::ToCivil;

// The domain's messages name a field on its own ("left_date: ..."); the
// API names its path ("initiative.participations[1].left_date: ...").
absl::Status Under(absl::string_view prefix, const absl::Status& status) {
  if (status.ok() || prefix.empty()) return status;
  return absl::Status(status.code(), absl::StrCat(prefix, ".", status.message()));
}

std::string Path(absl::string_view field, absl::string_view member) {
  return field.empty() ? std::string(member) : absl::StrCat(field, ".", member);
}

std::string Indexed(absl::string_view field, absl::string_view member, int i) {
  return absl::StrCat(Path(field, member), "[", i, "]");
}

Participation PeriodOf(const v1::Participation& p) {
  Participation period{ToCivil(p.joined_date()), std::nullopt};
  if (IsSet(p.left_date())) period.left = ToCivil(p.left_date());
  return period;
}

absl::Status ValidateDocument(const v1::DocumentReference& d, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(d.title(), Path(field, "title"), platform::kMaxTitleLength, true));
  if (!d.sha256().empty())
    ENAMND_RETURN_IF_ERROR(platform::ValidateSha256(d.sha256(), Path(field, "sha256")));
  return platform::ValidateText(d.uri(), Path(field, "uri"), 2000, false);
}

// A paragraph of the meetings service, named locally
// (bodies/{body}/meetings/{meeting}/paragraphs/{n}); either part may be
// empty unless `required`.
absl::Status ValidateDecidedBy(const v1::DecisionReference& d, absl::string_view field,
                               bool required) {
  if (required && d.paragraph().empty() && d.steering_group_protocol().empty()) {
    return InvalidField(field, "required: a paragraph, a steering-group protocol, or both");
  }
  if (!d.paragraph().empty() &&
      !platform::MatchName(d.paragraph(), "bodies/{body}/meetings/{meeting}/paragraphs/{number}",
                           Path(field, "paragraph"))
           .ok()) {
    return InvalidField(Path(field, "paragraph"),
                        "must be bodies/{body}/meetings/{meeting}/paragraphs/{number}, e.g. "
                        "bodies/e-namnden/meetings/2022-03-16/paragraphs/2");
  }
  return platform::ValidateText(d.steering_group_protocol(), Path(field, "steering_group_protocol"),
                                platform::kMaxTitleLength, false);
}

absl::Status ValidateParticipations(const v1::Initiative& in, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(in.participations_size(), Path(field, "participations")));
  std::map<std::string, std::vector<Participation>> by_municipality;
  for (int i = 0; i < in.participations_size(); ++i) {
    const v1::Participation& p = in.participations(i);
    const std::string at = Indexed(field, "participations", i);
    ENAMND_RETURN_IF_ERROR(
        platform::ParseMunicipalityName(p.municipality(), Path(at, "municipality")).status());
    ENAMND_RETURN_IF_ERROR(platform::ValidateDate(p.joined_date(), Path(at, "joined_date"), true));
    ENAMND_RETURN_IF_ERROR(platform::ValidateDate(p.left_date(), Path(at, "left_date"), false));
    Participation period = PeriodOf(p);
    ENAMND_RETURN_IF_ERROR(Under(at, CheckParticipation(period)));
    std::vector<Participation>& periods = by_municipality[p.municipality()];
    periods.push_back(period);
    ENAMND_RETURN_IF_ERROR(Under(at, CheckNoOverlap(periods)));
  }
  return absl::OkStatus();
}

absl::Status ValidatePeople(const v1::Initiative& in, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(in.steering_group_size(), Path(field, "steering_group")));
  for (int i = 0; i < in.steering_group_size(); ++i) {
    const v1::SteeringGroupMember& m = in.steering_group(i);
    const std::string at = Indexed(field, "steering_group", i);
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(m.display_name(), Path(at, "display_name"),
                                                  platform::kMaxNameLength, true));
    if (!m.municipality().empty()) {
      ENAMND_RETURN_IF_ERROR(
          platform::ParseMunicipalityName(m.municipality(), Path(at, "municipality")).status());
    }
    ENAMND_RETURN_IF_ERROR(
        platform::ValidateText(m.role(), Path(at, "role"), platform::kMaxNameLength, false));
  }
  if (in.has_project_leader()) {
    const std::string at = Path(field, "project_leader");
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(in.project_leader().display_name(),
                                                  Path(at, "display_name"),
                                                  platform::kMaxNameLength, true));
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(in.project_leader().organisation(),
                                                  Path(at, "organisation"),
                                                  platform::kMaxNameLength, false));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Kind> KindOf(v1::Kind kind, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(kind, v1::Kind_descriptor(), field));
  switch (kind) {
    case v1::KIND_NEEDS_ANALYSIS:
      return Kind::kNeedsAnalysis;
    case v1::KIND_PRE_STUDY:
      return Kind::kPreStudy;
    case v1::KIND_DEVELOPMENT_PROJECT:
      return Kind::kDevelopmentProject;
    case v1::KIND_IMPLEMENTATION_PROJECT:
      return Kind::kImplementationProject;
    case v1::KIND_PROCUREMENT:
      return Kind::kProcurement;
    case v1::KIND_SYSTEM_IN_OPERATION:
      return Kind::kSystemInOperation;
    default:
      return InvalidField(field, "unknown kind");
  }
}

absl::StatusOr<State> StateOf(v1::State state, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(state, v1::State_descriptor(), field));
  switch (state) {
    case v1::STATE_PROPOSED:
      return State::kProposed;
    case v1::STATE_DECIDED:
      return State::kDecided;
    case v1::STATE_RUNNING:
      return State::kRunning;
    case v1::STATE_FINAL_REPORT:
      return State::kFinalReport;
    case v1::STATE_IN_OPERATION:
      return State::kInOperation;
    case v1::STATE_CLOSED:
      return State::kClosed;
    case v1::STATE_STOPPED:
      return State::kStopped;
    default:
      return InvalidField(field, "unknown state");
  }
}

v1::Kind ToProto(Kind kind) {
  switch (kind) {
    case Kind::kNeedsAnalysis:
      return v1::KIND_NEEDS_ANALYSIS;
    case Kind::kPreStudy:
      return v1::KIND_PRE_STUDY;
    case Kind::kDevelopmentProject:
      return v1::KIND_DEVELOPMENT_PROJECT;
    case Kind::kImplementationProject:
      return v1::KIND_IMPLEMENTATION_PROJECT;
    case Kind::kProcurement:
      return v1::KIND_PROCUREMENT;
    case Kind::kSystemInOperation:
      return v1::KIND_SYSTEM_IN_OPERATION;
  }
  return v1::KIND_UNSPECIFIED;
}

v1::State ToProto(State state) {
  switch (state) {
    case State::kProposed:
      return v1::STATE_PROPOSED;
    case State::kDecided:
      return v1::STATE_DECIDED;
    case State::kRunning:
      return v1::STATE_RUNNING;
    case State::kFinalReport:
      return v1::STATE_FINAL_REPORT;
    case State::kInOperation:
      return v1::STATE_IN_OPERATION;
    case State::kClosed:
      return v1::STATE_CLOSED;
    case State::kStopped:
      return v1::STATE_STOPPED;
  }
  return v1::STATE_UNSPECIFIED;
}

bool IsActive(v1::State state) {
  return state != v1::STATE_CLOSED && state != v1::STATE_STOPPED && state != v1::STATE_UNSPECIFIED;
}

absl::Status ValidateInitiative(const v1::Initiative& in, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(in.title(), Path(field, "title"), platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(KindOf(in.kind(), Path(field, "kind")).status());
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(in.description(), Path(field, "description"),
                                                platform::kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateParticipations(in, field));
  ENAMND_RETURN_IF_ERROR(ValidatePeople(in, field));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(in.effect_goals_size(), Path(field, "effect_goals")));
  for (int i = 0; i < in.effect_goals_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(
        in.effect_goals(i), Indexed(field, "effect_goals", i), platform::kMaxTextLength, true));
  }
  if (!in.budget_line().empty()) {
    ENAMND_RETURN_IF_ERROR(
        BudgetLineReference::Parse(in.budget_line(), Path(field, "budget_line")).status());
  }
  return absl::OkStatus();
}

const std::set<std::string>& UpdatableInitiativeFields() {
  static const auto* fields = new std::set<std::string>{
      "title", "description", "steering_group", "project_leader", "effect_goals", "budget_line"};
  return *fields;
}

absl::StatusOr<v1::Initiative> NewInitiative(const InitiativeName& name,
                                             const v1::Initiative& given, const Date& since,
                                             absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(ValidateInitiative(given, "initiative"));
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(since, "since_date", today));
  for (int i = 0; i < given.participations_size(); ++i) {
    const std::string at = absl::StrCat("initiative.participations[", i, "]");
    ENAMND_RETURN_IF_ERROR(platform::NotInFuture(given.participations(i).joined_date(),
                                                 Path(at, "joined_date"), today));
    ENAMND_RETURN_IF_ERROR(
        platform::NotInFuture(given.participations(i).left_date(), Path(at, "left_date"), today));
  }
  v1::Initiative in;
  in.set_name(name.ToString());
  in.set_title(given.title());
  in.set_kind(given.kind());
  in.set_description(given.description());
  *in.mutable_participations() = given.participations();
  *in.mutable_steering_group() = given.steering_group();
  if (given.has_project_leader()) *in.mutable_project_leader() = given.project_leader();
  *in.mutable_effect_goals() = given.effect_goals();
  in.set_budget_line(given.budget_line());
  ENAMND_ASSIGN_OR_RETURN(Kind kind, KindOf(given.kind(), "initiative.kind"));
  v1::Transition first;
  first.set_to_state(ToProto(InitialState(kind)));
  *first.mutable_date() = since;
  first.set_note("registered");
  ApplyTransition(first, &in);
  return in;
}

std::optional<CurrentState> CurrentOf(const v1::Initiative& initiative) {
  if (initiative.transitions().empty()) return std::nullopt;
  const v1::Transition& last = *initiative.transitions().rbegin();
  absl::StatusOr<State> state = StateOf(last.to_state(), "state");
  if (!state.ok()) return std::nullopt;
  return CurrentState{*state, ToCivil(last.date())};
}

std::optional<v1::State> StateOn(const v1::Initiative& initiative, absl::CivilDay day) {
  std::optional<v1::State> state;
  for (const v1::Transition& t : initiative.transitions()) {
    if (ToCivil(t.date()) > day) break;  // steps are in date order
    state = t.to_state();
  }
  return state;
}

absl::StatusOr<std::optional<v1::Transition>> PlanTransition(
    const v1::Initiative& initiative, const v1::TransitionInitiativeRequest& request,
    absl::CivilDay today) {
  ENAMND_ASSIGN_OR_RETURN(Kind kind, KindOf(initiative.kind(), "kind"));
  ENAMND_ASSIGN_OR_RETURN(State to, StateOf(request.state(), "state"));
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(request.date(), "date", today));
  ENAMND_RETURN_IF_ERROR(ValidateDecidedBy(request.decided_by(), "decided_by", false));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(request.note(), "note", platform::kMaxTextLength, false));
  std::optional<CurrentState> current = CurrentOf(initiative);
  if (!current.has_value()) return absl::InternalError("an initiative without transitions");
  absl::CivilDay day = ToCivil(request.date());
  if (current->state == to && current->since == day) return std::nullopt;  // a retry
  ENAMND_RETURN_IF_ERROR(CheckTransition(kind, current->state, to));
  if (day < current->since) {
    return InvalidField(
        "date",
        absl::StrCat(platform::DayText(day), " is before the day it became ",
                     StateName(current->state), " (", platform::DayText(current->since), ")"));
  }
  v1::Transition step;
  step.set_from_state(ToProto(current->state));
  step.set_to_state(request.state());
  *step.mutable_date() = request.date();
  *step.mutable_decided_by() = request.decided_by();
  step.set_note(request.note());
  return step;
}

void ApplyTransition(const v1::Transition& step, v1::Initiative* initiative) {
  *initiative->add_transitions() = step;
  initiative->set_state(step.to_state());
  *initiative->mutable_state_date() = step.date();
}

absl::StatusOr<std::vector<int>> EndParticipations(v1::Initiative* initiative, absl::CivilDay day) {
  std::vector<int> ended;
  for (int i = 0; i < initiative->participations_size(); ++i) {
    v1::Participation* p = initiative->mutable_participations(i);
    if (IsSet(p->left_date())) continue;
    if (ToCivil(p->joined_date()) > day) {
      return InvalidField("date", absl::StrCat(p->municipality(), " joined on ",
                                               platform::DayText(ToCivil(p->joined_date())),
                                               ", after ", platform::DayText(day)));
    }
    *p->mutable_left_date() = platform::ToDate(day);
    ended.push_back(i);
  }
  return ended;
}

absl::StatusOr<v1::Participation> PlanJoin(const v1::Initiative& initiative,
                                           const std::string& municipality, const Date& joined,
                                           absl::CivilDay today) {
  if (!IsActive(initiative.state())) {
    return absl::FailedPreconditionError(
        absl::StrCat("state: ", initiative.name(), " is ", v1::State_Name(initiative.state()),
                     "; an initiative that has ended takes no new participants"));
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(joined, "joined_date", today));
  std::vector<Participation> periods;
  for (const v1::Participation& p : initiative.participations()) {
    if (p.municipality() != municipality) continue;
    if (!IsSet(p.left_date())) {
      return absl::FailedPreconditionError(
          absl::StrCat("municipality: ", municipality, " takes part in ", initiative.name(),
                       " since ", platform::DayText(ToCivil(p.joined_date()))));
    }
    periods.push_back(PeriodOf(p));
  }
  v1::Participation next;
  next.set_municipality(municipality);
  *next.mutable_joined_date() = joined;
  periods.push_back(PeriodOf(next));
  ENAMND_RETURN_IF_ERROR(CheckNoOverlap(periods));
  return next;
}

absl::StatusOr<int> PlanLeave(const v1::Initiative& initiative, const std::string& municipality,
                              const Date& left, absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(left, "left_date", today));
  for (int i = 0; i < initiative.participations_size(); ++i) {
    const v1::Participation& p = initiative.participations(i);
    if (p.municipality() != municipality || IsSet(p.left_date())) continue;
    Participation period = PeriodOf(p);
    period.left = ToCivil(left);
    ENAMND_RETURN_IF_ERROR(CheckParticipation(period));
    return i;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("municipality: ", municipality, " does not take part in ", initiative.name()));
}

std::vector<std::string> ParticipantsOn(const v1::Initiative& initiative, absl::CivilDay day) {
  std::vector<std::string> out;
  for (const v1::Participation& p : initiative.participations()) {
    if (TakesPartOn(PeriodOf(p), day)) out.push_back(p.municipality());
  }
  return out;
}

absl::Status ValidateRevision(const v1::Revision& r, absl::string_view last_letter,
                              absl::string_view letter, absl::CivilDay today,
                              std::optional<absl::CivilDay> previous_decided) {
  ENAMND_RETURN_IF_ERROR(CheckNextRevision(last_letter, letter));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(r.text(), "revision.text", platform::kMaxTextLength, false));
  if (r.text().empty() && !r.has_document()) {
    return InvalidField("revision", "give its text, its document, or both");
  }
  if (r.has_document()) ENAMND_RETURN_IF_ERROR(ValidateDocument(r.document(), "revision.document"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(r.change_summary(), "revision.change_summary",
                                                platform::kMaxTextLength, letter != "A"));
  ENAMND_RETURN_IF_ERROR(ValidateDecidedBy(r.decided_by(), "revision.decided_by", true));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(r.decided_date(), "revision.decided_date", today));
  if (previous_decided.has_value() && ToCivil(r.decided_date()) < *previous_decided) {
    return InvalidField(
        "revision.decided_date",
        absl::StrCat(platform::DayText(ToCivil(r.decided_date())), " is before Rev ", last_letter,
                     " was decided (", platform::DayText(*previous_decided), ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateStatusReport(const v1::StatusReport& report,
                                  const std::optional<v1::StatusReport>& previous,
                                  absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(report.report_date(), "status_report.report_date", today));
  if (previous.has_value() && ToCivil(report.report_date()) < ToCivil(previous->report_date())) {
    return InvalidField("status_report.report_date",
                        absl::StrCat(platform::DayText(ToCivil(report.report_date())),
                                     " is before the previous report (",
                                     platform::DayText(ToCivil(previous->report_date())), ", ",
                                     previous->name(), ")"));
  }
  if (report.status_lines().empty()) {
    return InvalidField("status_report.status_lines", "at least one line is required");
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(report.status_lines_size(), "status_report.status_lines"));
  for (int i = 0; i < report.status_lines_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(report.status_lines(i),
                                                  Indexed("status_report", "status_lines", i),
                                                  platform::kMaxTextLength, true));
  }
  if (report.traffic_light() != v1::TRAFFIC_LIGHT_UNSPECIFIED) {  // optional
    ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
        report.traffic_light(), v1::TrafficLight_descriptor(), "status_report.traffic_light"));
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(report.milestones_size(), "status_report.milestones"));
  for (int i = 0; i < report.milestones_size(); ++i) {
    const v1::Milestone& m = report.milestones(i);
    const std::string at = Indexed("status_report", "milestones", i);
    ENAMND_RETURN_IF_ERROR(
        platform::ValidateText(m.title(), Path(at, "title"), platform::kMaxTitleLength, true));
    ENAMND_RETURN_IF_ERROR(
        platform::ValidateDate(m.planned_date(), Path(at, "planned_date"), true));
    ENAMND_RETURN_IF_ERROR(platform::ValidateDate(m.actual_date(), Path(at, "actual_date"), false));
    ENAMND_RETURN_IF_ERROR(platform::NotInFuture(m.actual_date(), Path(at, "actual_date"), today));
  }
  return platform::ValidateText(report.reported_at(), "status_report.reported_at",
                                platform::kMaxTitleLength, false);
}

absl::Status ValidateFinalReport(const v1::FinalReport& report, const v1::Initiative& initiative,
                                 absl::CivilDay today) {
  if (initiative.state() != v1::STATE_FINAL_REPORT) {
    return absl::FailedPreconditionError(
        absl::StrCat("state: ", initiative.name(), " is ", v1::State_Name(initiative.state()),
                     "; a final report is recorded in STATE_FINAL_REPORT (move it there first)"));
  }
  ENAMND_RETURN_IF_ERROR(ValidateDocument(report.document(), "final_report.document"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(report.conclusions_size(), "final_report.conclusions"));
  for (int i = 0; i < report.conclusions_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(report.conclusions(i),
                                                  Indexed("final_report", "conclusions", i),
                                                  platform::kMaxTextLength, true));
  }
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      report.continuation(), v1::Continuation_descriptor(), "final_report.continuation"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(report.continuation_text(),
                                                "final_report.continuation_text",
                                                platform::kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateDecidedBy(report.continuation_decided_by(),
                                           "final_report.continuation_decided_by", false));
  return platform::ValidatePastDay(report.report_date(), "final_report.report_date", today);
}

absl::StatusOr<InitiativeFilter> ParseInitiativeFilter(absl::string_view filter) {
  ENAMND_ASSIGN_OR_RETURN(auto terms, platform::ParseFilter(filter, {"kind", "state", "active",
                                                                     "municipality", "date"}));
  InitiativeFilter out;
  if (terms.count("kind")) {
    ENAMND_ASSIGN_OR_RETURN(
        int kind, platform::ParseEnumValue(terms["kind"], v1::Kind_descriptor(), "filter.kind"));
    out.kind = static_cast<v1::Kind>(kind);
  }
  if (terms.count("state")) {
    ENAMND_ASSIGN_OR_RETURN(int state, platform::ParseEnumValue(
                                           terms["state"], v1::State_descriptor(), "filter.state"));
    out.state = static_cast<v1::State>(state);
  }
  if (terms.count("active")) {
    if (terms["active"] != "true" && terms["active"] != "false") {
      return InvalidField("filter", "active must be true or false");
    }
    out.active = terms["active"] == "true";
  }
  if (terms.count("municipality")) {
    ENAMND_RETURN_IF_ERROR(
        platform::ParseMunicipalityName(terms["municipality"], "filter.municipality").status());
    out.municipality = terms["municipality"];
  }
  if (terms.count("date")) {
    if (!out.municipality.has_value()) {
      return InvalidField("filter", "date needs municipality (the day it takes part on)");
    }
    ENAMND_ASSIGN_OR_RETURN(out.date, platform::ParseFilterDay(terms["date"], "filter.date"));
  }
  return out;
}

}  // namespace enamnd::projects
