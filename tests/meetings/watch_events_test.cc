// WatchEvents on the meetings service (the platform's EventWatch): replay
// then live, filters, bad requests, a cursor beyond the head (WatchDecisions
// too), a stalled reader cut off and resuming without gap or duplicate, and
// the per-principal limit over both watch methods.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/platform/metrics.h"
#include "tests/meetings/fixture.h"
#include "tests/support/watcher.h"

namespace enamnd::meetings {
namespace {

using enamnd::testing::EventWatcher;
using enamnd::testing::PollUntil;
using enamnd::testing::WatchEventsOn;
using DecisionWatcher = enamnd::testing::Watcher<v1::WatchDecisionsResponse>;

constexpr char kDecisionRecorded[] = "enamnd.meetings.v1.DecisionRecorded";
constexpr char kAttendanceRecorded[] = "enamnd.meetings.v1.AttendanceRecorded";

DecisionWatcher::Open WatchDecisionsOn(v1::MeetingsService::Stub* stub, int64_t after,
                                       const std::string& municipality = "") {
  v1::WatchDecisionsRequest request;
  request.set_after_sequence(after);
  request.set_municipality(municipality);
  return [stub, request](grpc::ClientContext* context) {
    return stub->WatchDecisions(context, request);
  };
}

std::vector<int64_t> SequencesOf(const std::vector<common::v1::WatchEventsResponse>& received) {
  std::vector<int64_t> out;
  for (const auto& r : received) out.push_back(r.sequence());
  return out;
}

class WatchEventsTest : public MeetingsFixture {
 protected:
  // Settings of the service under test.
  virtual void Configure(platform::ServerConfig* /*config*/) {}

  void SetUp() override {
    service_.Configure([this](platform::ServerConfig* config) { Configure(config); });
    MeetingsFixture::SetUp();
    SetUpBody("e-namnden", {"2584", "2523", "2580"});
    meeting_ = CreateMeeting("e-namnden", 2022, 6, 22).name();
    ASSERT_TRUE(Attend(meeting_, {"2584", "2523", "2580"}).ok());
    CreateCase("2022/9-2.2.0.1");
  }

  void Record(const std::vector<std::string>& recipients, const std::string& text = "") {
    v1::Paragraph decision = Decision("cases/2022-9", recipients);
    if (!text.empty()) decision.mutable_decision()->set_text(text);
    v1::Paragraph out;
    grpc::Status status = MeetingsFixture::Record(meeting_, decision, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The outbox as the test reads it: sequences of events of `type` (any
  // when empty) whose audience includes `code` (any when empty).
  std::vector<int64_t> LogSequences(const std::string& type = "", const std::string& code = "",
                                    int64_t after = 0) {
    auto tx = runner()->db()->BeginRead();
    EXPECT_TRUE(tx.ok());
    auto rows = tx->Query("SELECT sequence, type, audience FROM outbox ORDER BY sequence");
    EXPECT_TRUE(rows.ok());
    std::vector<int64_t> out;
    for (const auto& row : *rows) {
      std::vector<std::string> audience = absl::StrSplit(row.Text(2), ',');
      if (row.Int(0) <= after || (!type.empty() && row.Text(1) != type)) continue;
      if (!code.empty() && std::find(audience.begin(), audience.end(), code) == audience.end()) {
        continue;
      }
      out.push_back(row.Int(0));
    }
    return out;
  }
  int64_t Head() {
    std::vector<int64_t> all = LogSequences();
    return all.empty() ? 0 : all.back();
  }

  std::string meeting_;
};

TEST_F(WatchEventsTest, ReplaysEveryEventThenFollowsLive) {
  Record({"2584"});
  std::vector<int64_t> before = LogSequences();
  ASSERT_GE(before.size(), 3u);  // meeting, attendance, decision at least
  EventWatcher watcher(WatchEventsOn(stub_, 0));
  ASSERT_TRUE(PollUntil([&] { return watcher.count() == before.size(); }, absl::Seconds(10)));
  Record({"2580"});  // live
  std::vector<int64_t> all = LogSequences();
  ASSERT_TRUE(PollUntil([&] { return watcher.count() == all.size(); }, absl::Seconds(10)));
  auto received = watcher.received();
  EXPECT_EQ(SequencesOf(received), all);
  EXPECT_EQ(received.back().event().type(), kDecisionRecorded);
  EXPECT_EQ(received.back().event().attributes().at("sequence").ce_string(),
            absl::StrCat(received.back().sequence()));
  v1::DecisionRecorded live;
  ASSERT_TRUE(received.back().event().proto_data().UnpackTo(&live));
  EXPECT_EQ(live.paragraph().number(), 2);
  EXPECT_EQ(runner()->watch()->open_streams("WatchEvents"), 1);
}

TEST_F(WatchEventsTest, OpenStreamsAreCountedOnMetrics) {
  auto open_on_metrics = [](const std::string& method) {
    std::string line = absl::StrCat("enamnd_watch_streams{method=\"", method, "\"} ");
    std::string text = platform::MetricsRegistry::Global().Render();
    size_t at = text.find(line);
    if (at == std::string::npos) return -1;
    int value = -1;
    (void)absl::SimpleAtoi(text.substr(at + line.size(), text.find('\n', at) - at - line.size()),
                           &value);
    return value;
  };
  {
    EventWatcher events(WatchEventsOn(stub_, 0));
    DecisionWatcher decisions(WatchDecisionsOn(stub_, 0));
    EventWatcher more_events(WatchEventsOn(stub_, 0));
    ASSERT_TRUE(PollUntil(
        [&] {
          return open_on_metrics("WatchEvents") == 2 && open_on_metrics("WatchDecisions") == 1;
        },
        absl::Seconds(10)));
  }
  EXPECT_TRUE(PollUntil([&] { return open_on_metrics("WatchEvents") == 0; }, absl::Seconds(10)));
}

TEST_F(WatchEventsTest, FiltersByTypeAndByAudience) {
  Record({"2584"});
  Record({"2580"});
  EventWatcher decisions(WatchEventsOn(stub_, 0, {kDecisionRecorded}));
  EventWatcher two_types(WatchEventsOn(stub_, 0, {kDecisionRecorded, kAttendanceRecorded}));
  EventWatcher kiruna(WatchEventsOn(stub_, 0, {}, "municipalities/2584"));
  Record({"2584", "2523"});  // live, for both filters
  std::vector<int64_t> want_decisions = LogSequences(kDecisionRecorded);
  std::vector<int64_t> want_kiruna = LogSequences("", "2584");
  size_t want_two = want_decisions.size() + LogSequences(kAttendanceRecorded).size();
  ASSERT_EQ(want_decisions.size(), 3u);
  ASSERT_EQ(want_kiruna.size(), 2u);  // decisions to 2584; other events have no audience
  ASSERT_TRUE(
      PollUntil([&] { return decisions.count() == 3 && kiruna.count() == 2; }, absl::Seconds(10)));
  ASSERT_TRUE(PollUntil([&] { return two_types.count() == want_two; }, absl::Seconds(10)));
  EXPECT_EQ(SequencesOf(decisions.received()), want_decisions);
  EXPECT_EQ(SequencesOf(kiruna.received()), want_kiruna);
  for (const auto& r : two_types.received()) {
    EXPECT_TRUE(r.event().type() == kDecisionRecorded || r.event().type() == kAttendanceRecorded)
        << r.event().type();
  }
  // Nothing more arrives for Kiruna.
  Record({"2580"});
  EventWatcher everything(WatchEventsOn(stub_, 0));
  ASSERT_TRUE(
      PollUntil([&] { return everything.count() == LogSequences().size(); }, absl::Seconds(10)));
  EXPECT_EQ(kiruna.count(), 2u);
  EXPECT_FALSE(kiruna.done());
}

TEST_F(WatchEventsTest, RefusesBadRequestsNamingTheField) {
  struct Case {
    EventWatcher::Open open;
    std::string field;
  };
  std::vector<Case> cases = {
      {WatchEventsOn(stub_, -1), "after_sequence"},
      {WatchEventsOn(stub_, 0, {"enamnd.meetings.v1.NoSuchEvent"}), "types"},
      {WatchEventsOn(stub_, 0, {"enamnd.audits.v1.ReviewCreated"}), "types"},  // not ours
      {WatchEventsOn(stub_, 0, {}, "2584"), "municipality"},
      {WatchEventsOn(stub_, 0, {}, "municipalities/9999"), "municipality"},  // unknown here
  };
  for (const Case& c : cases) {
    EventWatcher w(c.open);
    ASSERT_TRUE(PollUntil([&] { return w.done(); }, absl::Seconds(10))) << c.field;
    EXPECT_EQ(w.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_TRUE(absl::StartsWith(w.status().error_message(), c.field))
        << w.status().error_message();
    EXPECT_EQ(w.count(), 0u);
  }
}

TEST_F(WatchEventsTest, CursorBeyondTheHeadIsOutOfRangeOnBothMethods) {
  Record({"2584"});
  int64_t head = Head();
  std::string message =
      absl::StrCat("after_sequence ", head + 20, " is beyond the log's head ", head);
  EventWatcher events(WatchEventsOn(stub_, head + 20));
  DecisionWatcher decisions(WatchDecisionsOn(stub_, head + 20));
  ASSERT_TRUE(PollUntil([&] { return events.done() && decisions.done(); }, absl::Seconds(10)));
  EXPECT_EQ(events.status().error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(events.status().error_message(), message);
  EXPECT_EQ(decisions.status().error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(decisions.status().error_message(), message);
  // The head itself is a valid cursor: the next event is the first one sent.
  EventWatcher at_head(WatchEventsOn(stub_, head));
  DecisionWatcher decisions_at_head(WatchDecisionsOn(stub_, head));
  Record({"2584"});
  ASSERT_TRUE(PollUntil([&] { return at_head.count() == 1 && decisions_at_head.count() == 1; },
                        absl::Seconds(10)));
  EXPECT_EQ(at_head.received()[0].sequence(), head + 1);
  EXPECT_EQ(decisions_at_head.received()[0].sequence(), head + 1);
}

TEST_F(WatchEventsTest, ShutdownEndsTheStreamWithUnavailable) {
  EventWatcher watcher(WatchEventsOn(stub_, 0));
  ASSERT_TRUE(PollUntil([&] { return watcher.count() > 0; }, absl::Seconds(10)));
  runner()->Shutdown(absl::Seconds(5));
  ASSERT_TRUE(PollUntil([&] { return watcher.done(); }, absl::Seconds(10)));
  EXPECT_EQ(watcher.status().error_code(), grpc::StatusCode::UNAVAILABLE);
}

// A small backlog bound, so that a stalled reader is cut off soon.
class SlowReaderTest : public WatchEventsTest {
 protected:
  void Configure(platform::ServerConfig* config) override { config->watch_max_backlog = 10; }
};

TEST_F(SlowReaderTest, StalledReaderIsCutOffAndResumesWithoutGapOrDuplicate) {
  // Large events: gRPC flow control stops the server's writes after a few,
  // while the client reads nothing.
  const std::string text(60000, 'x');
  EventWatcher stalled(WatchEventsOn(stub_, 0), /*stalled=*/true);
  int recorded = 0;
  while (runner()->watch()->cut_off() == 0 && recorded < 300) {
    Record({"2584"}, text);
    ++recorded;
  }
  ASSERT_TRUE(PollUntil([&] { return runner()->watch()->cut_off() == 1; }, absl::Seconds(20)))
      << "not cut off after " << recorded << " events of " << text.size() << " bytes";
  // Memory: the stream held at most its bounded queue; now it reads what
  // gRPC had taken before the cut, then the status.
  stalled.Resume();
  ASSERT_TRUE(PollUntil([&] { return stalled.done(); }, absl::Seconds(20)));
  grpc::Status status = stalled.status();
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  auto received = stalled.received();
  ASSERT_FALSE(received.empty());
  int64_t last = received.back().sequence();
  EXPECT_TRUE(absl::StrContains(status.error_message(),
                                absl::StrCat("; resume with after_sequence=", last)))
      << status.error_message() << " (last received " << last << ")";
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "fell ")) << status.error_message();
  // Resuming after the last sequence received gives the rest: together,
  // every event of the log once.
  EventWatcher resumed(WatchEventsOn(stub_, last));
  size_t total = LogSequences().size();
  ASSERT_TRUE(
      PollUntil([&] { return received.size() + resumed.count() == total; }, absl::Seconds(20)));
  std::vector<int64_t> sequences = SequencesOf(received);
  for (int64_t s : SequencesOf(resumed.received())) sequences.push_back(s);
  EXPECT_EQ(sequences, LogSequences());
  EXPECT_FALSE(resumed.done()) << resumed.status().error_message();
}

TEST_F(SlowReaderTest, ReplayIsPacedByTheReaderAndNeverCutOff) {
  const std::string text(60000, 'y');
  for (int i = 0; i < 40; ++i) Record({"2584"}, text);  // 4x the bound, before the stream
  EventWatcher late(WatchEventsOn(stub_, 0), /*stalled=*/true);
  // Give the server every chance to cut it off: further commits re-check.
  Record({"2580"});
  Record({"2580"});
  ASSERT_TRUE(PollUntil([&] { return runner()->watch()->open_streams() == 1; }, absl::Seconds(10)));
  late.Resume();
  size_t total = LogSequences().size();
  ASSERT_TRUE(PollUntil([&] { return late.count() == total; }, absl::Seconds(20)));
  EXPECT_FALSE(late.done()) << late.status().error_message();
  EXPECT_EQ(SequencesOf(late.received()), LogSequences());
  EXPECT_EQ(runner()->watch()->cut_off(), 0);
}

class WatchLimitTest : public WatchEventsTest {
 protected:
  void Configure(platform::ServerConfig* config) override {
    config->max_watch_streams_per_principal = 2;
  }
};

TEST_F(WatchLimitTest, WatchEventsAndWatchDecisionsCountTogether) {
  Record({"2584"});
  auto system = service_.StubAs(enamnd::testing::kSystem2584);
  auto events = std::make_unique<EventWatcher>(WatchEventsOn(system.get(), 0));
  DecisionWatcher decisions(WatchDecisionsOn(system.get(), 0));
  ASSERT_TRUE(
      PollUntil([&] { return events->count() > 0 && decisions.count() > 0; }, absl::Seconds(10)));
  EXPECT_EQ(runner()->watch()->open_streams(), 2);
  EXPECT_EQ(runner()->watch()->open_streams("WatchDecisions"), 1);
  for (int i = 0; i < 2; ++i) {
    EventWatcher third_events(WatchEventsOn(system.get(), 0));
    DecisionWatcher third_decisions(WatchDecisionsOn(system.get(), 0));
    ASSERT_TRUE(PollUntil([&] { return third_events.done() && third_decisions.done(); },
                          absl::Seconds(10)));
    for (const grpc::Status& status : {third_events.status(), third_decisions.status()}) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
          << status.error_message();
      EXPECT_TRUE(absl::StrContains(status.error_message(), enamnd::testing::kSystem2584))
          << status.error_message();
    }
  }
  // Another principal still gets a stream.
  EventWatcher clerk(WatchEventsOn(stub_, 0));
  ASSERT_TRUE(PollUntil([&] { return clerk.count() > 0; }, absl::Seconds(10)));
  // Closing one frees its place once the server has seen the call end.
  events.reset();
  ASSERT_TRUE(PollUntil([&] { return runner()->watch()->open_streams() == 2; }, absl::Seconds(10)));
  DecisionWatcher again(WatchDecisionsOn(system.get(), 0));
  ASSERT_TRUE(PollUntil([&] { return again.count() > 0; }, absl::Seconds(10)))
      << again.status().error_message();
}

}  // namespace
}  // namespace enamnd::meetings
