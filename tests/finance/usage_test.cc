// The rules of metered transactions: what a record must be, its year in
// Stockholm, price lists, and pricing counts into an invoice basis.
#include "services/finance/domain/usage.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "services/platform/calendar.h"

namespace enamnd::finance {
namespace {

const absl::Time kLatest = absl::FromCivil(absl::CivilDay(2022, 7, 10), absl::UTCTimeZone());

v1::UsageRecord Good() {
  v1::UsageRecord r;
  r.set_transaction_id("bankid-7f3a-0001");
  r.set_municipality("municipalities/2584");
  r.set_kind(v1::USAGE_KIND_BANKID_SIGNATURE);
  r.mutable_time()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2021, 3, 4, 10, 0, 0), absl::UTCTimeZone())));
  r.set_e_service("bygglov");
  return r;
}

TEST(UsageRecords, AGoodRecordBecomesARow) {
  absl::StatusOr<UsageRow> row = ToUsageRow(Good(), "records[0]", kLatest);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->municipality, "2584");
  EXPECT_EQ(row->kind, v1::USAGE_KIND_BANKID_SIGNATURE);
  EXPECT_EQ(row->year, 2021);
  EXPECT_EQ(row->time_micros % 1000000, 0);
}

TEST(UsageRecords, TheYearIsStockholms) {
  v1::UsageRecord r = Good();
  // 23:30 UTC on New Year's Eve is 00:30 on New Year's Day in Stockholm.
  r.mutable_time()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2021, 12, 31, 23, 30, 0), absl::UTCTimeZone())));
  absl::StatusOr<UsageRow> row = ToUsageRow(r, "records[0]", kLatest);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->year, 2022);
}

TEST(UsageRecords, BadRecordsNameTheField) {
  struct Case {
    const char* what;
    void (*spoil)(v1::UsageRecord*);
    const char* field;
  };
  const Case cases[] = {
      {"no id", [](v1::UsageRecord* r) { r->clear_transaction_id(); }, "records[3].transaction_id"},
      {"space in id", [](v1::UsageRecord* r) { r->set_transaction_id("a b"); },
       "records[3].transaction_id"},
      {"long id", [](v1::UsageRecord* r) { r->set_transaction_id(std::string(129, 'x')); },
       "records[3].transaction_id"},
      {"non-ASCII id", [](v1::UsageRecord* r) { r->set_transaction_id("åtgärd"); },
       "records[3].transaction_id"},
      {"bad municipality", [](v1::UsageRecord* r) { r->set_municipality("kommun/2584"); },
       "records[3].municipality"},
      {"no kind", [](v1::UsageRecord* r) { r->set_kind(v1::USAGE_KIND_UNSPECIFIED); },
       "records[3].kind"},
      {"unknown kind", [](v1::UsageRecord* r) { r->set_kind(static_cast<v1::UsageKind>(99)); },
       "records[3].kind"},
      {"no time", [](v1::UsageRecord* r) { r->clear_time(); }, "records[3].time"},
      {"bad nanos", [](v1::UsageRecord* r) { r->mutable_time()->set_nanos(-1); },
       "records[3].time"},
      {"before 2000", [](v1::UsageRecord* r) { r->mutable_time()->set_seconds(86400); },
       "records[3].time"},
      {"after the latest",
       [](v1::UsageRecord* r) { r->mutable_time()->set_seconds(absl::ToUnixSeconds(kLatest) + 1); },
       "records[3].time"},
      {"no e-service", [](v1::UsageRecord* r) { r->clear_e_service(); }, "records[3].e_service"},
      // Outside google.protobuf.Timestamp's range (years 1-9999): 2^32 years
      // before 2021, whose year cast to int was 2021 (and its micros
      // saturated), so it was stored as a record of 2021.
      {"before year 1",
       [](v1::UsageRecord* r) {
         r->mutable_time()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(
             absl::CivilSecond(2021 - (int64_t{1} << 32), 3, 4, 10, 0, 0), absl::UTCTimeZone())));
       },
       "records[3].time"},
  };
  for (const Case& c : cases) {
    v1::UsageRecord r = Good();
    c.spoil(&r);
    absl::StatusOr<UsageRow> row = ToUsageRow(r, "records[3]", kLatest);
    ASSERT_FALSE(row.ok()) << c.what;
    EXPECT_EQ(row.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_TRUE(absl::StartsWith(row.status().message(), c.field))
        << c.what << ": " << row.status();
  }
}

TEST(UsageRecords, ASecondSendingIsTheSameRow) {
  absl::StatusOr<UsageRow> a = ToUsageRow(Good(), "r", kLatest);
  absl::StatusOr<UsageRow> b = ToUsageRow(Good(), "r", kLatest);
  v1::UsageRecord other = Good();
  other.set_municipality("municipalities/2580");
  absl::StatusOr<UsageRow> c = ToUsageRow(other, "r", kLatest);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_FALSE(*a == *c);
}

v1::PriceList Prices2021() {
  v1::PriceList p;
  p.set_year(2021);
  p.set_source("Avtal e-legitimation (demodata)");
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

TEST(PriceLists, EveryKindOncePriced) {
  EXPECT_TRUE(ValidatePriceList(Prices2021(), "price_list").ok());
  v1::PriceList missing = Prices2021();
  missing.mutable_prices()->RemoveLast();
  absl::Status status = ValidatePriceList(missing, "price_list");
  EXPECT_TRUE(absl::StartsWith(status.message(), "price_list.prices: no price for USAGE_KIND_SMS"))
      << status;
  v1::PriceList twice = Prices2021();
  twice.mutable_prices(3)->set_kind(v1::USAGE_KIND_FREJA_EID);
  status = ValidatePriceList(twice, "price_list");
  EXPECT_TRUE(absl::StartsWith(status.message(), "price_list.prices[3].kind")) << status;
  v1::PriceList negative = Prices2021();
  negative.mutable_prices(1)->mutable_price()->set_ore(-1);
  status = ValidatePriceList(negative, "price_list");
  EXPECT_TRUE(absl::StartsWith(status.message(), "price_list.prices[1].price")) << status;
  v1::PriceList huge = Prices2021();
  // 10 000 transactions at 10^15 öre made the invoice basis OUT_OF_RANGE.
  huge.mutable_prices(2)->mutable_price()->set_ore(kMaxPriceOre + 1);
  status = ValidatePriceList(huge, "price_list");
  EXPECT_TRUE(absl::StartsWith(status.message(), "price_list.prices[2].price")) << status;
  huge.mutable_prices(2)->mutable_price()->set_ore(kMaxPriceOre);
  EXPECT_TRUE(ValidatePriceList(huge, "price_list").ok());
  v1::PriceList no_source = Prices2021();
  no_source.clear_source();
  EXPECT_TRUE(
      absl::StartsWith(ValidatePriceList(no_source, "price_list").message(), "price_list.source"));
  v1::PriceList bad_year = Prices2021();
  bad_year.set_year(1999);
  EXPECT_TRUE(
      absl::StartsWith(ValidatePriceList(bad_year, "price_list").message(), "price_list.year"));
}

TEST(PriceUsage, CountsTimesPricesPerMunicipalityInCodeOrder) {
  const v1::PriceList prices = Prices2021();
  UsageCounts counts;
  counts[{"2584", v1::USAGE_KIND_BANKID_AUTHENTICATION}] = 1000;
  counts[{"2584", v1::USAGE_KIND_SMS}] = 3;
  counts[{"2505", v1::USAGE_KIND_BANKID_SIGNATURE}] = 7;
  counts[{"9999", v1::USAGE_KIND_SMS}] = 5;  // not billed: not asked for
  Ore total = 0;
  absl::StatusOr<std::vector<v1::MunicipalityUsage>> usage = PriceUsage(
      {{"2584", "Kiruna"}, {"2505", "Arvidsjaur"}, {"2580", "Luleå"}}, counts, &prices, &total);
  ASSERT_TRUE(usage.ok()) << usage.status();
  ASSERT_EQ(usage->size(), 3u);
  EXPECT_EQ((*usage)[0].municipality(), "municipalities/2505");
  EXPECT_EQ((*usage)[1].municipality(), "municipalities/2580");
  EXPECT_EQ((*usage)[2].display_name(), "Kiruna");
  EXPECT_EQ((*usage)[0].total().ore(), 7 * 300);
  EXPECT_EQ((*usage)[1].total().ore(), 0);
  ASSERT_EQ((*usage)[1].kinds_size(), 4);  // kinds without records too
  EXPECT_EQ((*usage)[2].kinds(0).count(), 1000);
  EXPECT_EQ((*usage)[2].kinds(0).amount().ore(), 150000);
  EXPECT_EQ((*usage)[2].kinds(3).amount().ore(), 135);
  EXPECT_EQ(total, 7 * 300 + 150000 + 135);
}

TEST(PriceUsage, WithoutPricesOnlyCounts) {
  UsageCounts counts;
  counts[{"2584", v1::USAGE_KIND_FREJA_EID}] = 2;
  Ore total = -1;
  auto usage = PriceUsage({{"2584", "Kiruna"}}, counts, nullptr, &total);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ((*usage)[0].kinds(2).count(), 2);
  EXPECT_FALSE((*usage)[0].kinds(2).has_amount());
  EXPECT_EQ(total, 0);
}

TEST(PriceUsage, AnOverflowIsRefused) {
  v1::PriceList prices = Prices2021();
  prices.mutable_prices(0)->mutable_price()->set_ore(int64_t{1} << 40);
  UsageCounts counts;
  counts[{"2584", v1::USAGE_KIND_BANKID_AUTHENTICATION}] = int64_t{1} << 30;
  Ore total = 0;
  auto usage = PriceUsage({{"2584", "Kiruna"}}, counts, &prices, &total);
  EXPECT_EQ(usage.status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace enamnd::finance
