// The real enamnd-meetings binary killed with SIGKILL in the middle of
// writes: every acknowledged write is there after restart, numbering has no
// gap, and every decision's event reaches the stream exactly once.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/builders.h"
#include "tests/support/committee.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace enamnd {
namespace {

namespace v1 = ::enamnd::meetings::v1;
using testing::ChildProcess;
using testing::PollUntil;

class CrashTest : public ::testing::Test {
 protected:
  void StartService() {
    service_ = std::make_unique<testing::MeetingsProcess>(dir_.path() + "/data", redis_.address(),
                                                          dir_.path() + "/service.log");
    ASSERT_TRUE(service_->started());
    stub_ = service_->stub();
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::MeetingsProcess> service_;
  v1::MeetingsService::Stub* stub_ = nullptr;
};

TEST_F(CrashTest, AcknowledgedWritesSurviveSigkill) {
  StartService();
  const std::string meeting = "bodies/e-namnden/meetings/2022-06-22";
  testing::CommitteeSeed seed;
  seed.municipality_codes = {"2584"};
  ASSERT_TRUE(testing::SeedCommittee(stub_, seed));

  absl::Mutex mutex;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        v1::RecordDecisionRequest request;
        request.set_parent(meeting);
        request.set_request_id(absl::StrCat("w", w, "-", i));
        request.mutable_paragraph()->set_case_("cases/2022-9");
        request.mutable_paragraph()->mutable_decision()->set_kind(v1::DECISION_KIND_NOTE_AND_FILE);
        request.mutable_paragraph()->mutable_decision()->set_text(
            absl::StrCat("Beslut ", w, "-", i));
        request.mutable_paragraph()->add_recipients()->set_municipality("municipalities/2584");
        v1::Paragraph out;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (stub_->RecordDecision(&ctx, request, &out).ok()) {
          absl::MutexLock lock(&mutex);
          acknowledged.insert(out.name());
        }
      }
    });
  }
  ASSERT_TRUE(PollUntil(
      [&] {
        absl::MutexLock lock(&mutex);
        return acknowledged.size() >= 40;
      },
      absl::Seconds(60)));
  service_->process()->Signal(SIGKILL);
  service_->process()->Wait(absl::Seconds(10));
  stop = true;
  for (auto& t : writers) t.join();
  std::set<std::string> acked;
  {
    absl::MutexLock lock(&mutex);
    acked = acknowledged;
  }

  StartService();
  for (const std::string& name : acked) {
    v1::GetParagraphRequest request;
    request.set_name(name);
    v1::Paragraph p;
    grpc::Status status =
        testing::Call(stub_, &v1::MeetingsService::Stub::GetParagraph, request, &p);
    EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
  }
  // Numbers are 1..N with no gap (writes that committed but were not
  // acknowledged before the kill are there too).
  std::vector<int> numbers;
  std::string token;
  do {
    v1::ListParagraphsRequest request;
    request.set_parent(meeting);
    request.set_page_size(1000);
    request.set_page_token(token);
    v1::ListParagraphsResponse response;
    ASSERT_TRUE(
        testing::Call(stub_, &v1::MeetingsService::Stub::ListParagraphs, request, &response).ok());
    for (const auto& p : response.paragraphs()) numbers.push_back(p.number());
    token = response.next_page_token();
  } while (!token.empty());
  ASSERT_GE(numbers.size(), acked.size());
  for (size_t i = 0; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], static_cast<int>(i + 1));

  // Every decision's event is on the stream exactly once: the entry IDs are
  // outbox sequences, so Redis refused whatever the relay sent again after
  // the kill.
  std::map<std::string, int> published;
  std::set<std::string> event_ids;
  size_t entries = 0;
  bool all = PollUntil(
      [&] {
        published.clear();
        event_ids.clear();
        entries = 0;
        for (const auto& e : testing::ReadStream(redis_, "enamnd:events:meetings")) {
          ++entries;
          event_ids.insert(e.id);
          if (e.type == "enamnd.meetings.v1.DecisionRecorded") ++published[e.subject];
        }
        return published.size() == numbers.size();
      },
      absl::Seconds(30));
  EXPECT_TRUE(all) << published.size() << " published of " << numbers.size() << " recorded";
  for (const std::string& name : acked) EXPECT_EQ(published[name], 1) << name;
  for (const auto& [name, times] : published) EXPECT_EQ(times, 1) << name << " published twice";
  EXPECT_EQ(event_ids.size(), entries) << "an event id appears on two entries";
  EXPECT_EQ(service_->Stop(), 0) << "clean exit after SIGTERM";
}

}  // namespace
}  // namespace enamnd
