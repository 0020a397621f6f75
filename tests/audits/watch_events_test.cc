// WatchEvents on the audits service: the platform's stream with no hooks of
// the service (every service gets it with one line).
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "enamnd/audits/v1/events.pb.h"
#include "google/protobuf/util/message_differencer.h"
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

// Appends `count` events straight to the service's log in one transaction;
// every fifteenth is addressed to 2523 (and 2584), the rest to 2584 only.
// Returns how many are addressed to 2523.
int64_t AppendEvents(platform::Database* db, platform::Outbox* outbox, int count) {
  auto tx = db->Begin();
  EXPECT_TRUE(tx.ok());
  int64_t to_2523 = 0;
  for (int i = 1; i <= count; ++i) {
    v1::ReviewCreated payload;
    payload.mutable_review()->set_name(absl::StrCat("reviews/", i));
    std::vector<std::string> audience = {"2584"};
    if (i % 15 == 0) {
      audience.push_back("2523");
      ++to_2523;
    }
    EXPECT_TRUE(outbox->Append(*tx, payload, absl::StrCat("reviews/", i), audience).ok());
  }
  EXPECT_TRUE(tx->Commit().ok());
  return to_2523;
}

bool AddressedTo(const common::v1::WatchEventsResponse& response, const std::string& code) {
  auto audience = response.event().attributes().find("audience");
  if (audience == response.event().attributes().end()) return false;
  for (absl::string_view member : absl::StrSplit(audience->second.ce_string(), ',')) {
    if (member == code) return true;
  }
  return false;
}

TEST_F(AuditsWatchTest, ReplayOfOneMunicipalityReadsOnlyItsEvents) {
  int64_t to_2523 = AppendEvents(runner()->db(), runner()->outbox(), 1000);
  ASSERT_EQ(to_2523, 66);  // 6.6% of the log
  int64_t rows_before = runner()->watch()->rows_read();
  EventWatcher gallivare(WatchEventsOn(stub_, 0, {}, "municipalities/2523"));
  ASSERT_TRUE(PollUntil([&] { return static_cast<int64_t>(gallivare.count()) == to_2523; },
                        absl::Seconds(10)));
  // Only its rows were read (one fetch: fewer than a batch).
  EXPECT_EQ(runner()->watch()->rows_read() - rows_before, to_2523);

  EventWatcher everything(WatchEventsOn(stub_, 0));
  ASSERT_TRUE(PollUntil([&] { return everything.count() == 1000; }, absl::Seconds(20)));
  std::vector<common::v1::WatchEventsResponse> expected;
  for (const auto& response : everything.received()) {
    if (AddressedTo(response, "2523")) expected.push_back(response);
  }
  auto filtered = gallivare.received();
  ASSERT_EQ(filtered.size(), expected.size());
  for (size_t i = 0; i < filtered.size(); ++i) {
    EXPECT_EQ(filtered[i].sequence(), expected[i].sequence());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(filtered[i], expected[i]))
        << "sequence " << filtered[i].sequence();
  }
  // Live events of 2523 follow through the index too.
  AppendEvents(runner()->db(), runner()->outbox(), 15);
  ASSERT_TRUE(PollUntil([&] { return static_cast<int64_t>(gallivare.count()) == to_2523 + 1; },
                        absl::Seconds(10)));
  EXPECT_EQ(gallivare.received().back().sequence(), 1015);
}

// Not a benchmark (tools/bench is): prints the replay rate of a large log
// over a local channel, for the figures in the report, and checks the
// replay is complete and in order.
TEST_F(AuditsWatchTest, ReplayOfALargeLogIsCompleteAndInOrder) {
  constexpr int kEvents = 20000;
  AppendEvents(runner()->db(), runner()->outbox(), kEvents);
  absl::Time start = absl::Now();
  EventWatcher everything(WatchEventsOn(stub_, 0));
  ASSERT_TRUE(PollUntil([&] { return everything.count() == kEvents; }, absl::Seconds(60)));
  absl::Duration took = absl::Now() - start;
  std::cout << "replayed " << kEvents << " events in " << absl::FormatDuration(took) << ": "
            << static_cast<int64_t>(kEvents / absl::ToDoubleSeconds(took)) << " events/s\n";
  auto all = everything.received();
  for (int i = 0; i < kEvents; ++i) ASSERT_EQ(all[i].sequence(), i + 1);
}

}  // namespace
}  // namespace enamnd::audits
