// The audits API over gRPC, in-process, with real Redis and SQLite; and a
// decision recorded in the meetings service reaching its review.
#include "absl/strings/str_cat.h"
#include "services/audits/api/audits_api.h"
#include "services/meetings/api/meetings_api.h"
#include "services/platform/api_util.h"
#include "tests/audits/fixture.h"

namespace enamnd::audits {
namespace {

using absl::CivilDay;
using enamnd::testing::PollUntil;
using platform::ToDate;
namespace mv1 = ::enamnd::meetings::v1;

class AuditsApiTest : public AuditsFixture {
 protected:
  grpc::Status CreateReview(int year, const std::vector<std::string>& codes, v1::Review* out) {
    v1::CreateReviewRequest request;
    v1::Review* r = request.mutable_review();
    r->set_year(year);
    for (const auto& c : codes) r->add_auditing_municipalities("municipalities/" + c);
    r->set_kind(v1::Review::KIND_BASIC);
    r->set_title(absl::StrCat("Grundläggande granskning ", year));
    r->mutable_assessments()->mutable_appropriate_administration()->set_answer(v1::ANSWER_YES);
    r->mutable_assessments()->mutable_appropriate_administration()->set_text(
        "8 av 8 verksamhetsmål uppfyllda");
    r->mutable_assessments()->mutable_internal_control()->set_answer(v1::ANSWER_IN_ALL_ESSENTIALS);
    grpc::ClientContext ctx;
    return audits_stub_->CreateReview(&ctx, request, out);
  }

  grpc::Status Recommend(const std::string& review, const std::vector<std::string>& given_by,
                         v1::Recommendation* out, const std::string& due = "") {
    v1::CreateRecommendationRequest request;
    request.set_review(review);
    request.mutable_recommendation()->set_text(
        "Upprätta ett årshjul med direktiv för rapportering.");
    for (const auto& c : given_by) {
      request.mutable_recommendation()->add_given_by("municipalities/" + c);
    }
    if (!due.empty()) {
      *request.mutable_recommendation()->mutable_due_date() = ToDate(*platform::ParseDay(due));
    }
    grpc::ClientContext ctx;
    return audits_stub_->CreateRecommendation(&ctx, request, out);
  }

  int64_t EventCount(const std::string& type) {
    auto tx = audits_->db()->BeginRead();
    auto row = tx->QueryOne("SELECT COUNT(*) FROM outbox WHERE type = ?1",
                            {std::string("enamnd.audits.v1.") + type});
    return (*row)->Int(0);
  }

  void RunDeadlines(CivilDay today) {
    AuditsApi api(audits_->db(), audits_->outbox(), audits_->clock());
    absl::Status status = api.RunDeadlines(today);
    ASSERT_TRUE(status.ok()) << status;
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
  {
    grpc::ClientContext ctx;
    EXPECT_INVALID_FIELD(audits_stub_->UpdateRecommendation(&ctx, update, &rec),
                         "recommendation.status_reason");
  }
  update.mutable_recommendation()->set_status(v1::Recommendation::STATUS_IN_PROGRESS);
  update.mutable_recommendation()->set_responsible("Samordnaren");
  update.mutable_update_mask()->add_paths("responsible");
  update.mutable_recommendation()->set_etag("1");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->UpdateRecommendation(&ctx, update, &rec).ok());
  }
  EXPECT_EQ(rec.status(), v1::Recommendation::STATUS_IN_PROGRESS);
  EXPECT_EQ(rec.etag(), "2");
  {
    grpc::ClientContext ctx;  // the etag "1" is stale now
    EXPECT_EQ(audits_stub_->UpdateRecommendation(&ctx, update, &rec).error_code(),
              grpc::StatusCode::ABORTED);
  }

  v1::RecordDischargeRequest discharge;
  discharge.set_review("reviews/2021-2584");
  discharge.mutable_discharge()->set_municipality("municipalities/2584");
  discharge.mutable_discharge()->set_decision(v1::Discharge::DECISION_GRANTED);
  *discharge.mutable_discharge()->mutable_decided_date() = ToDate(CivilDay(2022, 6, 13));
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->RecordDischarge(&ctx, discharge, &review).ok());
  }
  EXPECT_EQ(review.discharges_size(), 1);
  EXPECT_EQ(review.recommendations(0), "reviews/2021-2584/recommendations/1");
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(audits_stub_->RecordDischarge(&ctx, discharge, &review).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  discharge.mutable_discharge()->set_municipality("municipalities/2505");
  {
    grpc::ClientContext ctx;
    EXPECT_INVALID_FIELD(audits_stub_->RecordDischarge(&ctx, discharge, &review),
                         "discharge.municipality");
  }
  EXPECT_EQ(EventCount("ReviewCreated"), 1);
  EXPECT_EQ(EventCount("DischargeRecorded"), 1);
}

TEST_F(AuditsApiTest, RetriedCreatesReturnTheFirstResult) {
  v1::CreateReviewRequest request;
  request.mutable_review()->set_year(2021);
  request.mutable_review()->add_auditing_municipalities("municipalities/2560");
  request.mutable_review()->set_kind(v1::Review::KIND_BASIC);
  request.mutable_review()->set_title("Grundläggande granskning 2021, Älvsbyn");
  request.set_request_id("retry-1");
  v1::Review first, second;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->CreateReview(&ctx, request, &first).ok());
  }
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->CreateReview(&ctx, request, &second).ok());
  }
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(EventCount("ReviewCreated"), 1);
  v1::Recommendation rec;
  ASSERT_TRUE(Recommend(first.name(), {"2560"}, &rec).ok());
  v1::UpdateReviewRequest update;
  update.mutable_review()->set_name(first.name());
  update.mutable_review()->add_findings("Tillämpningsanvisningar till attestreglementet saknas.");
  update.mutable_update_mask()->add_paths("findings");
  update.mutable_update_mask()->add_paths("handlings");
  grpc::ClientContext ctx;
  EXPECT_INVALID_FIELD(audits_stub_->UpdateReview(&ctx, update, &second), "update_mask");
}

TEST_F(AuditsApiTest, OverdueRecommendationsAreListedAndRaisedOnce) {
  audits_->clock()->Pin(CivilDay(2022, 9, 1));
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2505"}, &review).ok());
  v1::Recommendation rec;
  ASSERT_TRUE(Recommend(review.name(), {"2505"}, &rec, "2022-09-30").ok());
  ASSERT_TRUE(Recommend(review.name(), {"2505"}, &rec, "2022-12-31").ok());
  auto overdue = [&] {
    v1::ListRecommendationsRequest request;
    request.set_parent("reviews/-");
    request.set_filter("overdue = true");
    v1::ListRecommendationsResponse response;
    grpc::ClientContext ctx;
    EXPECT_TRUE(audits_stub_->ListRecommendations(&ctx, request, &response).ok());
    return response.recommendations_size();
  };
  EXPECT_EQ(overdue(), 0);
  audits_->clock()->Pin(CivilDay(2022, 10, 1));
  EXPECT_EQ(overdue(), 1);
  RunDeadlines(CivilDay(2022, 10, 1));
  RunDeadlines(CivilDay(2022, 10, 2));
  EXPECT_EQ(EventCount("RecommendationOverdue"), 1);
}

TEST_F(AuditsApiTest, ReportingWheelAndInternalControl) {
  audits_->clock()->Pin(CivilDay(2024, 1, 10));  // before every moment below
  v1::CreateReportingYearRequest wheel;
  wheel.mutable_reporting_year()->set_year(2024);
  struct M {
    const char* id;
    v1::ReportingMoment::Kind kind;
    const char* title;
    CivilDay due;
  };
  for (const M& m :
       {M{"plan-och-budget", v1::ReportingMoment::KIND_PLAN_AND_BUDGET, "Verksamhetsplan och budget",
          CivilDay(2024, 6, 20)},
        M{"delar-2", v1::ReportingMoment::KIND_INTERIM_REPORT, "Delårsrapport 2", CivilDay(2024, 9, 30)},
        M{"skottdag", v1::ReportingMoment::KIND_OTHER, "Skottdagsuppföljning", CivilDay(2024, 2, 29)}}) {
    auto* moment = wheel.mutable_reporting_year()->add_moments();
    moment->set_name(m.id);
    moment->set_kind(m.kind);
    moment->set_title(m.title);
    *moment->mutable_due_date() = ToDate(m.due);
  }
  v1::ReportingYear year;
  {
    grpc::ClientContext ctx;
    grpc::Status status = audits_stub_->CreateReportingYear(&ctx, wheel, &year);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(year.moments(1).name(), "reporting-years/2024/moments/delar-2");
  v1::CopyReportingYearRequest copy;
  copy.set_name("reporting-years/2025");
  v1::ReportingYear next;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->CopyReportingYear(&ctx, copy, &next).ok());
  }
  EXPECT_EQ(next.moments(1).name(), "reporting-years/2025/moments/delar-2");
  EXPECT_EQ(next.moments(1).due_date().year(), 2025);
  EXPECT_EQ(next.moments(2).due_date().day(), 28);  // 29 Feb 2024 -> 28 Feb 2025
  EXPECT_EQ(next.copied_from(), "reporting-years/2024");
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(audits_stub_->CopyReportingYear(&ctx, copy, &next).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
    copy.set_name("reporting-years/2027");
    grpc::ClientContext ctx2;
    EXPECT_EQ(audits_stub_->CopyReportingYear(&ctx2, copy, &next).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }

  v1::CreateControlPlanRequest plan;
  plan.mutable_plan()->set_year(2024);
  plan.mutable_plan()->set_title("Internkontrollplan 2024");
  plan.mutable_plan()->set_reporting_year("reporting-years/2024");
  v1::ControlPlan created;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->CreateControlPlan(&ctx, plan, &created).ok());
  }
  audits_->clock()->Pin(CivilDay(2024, 9, 25));
  auto point = [&](const std::string& id, const std::string& moment) {
    v1::CreateControlPointRequest request;
    request.set_plan("control-plans/2024");
    request.set_point_id(id);
    request.mutable_point()->set_process("Attest");
    request.mutable_point()->set_risk_value(9);
    request.mutable_point()->set_what_is_checked("Att fakturor attesteras enligt reglementet");
    request.mutable_point()->set_how("Stickprov om 10 fakturor");
    request.mutable_point()->set_responsible("Samordnaren");
    request.mutable_point()->set_reporting_moment(moment);
    v1::ControlPoint out;
    grpc::ClientContext ctx;
    return audits_stub_->CreateControlPoint(&ctx, request, &out);
  };
  ASSERT_TRUE(point("attest", "reporting-years/2024/moments/delar-2").ok());
  ASSERT_TRUE(point("avtal", "reporting-years/2024/moments/delar-2").ok());
  EXPECT_INVALID_FIELD(point("x", "reporting-years/2024/moments/nope"), "point.reporting_moment");
  v1::RecordControlFollowUpRequest follow;
  follow.set_point("control-plans/2024/points/attest");
  *follow.mutable_follow_up()->mutable_date() = ToDate(CivilDay(2024, 9, 20));
  follow.mutable_follow_up()->set_outcome(v1::ControlFollowUp::OUTCOME_DEVIATION);
  follow.mutable_follow_up()->set_followed_up_by("Samordnaren");
  v1::ControlPoint followed;
  {
    grpc::ClientContext ctx;  // a deviation needs its description
    EXPECT_INVALID_FIELD(audits_stub_->RecordControlFollowUp(&ctx, follow, &followed),
                         "follow_up.deviations");
  }
  follow.mutable_follow_up()->set_deviations("2 av 10 fakturor saknade andra attest");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->RecordControlFollowUp(&ctx, follow, &followed).ok());
  }
  audits_->clock()->Pin(CivilDay(2024, 10, 1));
  v1::ListMissedControlPointsRequest missed_request;
  missed_request.set_plan("control-plans/2024");
  v1::ListMissedControlPointsResponse missed;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->ListMissedControlPoints(&ctx, missed_request, &missed).ok());
  }
  ASSERT_EQ(missed.missed_size(), 1);
  EXPECT_EQ(missed.missed(0).point().name(), "control-plans/2024/points/avtal");
  RunDeadlines(CivilDay(2024, 10, 1));
  RunDeadlines(CivilDay(2024, 10, 2));
  EXPECT_EQ(EventCount("ControlPointMissed"), 1);
  EXPECT_EQ(EventCount("MomentOverdue"), 3);  // all three 2024 moments are past

  v1::MarkMomentReportedRequest reported;
  reported.set_moment("reporting-years/2024/moments/delar-2");
  *reported.mutable_reported_date() = ToDate(CivilDay(2024, 10, 1));
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(audits_stub_->MarkMomentReported(&ctx, reported, &year).ok());
  }
  v1::ListOverdueMomentsRequest overdue_request;
  overdue_request.set_parent("reporting-years/2024");
  v1::ListOverdueMomentsResponse overdue;
  grpc::ClientContext ctx;
  ASSERT_TRUE(audits_stub_->ListOverdueMoments(&ctx, overdue_request, &overdue).ok());
  EXPECT_EQ(overdue.moments_size(), 2);
}

// Sets up the meetings side: a body of three, a meeting with quorum, and a
// case about `subject`. Returns the meeting's name.
std::string SetUpMeeting(mv1::MeetingsService::Stub* stub, const std::string& subject) {
  for (const char* code : {"2584", "2523", "2505"}) {
    mv1::CreateMunicipalityRequest m;
    m.set_municipality_id(code);
    m.mutable_municipality()->set_display_name(absl::StrCat("Kommun ", code));
    mv1::Municipality out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->CreateMunicipality(&ctx, m, &out).ok());
  }
  mv1::CreateBodyRequest b;
  b.set_body_id("e-namnden");
  b.mutable_body()->set_display_name("Norrbottens e-nämnd");
  b.mutable_body()->set_kind(mv1::Body::KIND_COMMITTEE);
  for (const char* code : {"2584", "2523", "2505"}) {
    auto* seat = b.mutable_body()->add_seats();
    seat->set_municipality(absl::StrCat("municipalities/", code));
    seat->mutable_member()->set_display_name(absl::StrCat("Ledamot ", code));
  }
  mv1::Body body;
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->CreateBody(&ctx, b, &body).ok());
  }
  mv1::CreateMeetingRequest mt;
  mt.set_parent("bodies/e-namnden");
  *mt.mutable_meeting()->mutable_date() = ToDate(CivilDay(2022, 6, 22));
  mv1::Meeting meeting;
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->CreateMeeting(&ctx, mt, &meeting).ok());
  }
  mv1::RecordAttendanceRequest a;
  a.set_meeting(meeting.name());
  for (const char* code : {"2584", "2523"}) {
    auto* s = a.mutable_attendance()->add_seats();
    s->set_municipality(absl::StrCat("municipalities/", code));
    s->set_member_present(true);
  }
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->RecordAttendance(&ctx, a, &meeting).ok());
  }
  mv1::CreateCaseRequest c;
  c.mutable_case_()->set_case_number("2022/9-2.2.0.1");
  c.mutable_case_()->set_title("Grundläggande granskning 2021, Kiruna och Gällivare");
  c.mutable_case_()->set_subject(subject);
  mv1::Case created;
  grpc::ClientContext ctx;
  EXPECT_TRUE(stub->CreateCase(&ctx, c, &created).ok());
  return meeting.name();
}

mv1::Paragraph Decide(mv1::MeetingsService::Stub* stub, const std::string& meeting) {
  mv1::RecordDecisionRequest r;
  r.set_parent(meeting);
  r.mutable_paragraph()->set_case_("cases/2022-9");
  r.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_ADOPT);
  r.mutable_paragraph()->mutable_decision()->set_text(
      "Nämnden tar med sig revisorernas synpunkter och rekommendationer i utvecklingsarbetet.");
  mv1::Paragraph p;
  grpc::ClientContext ctx;
  EXPECT_TRUE(stub->RecordDecision(&ctx, r, &p).ok());
  return p;
}

TEST_F(AuditsApiTest, CommitteeDecisionReachesItsReview) {
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2584", "2523"}, &review).ok());
  std::string meeting = SetUpMeeting(meetings_stub_.get(), "//audits/reviews/2021-2584");
  mv1::Paragraph p = Decide(meetings_stub_.get(), meeting);
  v1::GetReviewRequest get;
  get.set_name("reviews/2021-2584");
  ASSERT_TRUE(PollUntil(
      [&] {
        grpc::ClientContext ctx;
        return audits_stub_->GetReview(&ctx, get, &review).ok() && review.handlings_size() == 1;
      },
      absl::Seconds(15)));
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
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(meetings_stub_->CreateCase(&ctx, c, &created).ok());
  }
  mv1::RecordDecisionRequest r;
  r.set_parent(meeting);
  r.mutable_paragraph()->set_case_("cases/2022-10");
  r.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_ADOPT);
  r.mutable_paragraph()->mutable_decision()->set_text("Som § 1.");
  mv1::Paragraph second;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(meetings_stub_->RecordDecision(&ctx, r, &second).ok());
  }
  ASSERT_TRUE(PollUntil([&] { return EventCount("ReviewHandled") == 2; }, absl::Seconds(15)));
  ASSERT_TRUE(CreateReview(2021, {"2505"}, &review).ok());
  ASSERT_EQ(review.handlings_size(), 1);
  EXPECT_EQ(review.handlings(0).paragraph(), second.name());
}

TEST_F(AuditsApiTest, LegalForceAndLateRecordedAppealReachTheHandling) {
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2584", "2523"}, &review).ok());
  meetings_->clock()->Pin(CivilDay(2022, 6, 29));
  std::string meeting = SetUpMeeting(meetings_stub_.get(), "//audits/reviews/2021-2584");
  mv1::Paragraph p = Decide(meetings_stub_.get(), meeting);
  mv1::AdjustProtocolRequest adjust;
  adjust.set_meeting(meeting);
  adjust.mutable_chair()->set_display_name("Ledamot 2584");
  adjust.add_adjusters()->set_display_name("Ledamot 2523");
  mv1::Adjustment adjustment;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(meetings_stub_->AdjustProtocol(&ctx, adjust, &adjustment).ok());
  }
  for (const char* code : {"2584", "2523", "2505"}) {
    mv1::RecordNoticePostingRequest post;
    post.set_adjustment(adjustment.name());
    post.set_municipality(absl::StrCat("municipalities/", code));
    *post.mutable_posted_date() = ToDate(CivilDay(2022, 6, 29));
    grpc::ClientContext ctx;
    ASSERT_TRUE(meetings_stub_->RecordNoticePosting(&ctx, post, &adjustment).ok());
  }
  ASSERT_EQ(adjustment.legal_force_date().day(), 21);  // deadline 2022-07-20
  meetings::MeetingsApi meetings_api(meetings_->db(), meetings_->outbox(), meetings_->clock());
  ASSERT_TRUE(meetings_api.RunDeadlines(CivilDay(2022, 7, 21)).ok());

  v1::GetReviewRequest get;
  get.set_name(review.name());
  auto legal_force_day = [&] {
    grpc::ClientContext ctx;
    if (!audits_stub_->GetReview(&ctx, get, &review).ok() || review.handlings_size() != 1) {
      return -1;
    }
    return review.handlings(0).legal_force_date().day();
  };
  ASSERT_TRUE(PollUntil([&] { return legal_force_day() == 21; }, absl::Seconds(15)));

  // An appeal lodged on the last day, recorded after legal force was set.
  meetings_->clock()->Pin(CivilDay(2022, 7, 25));
  mv1::RecordAppealRequest appeal;
  appeal.set_paragraph(p.name());
  *appeal.mutable_appeal()->mutable_lodged_date() = ToDate(CivilDay(2022, 7, 20));
  appeal.mutable_appeal()->set_appellant("En kommunmedlem i Kiruna");
  mv1::Appeal lodged;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(meetings_stub_->RecordAppeal(&ctx, appeal, &lodged).ok());
  }
  ASSERT_TRUE(PollUntil([&] { return legal_force_day() == 0; }, absl::Seconds(15)));
}

}  // namespace
}  // namespace enamnd::audits
