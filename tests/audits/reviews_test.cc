// Rules of reviews, discharges, recommendations and their list filters, one
// rule per test (in the style of leveldb's version_set_test.cc).
#include "services/audits/domain/reviews.h"

#include "gtest/gtest.h"
#include "tests/audits/domain_test_util.h"

namespace enamnd::audits {
namespace {

using domain_testing::Says;
using enamnd::testing::Day;
using enamnd::testing::InvalidAt;

class ReviewRulesTest : public ::testing::Test {
 protected:
  absl::Status New() { return ValidateNewReview(review_).status(); }
  absl::Status Content() { return ValidateReview(review_); }
  absl::Status Recommend() { return ValidateRecommendation(rec_, review_); }
  absl::Status Discharge(absl::CivilDay today = absl::CivilDay(2022, 6, 30)) {
    return ValidateDischarge(discharge_, today);
  }
  absl::Status Check() { return CheckDischarge(review_, discharge_); }

  v1::Review review_ = domain_testing::ValidReview();
  v1::Recommendation rec_ = domain_testing::ValidRecommendation();
  v1::Discharge discharge_ = [] {
    v1::Discharge d;
    d.set_municipality("municipalities/2584");
    d.set_decision(v1::Discharge::DECISION_GRANTED);
    *d.mutable_decided_date() = Day(2022, 6, 13);
    return d;
  }();
};

TEST_F(ReviewRulesTest, ValidReviewPasses) { EXPECT_EQ(Says(New()), "OK"); }

TEST_F(ReviewRulesTest, NameFromYearAndFirstAuditor) {
  EXPECT_EQ(ValidateNewReview(review_)->ToString(), "reviews/2021-2584");
}

TEST_F(ReviewRulesTest, YearInRange) {
  review_.set_year(1021);
  EXPECT_TRUE(InvalidAt(New(), "review.year")) << Says(New());
}

TEST_F(ReviewRulesTest, AtLeastOneAuditor) {
  review_.clear_auditing_municipalities();
  EXPECT_TRUE(InvalidAt(New(), "review.auditing_municipalities"));
}

TEST_F(ReviewRulesTest, AuditorIsAMunicipality) {
  review_.set_auditing_municipalities(1, "municipalities/25x3");
  EXPECT_TRUE(InvalidAt(New(), "review.auditing_municipalities[1]"));
}

TEST_F(ReviewRulesTest, AuditorListedOnce) {
  review_.add_auditing_municipalities("municipalities/2584");
  EXPECT_EQ(Says(New()), "INVALID_ARGUMENT: review.auditing_municipalities[2]: listed twice");
}

TEST_F(ReviewRulesTest, KindRequired) {
  review_.set_kind(v1::Review::KIND_UNSPECIFIED);
  EXPECT_TRUE(InvalidAt(Content(), "review.kind"));
  EXPECT_NE(Content().message().find("KIND_BASIC"), std::string::npos);  // lists the choices
}

TEST_F(ReviewRulesTest, TitleRequired) {
  review_.set_title(" ");
  EXPECT_TRUE(InvalidAt(Content(), "review.title"));
}

TEST_F(ReviewRulesTest, AssessmentAnswerKnown) {
  review_.mutable_assessments()->mutable_internal_control()->set_answer(static_cast<v1::Answer>(9));
  EXPECT_TRUE(InvalidAt(Content(), "review.assessments.internal_control.answer"));
}

TEST_F(ReviewRulesTest, FindingNotBlank) {
  review_.add_findings("Attestreglementet saknas.");
  review_.add_findings("");
  EXPECT_TRUE(InvalidAt(Content(), "review.findings[1]"));
}

TEST_F(ReviewRulesTest, ReportDateIsADay) {
  *review_.mutable_report_date() = Day(2022, 2, 30);
  EXPECT_TRUE(InvalidAt(Content(), "review.report_date")) << Says(Content());
}

TEST_F(ReviewRulesTest, DischargeValid) { EXPECT_EQ(Says(Discharge()), "OK"); }

TEST_F(ReviewRulesTest, DischargeMunicipalityRequired) {
  discharge_.clear_municipality();
  EXPECT_TRUE(InvalidAt(Discharge(), "discharge.municipality"));
}

TEST_F(ReviewRulesTest, DischargeDecisionRequired) {
  discharge_.set_decision(v1::Discharge::DECISION_UNSPECIFIED);
  EXPECT_TRUE(InvalidAt(Discharge(), "discharge.decision"));
}

TEST_F(ReviewRulesTest, DischargeDateRequired) {
  discharge_.clear_decided_date();
  EXPECT_TRUE(InvalidAt(Discharge(), "discharge.decided_date"));
}

TEST_F(ReviewRulesTest, DischargeDateNotInTheFuture) {
  EXPECT_TRUE(InvalidAt(Discharge(absl::CivilDay(2022, 6, 12)), "discharge.decided_date"));
  EXPECT_EQ(Says(Discharge(absl::CivilDay(2022, 6, 13))), "OK");
}

TEST_F(ReviewRulesTest, DischargeByAnAuditor) {
  discharge_.set_municipality("municipalities/2505");
  EXPECT_EQ(Says(Check()),
            "INVALID_ARGUMENT: discharge.municipality: municipalities/2505 is not an auditor of "
            "reviews/2021-2584");
}

TEST_F(ReviewRulesTest, DischargeOncePerMunicipality) {
  EXPECT_EQ(Says(Check()), "OK");
  *review_.add_discharges() = discharge_;
  EXPECT_TRUE(absl::IsAlreadyExists(Check())) << Says(Check());
}

TEST_F(ReviewRulesTest, RecommendationValid) { EXPECT_EQ(Says(Recommend()), "OK"); }

TEST_F(ReviewRulesTest, NewRecommendationIsOpenByDefault) {
  rec_.clear_status();
  DefaultToOpen(&rec_);
  EXPECT_EQ(rec_.status(), v1::Recommendation::STATUS_OPEN);
  rec_.set_status(v1::Recommendation::STATUS_DONE);
  DefaultToOpen(&rec_);
  EXPECT_EQ(rec_.status(), v1::Recommendation::STATUS_DONE);
}

TEST_F(ReviewRulesTest, RecommendationTextRequired) {
  rec_.clear_text();
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.text"));
}

TEST_F(ReviewRulesTest, RecommendationGivenBySomeone) {
  rec_.clear_given_by();
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.given_by"));
}

TEST_F(ReviewRulesTest, RecommendationGivenByAnAuditor) {
  rec_.add_given_by("municipalities/2505");
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.given_by[1]"));
}

TEST_F(ReviewRulesTest, RecommendationGivenByEachOnce) {
  rec_.add_given_by("municipalities/2584");
  EXPECT_EQ(Says(Recommend()), "INVALID_ARGUMENT: recommendation.given_by[1]: listed twice");
}

TEST_F(ReviewRulesTest, RecommendationStatusKnown) {
  rec_.set_status(v1::Recommendation::STATUS_UNSPECIFIED);
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.status"));
}

TEST_F(ReviewRulesTest, NotPursuedNeedsItsReason) {
  rec_.set_status(v1::Recommendation::STATUS_NOT_PURSUED);
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.status_reason"));
  rec_.set_status_reason("Ersätts av en ny rutin.");
  EXPECT_EQ(Says(Recommend()), "OK");
}

TEST_F(ReviewRulesTest, RecommendationResponsibleShort) {
  rec_.set_responsible(std::string(201, 'x'));
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.responsible"));
}

TEST_F(ReviewRulesTest, RecommendationDueDateIsADay) {
  *rec_.mutable_due_date() = Day(2022, 13, 1);
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.due_date"));
}

TEST_F(ReviewRulesTest, ActionNeedsDescription) {
  rec_.add_actions()->set_responsible("Samordnaren");
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.actions[0].description"));
}

TEST_F(ReviewRulesTest, ActionDatesAreDays) {
  auto* a = rec_.add_actions();
  a->set_description("Ta fram årshjulet");
  *a->mutable_done_date() = Day(2022, 2, 29);
  EXPECT_TRUE(InvalidAt(Recommend(), "recommendation.actions[0].done_date"));
}

TEST_F(ReviewRulesTest, UpdatableFieldsExcludeOutputs) {
  EXPECT_EQ(UpdatableReviewFields().count("handlings"), 0u);
  EXPECT_EQ(UpdatableRecommendationFields().count("overdue"), 0u);
  EXPECT_EQ(UpdatableRecommendationFields().count("status"), 1u);
}

TEST(ReviewFilterTest, EmptyFilterMatchesAll) {
  auto f = ParseReviewFilter("");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->year.has_value());
  EXPECT_FALSE(f->municipality.has_value());
}

TEST(ReviewFilterTest, YearAndMunicipality) {
  auto f = ParseReviewFilter("year = 2021 AND municipality = municipalities/2584");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f->year, 2021);
  EXPECT_EQ(*f->municipality, "municipalities/2584");
}

TEST(ReviewFilterTest, YearIsANumber) {
  EXPECT_TRUE(InvalidAt(ParseReviewFilter("year = x").status(), "filter"));
}

TEST(ReviewFilterTest, MunicipalityIsAName) {
  EXPECT_TRUE(InvalidAt(ParseReviewFilter("municipality = 2584").status(), "filter municipality"));
}

TEST(ReviewFilterTest, UnknownKeyRejected) {
  EXPECT_TRUE(absl::IsInvalidArgument(ParseReviewFilter("title = x").status()));
}

TEST(RecommendationFilterTest, StatusByItsName) {
  auto f = ParseRecommendationFilter("status = STATUS_DONE");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f->status, v1::Recommendation::STATUS_DONE);
  auto bad = ParseRecommendationFilter("status = DONE").status();
  EXPECT_TRUE(InvalidAt(bad, "filter.status"));
  EXPECT_NE(bad.message().find("STATUS_DONE"), std::string::npos) << bad;
}

TEST(RecommendationFilterTest, OverdueTrueOrFalse) {
  EXPECT_EQ(*ParseRecommendationFilter("overdue = false")->overdue, false);
  EXPECT_TRUE(InvalidAt(ParseRecommendationFilter("overdue = yes").status(), "filter"));
}

TEST(RecommendationFilterTest, YearZeroMeansAnyYear) {
  EXPECT_FALSE(ParseRecommendationFilter("year = 0")->year.has_value());
  EXPECT_EQ(*ParseRecommendationFilter("year = 2021")->year, 2021);
}

TEST(RecommendationFilterTest, ParentIsAReviewOrAll) {
  EXPECT_FALSE(ParseRecommendationParent("reviews/-")->has_value());
  EXPECT_EQ((*ParseRecommendationParent("reviews/2021-2584"))->ToString(), "reviews/2021-2584");
  EXPECT_TRUE(InvalidAt(ParseRecommendationParent("reviews").status(), "parent"));
}

}  // namespace
}  // namespace enamnd::audits
