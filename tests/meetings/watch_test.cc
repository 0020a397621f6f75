// WatchDecisions: replay from a cursor out of the durable log, then live.
#include <string>

#include "enamnd/meetings/v1/events.pb.h"
#include "tests/meetings/fixture.h"
#include "tests/support/watcher.h"

namespace enamnd::meetings {
namespace {

using enamnd::testing::PollUntil;

// Reads a WatchDecisions stream on its own thread.
class Watcher : public enamnd::testing::Watcher<v1::WatchDecisionsResponse> {
 public:
  Watcher(v1::MeetingsService::Stub* stub, int64_t after, const std::string& municipality)
      : enamnd::testing::Watcher<v1::WatchDecisionsResponse>(
            [stub, after, municipality](grpc::ClientContext* context) {
              v1::WatchDecisionsRequest request;
              request.set_after_sequence(after);
              request.set_municipality(municipality);
              return stub->WatchDecisions(context, request);
            }) {}
};

int ParagraphNumber(const v1::WatchDecisionsResponse& r) {
  v1::DecisionRecorded recorded;
  if (!r.event().proto_data().UnpackTo(&recorded)) return -1;
  return recorded.paragraph().number();
}

class WatchDecisionsTest : public MeetingsFixture {
 protected:
  void SetUp() override {
    MeetingsFixture::SetUp();
    SetUpBody("e-namnden", {"2584", "2523", "2580"});
    meeting_ = CreateMeeting("e-namnden", 2022, 6, 22).name();
    ASSERT_TRUE(Attend(meeting_, {"2584", "2523", "2580"}).ok());
    CreateCase("2022/9-2.2.0.1");
  }
  int Record(const std::vector<std::string>& recipients) {
    v1::Paragraph out;
    grpc::Status status =
        MeetingsFixture::Record(meeting_, Decision("cases/2022-9", recipients), &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out.number();
  }
  std::string meeting_;
};

TEST_F(WatchDecisionsTest, ReplaysThenFollowsLiveAndResumesWithoutGaps) {
  Record({"2584"});  // § 1
  Record({"2580"});  // § 2, not for Kiruna
  Record({"2584"});  // § 3
  int64_t cursor = 0;
  {
    Watcher watcher(stub_, 0, "municipalities/2584");
    ASSERT_TRUE(PollUntil([&] { return watcher.received().size() == 2; }, absl::Seconds(10)));
    Record({"2584", "2523"});  // § 4, live
    ASSERT_TRUE(PollUntil([&] { return watcher.received().size() == 3; }, absl::Seconds(10)));
    auto received = watcher.received();
    EXPECT_EQ(ParagraphNumber(received[0]), 1);
    EXPECT_EQ(ParagraphNumber(received[1]), 3);
    EXPECT_EQ(ParagraphNumber(received[2]), 4);
    EXPECT_LT(received[0].sequence(), received[1].sequence());
    EXPECT_LT(received[1].sequence(), received[2].sequence());
    EXPECT_EQ(received[2].event().type(), "enamnd.meetings.v1.DecisionRecorded");
    cursor = received[2].sequence();
  }                  // disconnect
  Record({"2584"});  // § 5
  Record({"2580"});  // § 6
  Record({"2584"});  // § 7
  Watcher resumed(stub_, cursor, "municipalities/2584");
  ASSERT_TRUE(PollUntil([&] { return resumed.received().size() == 2; }, absl::Seconds(10)));
  auto received = resumed.received();
  EXPECT_EQ(ParagraphNumber(received[0]), 5);
  EXPECT_EQ(ParagraphNumber(received[1]), 7);
  // Nothing more arrives for Kiruna.
  Record({"2580"});
  Watcher everything(stub_, 0, "");
  ASSERT_TRUE(PollUntil([&] { return everything.received().size() == 8; }, absl::Seconds(10)));
  EXPECT_EQ(resumed.received().size(), 2u);
}

TEST_F(WatchDecisionsTest, RejectsBadRequests) {
  {
    Watcher w(stub_, -1, "");
    ASSERT_TRUE(PollUntil([&] { return w.done(); }, absl::Seconds(10)));
    EXPECT_EQ(w.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(w.status().error_message().find("after_sequence"), std::string::npos);
  }
  {
    Watcher w(stub_, 0, "municipalities/9999");
    ASSERT_TRUE(PollUntil([&] { return w.done(); }, absl::Seconds(10)));
    EXPECT_EQ(w.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(w.status().error_message().find("municipality"), std::string::npos);
  }
}

TEST_F(WatchDecisionsTest, ShutdownEndsStreamsWithUnavailable) {
  Record({"2584"});
  Watcher watcher(stub_, 0, "");
  ASSERT_TRUE(PollUntil([&] { return watcher.received().size() == 1; }, absl::Seconds(10)));
  runner()->Shutdown(absl::Seconds(5));
  ASSERT_TRUE(PollUntil([&] { return watcher.done(); }, absl::Seconds(10)));
  EXPECT_EQ(watcher.status().error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace enamnd::meetings
