// Rules of control plans, control points and the reporting wheel, one rule
// per test.
#include "services/audits/domain/wheel.h"

#include "gtest/gtest.h"
#include "tests/audits/domain_test_util.h"

namespace enamnd::audits {
namespace {

using absl::CivilDay;
using domain_testing::Says;
using domain_testing::ValidMoment;
using enamnd::testing::Day;
using enamnd::testing::InvalidAt;

class WheelRulesTest : public ::testing::Test {
 protected:
  WheelRulesTest() {
    plan_.set_year(2024);
    plan_.set_title("Internkontrollplan 2024");
    year_.set_year(2024);
    *year_.add_moments() = ValidMoment("plan-och-budget", CivilDay(2024, 6, 20));
    *year_.add_moments() = ValidMoment("delar-2", CivilDay(2024, 9, 30));
  }
  absl::Status Plan() { return ValidateNewControlPlan(plan_).status(); }
  absl::Status Point() {
    return ValidateNewControlPoint("control-plans/2024", id_, point_, today_).status();
  }
  absl::Status FollowUp() { return ValidateFollowUp(follow_up_, "follow_up", today_); }
  absl::Status Year() { return NewReportingYear(year_, today_).status(); }
  MomentName Moment(const std::string& id) { return MomentName{{2024}, id}; }

  CivilDay today_ = CivilDay(2024, 9, 25);
  v1::ControlPlan plan_;
  std::string id_ = "attest";
  v1::ControlPoint point_ = domain_testing::ValidPoint();
  v1::ControlFollowUp follow_up_ = domain_testing::ValidFollowUp();
  v1::ReportingYear year_;
};

TEST_F(WheelRulesTest, PlanValid) {
  EXPECT_EQ(ValidateNewControlPlan(plan_)->ToString(), "control-plans/2024");
}

TEST_F(WheelRulesTest, PlanYearInRange) {
  plan_.set_year(3000);
  EXPECT_TRUE(InvalidAt(Plan(), "plan.year"));
}

TEST_F(WheelRulesTest, PlanTitleRequired) {
  plan_.clear_title();
  EXPECT_TRUE(InvalidAt(Plan(), "plan.title"));
}

TEST_F(WheelRulesTest, PlanAdoptedDateIsADay) {
  *plan_.mutable_adopted_date() = Day(2023, 2, 29);
  EXPECT_TRUE(InvalidAt(Plan(), "plan.adopted_date"));
}

TEST_F(WheelRulesTest, PlanReportingYearIsAName) {
  plan_.set_reporting_year("2024");
  EXPECT_TRUE(InvalidAt(Plan(), "plan.reporting_year"));
}

TEST_F(WheelRulesTest, PointValid) { EXPECT_EQ(Says(Point()), "OK"); }

TEST_F(WheelRulesTest, PointPlanIsAName) {
  EXPECT_TRUE(
      InvalidAt(ValidateNewControlPoint("plans/2024", id_, point_, today_).status(), "plan"));
}

TEST_F(WheelRulesTest, PointIdIsAResourceId) {
  id_ = "Attest";
  EXPECT_TRUE(InvalidAt(Point(), "point_id"));
}

TEST_F(WheelRulesTest, PointProcessRequired) {
  point_.clear_process();
  EXPECT_TRUE(InvalidAt(Point(), "point.process"));
}

TEST_F(WheelRulesTest, PointRiskValueZeroToTwentyFive) {
  point_.set_risk_value(26);
  EXPECT_TRUE(InvalidAt(Point(), "point.risk_value"));
  point_.set_risk_value(25);
  EXPECT_EQ(Says(Point()), "OK");
}

TEST_F(WheelRulesTest, PointSaysWhatIsChecked) {
  point_.clear_what_is_checked();
  EXPECT_TRUE(InvalidAt(Point(), "point.what_is_checked"));
}

TEST_F(WheelRulesTest, PointResponsibleRequired) {
  point_.clear_responsible();
  EXPECT_TRUE(InvalidAt(Point(), "point.responsible"));
}

TEST_F(WheelRulesTest, PointMomentIsAName) {
  point_.set_reporting_moment("delar-2");
  EXPECT_TRUE(InvalidAt(Point(), "point.reporting_moment"));
}

TEST_F(WheelRulesTest, PointFollowUpsValid) {
  *point_.add_follow_ups() = follow_up_;
  point_.add_follow_ups()->set_followed_up_by("Samordnaren");
  EXPECT_TRUE(InvalidAt(Point(), "point.follow_ups[1].date"));
}

TEST_F(WheelRulesTest, PointMomentMustBeInTheWheel) {
  v1::ReportingYear wheel = *NewReportingYear(year_, today_);
  EXPECT_EQ(Says(CheckPointMoment(point_, FindMoment(wheel, Moment("delar-2")))), "OK");
  EXPECT_TRUE(InvalidAt(CheckPointMoment(point_, FindMoment(wheel, Moment("nope"))),
                        "point.reporting_moment"));
}

TEST_F(WheelRulesTest, FollowUpValid) { EXPECT_EQ(Says(FollowUp()), "OK"); }

TEST_F(WheelRulesTest, FollowUpDateNotInTheFuture) {
  *follow_up_.mutable_date() = Day(2024, 9, 26);
  EXPECT_TRUE(InvalidAt(FollowUp(), "follow_up.date"));
}

TEST_F(WheelRulesTest, FollowUpOutcomeRequired) {
  follow_up_.clear_outcome();
  EXPECT_TRUE(InvalidAt(FollowUp(), "follow_up.outcome"));
}

TEST_F(WheelRulesTest, DeviationNeedsItsDescription) {
  follow_up_.set_outcome(v1::ControlFollowUp::OUTCOME_DEVIATION);
  EXPECT_TRUE(InvalidAt(FollowUp(), "follow_up.deviations"));
  follow_up_.set_deviations("2 av 10 fakturor saknade andra attest");
  EXPECT_EQ(Says(FollowUp()), "OK");
}

TEST_F(WheelRulesTest, FollowUpSaysWho) {
  follow_up_.clear_followed_up_by();
  EXPECT_TRUE(InvalidAt(FollowUp(), "follow_up.followed_up_by"));
}

TEST_F(WheelRulesTest, SameFollowUpIsARetry) {
  EXPECT_FALSE(HasFollowUp(point_, follow_up_));
  *point_.add_follow_ups() = follow_up_;
  EXPECT_TRUE(HasFollowUp(point_, follow_up_));
}

TEST_F(WheelRulesTest, YearNamesItsMoments) {
  auto y = NewReportingYear(year_, today_);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->name(), "reporting-years/2024");
  EXPECT_EQ(y->moments(1).name(), "reporting-years/2024/moments/delar-2");
}

TEST_F(WheelRulesTest, YearAcceptsFullMomentNames) {
  year_.mutable_moments(0)->set_name("reporting-years/2024/moments/plan-och-budget");
  EXPECT_EQ(Says(Year()), "OK");
}

TEST_F(WheelRulesTest, MomentNameUnderItsYear) {
  year_.mutable_moments(0)->set_name("reporting-years/2023/moments/plan-och-budget");
  EXPECT_EQ(Says(Year()),
            "INVALID_ARGUMENT: reporting_year.moments[0].name: must be "
            "reporting-years/2024/moments/{id}");
}

TEST_F(WheelRulesTest, MomentIdOnce) {
  year_.mutable_moments(1)->set_name("plan-och-budget");
  EXPECT_EQ(Says(Year()), "INVALID_ARGUMENT: reporting_year.moments[1].name: id used twice");
}

TEST_F(WheelRulesTest, MomentKindRequired) {
  year_.mutable_moments(0)->clear_kind();
  EXPECT_TRUE(InvalidAt(Year(), "reporting_year.moments[0].kind"));
}

TEST_F(WheelRulesTest, MomentDueInTheYearOrEarlyNext) {
  *year_.mutable_moments(0)->mutable_due_date() = Day(2025, 2, 28);
  EXPECT_EQ(Says(Year()), "OK");
  *year_.mutable_moments(0)->mutable_due_date() = Day(2026, 1, 1);
  EXPECT_TRUE(InvalidAt(Year(), "reporting_year.moments[0].due_date"));
}

TEST_F(WheelRulesTest, MomentReportedNotInTheFuture) {
  *year_.mutable_moments(0)->mutable_reported_date() = Day(2024, 9, 26);
  EXPECT_TRUE(InvalidAt(Year(), "reporting_year.moments[0].reported_date"));
}

TEST_F(WheelRulesTest, YearInRange) {
  year_.set_year(1899);
  EXPECT_TRUE(InvalidAt(Year(), "reporting_year.year"));
}

TEST_F(WheelRulesTest, CopyNeedsThePreviousYear) {
  auto copy = NextReportingYear(std::nullopt, ReportingYearName{2025});
  EXPECT_EQ(Says(copy.status()),
            "FAILED_PRECONDITION: there is no reporting-years/2024 to copy reporting-years/2025 "
            "from");
}

TEST_F(WheelRulesTest, CopyMovesEveryMomentOneYear) {
  v1::ReportingYear y = *NewReportingYear(year_, today_);
  *y.mutable_moments(0)->mutable_reported_date() = Day(2024, 6, 20);
  auto copy = NextReportingYear(y, ReportingYearName{2025});
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(copy->copied_from(), "reporting-years/2024");
  EXPECT_EQ(copy->moments(1).name(), "reporting-years/2025/moments/delar-2");
  EXPECT_EQ(copy->moments(1).due_date().year(), 2025);
  EXPECT_FALSE(copy->moments(0).has_reported_date());
}

TEST_F(WheelRulesTest, ReportNeedsADayNotInTheFuture) {
  EXPECT_TRUE(InvalidAt(ValidateMomentReport({}, "", today_), "reported_date"));
  EXPECT_TRUE(InvalidAt(ValidateMomentReport(Day(2024, 9, 26), "", today_), "reported_date"));
  EXPECT_TRUE(InvalidAt(ValidateMomentReport(Day(2024, 9, 25), std::string(201, 'x'), today_),
                        "reported_reference"));
}

TEST_F(WheelRulesTest, MarkReportedOnce) {
  v1::ReportingYear y = *NewReportingYear(year_, today_);
  auto moment = MarkReported(&y, Moment("delar-2"), Day(2024, 9, 25), "KS 2024/12");
  ASSERT_TRUE(moment.ok()) << moment.status();
  EXPECT_EQ(y.moments(1).reported_reference(), "KS 2024/12");
  EXPECT_TRUE(
      absl::IsAlreadyExists(MarkReported(&y, Moment("delar-2"), Day(2024, 9, 25), "").status()));
  EXPECT_TRUE(absl::IsNotFound(MarkReported(&y, Moment("nope"), Day(2024, 9, 25), "").status()));
}

TEST_F(WheelRulesTest, OverdueParentIsAYearOrAll) {
  EXPECT_FALSE(ParseOverdueParent("reporting-years/-")->has_value());
  EXPECT_TRUE(InvalidAt(ParseOverdueParent("reporting-years/x").status(), "parent"));
}

}  // namespace
}  // namespace enamnd::audits
