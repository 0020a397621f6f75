#include "services/projects/domain/lifecycle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace enamnd::projects {
namespace {

bool CanGoIntoOperation(Kind kind) {
  return kind == Kind::kDevelopmentProject || kind == Kind::kImplementationProject ||
         kind == Kind::kProcurement;
}

bool IsRevisionLetters(absl::string_view letters) {
  return !letters.empty() &&
         std::all_of(letters.begin(), letters.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

std::string KindName(Kind kind) {
  switch (kind) {
    case Kind::kNeedsAnalysis:
      return "needs_analysis";
    case Kind::kPreStudy:
      return "pre_study";
    case Kind::kDevelopmentProject:
      return "development_project";
    case Kind::kImplementationProject:
      return "implementation_project";
    case Kind::kProcurement:
      return "procurement";
    case Kind::kSystemInOperation:
      return "system_in_operation";
  }
  return "unknown";
}

std::string StateName(State state) {
  switch (state) {
    case State::kProposed:
      return "proposed";
    case State::kDecided:
      return "decided";
    case State::kRunning:
      return "running";
    case State::kFinalReport:
      return "final_report";
    case State::kInOperation:
      return "in_operation";
    case State::kClosed:
      return "closed";
    case State::kStopped:
      return "stopped";
  }
  return "unknown";
}

State InitialState(Kind kind) {
  return kind == Kind::kSystemInOperation ? State::kInOperation : State::kProposed;
}

bool IsTerminal(State state) { return state == State::kClosed || state == State::kStopped; }

std::vector<State> AllowedNext(Kind kind, State from) {
  if (kind == Kind::kSystemInOperation) {
    // Registered in operation; the only change is its decommissioning.
    if (from == State::kInOperation) return {State::kClosed};
    return {};
  }
  switch (from) {
    case State::kProposed:
      return {State::kDecided, State::kStopped};
    case State::kDecided:
      return {State::kRunning, State::kStopped};
    case State::kRunning:
      return {State::kFinalReport, State::kStopped};
    case State::kFinalReport:
      if (CanGoIntoOperation(kind)) return {State::kInOperation, State::kClosed};
      return {State::kClosed};
    case State::kInOperation:
      return {State::kClosed};
    case State::kClosed:
    case State::kStopped:
      return {};
  }
  return {};
}

absl::Status CheckTransition(Kind kind, State from, State to) {
  std::vector<State> allowed = AllowedNext(kind, from);
  if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return absl::OkStatus();
  std::string subject = absl::StrCat(kind == Kind::kImplementationProject ? "an " : "a ",
                                     KindName(kind), " that is ", StateName(from));
  if (allowed.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "state: ", subject, " does not change state any more, so not to ", StateName(to)));
  }
  std::vector<std::string> names;
  for (State s : allowed) names.push_back(StateName(s));
  return absl::FailedPreconditionError(absl::StrCat(
      "state: ", subject, " may become ", absl::StrJoin(names, " or "), ", not ", StateName(to)));
}

std::string NextRevisionLetter(absl::string_view last) {
  if (last.empty()) return "A";
  // Add one in base 26 with digits A..Z and no zero: Z -> AA, AZ -> BA.
  std::string next(last);
  for (size_t i = next.size(); i-- > 0;) {
    if (next[i] != 'Z') {
      ++next[i];
      return next;
    }
    next[i] = 'A';
  }
  return absl::StrCat("A", next);
}

absl::Status CheckNextRevision(absl::string_view last, absl::string_view next) {
  if (!IsRevisionLetters(next)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "revision_id: \"", next, "\" is not a revision letter (A, B, ..., Z, AA, ...)"));
  }
  if (!last.empty() && !IsRevisionLetters(last)) {
    return absl::InvalidArgumentError(
        absl::StrCat("revision_id: the last revision \"", last, "\" is not a revision letter"));
  }
  std::string expected = NextRevisionLetter(last);
  if (next == expected) return absl::OkStatus();
  if (last.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("revision_id: the first revision is Rev A, not Rev ", next));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("revision_id: after Rev ", last, " comes Rev ", expected, ", not Rev ", next));
}

absl::Status CheckParticipation(const Participation& participation) {
  if (participation.left.has_value() && *participation.left < participation.joined) {
    return absl::InvalidArgumentError(
        absl::StrCat("left_date: ", absl::FormatCivilTime(*participation.left),
                     " is before joining on ", absl::FormatCivilTime(participation.joined)));
  }
  return absl::OkStatus();
}

absl::Status CheckNoOverlap(const std::vector<Participation>& periods) {
  std::vector<Participation> sorted = periods;
  std::sort(sorted.begin(), sorted.end(),
            [](const Participation& a, const Participation& b) { return a.joined < b.joined; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    const Participation& before = sorted[i - 1];
    if (!before.left.has_value() || *before.left >= sorted[i].joined) {
      return absl::InvalidArgumentError(absl::StrCat(
          "joined_date: ", absl::FormatCivilTime(sorted[i].joined),
          " is within an earlier participation (joined ", absl::FormatCivilTime(before.joined),
          before.left.has_value() ? absl::StrCat(", left ", absl::FormatCivilTime(*before.left))
                                  : ", not left",
          ")"));
    }
  }
  return absl::OkStatus();
}

bool TakesPartOn(const Participation& participation, absl::CivilDay day) {
  if (day < participation.joined) return false;
  return !participation.left.has_value() || day <= *participation.left;
}

}  // namespace enamnd::projects
