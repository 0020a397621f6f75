// The rules of an initiative's life (services/projects/domain/lifecycle.h),
// as tables: one row per case.
#include "services/projects/domain/lifecycle.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace enamnd::projects {
namespace {

using S = State;
using K = Kind;

const std::vector<K>& AllKinds() {
  static const auto* kinds =
      new std::vector<K>{K::kNeedsAnalysis,         K::kPreStudy,    K::kDevelopmentProject,
                         K::kImplementationProject, K::kProcurement, K::kSystemInOperation};
  return *kinds;
}

const std::vector<S>& AllStates() {
  static const auto* states =
      new std::vector<S>{S::kProposed,    S::kDecided, S::kRunning, S::kFinalReport,
                         S::kInOperation, S::kClosed,  S::kStopped};
  return *states;
}

TEST(LifecycleTest, AllowedTransitions) {
  struct Case {
    K kind;
    S from;
    S to;
    bool allowed;
  };
  for (const Case& c : std::vector<Case>{
           // The usual way of a pre-study: decided, run, reported, noted.
           {K::kPreStudy, S::kProposed, S::kDecided, true},
           {K::kPreStudy, S::kDecided, S::kRunning, true},
           {K::kPreStudy, S::kRunning, S::kFinalReport, true},
           {K::kPreStudy, S::kFinalReport, S::kClosed, true},
           // Anything not ended may be stopped before its final report.
           {K::kPreStudy, S::kProposed, S::kStopped, true},
           {K::kDevelopmentProject, S::kRunning, S::kStopped, true},
           {K::kProcurement, S::kDecided, S::kStopped, true},
           // Only work that makes a system goes into operation.
           {K::kDevelopmentProject, S::kFinalReport, S::kInOperation, true},
           {K::kImplementationProject, S::kFinalReport, S::kInOperation, true},
           {K::kProcurement, S::kFinalReport, S::kInOperation, true},
           {K::kPreStudy, S::kFinalReport, S::kInOperation, false},
           {K::kNeedsAnalysis, S::kFinalReport, S::kInOperation, false},
           {K::kDevelopmentProject, S::kInOperation, S::kClosed, true},
           // No skipping, no going back, nothing after the end.
           {K::kPreStudy, S::kProposed, S::kRunning, false},
           {K::kPreStudy, S::kRunning, S::kClosed, false},
           {K::kPreStudy, S::kRunning, S::kDecided, false},
           {K::kPreStudy, S::kFinalReport, S::kStopped, false},
           {K::kPreStudy, S::kClosed, S::kRunning, false},
           {K::kPreStudy, S::kStopped, S::kDecided, false},
           {K::kPreStudy, S::kRunning, S::kRunning, false},
           // A system in operation is registered as such and only closed.
           {K::kSystemInOperation, S::kInOperation, S::kClosed, true},
           {K::kSystemInOperation, S::kInOperation, S::kStopped, false},
           {K::kSystemInOperation, S::kProposed, S::kDecided, false},
       }) {
    absl::Status status = CheckTransition(c.kind, c.from, c.to);
    EXPECT_EQ(status.ok(), c.allowed) << KindName(c.kind) << " " << StateName(c.from) << " -> "
                                      << StateName(c.to) << ": " << status;
    if (!c.allowed) {
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    }
  }
}

TEST(LifecycleTest, RefusalNamesTheAllowedStates) {
  absl::Status status = CheckTransition(K::kPreStudy, S::kRunning, S::kClosed);
  EXPECT_EQ(status.message(),
            "state: a pre_study that is running may become final_report or stopped, not closed");
  status = CheckTransition(K::kImplementationProject, S::kStopped, S::kRunning);
  EXPECT_EQ(status.message(),
            "state: an implementation_project that is stopped does not change state any more, "
            "so not to running");
}

TEST(LifecycleTest, EveryKindStartsWhereItCanMoveAndEndsInATerminalState) {
  for (K kind : AllKinds()) {
    S start = InitialState(kind);
    EXPECT_FALSE(AllowedNext(kind, start).empty()) << KindName(kind);
    // From the start, following allowed transitions always reaches an end.
    std::vector<S> frontier = {start};
    std::vector<S> seen;
    bool ends = false;
    while (!frontier.empty()) {
      S s = frontier.back();
      frontier.pop_back();
      if (std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
      seen.push_back(s);
      if (IsTerminal(s)) ends = true;
      for (S next : AllowedNext(kind, s)) frontier.push_back(next);
    }
    EXPECT_TRUE(ends) << KindName(kind);
  }
  for (K kind : AllKinds()) {
    for (S s : AllStates()) {
      if (IsTerminal(s)) {
        EXPECT_TRUE(AllowedNext(kind, s).empty()) << StateName(s);
      }
    }
  }
  EXPECT_EQ(InitialState(K::kSystemInOperation), S::kInOperation);
  EXPECT_EQ(InitialState(K::kPreStudy), S::kProposed);
}

TEST(RevisionTest, LettersFollowEachOther) {
  struct Case {
    std::string last;
    std::string next;
  };
  for (const Case& c : std::vector<Case>{
           {"", "A"}, {"A", "B"}, {"Y", "Z"}, {"Z", "AA"}, {"AZ", "BA"}, {"ZZ", "AAA"}}) {
    EXPECT_EQ(NextRevisionLetter(c.last), c.next) << c.last;
    EXPECT_TRUE(CheckNextRevision(c.last, c.next).ok()) << c.last << " -> " << c.next;
  }
}

TEST(RevisionTest, SkippedRepeatedOrMalformedRevisionsAreRefused) {
  struct Case {
    std::string last;
    std::string next;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"A", "C", "revision_id: after Rev A comes Rev B, not Rev C"},
           {"B", "B", "revision_id: after Rev B comes Rev C, not Rev B"},
           {"B", "A", "revision_id: after Rev B comes Rev C, not Rev A"},
           {"", "B", "revision_id: the first revision is Rev A, not Rev B"},
           {"A", "b", "revision_id: \"b\" is not a revision letter (A, B, ..., Z, AA, ...)"},
           {"A", "", "revision_id: \"\" is not a revision letter (A, B, ..., Z, AA, ...)"},
           {"A", "Rev B",
            "revision_id: \"Rev B\" is not a revision letter (A, B, ..., Z, AA, ...)"},
       }) {
    absl::Status status = CheckNextRevision(c.last, c.next);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.last << " -> " << c.next;
    EXPECT_EQ(status.message(), c.message);
  }
}

TEST(ParticipationTest, PeriodsAndTheDaysTheyCover) {
  Participation boden{absl::CivilDay(2021, 3, 1), absl::CivilDay(2022, 6, 30)};
  EXPECT_TRUE(CheckParticipation(boden).ok());
  EXPECT_FALSE(TakesPartOn(boden, absl::CivilDay(2021, 2, 28)));
  EXPECT_TRUE(TakesPartOn(boden, absl::CivilDay(2021, 3, 1)));
  EXPECT_TRUE(TakesPartOn(boden, absl::CivilDay(2022, 6, 30)));  // the last day counts
  EXPECT_FALSE(TakesPartOn(boden, absl::CivilDay(2022, 7, 1)));
  Participation still{absl::CivilDay(2019, 1, 1), std::nullopt};
  EXPECT_TRUE(TakesPartOn(still, absl::CivilDay(2030, 1, 1)));

  absl::Status backwards =
      CheckParticipation({absl::CivilDay(2022, 6, 1), absl::CivilDay(2022, 5, 31)});
  EXPECT_EQ(backwards.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(backwards.message(), "left_date: 2022-05-31 is before joining"));
  EXPECT_TRUE(CheckParticipation({absl::CivilDay(2022, 6, 1), absl::CivilDay(2022, 6, 1)}).ok());
}

TEST(ParticipationTest, AMunicipalityJoinsAgainOnlyAfterItLeft) {
  Participation first{absl::CivilDay(2020, 1, 1), absl::CivilDay(2020, 12, 31)};
  Participation again{absl::CivilDay(2022, 1, 1), std::nullopt};
  EXPECT_TRUE(CheckNoOverlap({again, first}).ok());
  Participation overlapping{absl::CivilDay(2020, 12, 31), std::nullopt};
  absl::Status status = CheckNoOverlap({first, overlapping});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "joined_date: 2020-12-31 is within an earlier participation (joined 2020-01-01, left "
            "2020-12-31)");
  EXPECT_FALSE(CheckNoOverlap({Participation{absl::CivilDay(2020, 1, 1), std::nullopt},
                               Participation{absl::CivilDay(2023, 1, 1), std::nullopt}})
                   .ok());
}

}  // namespace
}  // namespace enamnd::projects
