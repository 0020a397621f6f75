// The rules of the operational plan and its follow-up
// (services/finance/domain/plans.h): content, the as-of day, percent
// rounding, and each measure's figures and outlook from the facts of the
// interim report of 22 June 2022 (and year-end variants). One table per
// rule.
#include "services/finance/domain/plans.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/finance/plan_builders.h"
#include "tests/support/builders.h"

namespace enamnd::finance {
namespace {

using testing::InvalidFieldOf;

const v1::Goal& GoalById(const v1::Plan& plan, const std::string& id) {
  for (const v1::Goal& g : plan.goals()) {
    if (g.id() == id) return g;
  }
  ADD_FAILURE() << "no goal " << id;
  return plan.goals(0);
}

v1::GoalReport Evaluate(const std::string& id, const PlanFacts& facts, const FollowUpWindow& window,
                        const v1::GoalFollowUp* follow_up = nullptr) {
  static const v1::Plan plan = Plan2022();
  return EvaluateGoal(GoalById(plan, id), follow_up, facts, window);
}

// ------------------------------------------------------------ content

TEST(PlanContentTest, NamesTheField) {
  struct Case {
    std::string name;
    std::function<void(v1::Plan*)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"the 2022 plan", [](v1::Plan*) {}, "ok"},
      {"no title", [](v1::Plan* p) { p->clear_title(); }, "plan.title"},
      {"no goals", [](v1::Plan* p) { p->clear_goals(); }, "plan.goals"},
      {"101 goals",
       [](v1::Plan* p) {
         for (int i = 0; i < 93; ++i) {
           v1::Goal* g = p->add_goals();
           *g = p->goals(0);
           g->set_id("g" + std::to_string(i));
         }
       },
       "plan.goals"},
      {"id with capitals", [](v1::Plan* p) { p->mutable_goals(3)->set_id("Möten"); },
       "plan.goals[3].id"},
      {"no id", [](v1::Plan* p) { p->mutable_goals(0)->clear_id(); }, "plan.goals[0].id"},
      {"duplicate id", [](v1::Plan* p) { p->mutable_goals(4)->set_id("competence"); },
       "plan.goals[4].id"},
      {"no kind", [](v1::Plan* p) { p->mutable_goals(2)->clear_kind(); }, "plan.goals[2].kind"},
      {"no text", [](v1::Plan* p) { p->mutable_goals(2)->clear_text(); }, "plan.goals[2].text"},
      {"no measure", [](v1::Plan* p) { p->mutable_goals(1)->clear_measure(); },
       "plan.goals[1].measure"},
      {"meetings without body", [](v1::Plan* p) { p->mutable_goals(3)->clear_body(); },
       "plan.goals[3].body"},
      {"body not a body name", [](v1::Plan* p) { p->mutable_goals(3)->set_body("e-namnden"); },
       "plan.goals[3].body"},
      {"body id with capitals",
       [](v1::Plan* p) { p->mutable_goals(7)->set_body("bodies/Beredning"); },
       "plan.goals[7].body"},
      {"body on a contracts measure",
       [](v1::Plan* p) { p->mutable_goals(2)->set_body("bodies/e-namnden"); },
       "plan.goals[2].body"},
      {"body on a manual measure",
       [](v1::Plan* p) { p->mutable_goals(0)->set_body("bodies/e-namnden"); },
       "plan.goals[0].body"},
      {"meetings held in percent",
       [](v1::Plan* p) { p->mutable_goals(3)->set_unit(v1::UNIT_PERCENT); }, "plan.goals[3].unit"},
      {"attendance as a count", [](v1::Plan* p) { p->mutable_goals(4)->set_unit(v1::UNIT_COUNT); },
       "plan.goals[4].unit"},
      {"initiatives without unit",
       [](v1::Plan* p) {
         p->mutable_goals(1)->set_unit(v1::UNIT_UNSPECIFIED);
         p->mutable_goals(1)->set_target(0);
       },
       "plan.goals[1].unit"},
      {"unknown unit", [](v1::Plan* p) { p->mutable_goals(0)->set_unit(static_cast<v1::Unit>(9)); },
       "plan.goals[0].unit"},
      {"percent target 101", [](v1::Plan* p) { p->mutable_goals(4)->set_target(101); },
       "plan.goals[4].target"},
      {"percent target 100", [](v1::Plan* p) { p->mutable_goals(4)->set_target(100); }, "ok"},
      {"count target 0", [](v1::Plan* p) { p->mutable_goals(3)->set_target(0); },
       "plan.goals[3].target"},
      {"count target 1000001", [](v1::Plan* p) { p->mutable_goals(3)->set_target(1000001); },
       "plan.goals[3].target"},
      {"count target 1000000", [](v1::Plan* p) { p->mutable_goals(3)->set_target(1000000); }, "ok"},
      {"text-only goal with a target", [](v1::Plan* p) { p->mutable_goals(5)->set_target(1); },
       "plan.goals[5].target"},
      {"manual in percent", [](v1::Plan* p) { p->mutable_goals(0)->set_unit(v1::UNIT_PERCENT); },
       "ok"},
  };
  for (const Case& c : cases) {
    v1::Plan p = Plan2022();
    c.change(&p);
    EXPECT_EQ(InvalidFieldOf(ValidatePlanContent(p, "plan")), c.field) << c.name;
  }
}

v1::PlanFollowUp ValidFollowUp() {
  v1::PlanFollowUp f;
  f.set_title("Delårsrapport 2022");
  f.add_summary()->set_text("Delårsrapporten omfattar tidsperioden januari-maj 2022.");
  v1::GoalFollowUp* competence = f.add_goals();
  competence->set_goal("competence");
  competence->set_value(0);
  competence->add_comment()->set_text("Kommentar: Under perioden har inga insatser genomförts.");
  competence->set_forecast_text("Prognosen är att målet kommer nås.");
  competence->set_forecast(v1::OUTLOOK_WILL_BE_MET);
  v1::GoalFollowUp* meetings = f.add_goals();
  meetings->set_goal("committee-meetings");
  meetings->add_comment()->add_lines("16 mars 2022, 13:00-16:00");
  v1::TextBlock* bullets = meetings->add_comment();
  bullets->add_bullets("26 januari 14:00-16:00");
  bullets->set_marker("•");
  f.add_outcome_notes("Per sista maj redovisar nämnden ett positivt resultat på 120 tkr.");
  return f;
}

TEST(FollowUpContentTest, NamesTheField) {
  struct Case {
    std::string name;
    std::function<void(v1::PlanFollowUp*, v1::Plan*)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"the interim report", [](v1::PlanFollowUp*, v1::Plan*) {}, "ok"},
      {"no title", [](v1::PlanFollowUp* f, v1::Plan*) { f->clear_title(); }, "follow_up.title"},
      {"an as-of day that does not exist",
       [](v1::PlanFollowUp* f, v1::Plan*) { *f->mutable_as_of_date() = testing::Day(2022, 6, 31); },
       "follow_up.as_of_date"},
      {"unknown goal",
       [](v1::PlanFollowUp* f, v1::Plan*) { f->mutable_goals(1)->set_goal("board-meetings"); },
       "follow_up.goals[1].goal"},
      {"no goal", [](v1::PlanFollowUp* f, v1::Plan*) { f->mutable_goals(0)->clear_goal(); },
       "follow_up.goals[0].goal"},
      {"a goal twice",
       [](v1::PlanFollowUp* f, v1::Plan*) { f->mutable_goals(1)->set_goal("competence"); },
       "follow_up.goals[1].goal"},
      {"a value on a computed goal",
       [](v1::PlanFollowUp* f, v1::Plan*) { f->mutable_goals(1)->set_value(1); },
       "follow_up.goals[1].value"},
      {"a value on a text-only goal",
       [](v1::PlanFollowUp* f, v1::Plan*) {
         v1::GoalFollowUp* g = f->add_goals();
         g->set_goal("regulations");
         g->set_value(1);
       },
       "follow_up.goals[2].value"},
      {"a text-only goal with comment only",
       [](v1::PlanFollowUp* f, v1::Plan*) {
         f->add_goals()->set_goal("regulations");
         f->mutable_goals(2)->add_comment()->set_text("Arbete har startats under Q4 2021.");
       },
       "ok"},
      {"a negative value",
       [](v1::PlanFollowUp* f, v1::Plan*) { f->mutable_goals(0)->set_value(-1); },
       "follow_up.goals[0].value"},
      {"a count of 1000001",
       [](v1::PlanFollowUp* f, v1::Plan*) { f->mutable_goals(0)->set_value(1000001); },
       "follow_up.goals[0].value"},
      {"a percent of 101",
       [](v1::PlanFollowUp* f, v1::Plan* p) {
         p->mutable_goals(0)->set_unit(v1::UNIT_PERCENT);
         f->mutable_goals(0)->set_value(101);
       },
       "follow_up.goals[0].value"},
      {"a percent of 100",
       [](v1::PlanFollowUp* f, v1::Plan* p) {
         p->mutable_goals(0)->set_unit(v1::UNIT_PERCENT);
         f->mutable_goals(0)->set_value(100);
       },
       "ok"},
      {"a text block with text and bullets",
       [](v1::PlanFollowUp* f, v1::Plan*) {
         f->mutable_goals(0)->mutable_comment(0)->add_bullets("och en punkt");
       },
       "follow_up.goals[0].comment[0]"},
      {"a text block with lines and bullets",
       [](v1::PlanFollowUp* f, v1::Plan*) {
         f->mutable_goals(1)->mutable_comment(1)->add_lines("22 juni 2022");
       },
       "follow_up.goals[1].comment[1]"},
      {"an empty text block", [](v1::PlanFollowUp* f, v1::Plan*) { f->add_summary(); },
       "follow_up.summary[1]"},
      {"an empty bullet",
       [](v1::PlanFollowUp* f, v1::Plan*) {
         f->mutable_goals(1)->mutable_comment(1)->add_bullets("");
       },
       "follow_up.goals[1].comment[1].bullets[1]"},
      {"an unknown forecast",
       [](v1::PlanFollowUp* f, v1::Plan*) {
         f->mutable_goals(0)->set_forecast(static_cast<v1::Outlook>(7));
       },
       "follow_up.goals[0].forecast"},
      {"an empty outcome note", [](v1::PlanFollowUp* f, v1::Plan*) { f->add_outcome_notes(""); },
       "follow_up.outcome_notes[1]"},
  };
  for (const Case& c : cases) {
    v1::PlanFollowUp f = ValidFollowUp();
    v1::Plan p = Plan2022();
    c.change(&f, &p);
    EXPECT_EQ(InvalidFieldOf(ValidateFollowUpContent(f, p, "follow_up")), c.field) << c.name;
  }
}

TEST(AsOfDayTest, TheMonthsLastDayOrTheGivenDay) {
  struct Case {
    std::string name;
    int year, month;
    std::optional<absl::CivilDay> as_of;
    absl::CivilDay today;
    std::string field;  // "ok" when the day is `want`
    absl::CivilDay want;
  };
  const absl::CivilDay midsummer(2022, 6, 22);
  const std::vector<Case> cases = {
      {"May: its last day", 2022, 5, std::nullopt, midsummer, "ok", absl::CivilDay(2022, 5, 31)},
      {"May, counted to 21 June", 2022, 5, absl::CivilDay(2022, 6, 21), midsummer, "ok",
       absl::CivilDay(2022, 6, 21)},
      {"as of the last day", 2022, 5, absl::CivilDay(2022, 5, 31), midsummer, "ok",
       absl::CivilDay(2022, 5, 31)},
      {"as of before the month's end",
       2022,
       5,
       absl::CivilDay(2022, 5, 30),
       midsummer,
       "follow_up.as_of_date",
       {}},
      {"as of after today",
       2022,
       5,
       absl::CivilDay(2022, 6, 23),
       midsummer,
       "follow_up.as_of_date",
       {}},
      {"June has not ended", 2022, 6, std::nullopt, midsummer, "through_month", {}},
      {"June ends today", 2022, 6, std::nullopt, absl::CivilDay(2022, 6, 30), "ok",
       absl::CivilDay(2022, 6, 30)},
      {"leap February", 2024, 2, std::nullopt, absl::CivilDay(2024, 3, 1), "ok",
       absl::CivilDay(2024, 2, 29)},
      {"December", 2022, 12, std::nullopt, absl::CivilDay(2023, 2, 1), "ok",
       absl::CivilDay(2022, 12, 31)},
      {"month 0", 2022, 0, std::nullopt, midsummer, "through_month", {}},
      {"month 13", 2022, 13, std::nullopt, midsummer, "through_month", {}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<absl::CivilDay> day =
        AsOfDay(c.year, c.month, c.as_of, c.today, "follow_up.as_of_date");
    EXPECT_EQ(InvalidFieldOf(day.status()), c.field) << c.name;
    if (day.ok()) {
      EXPECT_EQ(*day, c.want) << c.name;
    }
  }
}

TEST(NeedsOfTest, ReadsWhatTheGoalsMeasure) {
  const FactNeeds needs = NeedsOf(Plan2022(), absl::CivilDay(2022, 6, 21));
  EXPECT_EQ(needs.year, 2022);
  EXPECT_EQ(needs.as_of, absl::CivilDay(2022, 6, 21));
  EXPECT_EQ(needs.bodies, (std::set<std::string>{"bodies/beredningsgruppen", "bodies/e-namnden"}));
  EXPECT_TRUE(needs.agreements);
  EXPECT_TRUE(needs.initiatives);

  v1::Plan manual_only = Plan2022();
  manual_only.mutable_goals()->DeleteSubrange(1, 7);
  const FactNeeds none = NeedsOf(manual_only, absl::CivilDay(2022, 6, 21));
  EXPECT_TRUE(none.bodies.empty());
  EXPECT_FALSE(none.agreements);
  EXPECT_FALSE(none.initiatives);
}

TEST(RoundedPercentTest, HalfUp) {
  const struct {
    int64_t part, whole, want;
  } cases[] = {{9, 14, 64},   {11, 14, 79}, {13, 14, 93}, {10, 14, 71}, {0, 0, 0},  {0, 14, 0},
               {14, 14, 100}, {1, 8, 13},   {3, 8, 38},   {1, 3, 33},   {2, 3, 67}, {55, 70, 79}};
  for (const auto& c : cases) {
    EXPECT_EQ(RoundedPercent(c.part, c.whole), c.want) << c.part << "/" << c.whole;
  }
}

TEST(OutlookTextTest, InSwedish) {
  EXPECT_EQ(OutlookText(v1::OUTLOOK_WILL_BE_MET), "kommer att nås");
  EXPECT_EQ(OutlookText(v1::OUTLOOK_AT_RISK), "risk att det inte nås");
  EXPECT_EQ(OutlookText(v1::OUTLOOK_WILL_NOT_BE_MET), "kommer inte att nås");
  EXPECT_EQ(OutlookText(v1::OUTLOOK_UNSPECIFIED), "kan inte bedömas");
}

// ------------------------------------------------------------ meetings

TEST(MeetingsHeldTest, CommitteeOneHeldThreePlanned) {
  const v1::GoalReport r = Evaluate("committee-meetings", SampleFacts(), May2022());
  EXPECT_EQ(r.goal().id(), "committee-meetings");
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_WILL_BE_MET);
  EXPECT_EQ(r.computed_reason(), "1 hållet och 3 planerade: 4, målet är 4");
  ASSERT_EQ(r.figures_size(), 2 + 4);
  EXPECT_EQ(r.figures(0).label(), "Sammanträden hållna");
  EXPECT_EQ(r.figures(0).value(), 1);
  EXPECT_EQ(r.figures(0).unit(), v1::UNIT_COUNT);
  EXPECT_EQ(r.figures(0).source(), "//meetings/bodies/e-namnden");
  EXPECT_EQ(r.figures(0).read_time().seconds(), absl::ToUnixSeconds(ReadAt()));
  EXPECT_FALSE(r.figures(0).missing());
  EXPECT_EQ(r.figures(1).label(), "Sammanträden planerade");
  EXPECT_EQ(r.figures(1).value(), 3);
  EXPECT_EQ(r.figures(2).label(), "Hållet 2022-03-16");
  EXPECT_EQ(r.figures(2).source(), "//meetings/bodies/e-namnden/meetings/2022-03-16");
  EXPECT_EQ(r.figures(5).label(), "Planerat 2022-12-14");
}

TEST(MeetingsHeldTest, OutlookByHeldAndPlanned) {
  struct Case {
    std::string name;
    std::function<void(PlanFacts*)> change;
    FollowUpWindow window;
    v1::Outlook want;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"preparation group: 6 held, 5 planned, target 10", [](PlanFacts*) {}, May2022(),
       v1::OUTLOOK_WILL_BE_MET, "6 hållna och 5 planerade: 11, målet är 10"},
      {"two committee meetings cancelled",
       [](PlanFacts* f) {
         f->bodies["bodies/e-namnden"].meetings[2].state = MeetingFact::State::kCancelled;
         f->bodies["bodies/e-namnden"].meetings[3].state = MeetingFact::State::kCancelled;
       },
       May2022(), v1::OUTLOOK_AT_RISK, "1 hållet och 1 planerat: 2, under målet 4"},
      {"year end, the rest never held", [](PlanFacts*) {}, YearEnd2022(),
       v1::OUTLOOK_WILL_NOT_BE_MET,
       "1 hållet och 0 planerade: 1, under målet 4; ej registrerat som hållet: 2022-06-22, "
       "2022-10-12 och 2022-12-14"},
      {"year end, all four held",
       [](PlanFacts* f) {
         for (MeetingFact& m : f->bodies["bodies/e-namnden"].meetings) {
           m.state = MeetingFact::State::kHeld;
         }
       },
       YearEnd2022(), v1::OUTLOOK_WILL_BE_MET, "4 hållna, målet är 4"},
  };
  for (const Case& c : cases) {
    PlanFacts facts = SampleFacts();
    c.change(&facts);
    const std::string goal =
        absl::StartsWith(c.name, "preparation") ? "prep-meetings" : "committee-meetings";
    const v1::GoalReport r = Evaluate(goal, facts, c.window);
    EXPECT_EQ(r.computed_outlook(), c.want) << c.name;
    EXPECT_EQ(r.computed_reason(), c.reason) << c.name;
  }
  const v1::GoalReport prep = Evaluate("prep-meetings", SampleFacts(), May2022());
  EXPECT_EQ(prep.figures(0).value(), 6);
  EXPECT_EQ(prep.figures(1).value(), 5);
}

TEST(AttendanceAverageTest, CommitteeNineOfFourteenIsAtRisk) {
  const v1::GoalReport r = Evaluate("committee-attendance", SampleFacts(), May2022());
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_AT_RISK);
  EXPECT_EQ(r.computed_reason(), "9 av 14 (64 %) är under målet 75 %; 3 sammanträden planerade");
  ASSERT_EQ(r.figures_size(), 2);
  EXPECT_EQ(r.figures(0).label(), "Närvaro");
  EXPECT_EQ(r.figures(0).value(), 9);
  EXPECT_EQ(r.figures(0).denominator(), 14);
  EXPECT_EQ(r.figures(0).percent(), 64);
  EXPECT_EQ(r.figures(0).unit(), v1::UNIT_PERCENT);
  EXPECT_EQ(r.figures(0).source(), "//meetings/bodies/e-namnden");
  EXPECT_EQ(r.figures(1).label(), "Närvaro 2022-03-16");
  EXPECT_EQ(r.figures(1).source(), "//meetings/bodies/e-namnden/meetings/2022-03-16");
}

TEST(AttendanceAverageTest, Variants) {
  struct Case {
    std::string name;
    std::function<void(PlanFacts*)> change;
    FollowUpWindow window;
    v1::Outlook want;
    std::string reason_has;
  };
  const std::vector<Case> cases = {
      {"year end: no meeting left", [](PlanFacts*) {}, YearEnd2022(), v1::OUTLOOK_WILL_NOT_BE_MET,
       "9 av 14 (64 %) är under målet 75 %; inga fler"},
      {"June: 13 of 14 lifts it to 22 of 28 (79 %)",
       [](PlanFacts* f) {
         f->bodies["bodies/e-namnden"].meetings[1] =
             Held("bodies/e-namnden", absl::CivilDay(2022, 6, 22), 13);
       },
       {2022, 6, absl::CivilDay(2022, 6, 30), "plans/2022/follow-ups/6"},
       v1::OUTLOOK_WILL_BE_MET,
       "22 av 28 (79 %) når målet 75 %"},
      {"exactly 75 %: 21 of 28",
       [](PlanFacts* f) {
         f->bodies["bodies/e-namnden"].meetings[1] =
             Held("bodies/e-namnden", absl::CivilDay(2022, 6, 22), 12);
       },
       {2022, 6, absl::CivilDay(2022, 6, 30), "plans/2022/follow-ups/6"},
       v1::OUTLOOK_WILL_BE_MET,
       "21 av 28 (75 %) når målet"},
      {"judged on the percent shown: 82 of 110 is 74.5 %, shown as 75 %",
       [](PlanFacts* f) {
         f->bodies["bodies/e-namnden"].seats = 110;
         f->bodies["bodies/e-namnden"].meetings[0].present = 82;
       },
       May2022(), v1::OUTLOOK_WILL_BE_MET, "82 av 110 (75 %) når målet 75 %"},
      {"81 of 110 is 73.6 %, shown as 74 %",
       [](PlanFacts* f) {
         f->bodies["bodies/e-namnden"].seats = 110;
         f->bodies["bodies/e-namnden"].meetings[0].present = 81;
       },
       May2022(), v1::OUTLOOK_AT_RISK, "81 av 110 (74 %) är under målet 75 %"},
      {"no attendance recorded",
       [](PlanFacts* f) { f->bodies["bodies/e-namnden"].meetings[0].attendance_recorded = false; },
       May2022(), v1::OUTLOOK_UNSPECIFIED, "närvaro ej registrerad för 2022-03-16"},
      {"nothing held yet",
       [](PlanFacts* f) {
         f->bodies["bodies/e-namnden"].meetings[0].state = MeetingFact::State::kPlanned;
       },
       May2022(), v1::OUTLOOK_UNSPECIFIED, "Inget hållet sammanträde"},
  };
  for (const Case& c : cases) {
    PlanFacts facts = SampleFacts();
    c.change(&facts);
    const v1::GoalReport r = Evaluate("committee-attendance", facts, c.window);
    EXPECT_EQ(r.computed_outlook(), c.want) << c.name;
    EXPECT_TRUE(absl::StrContains(r.computed_reason(), c.reason_has))
        << c.name << ": " << r.computed_reason();
  }
}

TEST(AttendanceEveryMeetingTest, PreparationGroupTwoMeetingsUnderTarget) {
  const v1::GoalReport r = Evaluate("prep-attendance", SampleFacts(), May2022());
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_WILL_NOT_BE_MET);
  EXPECT_EQ(r.computed_reason(),
            "Under målet 75 %: 2022-03-23 10 av 14 (71 %) och 2022-04-27 10 av 14 (71 %); "
            "närvaro ej registrerad för 2022-06-20");
  ASSERT_EQ(r.figures_size(), 1 + 5);
  EXPECT_EQ(r.figures(0).label(), "Lägsta närvaro");
  EXPECT_EQ(r.figures(0).value(), 10);
  EXPECT_EQ(r.figures(0).denominator(), 14);
  EXPECT_EQ(r.figures(0).percent(), 71);
  EXPECT_EQ(r.figures(0).source(), "//meetings/bodies/beredningsgruppen/meetings/2022-03-23");
  EXPECT_EQ(r.figures(1).label(), "Närvaro 2022-01-26");
  EXPECT_EQ(r.figures(1).percent(), 79);
  EXPECT_EQ(r.figures(2).percent(), 93);
  EXPECT_EQ(r.figures(5).label(), "Närvaro 2022-05-25");
}

TEST(AttendanceEveryMeetingTest, MetWhenEveryMeetingReachesIt) {
  v1::Goal goal = GoalById(Plan2022(), "prep-attendance");
  goal.set_target(70);
  const v1::GoalReport r = EvaluateGoal(goal, nullptr, SampleFacts(), May2022());
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_WILL_BE_MET);
  EXPECT_TRUE(absl::StartsWith(r.computed_reason(), "Alla 5 sammanträden når målet 70 %"))
      << r.computed_reason();

  // Before the first meeting nothing can be said.
  const v1::GoalReport early =
      Evaluate("prep-attendance", SampleFacts(), {2022, 1, absl::CivilDay(2022, 1, 31), "x"});
  EXPECT_EQ(early.computed_outlook(), v1::OUTLOOK_WILL_BE_MET);  // 26 Jan: 11 of 14
  const v1::GoalReport none =
      Evaluate("prep-attendance", SampleFacts(), {2022, 1, absl::CivilDay(2022, 1, 25), "x"});
  EXPECT_EQ(none.computed_outlook(), v1::OUTLOOK_UNSPECIFIED);
}

// ------------------------------------------------------------ contracts, projects

TEST(AgreementsInForceTest, ElevenInForceOneOverdueIsAtRisk) {
  const v1::GoalReport r = Evaluate("agreements", SampleFacts(), May2022());
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_AT_RISK);
  EXPECT_EQ(r.computed_reason(),
            "11 avtal i kraft, målet är 1; 2 uppföljningar registrerade under 2022; "
            "försenad uppföljning: Avtal 3");
  ASSERT_EQ(r.figures_size(), 4);
  EXPECT_EQ(r.figures(0).label(), "Avtal i kraft");
  EXPECT_EQ(r.figures(0).value(), 11);
  EXPECT_EQ(r.figures(1).label(), "Uppföljningar registrerade");
  EXPECT_EQ(r.figures(1).value(), 2);  // not 2021's, not July's
  EXPECT_EQ(r.figures(2).label(), "Avtal med försenad uppföljning");
  EXPECT_EQ(r.figures(2).value(), 1);  // the expired agreement does not count
  EXPECT_EQ(r.figures(3).source(), "//contracts/agreements/a3");
  EXPECT_EQ(r.figures(3).read_time().seconds(), absl::ToUnixSeconds(ReadAt()));
}

TEST(AgreementsInForceTest, CountedNotNamedForThePublic) {
  FollowUpWindow window = May2022();
  window.name_agreements = false;
  const v1::GoalReport r = Evaluate("agreements", SampleFacts(), window);
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_AT_RISK);
  EXPECT_EQ(r.computed_reason(),
            "11 avtal i kraft, målet är 1; 2 uppföljningar registrerade under 2022; "
            "1 avtal med försenad uppföljning");
  ASSERT_EQ(r.figures_size(), 3);  // no figure per overdue agreement
  EXPECT_EQ(r.figures(2).value(), 1);
  for (const v1::GoalFigure& f : r.figures()) {
    EXPECT_FALSE(absl::StrContains(f.label(), "Avtal 3")) << f.label();
    EXPECT_EQ(f.source(), "//contracts/agreements");
  }
}

TEST(AgreementsInForceTest, Variants) {
  struct Case {
    std::string name;
    std::function<void(PlanFacts*)> change;
    int64_t target;
    FollowUpWindow window;
    v1::Outlook want;
  };
  const std::vector<Case> cases = {
      {"none overdue",
       [](PlanFacts* f) { (*f->agreements)[2].next_follow_up = absl::CivilDay(2022, 9, 1); }, 1,
       May2022(), v1::OUTLOOK_WILL_BE_MET},
      {"under target", [](PlanFacts* f) { (*f->agreements)[2].next_follow_up.reset(); }, 12,
       May2022(), v1::OUTLOOK_AT_RISK},
      {"under target at year end", [](PlanFacts* f) { f->agreements->clear(); }, 1, YearEnd2022(),
       v1::OUTLOOK_WILL_NOT_BE_MET},
      {"overdue at year end but over target", [](PlanFacts*) {}, 1, YearEnd2022(),
       v1::OUTLOOK_AT_RISK},
  };
  for (const Case& c : cases) {
    PlanFacts facts = SampleFacts();
    c.change(&facts);
    v1::Goal goal = GoalById(Plan2022(), "agreements");
    goal.set_target(c.target);
    EXPECT_EQ(EvaluateGoal(goal, nullptr, facts, c.window).computed_outlook(), c.want) << c.name;
  }
}

TEST(InitiativesCoordinatedTest, CountsThoseUnderWayInTheWindow) {
  const v1::GoalReport r = Evaluate("coordination", SampleFacts(), May2022());
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_WILL_BE_MET);
  ASSERT_EQ(r.figures_size(), 1 + 3);
  EXPECT_EQ(r.figures(0).label(), "Initiativ under arbete");
  EXPECT_EQ(r.figures(0).value(), 3);
  EXPECT_EQ(r.figures(0).source(), "//projects/initiatives");
  EXPECT_EQ(r.figures(1).label(), "Nytt verksamhetssystem för socialtjänsten");
  EXPECT_EQ(r.figures(1).source(), "//projects/initiatives/social");
  EXPECT_EQ(r.figures(2).source(), "//projects/initiatives/hr-payroll");
  EXPECT_EQ(r.figures(3).source(), "//projects/initiatives/dcbd");
  EXPECT_EQ(r.computed_reason(),
            "3 initiativ under arbete från 2022-01-01 till 2022-06-21, målet är 1");

  v1::Goal five = GoalById(Plan2022(), "coordination");
  five.set_target(5);
  EXPECT_EQ(EvaluateGoal(five, nullptr, SampleFacts(), May2022()).computed_outlook(),
            v1::OUTLOOK_AT_RISK);
  // At year end the one started in August counts too: 4, still under 5.
  const v1::GoalReport year_end = EvaluateGoal(five, nullptr, SampleFacts(), YearEnd2022());
  EXPECT_EQ(year_end.figures(0).value(), 4);
  EXPECT_EQ(year_end.computed_outlook(), v1::OUTLOOK_WILL_NOT_BE_MET);
}

// ------------------------------------------------------------ manual, missing

TEST(ManualTest, EnteredValuesAndText) {
  v1::GoalFollowUp none_held;
  none_held.set_goal("competence");
  none_held.set_value(0);
  none_held.set_forecast_text("Prognosen är att målet kommer nås.");
  const v1::GoalReport r = Evaluate("competence", SampleFacts(), May2022(), &none_held);
  EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_AT_RISK);
  EXPECT_EQ(r.computed_reason(), "Angivet värde 0 är under målet 1");
  ASSERT_EQ(r.figures_size(), 1);
  EXPECT_EQ(r.figures(0).label(), "Angivet värde");
  EXPECT_EQ(r.figures(0).source(), "plans/2022/follow-ups/5");
  EXPECT_EQ(r.follow_up().forecast_text(), "Prognosen är att målet kommer nås.");

  EXPECT_EQ(Evaluate("competence", SampleFacts(), YearEnd2022(), &none_held).computed_outlook(),
            v1::OUTLOOK_WILL_NOT_BE_MET);
  v1::GoalFollowUp one = none_held;
  one.set_value(1);
  EXPECT_EQ(Evaluate("competence", SampleFacts(), May2022(), &one).computed_outlook(),
            v1::OUTLOOK_WILL_BE_MET);

  v1::GoalFollowUp no_value;
  no_value.set_goal("competence");
  const v1::GoalReport unvalued = Evaluate("competence", SampleFacts(), May2022(), &no_value);
  EXPECT_EQ(unvalued.computed_outlook(), v1::OUTLOOK_UNSPECIFIED);
  EXPECT_TRUE(absl::StrContains(unvalued.computed_reason(), "anges i kommentaren"));
  EXPECT_EQ(unvalued.figures_size(), 0);

  const v1::GoalReport text = Evaluate("regulations", SampleFacts(), May2022());
  EXPECT_EQ(text.computed_outlook(), v1::OUTLOOK_UNSPECIFIED);
  EXPECT_TRUE(absl::StrContains(text.computed_reason(), "anges i kommentaren"));
  EXPECT_EQ(text.figures_size(), 0);
  EXPECT_FALSE(text.has_follow_up());
}

TEST(MissingFactsTest, MarkedWithTheServicesError) {
  PlanFacts facts = SampleFacts();
  facts.bodies.clear();
  facts.sources["meetings"] = SourceOutcome{false, "DEADLINE_EXCEEDED after 2000 ms", 3, ReadAt()};
  facts.agreements.reset();
  facts.sources.erase("contracts");
  facts.initiatives.reset();
  facts.sources["projects"] = SourceOutcome{false, "UNAVAILABLE: failed to connect", 1, ReadAt()};
  const struct {
    std::string goal, label, reason;
  } cases[] = {
      {"committee-meetings", "Sammanträden hållna", "meetings: DEADLINE_EXCEEDED after 2000 ms"},
      {"committee-attendance", "Närvaro", "meetings: DEADLINE_EXCEEDED after 2000 ms"},
      {"prep-attendance", "Lägsta närvaro", "meetings: DEADLINE_EXCEEDED after 2000 ms"},
      {"agreements", "Avtal i kraft", "contracts: ej läst"},
      {"coordination", "Initiativ under arbete", "projects: UNAVAILABLE: failed to connect"},
  };
  for (const auto& c : cases) {
    const v1::GoalReport r = Evaluate(c.goal, facts, May2022());
    ASSERT_EQ(r.figures_size(), 1) << c.goal;
    EXPECT_EQ(r.figures(0).label(), c.label);
    EXPECT_TRUE(r.figures(0).missing()) << c.goal;
    EXPECT_EQ(r.figures(0).value(), 0);
    EXPECT_EQ(r.figures(0).missing_reason(), c.reason);
    EXPECT_EQ(r.computed_outlook(), v1::OUTLOOK_UNSPECIFIED) << c.goal;
    EXPECT_EQ(r.computed_reason(), "Uppgiften kunde inte hämtas: " + c.reason);
  }
  // A manual goal needs no service.
  v1::GoalFollowUp one;
  one.set_goal("competence");
  one.set_value(1);
  EXPECT_EQ(Evaluate("competence", facts, May2022(), &one).computed_outlook(),
            v1::OUTLOOK_WILL_BE_MET);
}

}  // namespace
}  // namespace enamnd::finance
