#include "services/audits/domain/rules.h"

#include "gtest/gtest.h"
#include "services/platform/api_util.h"

namespace enamnd::audits {
namespace {

using absl::CivilDay;
using platform::ToDate;

TEST(AuditRulesTest, OneYearLaterKeepsTheDayExceptLeapDay) {
  EXPECT_EQ(OneYearLater(CivilDay(2022, 4, 30)), CivilDay(2023, 4, 30));
  EXPECT_EQ(OneYearLater(CivilDay(2024, 2, 29)), CivilDay(2025, 2, 28));
  EXPECT_EQ(OneYearLater(CivilDay(2022, 12, 31)), CivilDay(2023, 12, 31));
}

TEST(AuditRulesTest, RecommendationOverdueOnlyWhileOpen) {
  v1::Recommendation r;
  r.set_status(v1::Recommendation::STATUS_OPEN);
  EXPECT_FALSE(RecommendationOverdue(r, CivilDay(2030, 1, 1)));  // no due date
  *r.mutable_due_date() = ToDate(CivilDay(2022, 9, 30));
  EXPECT_FALSE(RecommendationOverdue(r, CivilDay(2022, 9, 30)));
  EXPECT_TRUE(RecommendationOverdue(r, CivilDay(2022, 10, 1)));
  r.set_status(v1::Recommendation::STATUS_IN_PROGRESS);
  EXPECT_TRUE(RecommendationOverdue(r, CivilDay(2022, 10, 1)));
  r.set_status(v1::Recommendation::STATUS_DONE);
  EXPECT_FALSE(RecommendationOverdue(r, CivilDay(2022, 10, 1)));
  r.set_status(v1::Recommendation::STATUS_NOT_PURSUED);
  EXPECT_FALSE(RecommendationOverdue(r, CivilDay(2022, 10, 1)));
}

TEST(AuditRulesTest, ControlPointMissedWithoutFollowUpByTheMoment) {
  v1::ReportingMoment moment;
  *moment.mutable_due_date() = ToDate(CivilDay(2022, 9, 30));
  v1::ControlPoint point;
  EXPECT_FALSE(ControlPointMissed(point, moment, CivilDay(2022, 9, 30)));
  EXPECT_TRUE(ControlPointMissed(point, moment, CivilDay(2022, 10, 1)));
  auto* late = point.add_follow_ups();
  *late->mutable_date() = ToDate(CivilDay(2022, 10, 5));
  EXPECT_TRUE(ControlPointMissed(point, moment, CivilDay(2022, 10, 6)));  // too late
  auto* on_time = point.add_follow_ups();
  *on_time->mutable_date() = ToDate(CivilDay(2022, 9, 20));
  EXPECT_FALSE(ControlPointMissed(point, moment, CivilDay(2022, 10, 6)));
}

TEST(AuditRulesTest, MomentOverdueUntilReported) {
  v1::ReportingMoment m;
  *m.mutable_due_date() = ToDate(CivilDay(2022, 4, 30));
  EXPECT_TRUE(MomentOverdue(m, CivilDay(2022, 5, 2)));
  *m.mutable_reported_date() = ToDate(CivilDay(2022, 5, 3));
  EXPECT_FALSE(MomentOverdue(m, CivilDay(2022, 5, 4)));
}

}  // namespace
}  // namespace enamnd::audits

namespace enamnd::audits {
namespace {

using absl::CivilDay;

TEST(AuditRulesTest, NaturalSortKeyPutsTwoBeforeTen) {
  EXPECT_LT(NaturalSortKey("p2"), NaturalSortKey("p10"));
  EXPECT_LT(NaturalSortKey("a"), NaturalSortKey("b"));
  EXPECT_LT(NaturalSortKey("p9-x"), NaturalSortKey("p10"));
  EXPECT_EQ(NaturalSortKey("p02"), NaturalSortKey("p2"));  // ties broken by the id
}

TEST(AuditRulesTest, NaturalSortKeyOfPlainIdsKeepsTheirOrder) {
  EXPECT_LT(NaturalSortKey("attest"), NaturalSortKey("avtal"));
  EXPECT_LT(NaturalSortKey("delar"), NaturalSortKey("delar-2"));
}

TEST(AuditRulesTest, RecommendationTracksDueWhileOpenWithADate) {
  v1::Recommendation r;
  r.set_status(v1::Recommendation::STATUS_IN_PROGRESS);
  EXPECT_FALSE(RecommendationTracksDue(r));
  *r.mutable_due_date() = platform::ToDate(CivilDay(2022, 9, 30));
  EXPECT_TRUE(RecommendationTracksDue(r));
  r.set_status(v1::Recommendation::STATUS_DONE);
  EXPECT_FALSE(RecommendationTracksDue(r));
}

}  // namespace
}  // namespace enamnd::audits
