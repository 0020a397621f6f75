// WatchEvents on the audits service: the platform's stream with no hooks of
// the service (every service gets it with one line).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "enamnd/audits/v1/events.pb.h"
#include "tests/audits/fixture.h"
#include "tests/support/watcher.h"

namespace enamnd::audits {
namespace {

using enamnd::testing::Day;
using enamnd::testing::EventWatcher;
using enamnd::testing::PollUntil;
using enamnd::testing::WatchEventsOn;

constexpr char kReviewCreated[] = "enamnd.audits.v1.ReviewCreated";
constexpr char kDischargeRecorded[] = "enamnd.audits.v1.DischargeRecorded";

class AuditsWatchTest : public enamnd::testing::ServiceFixture<v1::AuditsService> {
 protected:
  using Stub = v1::AuditsService::Stub;
  AuditsWatchTest() : ServiceFixture("audits", NewAuditsService) {}

  std::string CreateReview(int year, const std::vector<std::string>& codes) {
    v1::Review review;
    grpc::Status status =
        enamnd::testing::Call(stub_, &Stub::CreateReview, ReviewRequest(year, codes), &review);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return review.name();
  }
  void Discharge(const std::string& review, const std::string& code) {
    v1::RecordDischargeRequest request;
    request.set_review(review);
    request.mutable_discharge()->set_municipality("municipalities/" + code);
    request.mutable_discharge()->set_decision(v1::Discharge::DECISION_GRANTED);
    *request.mutable_discharge()->mutable_decided_date() = Day(2022, 6, 13);
    v1::Review out;
    grpc::Status status = enamnd::testing::Call(stub_, &Stub::RecordDischarge, request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  int64_t Head() {
    auto tx = runner()->db()->BeginRead();
    auto row = tx->QueryOne("SELECT COALESCE(MAX(sequence), 0) FROM outbox");
    return (*row)->Int(0);
  }
};

TEST_F(AuditsWatchTest, ReplaysThenFollowsLiveFilteredByTypeAndAudience) {
  std::string first = CreateReview(2021, {"2584", "2523"});  // 1 ReviewCreated
  Discharge(first, "2584");                                  // 2 DischargeRecorded, to 2584
  EventWatcher everything(WatchEventsOn(stub_, 0));
  EventWatcher discharges(WatchEventsOn(stub_, 0, {kDischargeRecorded}));
  EventWatcher gallivare(WatchEventsOn(stub_, 0, {}, "municipalities/2523"));
  ASSERT_TRUE(PollUntil([&] { return everything.count() == 2; }, absl::Seconds(10)));
  Discharge(first, "2523");      // 3, live, to 2523
  CreateReview(2022, {"2584"});  // 4, live
  ASSERT_TRUE(PollUntil(
      [&] { return everything.count() == 4 && discharges.count() == 2 && gallivare.count() == 1; },
      absl::Seconds(10)));
  auto all = everything.received();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(all[i].sequence(), i + 1);
  EXPECT_EQ(all[0].event().type(), kReviewCreated);
  EXPECT_EQ(all[0].event().source(), "//enamnd/audits");
  v1::ReviewCreated created;
  ASSERT_TRUE(all[3].event().proto_data().UnpackTo(&created));
  EXPECT_EQ(discharges.received()[0].sequence(), 2);
  EXPECT_EQ(discharges.received()[1].sequence(), 3);
  EXPECT_EQ(gallivare.received()[0].sequence(), 3);
  EXPECT_EQ(gallivare.received()[0].event().attributes().at("audience").ce_string(), "2523");
  EXPECT_EQ(runner()->watch()->open_streams("WatchEvents"), 3);
  // Resuming after the last sequence handled gives the rest only.
  EventWatcher resumed(WatchEventsOn(stub_, 2));
  ASSERT_TRUE(PollUntil([&] { return resumed.count() == 2; }, absl::Seconds(10)));
  EXPECT_EQ(resumed.received()[0].sequence(), 3);
}

TEST_F(AuditsWatchTest, BadCursorsAndTypesAreRefused) {
  CreateReview(2021, {"2584"});
  int64_t head = Head();
  ASSERT_EQ(head, 1);
  EventWatcher negative(WatchEventsOn(stub_, -5));
  EventWatcher beyond(WatchEventsOn(stub_, head + 1));
  EventWatcher other_service(WatchEventsOn(stub_, 0, {"enamnd.meetings.v1.DecisionRecorded"}));
  EventWatcher bad_municipality(WatchEventsOn(stub_, 0, {}, "municipalities/25840"));
  ASSERT_TRUE(PollUntil(
      [&] {
        return negative.done() && beyond.done() && other_service.done() && bad_municipality.done();
      },
      absl::Seconds(10)));
  EXPECT_EQ(negative.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(negative.status().error_message(), "after_sequence"));
  EXPECT_EQ(beyond.status().error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(beyond.status().error_message(), "after_sequence 2 is beyond the log's head 1");
  EXPECT_EQ(other_service.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(other_service.status().error_message(), "types"));
  EXPECT_TRUE(absl::StrContains(other_service.status().error_message(), kReviewCreated))
      << other_service.status().error_message();  // names what the service publishes
  EXPECT_EQ(bad_municipality.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(bad_municipality.status().error_message(), "municipality"));
}

TEST_F(AuditsWatchTest, OnlyReadersOfEveryAuditsRecordMayWatch) {
  CreateReview(2021, {"2584"});
  auto auditor = service_.StubAs(enamnd::testing::kAuditor2584);
  auto system = service_.StubAs(enamnd::testing::kSystem2584);
  EventWatcher admitted(WatchEventsOn(auditor.get(), 0));
  EventWatcher denied(WatchEventsOn(system.get(), 0));  // reads reviews, not control plans
  ASSERT_TRUE(PollUntil([&] { return admitted.count() == 1 && denied.done(); }, absl::Seconds(10)));
  EXPECT_EQ(denied.status().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace enamnd::audits
