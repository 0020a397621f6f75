// The audits API over gRPC, in-process, with real Redis and SQLite: the
// stories of reviews, the reporting wheel and internal control, and a
// decision recorded in the meetings service reaching its review. The rules
// themselves are unit-tested in reviews_test.cc and wheel_test.cc.
#include "services/meetings/api/meetings_api.h"
#include "tests/audits/fixture.h"
#include "tests/support/committee.h"

namespace enamnd::audits {
namespace {

using absl::CivilDay;
using enamnd::testing::Call;
using enamnd::testing::Day;
using enamnd::testing::PollUntil;
namespace mv1 = ::enamnd::meetings::v1;

class AuditsApiTest : public AuditsFixture {
 protected:
  // Reads the review until `done(review)` holds (the consumer is async).
  bool ReviewBecomes(const std::string& name, const std::function<bool(const v1::Review&)>& done,
                     v1::Review* review) {
    v1::GetReviewRequest get;
    get.set_name(name);
    return PollUntil(
        [&] { return Audits(&AuditsStub::GetReview, get, review).ok() && done(*review); },
        absl::Seconds(15));
  }
};

TEST_F(AuditsApiTest, ReviewsRecommendationsAndDischarge) {
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2584", "2523"}, &review).ok());
  EXPECT_EQ(review.name(), "reviews/2021-2584");
  EXPECT_EQ(CreateReview(2021, {"2584"}, &review).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_INVALID_FIELD(CreateReview(2021, {}, &review), "review.auditing_municipalities");
  EXPECT_INVALID_FIELD(CreateReview(2021, {"25x5"}, &review), "review.auditing_municipalities[0]");
  EXPECT_INVALID_FIELD(CreateReview(1021, {"2505"}, &review), "review.year");

  v1::Recommendation rec;
  ASSERT_TRUE(Recommend("reviews/2021-2584", {"2584", "2523"}, &rec).ok());
  EXPECT_EQ(rec.name(), "reviews/2021-2584/recommendations/1");
  EXPECT_EQ(rec.status(), v1::Recommendation::STATUS_OPEN);
  EXPECT_EQ(rec.given_by_size(), 2);
  EXPECT_INVALID_FIELD(Recommend("reviews/2021-2584", {"2505"}, &rec),
                       "recommendation.given_by[0]");
  EXPECT_EQ(Recommend("reviews/2021-2505", {"2505"}, &rec).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::UpdateRecommendationRequest update;
  update.mutable_recommendation()->set_name("reviews/2021-2584/recommendations/1");
  update.mutable_recommendation()->set_status(v1::Recommendation::STATUS_NOT_PURSUED);
  update.mutable_update_mask()->add_paths("status");
  EXPECT_INVALID_FIELD(Audits(&AuditsStub::UpdateRecommendation, update, &rec),
                       "recommendation.status_reason");
  update.mutable_recommendation()->set_status(v1::Recommendation::STATUS_IN_PROGRESS);
  update.mutable_recommendation()->set_responsible("Samordnaren");
  update.mutable_update_mask()->add_paths("responsible");
  update.mutable_recommendation()->set_etag("1");
  ASSERT_TRUE(Audits(&AuditsStub::UpdateRecommendation, update, &rec).ok());
  EXPECT_EQ(rec.status(), v1::Recommendation::STATUS_IN_PROGRESS);
  EXPECT_EQ(rec.etag(), "2");
  EXPECT_EQ(Audits(&AuditsStub::UpdateRecommendation, update, &rec).error_code(),
            grpc::StatusCode::ABORTED);  // the etag "1" is stale now

  v1::RecordDischargeRequest discharge;
  discharge.set_review("reviews/2021-2584");
  discharge.mutable_discharge()->set_municipality("municipalities/2584");
  discharge.mutable_discharge()->set_decision(v1::Discharge::DECISION_GRANTED);
  *discharge.mutable_discharge()->mutable_decided_date() = Day(2022, 6, 13);
  ASSERT_TRUE(Audits(&AuditsStub::RecordDischarge, discharge, &review).ok());
  EXPECT_EQ(review.discharges_size(), 1);
  EXPECT_EQ(review.recommendations(0), "reviews/2021-2584/recommendations/1");
  EXPECT_EQ(Audits(&AuditsStub::RecordDischarge, discharge, &review).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  discharge.mutable_discharge()->set_municipality("municipalities/2505");
  EXPECT_INVALID_FIELD(Audits(&AuditsStub::RecordDischarge, discharge, &review),
                       "discharge.municipality");
  EXPECT_EQ(EventCount("ReviewCreated"), 1);
  EXPECT_EQ(EventCount("DischargeRecorded"), 1);
}

TEST_F(AuditsApiTest, RetriedCreatesReturnTheFirstResult) {
  v1::CreateReviewRequest request = ReviewRequest(2021, {"2560"});
  request.set_request_id("retry-1");
  v1::Review first, second;
  ASSERT_TRUE(Audits(&AuditsStub::CreateReview, request, &first).ok());
  ASSERT_TRUE(Audits(&AuditsStub::CreateReview, request, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(EventCount("ReviewCreated"), 1);
  v1::CreateRecommendationRequest rec_request = RecommendationRequest(first.name(), {"2560"});
  rec_request.set_request_id("retry-2");
  v1::Recommendation rec, again;
  ASSERT_TRUE(Audits(&AuditsStub::CreateRecommendation, rec_request, &rec).ok());
  ASSERT_TRUE(Audits(&AuditsStub::CreateRecommendation, rec_request, &again).ok());
  EXPECT_EQ(again.name(), rec.name());
  EXPECT_EQ(EventCount("RecommendationCreated"), 1);
  v1::UpdateReviewRequest update;
  update.mutable_review()->set_name(first.name());
  update.mutable_review()->add_findings("Tillämpningsanvisningar till attestreglementet saknas.");
  update.mutable_update_mask()->add_paths("findings");
  update.mutable_update_mask()->add_paths("handlings");
  EXPECT_INVALID_FIELD(Audits(&AuditsStub::UpdateReview, update, &second), "update_mask");
}

TEST_F(AuditsApiTest, OverdueRecommendationsAreListedAndRaisedOnce) {
  audits_->clock()->Pin(CivilDay(2022, 9, 1));
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2505"}, &review).ok());
  v1::Recommendation rec;
  ASSERT_TRUE(Recommend(review.name(), {"2505"}, &rec, Day(2022, 9, 30)).ok());
  ASSERT_TRUE(Recommend(review.name(), {"2505"}, &rec, Day(2022, 12, 31)).ok());
  auto overdue = [&] {
    v1::ListRecommendationsRequest request;
    request.set_parent("reviews/-");
    request.set_filter("overdue = true");
    v1::ListRecommendationsResponse response;
    EXPECT_TRUE(Audits(&AuditsStub::ListRecommendations, request, &response).ok());
    return response.recommendations_size();
  };
  EXPECT_EQ(overdue(), 0);
  audits_->clock()->Pin(CivilDay(2022, 10, 1));
  EXPECT_EQ(overdue(), 1);
  RunDeadlines(CivilDay(2022, 10, 1));
  RunDeadlines(CivilDay(2022, 10, 2));
  EXPECT_EQ(EventCount("RecommendationOverdue"), 1);
}

TEST_F(AuditsApiTest, ListsPageInNaturalOrderWithOpaqueTokens) {
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2584", "2523"}, &review).ok());
  ASSERT_TRUE(CreateReview(2022, {"2523"}, &review).ok());
  v1::Recommendation rec;
  for (int i = 0; i < 11; ++i) ASSERT_TRUE(Recommend("reviews/2021-2584", {"2584"}, &rec).ok());
  v1::ListRecommendationsRequest request;
  request.set_parent("reviews/2021-2584");
  request.set_page_size(9);
  v1::ListRecommendationsResponse page;
  ASSERT_TRUE(Audits(&AuditsStub::ListRecommendations, request, &page).ok());
  EXPECT_EQ(page.recommendations(1).name(), "reviews/2021-2584/recommendations/2");
  request.set_page_token(page.next_page_token());
  ASSERT_TRUE(Audits(&AuditsStub::ListRecommendations, request, &page).ok());
  ASSERT_EQ(page.recommendations_size(), 2);
  EXPECT_EQ(page.recommendations(0).name(), "reviews/2021-2584/recommendations/10");
  EXPECT_TRUE(page.next_page_token().empty());
  request.set_filter("status = STATUS_DONE");  // a token belongs to its request
  EXPECT_INVALID_FIELD(Audits(&AuditsStub::ListRecommendations, request, &page), "page_token");

  v1::ListReviewsRequest reviews;
  reviews.set_filter("municipality = municipalities/2523");
  reviews.set_page_size(1);
  v1::ListReviewsResponse listed;
  ASSERT_TRUE(Audits(&AuditsStub::ListReviews, reviews, &listed).ok());
  ASSERT_EQ(listed.reviews_size(), 1);
  EXPECT_EQ(listed.reviews(0).recommendations_size(), 11);
  reviews.set_page_token(listed.next_page_token());
  ASSERT_TRUE(Audits(&AuditsStub::ListReviews, reviews, &listed).ok());
  EXPECT_EQ(listed.reviews(0).name(), "reviews/2022-2523");
}

v1::CreateReportingYearRequest Wheel2024() {
  v1::CreateReportingYearRequest wheel;
  wheel.mutable_reporting_year()->set_year(2024);
  struct M {
    const char* id;
    v1::ReportingMoment::Kind kind;
    const char* title;
    common::v1::Date due;
  };
  for (const M& m :
       {M{"plan-och-budget", v1::ReportingMoment::KIND_PLAN_AND_BUDGET,
          "Verksamhetsplan och budget", Day(2024, 6, 20)},
        M{"delar-2", v1::ReportingMoment::KIND_INTERIM_REPORT, "Delårsrapport 2", Day(2024, 9, 30)},
        M{"skottdag", v1::ReportingMoment::KIND_OTHER, "Skottdagsuppföljning", Day(2024, 2, 29)}}) {
    auto* moment = wheel.mutable_reporting_year()->add_moments();
    moment->set_name(m.id);
    moment->set_kind(m.kind);
    moment->set_title(m.title);
    *moment->mutable_due_date() = m.due;
  }
  return wheel;
}

v1::CreateControlPointRequest Point(const std::string& id, const std::string& moment) {
  v1::CreateControlPointRequest request;
  request.set_plan("control-plans/2024");
  request.set_point_id(id);
  request.mutable_point()->set_process("Attest");
  request.mutable_point()->set_risk_value(9);
  request.mutable_point()->set_what_is_checked("Att fakturor attesteras enligt reglementet");
  request.mutable_point()->set_how("Stickprov om 10 fakturor");
  request.mutable_point()->set_responsible("Samordnaren");
  request.mutable_point()->set_reporting_moment(moment);
  return request;
}

TEST_F(AuditsApiTest, ReportingWheelAndInternalControl) {
  audits_->clock()->Pin(CivilDay(2024, 1, 10));  // before every moment below
  v1::ReportingYear year;
  ASSERT_TRUE(Audits(&AuditsStub::CreateReportingYear, Wheel2024(), &year).ok());
  EXPECT_EQ(year.moments(1).name(), "reporting-years/2024/moments/delar-2");
  v1::CopyReportingYearRequest copy;
  copy.set_name("reporting-years/2025");
  v1::ReportingYear next;
  ASSERT_TRUE(Audits(&AuditsStub::CopyReportingYear, copy, &next).ok());
  EXPECT_EQ(next.moments(1).name(), "reporting-years/2025/moments/delar-2");
  EXPECT_EQ(next.moments(2).due_date().day(), 28);  // 29 Feb 2024 -> 28 Feb 2025
  EXPECT_EQ(next.copied_from(), "reporting-years/2024");
  EXPECT_EQ(Audits(&AuditsStub::CopyReportingYear, copy, &next).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  copy.set_name("reporting-years/2027");
  EXPECT_EQ(Audits(&AuditsStub::CopyReportingYear, copy, &next).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::CreateControlPlanRequest plan;
  plan.mutable_plan()->set_year(2024);
  plan.mutable_plan()->set_title("Internkontrollplan 2024");
  plan.mutable_plan()->set_reporting_year("reporting-years/2024");
  v1::ControlPlan created;
  ASSERT_TRUE(Audits(&AuditsStub::CreateControlPlan, plan, &created).ok());
  audits_->clock()->Pin(CivilDay(2024, 9, 25));
  v1::ControlPoint point;
  for (const char* id : {"attest", "avtal"}) {
    ASSERT_TRUE(Audits(&AuditsStub::CreateControlPoint,
                       Point(id, "reporting-years/2024/moments/delar-2"), &point)
                    .ok());
  }
  EXPECT_INVALID_FIELD(Audits(&AuditsStub::CreateControlPoint,
                              Point("x", "reporting-years/2024/moments/nope"), &point),
                       "point.reporting_moment");
  v1::RecordControlFollowUpRequest follow;
  follow.set_point("control-plans/2024/points/attest");
  *follow.mutable_follow_up()->mutable_date() = Day(2024, 9, 20);
  follow.mutable_follow_up()->set_outcome(v1::ControlFollowUp::OUTCOME_DEVIATION);
  follow.mutable_follow_up()->set_followed_up_by("Samordnaren");
  EXPECT_INVALID_FIELD(Audits(&AuditsStub::RecordControlFollowUp, follow, &point),
                       "follow_up.deviations");  // a deviation needs its description
  follow.mutable_follow_up()->set_deviations("2 av 10 fakturor saknade andra attest");
  ASSERT_TRUE(Audits(&AuditsStub::RecordControlFollowUp, follow, &point).ok());

  audits_->clock()->Pin(CivilDay(2024, 10, 1));
  v1::ListMissedControlPointsRequest missed_request;
  missed_request.set_plan("control-plans/2024");
  v1::ListMissedControlPointsResponse missed;
  ASSERT_TRUE(Audits(&AuditsStub::ListMissedControlPoints, missed_request, &missed).ok());
  ASSERT_EQ(missed.missed_size(), 1);
  EXPECT_EQ(missed.missed(0).point().name(), "control-plans/2024/points/avtal");
  RunDeadlines(CivilDay(2024, 10, 1));
  RunDeadlines(CivilDay(2024, 10, 2));
  EXPECT_EQ(EventCount("ControlPointMissed"), 1);
  EXPECT_EQ(EventCount("MomentOverdue"), 3);  // all three 2024 moments are past

  v1::MarkMomentReportedRequest reported;
  reported.set_moment("reporting-years/2024/moments/delar-2");
  *reported.mutable_reported_date() = Day(2024, 10, 1);
  ASSERT_TRUE(Audits(&AuditsStub::MarkMomentReported, reported, &year).ok());
  v1::ListOverdueMomentsRequest overdue_request;
  overdue_request.set_parent("reporting-years/2024");
  v1::ListOverdueMomentsResponse overdue;
  ASSERT_TRUE(Audits(&AuditsStub::ListOverdueMoments, overdue_request, &overdue).ok());
  EXPECT_EQ(overdue.moments_size(), 2);
}

TEST_F(AuditsApiTest, CommitteeDecisionReachesItsReview) {
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2584", "2523"}, &review).ok());
  ASSERT_TRUE(enamnd::testing::SeedCommittee(
      meetings_stub_, {{"2584", "2523", "2505"}, "Granskning", "//audits/reviews/2021-2584"}));
  mv1::Paragraph p = enamnd::testing::Decide(meetings_stub_, "Nämnden tar med sig synpunkterna.",
                                             mv1::DECISION_KIND_ADOPT);
  ASSERT_TRUE(ReviewBecomes(
      review.name(), [](const v1::Review& r) { return r.handlings_size() == 1; }, &review));
  const v1::CommitteeHandling& h = review.handlings(0);
  EXPECT_EQ(h.paragraph(), p.name());
  EXPECT_EQ(h.paragraph_number(), p.number());
  EXPECT_EQ(h.case_number(), "2022/9-2.2.0.1");
  EXPECT_EQ(h.decision_kind(), "DECISION_KIND_ADOPT");
  EXPECT_EQ(h.meeting_date().day(), 22);
  EXPECT_EQ(h.event_source(), "//enamnd/meetings");
  EXPECT_EQ(EventCount("ReviewHandled"), 1);

  // A decision about a review not registered yet is linked once it is.
  mv1::CreateCaseRequest c;
  c.mutable_case_()->set_case_number("2022/10-2.2.0.1");
  c.mutable_case_()->set_title("Grundläggande granskning 2021, Arvidsjaur");
  c.mutable_case_()->set_subject("//audits/reviews/2021-2505");
  mv1::Case created;
  ASSERT_TRUE(Meetings(&MeetingsStub::CreateCase, c, &created).ok());
  mv1::RecordDecisionRequest r;
  r.set_parent(enamnd::testing::kTestMeeting);
  r.mutable_paragraph()->set_case_(created.name());
  r.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_ADOPT);
  r.mutable_paragraph()->mutable_decision()->set_text("Som § 1.");
  mv1::Paragraph second;
  ASSERT_TRUE(Meetings(&MeetingsStub::RecordDecision, r, &second).ok());
  ASSERT_TRUE(PollUntil([&] { return EventCount("ReviewHandled") == 2; }, absl::Seconds(15)));
  ASSERT_TRUE(CreateReview(2021, {"2505"}, &review).ok());
  ASSERT_EQ(review.handlings_size(), 1);
  EXPECT_EQ(review.handlings(0).paragraph(), second.name());
}

TEST_F(AuditsApiTest, LegalForceAndLateRecordedAppealReachTheHandling) {
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2584", "2523"}, &review).ok());
  meetings_->clock()->Pin(CivilDay(2022, 6, 29));
  ASSERT_TRUE(enamnd::testing::SeedCommittee(
      meetings_stub_, {{"2584", "2523", "2505"}, "Granskning", "//audits/reviews/2021-2584"}));
  mv1::Paragraph p = enamnd::testing::Decide(meetings_stub_, "Nämnden tar med sig synpunkterna.",
                                             mv1::DECISION_KIND_ADOPT);
  mv1::AdjustProtocolRequest adjust;
  adjust.set_meeting(enamnd::testing::kTestMeeting);
  adjust.mutable_chair()->set_display_name("Ledamot 2584");
  adjust.add_adjusters()->set_display_name("Ledamot 2523");
  mv1::Adjustment adjustment;
  ASSERT_TRUE(Meetings(&MeetingsStub::AdjustProtocol, adjust, &adjustment).ok());
  for (const char* code : {"2584", "2523", "2505"}) {
    mv1::RecordNoticePostingRequest post;
    post.set_adjustment(adjustment.name());
    post.set_municipality(absl::StrCat("municipalities/", code));
    *post.mutable_posted_date() = Day(2022, 6, 29);
    ASSERT_TRUE(Meetings(&MeetingsStub::RecordNoticePosting, post, &adjustment).ok());
  }
  ASSERT_EQ(adjustment.legal_force_date().day(), 21);  // deadline 2022-07-20
  meetings::MeetingsApi meetings_api(meetings_->db(), meetings_->outbox(), meetings_->clock());
  ASSERT_TRUE(meetings_api.RunDeadlines(CivilDay(2022, 7, 21)).ok());
  auto legal_force_day = [](int day) {
    return [day](const v1::Review& r) {
      return r.handlings_size() == 1 && r.handlings(0).legal_force_date().day() == day;
    };
  };
  ASSERT_TRUE(ReviewBecomes(review.name(), legal_force_day(21), &review));

  // An appeal lodged on the last day, recorded after legal force was set.
  meetings_->clock()->Pin(CivilDay(2022, 7, 25));
  mv1::RecordAppealRequest appeal;
  appeal.set_paragraph(p.name());
  *appeal.mutable_appeal()->mutable_lodged_date() = Day(2022, 7, 20);
  appeal.mutable_appeal()->set_appellant("En kommunmedlem i Kiruna");
  mv1::Appeal lodged;
  ASSERT_TRUE(Meetings(&MeetingsStub::RecordAppeal, appeal, &lodged).ok());
  ASSERT_TRUE(ReviewBecomes(review.name(), legal_force_day(0), &review));
}

}  // namespace
}  // namespace enamnd::audits
