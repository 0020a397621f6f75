// The real binary across the appeal deadline: down on the day it passes,
// the decisions gain legal force at the next start, once, and not before.
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "gtest/gtest.h"
#include "tests/support/builders.h"
#include "tests/support/committee.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace enamnd {
namespace {

namespace v1 = ::enamnd::meetings::v1;
using testing::MeetingsProcess;

using testing::Call;
using testing::Day;

using Stub = v1::MeetingsService::Stub;
const char kMeeting[] = "bodies/e-namnden/meetings/2022-06-22";

class DeadlineTest : public ::testing::Test {
 protected:
  std::unique_ptr<MeetingsProcess> Start(const std::string& today) {
    auto p = std::make_unique<MeetingsProcess>(
        dir_.path() + "/data", redis_.address(), dir_.path() + "/service.log",
        std::map<std::string, std::string>{{"ENAMND_TODAY", today}});
    EXPECT_TRUE(p->started());
    return p;
  }

  void SetUpProtocol(Stub* stub) {
    ASSERT_TRUE(testing::SeedCommittee(stub));
    for (int i = 0; i < 2; ++i) {
      ASSERT_FALSE(
          testing::Decide(stub, "Lägger till handlingarna.", v1::DECISION_KIND_NOTE_AND_FILE)
              .name()
              .empty());
    }
    v1::AdjustProtocolRequest adjust;
    adjust.set_meeting(kMeeting);
    adjust.mutable_chair()->set_display_name("Ledamot 2584");
    adjust.add_adjusters()->set_display_name("Ledamot 2523");
    *adjust.mutable_adjusted_date() = Day(2022, 6, 29);
    v1::Adjustment adjustment;
    ASSERT_TRUE(Call(stub, &Stub::AdjustProtocol, adjust, &adjustment).ok());
    int day = 29;
    for (const char* code : {"2584", "2523"}) {
      v1::RecordNoticePostingRequest post;
      post.set_adjustment(adjustment.name());
      post.set_municipality(absl::StrCat("municipalities/", code));
      *post.mutable_posted_date() = day == 29 ? Day(2022, 6, 29) : Day(2022, 7, 4);
      day = 4;
      ASSERT_TRUE(Call(stub, &Stub::RecordNoticePosting, post, &adjustment).ok());
    }
    ASSERT_EQ(adjustment.appeal_deadline().day(), 25);  // 2022-07-25
  }

  v1::Paragraph::LegalState State(Stub* stub, int number, int* legal_force_day = nullptr) {
    v1::GetParagraphRequest request;
    request.set_name(absl::StrCat(kMeeting, "/paragraphs/", number));
    v1::Paragraph p;
    EXPECT_TRUE(Call(stub, &Stub::GetParagraph, request, &p).ok());
    if (legal_force_day != nullptr) *legal_force_day = p.legal_force_date().day();
    return p.legal_state();
  }

  // DecisionFinal events in the durable log, counted up to a fresh marker
  // decision (so the count is complete without waiting a fixed time).
  int FinalEventsInLog(Stub* stub, int marker_day) {
    v1::CreateMeetingRequest mt;
    mt.set_parent("bodies/e-namnden");
    *mt.mutable_meeting()->mutable_date() = Day(2022, 9, marker_day);
    v1::Meeting meeting;
    EXPECT_TRUE(Call(stub, &Stub::CreateMeeting, mt, &meeting).ok());
    v1::RecordAttendanceRequest a;
    a.set_meeting(meeting.name());
    auto* s = a.mutable_attendance()->add_seats();
    s->set_municipality("municipalities/2584");
    s->set_member_present(true);
    s = a.mutable_attendance()->add_seats();
    s->set_municipality("municipalities/2523");
    s->set_member_present(true);
    EXPECT_TRUE(Call(stub, &Stub::RecordAttendance, a, &meeting).ok());
    v1::RecordDecisionRequest r;
    r.set_parent(meeting.name());
    r.mutable_paragraph()->set_case_("cases/2022-9");
    r.mutable_paragraph()->mutable_decision()->set_kind(v1::DECISION_KIND_POSTPONE);
    r.mutable_paragraph()->mutable_decision()->set_text("Markör.");
    v1::Paragraph marker;
    EXPECT_TRUE(Call(stub, &Stub::RecordDecision, r, &marker).ok());

    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::WatchDecisionsRequest watch;
    auto reader = stub->WatchDecisions(&ctx, watch);
    v1::WatchDecisionsResponse item;
    int finals = 0;
    while (reader->Read(&item)) {
      if (item.event().type() == "enamnd.meetings.v1.DecisionFinal") ++finals;
      if (item.event().attributes().at("subject").ce_string() == marker.name()) break;
    }
    ctx.TryCancel();
    reader->Finish().IgnoreError();
    return finals;
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
};

TEST_F(DeadlineTest, LegalForceIsReachedOnceAcrossRestarts) {
  {
    auto service = Start("2022-07-20");
    SetUpProtocol(service->stub());
    EXPECT_EQ(State(service->stub(), 1), v1::Paragraph::LEGAL_STATE_ADJUSTED);
    EXPECT_EQ(service->Stop(), 0);
  }
  {
    auto service = Start("2022-07-25");  // the last day to appeal
    EXPECT_EQ(State(service->stub(), 1), v1::Paragraph::LEGAL_STATE_ADJUSTED);
    EXPECT_EQ(FinalEventsInLog(service->stub(), 1), 0);
    EXPECT_EQ(service->Stop(), 0);
  }
  {
    // Down on 26 July; back on 10 August.
    auto service = Start("2022-08-10");
    int day = 0;
    EXPECT_EQ(State(service->stub(), 1, &day), v1::Paragraph::LEGAL_STATE_FINAL);
    EXPECT_EQ(day, 26);
    EXPECT_EQ(State(service->stub(), 2), v1::Paragraph::LEGAL_STATE_FINAL);
    EXPECT_EQ(FinalEventsInLog(service->stub(), 2), 2);
    EXPECT_EQ(service->Stop(), 0);
  }
  {
    auto service = Start("2022-08-11");
    EXPECT_EQ(FinalEventsInLog(service->stub(), 3), 2);
    EXPECT_EQ(service->Stop(), 0);
  }
  // And they reached the Redis stream.
  int on_stream = 0;
  EXPECT_TRUE(testing::PollUntil(
      [&] {
        on_stream = 0;
        for (const auto& e : testing::ReadStream(redis_, "enamnd:events:meetings")) {
          on_stream += e.type == "enamnd.meetings.v1.DecisionFinal" ? 1 : 0;
        }
        return on_stream >= 2;
      },
      absl::Seconds(20)));
  EXPECT_EQ(on_stream, 2);
}

}  // namespace
}  // namespace enamnd
