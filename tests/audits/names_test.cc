// Names as types: each Parse accepts what ToString writes and nothing else.
#include "services/audits/domain/names.h"

#include "gtest/gtest.h"

namespace enamnd::audits {
namespace {

// One-line helpers: the name Parse reads back, or "error: <message>".
template <typename Name>
std::string RoundTrip(const std::string& text) {
  absl::StatusOr<Name> name = Name::Parse(text, "f");
  if (!name.ok()) return "error: " + std::string(name.status().message());
  return name->ToString();
}
template <typename Name>
bool Rejected(const std::string& text) {
  absl::StatusOr<Name> name = Name::Parse(text, "f");
  return absl::IsInvalidArgument(name.status()) && name.status().message().rfind("f: ", 0) == 0;
}

TEST(AuditNamesTest, ReviewRoundTrips) {
  EXPECT_EQ(RoundTrip<ReviewName>("reviews/2021-2584"), "reviews/2021-2584");
  EXPECT_EQ(ReviewName::Parse("reviews/2021-2584", "f")->code, "2584");
  EXPECT_EQ(ReviewName::Parse("reviews/2021-2584", "f")->year, 2021);
}

TEST(AuditNamesTest, ReviewNeedsYearAndScbCode) {
  EXPECT_TRUE(Rejected<ReviewName>("reviews/2021"));
  EXPECT_TRUE(Rejected<ReviewName>("reviews/2021-25x4"));
  EXPECT_TRUE(Rejected<ReviewName>("reviews/x-2584"));
  EXPECT_TRUE(Rejected<ReviewName>("review/2021-2584"));
  EXPECT_TRUE(Rejected<ReviewName>("reviews/2021-2584/x"));
  EXPECT_TRUE(Rejected<ReviewName>(""));
}

TEST(AuditNamesTest, ReviewReferenceOwnedByAudits) {
  EXPECT_EQ(RoundTrip<ReviewReference>("//audits/reviews/2021-2584"), "//audits/reviews/2021-2584");
  EXPECT_TRUE(Rejected<ReviewReference>("//meetings/reviews/2021-2584"));
  EXPECT_TRUE(Rejected<ReviewReference>("reviews/2021-2584"));
}

TEST(AuditNamesTest, RecommendationRoundTrips) {
  EXPECT_EQ(RoundTrip<RecommendationName>("reviews/2021-2584/recommendations/10"),
            "reviews/2021-2584/recommendations/10");
  EXPECT_EQ(RecommendationName::Parse("reviews/2021-2584/recommendations/10", "f")->number, 10);
}

TEST(AuditNamesTest, RecommendationNumberIsPositive) {
  EXPECT_TRUE(Rejected<RecommendationName>("reviews/2021-2584/recommendations/0"));
  EXPECT_TRUE(Rejected<RecommendationName>("reviews/2021-2584/recommendations/01"));
  EXPECT_TRUE(Rejected<RecommendationName>("reviews/2021-2584/recommendations/x"));
  EXPECT_TRUE(Rejected<RecommendationName>("reviews/2021-2584/findings/1"));
  EXPECT_TRUE(Rejected<RecommendationName>("reviews/2021/recommendations/1"));
}

TEST(AuditNamesTest, ControlPlanAndPoint) {
  EXPECT_EQ(RoundTrip<ControlPlanName>("control-plans/2024"), "control-plans/2024");
  EXPECT_EQ(RoundTrip<ControlPointName>("control-plans/2024/points/attest"),
            "control-plans/2024/points/attest");
  EXPECT_TRUE(Rejected<ControlPlanName>("control-plans/1024"));
  EXPECT_TRUE(Rejected<ControlPlanName>("control-plans/02024"));
  EXPECT_TRUE(Rejected<ControlPointName>("control-plans/2024/points/Attest"));
  EXPECT_TRUE(Rejected<ControlPointName>("control-plans/2024/moments/attest"));
}

TEST(AuditNamesTest, ReportingYearAndMoment) {
  EXPECT_EQ(RoundTrip<ReportingYearName>("reporting-years/2024"), "reporting-years/2024");
  EXPECT_EQ(RoundTrip<MomentName>("reporting-years/2024/moments/delar-2"),
            "reporting-years/2024/moments/delar-2");
  EXPECT_EQ(MomentName::Parse("reporting-years/2024/moments/delar-2", "f")->year.year, 2024);
  EXPECT_TRUE(Rejected<ReportingYearName>("reporting-years/-"));
  EXPECT_TRUE(Rejected<MomentName>("reporting-years/2024/moments/"));
  EXPECT_TRUE(Rejected<MomentName>("reporting-years/2024/delar-2"));
}

TEST(AuditNamesTest, ErrorsSayTheShape) {
  EXPECT_EQ(RoundTrip<MomentName>("x"), "error: f: must be reporting-years/{year}/moments/{id}");
  EXPECT_EQ(RoundTrip<ControlPlanName>("x"), "error: f: must be control-plans/{year}");
}

}  // namespace
}  // namespace enamnd::audits
