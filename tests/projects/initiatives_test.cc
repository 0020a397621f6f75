// The content rules of initiatives (services/projects/domain/initiatives.h):
// one short case per rule, each checking the code and the field named.
#include "services/projects/domain/initiatives.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/platform/api_util.h"
#include "tests/support/builders.h"

namespace enamnd::projects {
namespace {

using testing::Day;

constexpr absl::CivilDay kToday(2022, 7, 8);

v1::Initiative PreStudy() {
  v1::Initiative in;
  in.set_title("Gemensamt personal/HR-system");
  in.set_kind(v1::KIND_PRE_STUDY);
  v1::Participation* p = in.add_participations();
  p->set_municipality("municipalities/2582");
  *p->mutable_joined_date() = Day(2022, 3, 16);
  return in;
}

v1::Initiative Registered() {
  return *NewInitiative(InitiativeName{"hr-payroll"}, PreStudy(), Day(2022, 3, 16), kToday);
}

void ExpectField(const absl::Status& status, absl::StatusCode code, const std::string& field) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), field + ":")) << status.message();
}

TEST(InitiativesTest, NewInitiativeStartsInItsKindsFirstState) {
  v1::Initiative in = Registered();
  EXPECT_EQ(in.name(), "initiatives/hr-payroll");
  EXPECT_EQ(in.state(), v1::STATE_PROPOSED);
  ASSERT_EQ(in.transitions_size(), 1);
  EXPECT_EQ(in.transitions(0).from_state(), v1::STATE_UNSPECIFIED);

  v1::Initiative system = PreStudy();
  system.set_kind(v1::KIND_SYSTEM_IN_OPERATION);
  auto archive = NewInitiative(InitiativeName{"e-archive"}, system, Day(2019, 1, 1), kToday);
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_EQ(archive->state(), v1::STATE_IN_OPERATION);
  EXPECT_EQ(archive->state_date().year(), 2019);
}

TEST(InitiativesTest, BadContentNamesTheField) {
  struct Case {
    std::string what;
    void (*change)(v1::Initiative*);
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {"no title", [](v1::Initiative* in) { in->clear_title(); }, "initiative.title"},
           {"no kind", [](v1::Initiative* in) { in->clear_kind(); }, "initiative.kind"},
           {"bad municipality",
            [](v1::Initiative* in) { in->mutable_participations(0)->set_municipality("Boden"); },
            "initiative.participations[0].municipality"},
           {"leave before join",
            [](v1::Initiative* in) {
              *in->mutable_participations(0)->mutable_left_date() = Day(2022, 1, 1);
            },
            "initiative.participations[0].left_date"},
           {"overlapping periods",
            [](v1::Initiative* in) { *in->add_participations() = in->participations(0); },
            "initiative.participations[1].joined_date"},
           {"foreign budget line",
            [](v1::Initiative* in) { in->set_budget_line("//audits/reviews/2021-2584"); },
            "initiative.budget_line"},
           {"nameless steering group member",
            [](v1::Initiative* in) { in->add_steering_group()->set_role("ordförande"); },
            "initiative.steering_group[0].display_name"},
       }) {
    v1::Initiative in = PreStudy();
    c.change(&in);
    SCOPED_TRACE(c.what);
    ExpectField(ValidateInitiative(in, "initiative"), absl::StatusCode::kInvalidArgument, c.field);
  }
}

TEST(InitiativesTest, SinceDateIsRequiredAndNotInTheFuture) {
  ExpectField(NewInitiative(InitiativeName{"x"}, PreStudy(), {}, kToday).status(),
              absl::StatusCode::kInvalidArgument, "since_date");
  ExpectField(NewInitiative(InitiativeName{"x"}, PreStudy(), Day(2022, 7, 9), kToday).status(),
              absl::StatusCode::kInvalidArgument, "since_date");
}

v1::TransitionInitiativeRequest To(v1::State state, common::v1::Date date) {
  v1::TransitionInitiativeRequest r;
  r.set_name("initiatives/hr-payroll");
  r.set_state(state);
  *r.mutable_date() = date;
  return r;
}

TEST(InitiativesTest, TransitionsFollowTheLifecycle) {
  v1::Initiative in = Registered();
  auto step = PlanTransition(in, To(v1::STATE_DECIDED, Day(2022, 3, 16)), kToday);
  ASSERT_TRUE(step.ok()) << step.status();
  ASSERT_TRUE(step->has_value());
  ApplyTransition(**step, &in);
  EXPECT_EQ(in.state(), v1::STATE_DECIDED);
  EXPECT_EQ(in.transitions_size(), 2);

  // The same step again is a retry, not a second step.
  auto again = PlanTransition(in, To(v1::STATE_DECIDED, Day(2022, 3, 16)), kToday);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());

  auto skip = PlanTransition(in, To(v1::STATE_CLOSED, Day(2022, 4, 1)), kToday);
  EXPECT_EQ(skip.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(skip.status().message(), "running or stopped")) << skip.status();

  ExpectField(PlanTransition(in, To(v1::STATE_RUNNING, Day(2022, 3, 1)), kToday).status(),
              absl::StatusCode::kInvalidArgument, "date");
  ExpectField(PlanTransition(in, To(v1::STATE_RUNNING, Day(2022, 8, 1)), kToday).status(),
              absl::StatusCode::kInvalidArgument, "date");
  v1::TransitionInitiativeRequest bad_paragraph = To(v1::STATE_RUNNING, Day(2022, 4, 1));
  bad_paragraph.mutable_decided_by()->set_paragraph("§ 2");
  ExpectField(PlanTransition(in, bad_paragraph, kToday).status(),
              absl::StatusCode::kInvalidArgument, "decided_by.paragraph");
}

TEST(InitiativesTest, StateOnADayReadsTheHistory) {
  v1::Initiative in = Registered();
  ApplyTransition(**PlanTransition(in, To(v1::STATE_DECIDED, Day(2022, 4, 1)), kToday), &in);
  EXPECT_FALSE(StateOn(in, absl::CivilDay(2022, 3, 15)).has_value());
  EXPECT_EQ(*StateOn(in, absl::CivilDay(2022, 3, 31)), v1::STATE_PROPOSED);
  EXPECT_EQ(*StateOn(in, absl::CivilDay(2022, 4, 1)), v1::STATE_DECIDED);
}

TEST(InitiativesTest, AnInitiativeThatEndsEndsItsParticipations) {
  v1::Initiative in = Registered();
  auto too_early = EndParticipations(&in, absl::CivilDay(2022, 3, 15));
  EXPECT_EQ(too_early.status().code(), absl::StatusCode::kInvalidArgument);
  auto ended = EndParticipations(&in, absl::CivilDay(2022, 9, 30));
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_EQ(*ended, std::vector<int>{0});
  EXPECT_EQ(platform::ToCivil(in.participations(0).left_date()), absl::CivilDay(2022, 9, 30));
  in.set_state(v1::STATE_STOPPED);
  EXPECT_EQ(PlanJoin(in, "municipalities/2580", Day(2022, 10, 1), kToday).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(InitiativesTest, JoinAndLeave) {
  v1::Initiative in = Registered();
  EXPECT_EQ(PlanJoin(in, "municipalities/2582", Day(2022, 4, 1), kToday).status().code(),
            absl::StatusCode::kFailedPrecondition);  // takes part already
  auto lulea = PlanJoin(in, "municipalities/2580", Day(2022, 4, 1), kToday);
  ASSERT_TRUE(lulea.ok()) << lulea.status();
  *in.add_participations() = *lulea;
  EXPECT_EQ(ParticipantsOn(in, absl::CivilDay(2022, 3, 31)),
            std::vector<std::string>{"municipalities/2582"});
  EXPECT_EQ(ParticipantsOn(in, absl::CivilDay(2022, 4, 1)),
            (std::vector<std::string>{"municipalities/2582", "municipalities/2580"}));

  ExpectField(PlanLeave(in, "municipalities/2582", Day(2022, 3, 1), kToday).status(),
              absl::StatusCode::kInvalidArgument, "left_date");  // before joining
  EXPECT_EQ(PlanLeave(in, "municipalities/2584", Day(2022, 5, 1), kToday).status().code(),
            absl::StatusCode::kFailedPrecondition);  // never took part
  auto left = PlanLeave(in, "municipalities/2582", Day(2022, 5, 31), kToday);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(*left, 0);
  *in.mutable_participations(0)->mutable_left_date() = Day(2022, 5, 31);
  // Rejoining on the day it left would overlap; the next day is fine.
  EXPECT_FALSE(PlanJoin(in, "municipalities/2582", Day(2022, 5, 31), kToday).ok());
  EXPECT_TRUE(PlanJoin(in, "municipalities/2582", Day(2022, 6, 1), kToday).ok());
}

v1::Revision RevisionText(const std::string& summary) {
  v1::Revision r;
  r.set_text("Förstudien ska utreda ett gemensamt IT-stöd.");
  r.set_change_summary(summary);
  r.mutable_decided_by()->set_steering_group_protocol("Protokoll styrgrupp gemensamt HR 220504");
  *r.mutable_decided_date() = Day(2022, 5, 4);
  return r;
}

TEST(InitiativesTest, RevisionRules) {
  EXPECT_TRUE(ValidateRevision(RevisionText(""), "", "A", kToday).ok());
  ExpectField(ValidateRevision(RevisionText(""), "A", "B", kToday),
              absl::StatusCode::kInvalidArgument, "revision.change_summary");
  ExpectField(ValidateRevision(RevisionText("Löneprocesserna"), "A", "C", kToday),
              absl::StatusCode::kInvalidArgument, "revision_id");
  v1::Revision empty = RevisionText("x");
  empty.clear_text();
  ExpectField(ValidateRevision(empty, "A", "B", kToday), absl::StatusCode::kInvalidArgument,
              "revision");
  ExpectField(ValidateRevision(RevisionText("x"), "A", "B", kToday, absl::CivilDay(2022, 5, 5)),
              absl::StatusCode::kInvalidArgument, "revision.decided_date");
  v1::Revision undecided = RevisionText("x");
  undecided.clear_decided_by();
  ExpectField(ValidateRevision(undecided, "A", "B", kToday), absl::StatusCode::kInvalidArgument,
              "revision.decided_by");
}

TEST(InitiativesTest, StatusReportRules) {
  v1::StatusReport r;
  *r.mutable_report_date() = Day(2022, 6, 22);
  r.add_status_lines("Förstudien pågår");
  EXPECT_TRUE(ValidateStatusReport(r, std::nullopt, kToday).ok());
  v1::StatusReport later = r;
  *later.mutable_report_date() = Day(2022, 7, 1);
  ExpectField(ValidateStatusReport(r, later, kToday), absl::StatusCode::kInvalidArgument,
              "status_report.report_date");
  v1::StatusReport silent = r;
  silent.clear_status_lines();
  ExpectField(ValidateStatusReport(silent, std::nullopt, kToday),
              absl::StatusCode::kInvalidArgument, "status_report.status_lines");
  v1::StatusReport milestone = r;
  milestone.add_milestones()->set_title("Upphandling");
  ExpectField(ValidateStatusReport(milestone, std::nullopt, kToday),
              absl::StatusCode::kInvalidArgument, "status_report.milestones[0].planned_date");
}

TEST(InitiativesTest, FinalReportOnlyInStateFinalReport) {
  v1::FinalReport report;
  report.mutable_document()->set_title("Förstudierapport e-learning rev A 22-06-13");
  report.set_continuation(v1::CONTINUATION_PENDING);
  *report.mutable_report_date() = Day(2022, 6, 13);
  v1::Initiative in = Registered();
  EXPECT_EQ(ValidateFinalReport(report, in, kToday).code(), absl::StatusCode::kFailedPrecondition);
  in.set_state(v1::STATE_FINAL_REPORT);
  EXPECT_TRUE(ValidateFinalReport(report, in, kToday).ok());
  report.clear_continuation();
  ExpectField(ValidateFinalReport(report, in, kToday), absl::StatusCode::kInvalidArgument,
              "final_report.continuation");
}

TEST(InitiativesTest, Filter) {
  auto f = ParseInitiativeFilter(
      "kind = KIND_PRE_STUDY AND municipality = \"municipalities/2582\" AND date = 2022-06-22");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f->kind, v1::KIND_PRE_STUDY);
  EXPECT_EQ(*f->municipality, "municipalities/2582");
  EXPECT_EQ(*f->date, absl::CivilDay(2022, 6, 22));
  ExpectField(ParseInitiativeFilter("date = 2022-06-22").status(),
              absl::StatusCode::kInvalidArgument, "filter");
  ExpectField(ParseInitiativeFilter("kind = PRE_STUDY").status(),
              absl::StatusCode::kInvalidArgument, "filter.kind");
  ExpectField(ParseInitiativeFilter("municipality = \"municipalities/2582\" AND date = 2022-02-30")
                  .status(),
              absl::StatusCode::kInvalidArgument, "filter.date");
}

}  // namespace
}  // namespace enamnd::projects
