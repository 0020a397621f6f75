// The real enamnd-finance binary killed with SIGKILL while the e-service
// platform streams transactions through IngestUsage: every record of an
// acknowledged stream is there after the restart, and sending every stream
// again whole (the platform's retry) adds exactly the records that were
// not stored, so nothing is lost and nothing is counted twice.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "enamnd/finance/v1/finance.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/platform/auth.h"
#include "tests/finance/usage_fixture.h"
#include "tests/support/builders.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace enamnd {
namespace {

namespace v1 = ::enamnd::finance::v1;
using testing::PollUntil;
using Stub = v1::FinanceService::Stub;

constexpr int kMessagesPerStream = 5;
constexpr int kRecordsPerMessage = 1000;
const std::vector<std::string> kCodes = {"2505", "2580", "2584"};

// Stream `k`: its records are "s<k>-<n>", the same on every sending.
// `written` counts the messages written so far.
grpc::Status SendStream(Stub* stub, int k, v1::IngestUsageResponse* response,
                        std::atomic<int>* written = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto writer = stub->IngestUsage(&context, response);
  for (int m = 0; m < kMessagesPerStream; ++m) {
    v1::IngestUsageRequest message;
    for (auto& r : finance::UsageRecords(absl::StrCat("s", k), m * kRecordsPerMessage,
                                         kRecordsPerMessage, kCodes)) {
      *message.add_records() = std::move(r);
    }
    if (!writer->Write(message)) break;
    if (written != nullptr) ++*written;
  }
  writer->WritesDone();
  return writer->Finish();
}

class IngestCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meetings_ = std::make_unique<testing::MeetingsProcess>(
        dir_.path() + "/meetings", redis_.address(), dir_.path() + "/meetings.log");
    ASSERT_TRUE(meetings_->started());
    for (const std::string& code : kCodes) {
      meetings::v1::CreateMunicipalityRequest request;
      request.set_municipality_id(code);
      request.mutable_municipality()->set_display_name("Kommun " + code);
      meetings::v1::Municipality created;
      ASSERT_TRUE(testing::Call(meetings_->stub(),
                                &meetings::v1::MeetingsService::Stub::CreateMunicipality, request,
                                &created)
                      .ok());
    }
    ASSERT_NO_FATAL_FAILURE(StartFinance());
    ASSERT_TRUE(PollUntil(
        [&] {
          v1::GetUsageSummaryRequest probe;
          probe.set_year(2021);
          v1::UsageSummary summary;
          return testing::Call(finance_->stub(), &Stub::GetUsageSummary, probe, &summary).ok() &&
                 summary.municipalities_size() == static_cast<int>(kCodes.size());
        },
        absl::Seconds(30)))
        << "the finance service never learnt the members";
  }

  void StartFinance() {
    finance_ = std::make_unique<testing::StubbedProcess<v1::FinanceService>>(
        "finance", dir_.path() + "/finance", redis_.address(), dir_.path() + "/finance.log",
        std::map<std::string, std::string>{{"ENAMND_TODAY", "2022-07-08"}});
    ASSERT_TRUE(finance_->started());
    platform_ = v1::FinanceService::NewStub(platform::InsecureChannelAs(
        absl::StrCat("127.0.0.1:", finance_->port()), testing::kEServicePlatform));
  }
  int64_t Records2021() {
    v1::GetUsageSummaryRequest request;
    request.set_year(2021);
    v1::UsageSummary summary;
    EXPECT_TRUE(testing::Call(finance_->stub(), &Stub::GetUsageSummary, request, &summary).ok());
    return summary.record_count();
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::MeetingsProcess> meetings_;
  std::unique_ptr<testing::StubbedProcess<v1::FinanceService>> finance_;
  std::unique_ptr<Stub> platform_;
};

TEST_F(IngestCrashTest, AcknowledgedRecordsSurviveSigkillAndARetryAddsOnlyTheRest) {
  absl::Mutex mutex;
  std::vector<int> acknowledged;  // streams whose reply came
  std::atomic<int> started{0};    // streams begun
  std::atomic<int> written{0};    // messages of the current stream written
  std::thread platform([&] {
    for (int k = 0;; ++k) {
      written = 0;
      started = k + 1;
      v1::IngestUsageResponse response;
      grpc::Status status = SendStream(platform_.get(), k, &response, &written);
      if (!status.ok()) return;  // the service is gone
      EXPECT_EQ(response.new_count(), kMessagesPerStream * kRecordsPerMessage);
      absl::MutexLock lock(&mutex);
      acknowledged.push_back(k);
    }
  });
  // Kill it once three streams are acknowledged and the fourth has
  // written two of its messages.
  ASSERT_TRUE(PollUntil(
      [&] {
        absl::MutexLock lock(&mutex);
        return acknowledged.size() >= 3 && started.load() > 3 && written.load() >= 2;
      },
      absl::Seconds(60)));
  finance_->process()->Signal(SIGKILL);
  finance_->process()->Wait(absl::Seconds(10));
  platform.join();
  std::vector<int> acked;
  {
    absl::MutexLock lock(&mutex);
    acked = acknowledged;
  }
  const int streams = started.load();
  ASSERT_GT(streams, static_cast<int>(acked.size())) << "the kill came between streams";

  ASSERT_NO_FATAL_FAILURE(StartFinance());
  const int64_t kept = Records2021();
  const int64_t per_stream = kMessagesPerStream * kRecordsPerMessage;
  EXPECT_GE(kept, static_cast<int64_t>(acked.size()) * per_stream);
  // The platform sends every stream again: the acknowledged ones are all
  // duplicates; the interrupted one adds what was not stored.
  int64_t added = 0;
  for (int k = 0; k < streams; ++k) {
    v1::IngestUsageResponse response;
    grpc::Status status = SendStream(platform_.get(), k, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.new_count() + response.duplicate_count(), per_stream);
    EXPECT_EQ(response.conflict_count(), 0);
    if (k < static_cast<int>(acked.size())) {
      EXPECT_EQ(response.new_count(), 0) << "stream " << k;
    }
    added += response.new_count();
  }
  EXPECT_EQ(kept + added, streams * per_stream);
  EXPECT_EQ(Records2021(), streams * per_stream);
  platform_.reset();
  EXPECT_EQ(finance_->Stop(), 0);
  EXPECT_EQ(meetings_->Stop(), 0);
}

}  // namespace
}  // namespace enamnd
