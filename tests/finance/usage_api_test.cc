// The metered transactions over the API, with the meetings service
// registering the members: IngestUsage idempotent on the transaction id
// (a retried stream adds nothing), refusals that name the record and keep
// what came before, price lists, the usage summary and the invoice basis
// with its events, and who may call what.
#include <set>

#include "absl/strings/match.h"
#include "enamnd/finance/v1/events.pb.h"
#include "tests/finance/usage_fixture.h"
#include "tests/support/process.h"
#include "tests/support/watcher.h"

namespace enamnd::finance {
namespace {

using Stub = v1::FinanceService::Stub;

v1::PriceList Prices(int year) {
  v1::PriceList p;
  p.set_year(year);
  p.set_source("Avtal e-legitimation (påhittat)");
  const std::pair<v1::UsageKind, int64_t> prices[] = {{v1::USAGE_KIND_BANKID_AUTHENTICATION, 150},
                                                      {v1::USAGE_KIND_BANKID_SIGNATURE, 300},
                                                      {v1::USAGE_KIND_FREJA_EID, 125},
                                                      {v1::USAGE_KIND_SMS, 45}};
  for (const auto& [kind, ore] : prices) {
    v1::KindPrice* k = p.add_prices();
    k->set_kind(kind);
    k->mutable_price()->set_ore(ore);
  }
  return p;
}

class UsageApiTest : public UsageFixture {
 protected:
  void CreatePrices(int year) {
    v1::CreatePriceListRequest request;
    *request.mutable_price_list() = Prices(year);
    v1::PriceList created;
    grpc::Status status = Finance(&Stub::CreatePriceList, request, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
};

TEST_F(UsageApiTest, AStreamSentTwiceAddsNothingTheSecondTime) {
  // 12 000 records in messages of 1 000: more than one batch transaction.
  std::vector<std::vector<v1::UsageRecord>> messages;
  for (int m = 0; m < 12; ++m) messages.push_back(UsageRecords("tx", m * 1000, 1000, codes_));
  v1::IngestUsageResponse first;
  grpc::Status status = Ingest(messages, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(first.new_count(), 12000);
  EXPECT_EQ(first.duplicate_count(), 0);
  EXPECT_EQ(Rows("usage_records"), 12000);

  v1::IngestUsageResponse again;
  ASSERT_TRUE(Ingest(messages, &again).ok());
  EXPECT_EQ(again.new_count(), 0);
  EXPECT_EQ(again.duplicate_count(), 12000);
  EXPECT_EQ(Rows("usage_records"), 12000);
  EXPECT_EQ(Summary(2021).record_count(), 12000);
  // One audit record per call, however many batches it took.
  EXPECT_EQ(Rows("audit_records WHERE resource = 'usage-records'"), 2);
}

// Empty messages count toward a batch (IngestStream buffers them as one
// record each, so that they cannot pile up unbounded): batches of nothing
// store nothing and the call leaves one audit record.
TEST_F(UsageApiTest, EmptyMessagesAreBatchedLikeRecords) {
  std::vector<std::vector<v1::UsageRecord>> messages(12000);
  messages.push_back(UsageRecords("after-empty", 0, 10, codes_));
  v1::IngestUsageResponse response;
  grpc::Status status = Ingest(messages, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.new_count(), 10);
  EXPECT_EQ(Rows("usage_records"), 10);
  EXPECT_EQ(Rows("audit_records WHERE resource = 'usage-records'"), 1);
}

TEST_F(UsageApiTest, DuplicatesWithinAStreamAndConflictsAreCounted) {
  std::vector<v1::UsageRecord> records = UsageRecords("dup", 0, 10, codes_);
  records.push_back(records[3]);  // the same record twice in one message
  v1::UsageRecord changed = records[4];
  changed.set_kind(changed.kind() == v1::USAGE_KIND_SMS ? v1::USAGE_KIND_FREJA_EID
                                                        : v1::USAGE_KIND_SMS);
  v1::IngestUsageResponse response;
  ASSERT_TRUE(Ingest({records, {changed}}, &response).ok());
  EXPECT_EQ(response.new_count(), 10);
  EXPECT_EQ(response.duplicate_count(), 1);
  EXPECT_EQ(response.conflict_count(), 1);
  ASSERT_EQ(response.conflict_transaction_ids_size(), 1);
  EXPECT_EQ(response.conflict_transaction_ids(0), "dup-4");
  EXPECT_EQ(Summary(2021).record_count(), 10);  // the stored record stands
}

// The store inserts 100 rows to a statement and takes a chunk row by row
// when some of its ids are stored or repeated (store/usage.cc): the counts
// come out as record by record.
TEST_F(UsageApiTest, ChunksWithStoredRepeatedAndConflictingIdsCountEachRecordOnce) {
  v1::IngestUsageResponse first;
  ASSERT_TRUE(Ingest({UsageRecords("mix", 0, 50, codes_)}, &first).ok());
  ASSERT_EQ(first.new_count(), 50);

  // Rows 0-99: 50 stored (mix-7 with other content), 50 new; rows 100-199
  // with mix-120 twice; rows 200-299 new.
  std::vector<v1::UsageRecord> records = UsageRecords("mix", 0, 300, codes_);
  const v1::UsageKind kind7 = records[7].kind();
  records[7].set_kind(kind7 == v1::USAGE_KIND_SMS ? v1::USAGE_KIND_FREJA_EID : v1::USAGE_KIND_SMS);
  records.insert(records.begin() + 130, records[120]);
  v1::IngestUsageResponse mixed;
  ASSERT_TRUE(Ingest({records}, &mixed).ok());
  EXPECT_EQ(mixed.new_count(), 250);
  EXPECT_EQ(mixed.duplicate_count(), 50);
  EXPECT_EQ(mixed.conflict_count(), 1);
  ASSERT_EQ(mixed.conflict_transaction_ids_size(), 1);
  EXPECT_EQ(mixed.conflict_transaction_ids(0), "mix-7");
  EXPECT_EQ(Rows("usage_records"), 300);
  EXPECT_EQ(Rows("usage_records WHERE transaction_id = 'mix-7' AND kind = " +
                 std::to_string(static_cast<int>(kind7))),
            1);
  EXPECT_EQ(Summary(2021).record_count(), 300);

  // Every id stored, one with other content.
  std::vector<v1::UsageRecord> again = UsageRecords("mix", 0, 300, codes_);
  again[250].set_e_service("e-tjanst-annan");
  v1::IngestUsageResponse retried;
  ASSERT_TRUE(Ingest({again}, &retried).ok());
  EXPECT_EQ(retried.new_count(), 0);
  EXPECT_EQ(retried.duplicate_count(), 299);
  EXPECT_EQ(retried.conflict_count(), 1);
  ASSERT_EQ(retried.conflict_transaction_ids_size(), 1);
  EXPECT_EQ(retried.conflict_transaction_ids(0), "mix-250");
  EXPECT_EQ(Summary(2021).record_count(), 300);
}

TEST_F(UsageApiTest, ARefusedMessageEndsTheStreamAndKeepsTheMessagesBefore) {
  std::vector<v1::UsageRecord> bad = UsageRecords("bad", 0, 5, codes_);
  bad[2].set_municipality("municipalities/2521");  // not a member here
  const std::vector<std::vector<v1::UsageRecord>> messages = {
      UsageRecords("ok", 0, 100, codes_), bad, UsageRecords("after", 0, 100, codes_)};
  v1::IngestUsageResponse response;
  grpc::Status status = Ingest(messages, &response);
  EXPECT_INVALID_FIELD(status, "records[2].municipality");
  EXPECT_TRUE(absl::StrContains(status.error_message(), "message 2 of the stream"))
      << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "the 100 records of the messages before"))
      << status.error_message();
  // The first message is stored; nothing of the refused one or after it.
  EXPECT_EQ(Rows("usage_records"), 100);
  EXPECT_EQ(Rows("usage_records WHERE transaction_id LIKE 'bad-%'"), 0);
  finance_service_.CountFailedCallThatWrote();

  // Corrected and sent again whole: the first message's records are
  // duplicates, the rest new.
  bad[2].set_municipality("municipalities/2584");
  v1::IngestUsageResponse retried;
  ASSERT_TRUE(Ingest({messages[0], bad, messages[2]}, &retried).ok());
  EXPECT_EQ(retried.duplicate_count(), 100);
  EXPECT_EQ(retried.new_count(), 105);
  EXPECT_EQ(Rows("usage_records"), 205);
}

TEST_F(UsageApiTest, BadRecordsAreRefusedBeforeAnythingIsStored) {
  struct Case {
    const char* what;
    void (*spoil)(v1::UsageRecord*);
    const char* field;
  };
  const Case cases[] = {
      {"unknown kind", [](v1::UsageRecord* r) { r->set_kind(v1::USAGE_KIND_UNSPECIFIED); },
       "records[1].kind"},
      {"in the future",
       [](v1::UsageRecord* r) {
         r->mutable_time()->set_seconds(absl::ToUnixSeconds(
             absl::FromCivil(absl::CivilDay(2022, 7, 11), platform::StockholmTimeZone())));
       },
       "records[1].time"},
      {"no id", [](v1::UsageRecord* r) { r->clear_transaction_id(); }, "records[1].transaction_id"},
      {"malformed municipality", [](v1::UsageRecord* r) { r->set_municipality("2584"); },
       "records[1].municipality"},
  };
  int n = 0;
  for (const Case& c : cases) {
    std::vector<v1::UsageRecord> records = UsageRecords(absl::StrCat("case", n++), 0, 3, codes_);
    c.spoil(&records[1]);
    v1::IngestUsageResponse response;
    EXPECT_INVALID_FIELD(Ingest({records}, &response), c.field);
    EXPECT_EQ(response.new_count(), 0) << c.what;
  }
  v1::IngestUsageResponse response;
  EXPECT_INVALID_FIELD(Ingest({UsageRecords("big", 0, 10001, codes_)}, &response), "records");
  EXPECT_EQ(Rows("usage_records"), 0);
  EXPECT_EQ(Rows("usage_counts"), 0);
  EXPECT_EQ(Rows("audit_records WHERE resource = 'usage-records'"), 0);
}

TEST_F(UsageApiTest, OnlyTheEServicePlatformIngests) {
  v1::IngestUsageResponse response;
  grpc::Status as_finance = Ingest({UsageRecords("f", 0, 2, codes_)}, &response, finance_stub_);
  EXPECT_EQ(as_finance.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto system = finance_service_.StubAs(testing::kSystem2584);
  grpc::Status as_system = Ingest({UsageRecords("s", 0, 2, codes_)}, &response, system.get());
  EXPECT_EQ(as_system.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Rows("usage_records"), 0);
  // ... and the platform may do nothing else.
  v1::CreatePriceListRequest prices;
  *prices.mutable_price_list() = Prices(2021);
  v1::PriceList out;
  EXPECT_EQ(testing::Call(platform_stub_.get(), &Stub::CreatePriceList, prices, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(UsageApiTest, SummaryAndInvoiceBasisPerMunicipality) {
  v1::IngestUsageResponse response;
  ASSERT_TRUE(Ingest({UsageRecords("y", 0, 400, codes_)}, &response).ok());
  v1::UsageSummary unpriced = Summary(2021);
  EXPECT_FALSE(unpriced.priced());
  EXPECT_EQ(unpriced.record_count(), 400);
  ASSERT_EQ(unpriced.municipalities_size(), 3);

  // Not before a price list, and not before the year has ended.
  v1::IssueInvoiceBasisRequest issue;
  issue.set_year(2021);
  v1::InvoiceBasis basis;
  grpc::Status no_prices = Finance(&Stub::IssueInvoiceBasis, issue, &basis);
  EXPECT_EQ(no_prices.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(no_prices.error_message(), "price-lists/2021"));
  ASSERT_NO_FATAL_FAILURE(CreatePrices(2021));
  ASSERT_NO_FATAL_FAILURE(CreatePrices(2022));
  v1::IssueInvoiceBasisRequest early;
  early.set_year(2022);
  grpc::Status not_ended = Finance(&Stub::IssueInvoiceBasis, early, &basis);
  EXPECT_EQ(not_ended.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(not_ended.error_message(), "has not ended"));

  issue.set_request_id("issue-2021");
  ASSERT_TRUE(Finance(&Stub::IssueInvoiceBasis, issue, &basis).ok());
  EXPECT_EQ(basis.name(), "invoice-bases/2021");
  EXPECT_EQ(basis.revision(), 1);
  EXPECT_EQ(basis.record_count(), 400);
  int64_t sum = 0;
  int64_t counted = 0;
  for (const auto& m : basis.municipalities()) {
    int64_t municipality = 0;
    for (const auto& k : m.kinds()) {
      EXPECT_EQ(k.amount().ore(), k.count() * k.unit_price().ore());
      municipality += k.amount().ore();
      counted += k.count();
    }
    EXPECT_EQ(m.total().ore(), municipality);
    sum += municipality;
  }
  EXPECT_EQ(counted, 400);
  EXPECT_EQ(basis.total().ore(), sum);
  EXPECT_EQ(basis.total().ore(), Summary(2021).total().ore());
  // One event per municipality, addressed to it.
  EXPECT_EQ(EventCount("InvoiceBasisIssued"), 3);
  EXPECT_EQ(Rows("outbox WHERE type = 'enamnd.finance.v1.InvoiceBasisIssued'"
                 " AND audience = '2584'"),
            1);

  // A retry of the same request is the same basis; a new issue without new
  // records is refused; the prices of an issued year stay.
  v1::InvoiceBasis replayed;
  ASSERT_TRUE(Finance(&Stub::IssueInvoiceBasis, issue, &replayed).ok());
  EXPECT_EQ(replayed.revision(), 1);
  v1::IssueInvoiceBasisRequest again;
  again.set_year(2021);
  EXPECT_EQ(Finance(&Stub::IssueInvoiceBasis, again, &replayed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::UpdatePriceListRequest reprice;
  *reprice.mutable_price_list() = Prices(2021);
  reprice.mutable_price_list()->set_name("price-lists/2021");
  reprice.mutable_update_mask()->add_paths("prices");
  v1::PriceList repriced;
  EXPECT_EQ(Finance(&Stub::UpdatePriceList, reprice, &repriced).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(EventCount("InvoiceBasisIssued"), 3);

  // A record that comes late shows, and a new issue takes it in.
  ASSERT_TRUE(Ingest({UsageRecords("late", 0, 1, codes_)}, &response).ok());
  v1::GetInvoiceBasisRequest get;
  get.set_name("invoice-bases/2021");
  ASSERT_TRUE(Finance(&Stub::GetInvoiceBasis, get, &basis).ok());
  EXPECT_EQ(basis.records_after_issue(), 1);
  ASSERT_TRUE(Finance(&Stub::IssueInvoiceBasis, again, &basis).ok());
  EXPECT_EQ(basis.revision(), 2);
  EXPECT_EQ(basis.record_count(), 401);
  EXPECT_EQ(EventCount("InvoiceBasisIssued"), 6);
  // A retry of the first request still returns what it made: revision 1.
  ASSERT_TRUE(Finance(&Stub::IssueInvoiceBasis, issue, &replayed).ok());
  EXPECT_EQ(replayed.revision(), 1);
  EXPECT_EQ(replayed.record_count(), 400);
  EXPECT_EQ(EventCount("InvoiceBasisIssued"), 6);
}

TEST_F(UsageApiTest, AMunicipalitySystemReadsItsOwnOnly) {
  v1::IngestUsageResponse response;
  ASSERT_TRUE(Ingest({UsageRecords("m", 0, 30, codes_)}, &response).ok());
  ASSERT_NO_FATAL_FAILURE(CreatePrices(2021));
  v1::IssueInvoiceBasisRequest issue;
  issue.set_year(2021);
  v1::InvoiceBasis basis;
  ASSERT_TRUE(Finance(&Stub::IssueInvoiceBasis, issue, &basis).ok());

  auto kiruna = finance_service_.StubAs(testing::kSystem2584);
  v1::GetInvoiceBasisRequest get;
  get.set_name("invoice-bases/2021");
  v1::InvoiceBasis mine;
  grpc::Status unnamed = testing::Call(kiruna.get(), &Stub::GetInvoiceBasis, get, &mine);
  EXPECT_EQ(unnamed.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(unnamed.error_message(), "set municipality"))
      << unnamed.error_message();
  get.set_municipality("municipalities/2580");
  EXPECT_EQ(testing::Call(kiruna.get(), &Stub::GetInvoiceBasis, get, &mine).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  get.set_municipality("municipalities/2584");
  ASSERT_TRUE(testing::Call(kiruna.get(), &Stub::GetInvoiceBasis, get, &mine).ok());
  ASSERT_EQ(mine.municipalities_size(), 1);
  EXPECT_EQ(mine.municipalities(0).municipality(), "municipalities/2584");
  EXPECT_EQ(mine.total().ore(), mine.municipalities(0).total().ore());
  // Its own count too, not the year's over every member (20 of the 30
  // records are other municipalities').
  EXPECT_EQ(mine.record_count(), 10);

  v1::GetUsageSummaryRequest summary;
  summary.set_year(2021);
  summary.set_municipality("municipalities/2584");
  v1::UsageSummary own;
  ASSERT_TRUE(testing::Call(kiruna.get(), &Stub::GetUsageSummary, summary, &own).ok());
  EXPECT_EQ(own.municipalities_size(), 1);
  EXPECT_EQ(own.record_count(), 10);
  summary.set_municipality("municipalities/2505");
  EXPECT_EQ(testing::Call(kiruna.get(), &Stub::GetUsageSummary, summary, &own).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Records that come late: its own only.
  ASSERT_TRUE(Ingest({UsageRecords("m", 30, 3, codes_)}, &response).ok());  // one each, late
  ASSERT_TRUE(testing::Call(kiruna.get(), &Stub::GetInvoiceBasis, get, &mine).ok());
  EXPECT_EQ(mine.record_count(), 10);
  EXPECT_EQ(mine.records_after_issue(), 1);
}

TEST_F(UsageApiTest, AMunicipalitySystemWatchesTheEventsAddressedToIt) {
  v1::IngestUsageResponse response;
  ASSERT_TRUE(Ingest({UsageRecords("w", 0, 30, codes_)}, &response).ok());
  ASSERT_NO_FATAL_FAILURE(CreatePrices(2021));
  v1::IssueInvoiceBasisRequest issue;
  issue.set_year(2021);
  v1::InvoiceBasis basis;
  ASSERT_TRUE(Finance(&Stub::IssueInvoiceBasis, issue, &basis).ok());

  auto kiruna = finance_service_.StubAs(testing::kSystem2584);
  common::v1::WatchEventsRequest own;
  own.set_municipality("municipalities/2584");
  testing::Watcher<common::v1::WatchEventsResponse> watcher(
      [&](grpc::ClientContext* context) { return kiruna->WatchEvents(context, own); });
  ASSERT_TRUE(testing::PollUntil([&] { return watcher.count() >= 1; }, absl::Seconds(10)))
      << watcher.status().error_message();
  // Only Kiruna's invoice basis: the price list and the other
  // municipalities' bases are not addressed to it.
  const auto received = watcher.received();
  ASSERT_EQ(received.size(), 1u);
  v1::InvoiceBasisIssued issued;
  ASSERT_TRUE(received[0].event().proto_data().UnpackTo(&issued));
  EXPECT_EQ(issued.municipality().municipality(), "municipalities/2584");

  // Without its municipality, or with another, it is refused.
  for (const char* municipality : {"", "municipalities/2580"}) {
    common::v1::WatchEventsRequest request;
    request.set_municipality(municipality);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto reader = kiruna->WatchEvents(&context, request);
    common::v1::WatchEventsResponse event;
    while (reader->Read(&event)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED) << municipality;
  }
}

TEST_F(UsageApiTest, PriceListsAreCheckedAndVersioned) {
  v1::CreatePriceListRequest request;
  *request.mutable_price_list() = Prices(2021);
  request.mutable_price_list()->mutable_prices()->RemoveLast();
  v1::PriceList out;
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePriceList, request, &out), "price_list.prices");
  EXPECT_EQ(Rows("price_lists"), 0);
  ASSERT_NO_FATAL_FAILURE(CreatePrices(2021));
  *request.mutable_price_list() = Prices(2021);
  EXPECT_EQ(Finance(&Stub::CreatePriceList, request, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::UpdatePriceListRequest update;
  *update.mutable_price_list() = Prices(2021);
  update.mutable_price_list()->set_name("price-lists/2021");
  update.mutable_price_list()->set_etag("1");
  update.mutable_price_list()->mutable_prices(3)->mutable_price()->set_ore(50);
  update.mutable_update_mask()->add_paths("prices");
  ASSERT_TRUE(Finance(&Stub::UpdatePriceList, update, &out).ok());
  EXPECT_EQ(out.etag(), "2");
  EXPECT_EQ(out.prices(3).price().ore(), 50);
  EXPECT_EQ(Finance(&Stub::UpdatePriceList, update, &out).error_code(),
            grpc::StatusCode::ABORTED);  // etag 1 is stale
  update.mutable_update_mask()->set_paths(0, "year");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdatePriceList, update, &out), "update_mask");
  EXPECT_EQ(EventCount("PriceListChanged"), 2);
}

}  // namespace
}  // namespace enamnd::finance
