// What a meetings event means for audits (the pure part of the consumer).
#include "services/audits/domain/meetings_events.h"

#include "enamnd/meetings/v1/events.pb.h"
#include "gtest/gtest.h"
#include "tests/audits/domain_test_util.h"

namespace enamnd::audits {
namespace {

namespace mv1 = ::enamnd::meetings::v1;
using enamnd::testing::Day;

class MeetingsEventsTest : public ::testing::Test {
 protected:
  MeetingsEventsTest() {
    recorded_.mutable_paragraph()->set_name("bodies/e-namnden/meetings/2022-06-22/paragraphs/8");
    recorded_.mutable_paragraph()->set_number(8);
    recorded_.mutable_paragraph()->set_case_number("2022/9-2.2.0.1");
    recorded_.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_ADOPT);
    recorded_.mutable_paragraph()->mutable_decision()->set_text("Nämnden tar med sig ...");
    recorded_.set_meeting("bodies/e-namnden/meetings/2022-06-22");
    *recorded_.mutable_meeting_date() = Day(2022, 6, 22);
    recorded_.set_case_subject("//audits/reviews/2021-2584");
  }
  template <typename Payload>
  io::cloudevents::v1::CloudEvent Event(const Payload& payload) {
    io::cloudevents::v1::CloudEvent e;
    e.set_id("42");
    e.set_source("//enamnd/meetings");
    e.set_type(std::string(Payload::descriptor()->full_name()));
    e.mutable_proto_data()->PackFrom(payload);
    return e;
  }
  absl::StatusOr<MeetingsEffect> Read(const io::cloudevents::v1::CloudEvent& e) {
    return ReadMeetingsEvent(e);
  }

  mv1::DecisionRecorded recorded_;
};

TEST_F(MeetingsEventsTest, DecisionAboutAReviewBecomesAHandling) {
  auto effect = Read(Event(recorded_));
  ASSERT_TRUE(effect.ok()) << effect.status();
  const auto& d = std::get<ReviewDecision>(effect->what);
  EXPECT_EQ(d.review.ToString(), "reviews/2021-2584");
  EXPECT_EQ(d.handling.paragraph_number(), 8);
  EXPECT_EQ(d.handling.decision_kind(), "DECISION_KIND_ADOPT");
  EXPECT_EQ(d.handling.case_number(), "2022/9-2.2.0.1");
  EXPECT_EQ(d.handling.event_source(), "//enamnd/meetings");
  EXPECT_EQ(d.handling.event_id(), "42");
}

TEST_F(MeetingsEventsTest, UpdatedDecisionToo) {
  mv1::DecisionUpdated updated;
  *updated.mutable_paragraph() = recorded_.paragraph();
  updated.set_case_subject(recorded_.case_subject());
  EXPECT_TRUE(std::holds_alternative<ReviewDecision>(Read(Event(updated))->what));
}

TEST_F(MeetingsEventsTest, OtherSubjectsAreNothingForAudits) {
  recorded_.set_case_subject("//projects/initiatives/hr-payroll");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(Read(Event(recorded_))->what));
  recorded_.clear_case_subject();
  EXPECT_TRUE(std::holds_alternative<std::monostate>(Read(Event(recorded_))->what));
}

TEST_F(MeetingsEventsTest, ABadReviewNameIsNamed) {
  recorded_.set_case_subject("//audits/reviews/2021");
  auto effect = Read(Event(recorded_));
  EXPECT_TRUE(absl::IsInvalidArgument(effect.status()));
  EXPECT_NE(effect.status().message().find("case_subject"), std::string::npos);
}

TEST_F(MeetingsEventsTest, UnreadablePayloadIsDataLoss) {
  auto e = Event(recorded_);
  e.mutable_proto_data()->set_value("\xff\xff not a proto");
  EXPECT_TRUE(absl::IsDataLoss(Read(e).status())) << Read(e).status();
}

TEST_F(MeetingsEventsTest, WrongPayloadTypeIsDataLoss) {
  auto e = Event(mv1::AppealLodged());
  e.set_type("enamnd.meetings.v1.DecisionRecorded");
  EXPECT_TRUE(absl::IsDataLoss(Read(e).status()));
}

TEST_F(MeetingsEventsTest, LegalForceReachesTheReview) {
  mv1::DecisionFinal final_event;
  final_event.set_paragraph("bodies/e-namnden/meetings/2022-06-22/paragraphs/8");
  final_event.set_case_subject("//audits/reviews/2021-2584");
  *final_event.mutable_legal_force_date() = Day(2022, 7, 21);
  auto effect = Read(Event(final_event));
  ASSERT_TRUE(effect.ok());
  const auto& f = std::get<ReviewDecisionFinal>(effect->what);
  EXPECT_EQ(f.review.ToString(), "reviews/2021-2584");
  EXPECT_EQ(f.legal_force_date.day(), 21);
}

TEST_F(MeetingsEventsTest, AppealNamesItsParagraph) {
  mv1::AppealLodged appeal;
  appeal.set_paragraph("bodies/e-namnden/meetings/2022-06-22/paragraphs/8");
  EXPECT_EQ(std::get<ParagraphAppealed>(Read(Event(appeal))->what).paragraph,
            "bodies/e-namnden/meetings/2022-06-22/paragraphs/8");
}

TEST_F(MeetingsEventsTest, OtherTypesAreNothing) {
  auto e = Event(recorded_);
  e.set_type("enamnd.meetings.v1.MeetingCreated");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(Read(e)->what));
}

TEST_F(MeetingsEventsTest, ResentDecisionKeepsLegalForce) {
  v1::CommitteeHandling previous;
  *previous.mutable_legal_force_date() = Day(2022, 7, 21);
  v1::CommitteeHandling h;
  KeepLegalForce(previous, &h);
  EXPECT_EQ(h.legal_force_date().day(), 21);
  v1::CommitteeHandling fresh;
  KeepLegalForce(std::nullopt, &fresh);
  EXPECT_FALSE(fresh.has_legal_force_date());
}

}  // namespace
}  // namespace enamnd::audits
