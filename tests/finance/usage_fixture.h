// In-process finance and meetings services on one real redis-server: the
// meetings service registers the members and the finance service learns
// them from its events. The finance service's legal calendar is pinned to
// 2022-07-08, the demo's day, so 2021 has ended and 2022 has not.
#ifndef ENAMND_TESTS_FINANCE_USAGE_FIXTURE_H_
#define ENAMND_TESTS_FINANCE_USAGE_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "enamnd/finance/v1/finance.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/finance/api/service.h"
#include "services/meetings/api/service.h"
#include "services/platform/calendar.h"
#include "tests/support/builders.h"
#include "tests/support/database.h"
#include "tests/support/members.h"
#include "tests/support/principals.h"
#include "tests/support/service_fixture.h"

namespace enamnd::finance {

// A record of `kind` for municipality `code` at `when` (Stockholm time).
inline v1::UsageRecord UsageRecordOf(const std::string& id, const std::string& code,
                                     v1::UsageKind kind, absl::CivilSecond when) {
  v1::UsageRecord r;
  r.set_transaction_id(id);
  r.set_municipality("municipalities/" + code);
  r.set_kind(kind);
  const absl::Time t = absl::FromCivil(when, platform::StockholmTimeZone());
  r.mutable_time()->set_seconds(absl::ToUnixSeconds(t));
  r.set_e_service("e-tjanst-bygglov");
  return r;
}

// `count` records numbered from `first`, ids "<prefix>-<n>", spread over
// the codes and the kinds, all in 2021.
inline std::vector<v1::UsageRecord> UsageRecords(const std::string& prefix, int first, int count,
                                                 const std::vector<std::string>& codes) {
  static const v1::UsageKind kKinds[] = {v1::USAGE_KIND_BANKID_AUTHENTICATION,
                                         v1::USAGE_KIND_BANKID_SIGNATURE, v1::USAGE_KIND_FREJA_EID,
                                         v1::USAGE_KIND_SMS};
  std::vector<v1::UsageRecord> records;
  for (int n = first; n < first + count; ++n) {
    records.push_back(UsageRecordOf(absl::StrCat(prefix, "-", n), codes[n % codes.size()],
                                    kKinds[n % 4],
                                    absl::CivilSecond(2021, 1 + n % 12, 1 + n % 28, 12, 0, 0)));
  }
  return records;
}

class UsageFixture : public ::testing::Test {
 protected:
  using FinanceStub = v1::FinanceService::Stub;

  void SetUp() override {
    finance_service_.Configure(
        [](platform::ServerConfig* config) { config->today = absl::CivilDay(2022, 7, 8); });
    ASSERT_TRUE(meetings_service_.Start().ok());
    ASSERT_TRUE(finance_service_.Start().ok());
    finance_ = finance_service_.runner();
    finance_stub_ = finance_service_.stub();
    platform_stub_ = finance_service_.StubAs(testing::kEServicePlatform);
    testing::RegisterMembers(meetings_service_.stub(), codes_, [&](const std::string& code) {
      v1::GetUsageSummaryRequest probe;
      probe.set_year(2021);
      probe.set_municipality("municipalities/" + code);
      v1::UsageSummary summary;
      return Finance(&FinanceStub::GetUsageSummary, probe, &summary).ok();
    });
  }
  void TearDown() override {
    platform_stub_.reset();
    finance_service_.Stop();
    meetings_service_.Stop();
  }

  template <typename Request, typename Response>
  grpc::Status Finance(grpc::Status (FinanceStub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
                       const Request& request, Response* response) {
    return testing::Call(finance_stub_, method, request, response);
  }

  // Streams `messages` through IngestUsage as the e-service platform.
  grpc::Status Ingest(const std::vector<std::vector<v1::UsageRecord>>& messages,
                      v1::IngestUsageResponse* response, FinanceStub* stub = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto writer = (stub == nullptr ? platform_stub_.get() : stub)->IngestUsage(&context, response);
    for (const auto& records : messages) {
      v1::IngestUsageRequest message;
      for (const auto& r : records) *message.add_records() = r;
      if (!writer->Write(message)) break;  // the service ended the stream
    }
    writer->WritesDone();
    return writer->Finish();
  }

  v1::UsageSummary Summary(int year, const std::string& municipality = "") {
    v1::GetUsageSummaryRequest request;
    request.set_year(year);
    request.set_municipality(municipality);
    v1::UsageSummary summary;
    grpc::Status status = Finance(&FinanceStub::GetUsageSummary, request, &summary);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return summary;
  }

  int64_t Rows(const std::string& table) { return testing::CountRows(finance_->db(), table); }
  int64_t EventCount(const std::string& type) {
    return testing::OutboxEvents(finance_->db(), "enamnd.finance.v1." + type);
  }

  const std::vector<std::string> codes_ = {"2505", "2580", "2584"};
  enamnd::testing::TempDir dir_;
  enamnd::testing::RedisServer redis_;
  enamnd::testing::InProcess<meetings::v1::MeetingsService> meetings_service_{
      "meetings", meetings::NewMeetingsService, dir_.path() + "/meetings", redis_.address()};
  enamnd::testing::InProcess<v1::FinanceService> finance_service_{
      "finance", NewFinanceService, dir_.path() + "/finance", redis_.address()};
  platform::ServerRunner* finance_ = nullptr;
  FinanceStub* finance_stub_ = nullptr;
  std::unique_ptr<FinanceStub> platform_stub_;
};

}  // namespace enamnd::finance

#endif  // ENAMND_TESTS_FINANCE_USAGE_FIXTURE_H_
