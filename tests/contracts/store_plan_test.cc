// Every List of the contracts store and each of its filters reads through
// an index, on a first and on a later page (platform::PlanUsesIndexes), on
// a seeded database; and the count of a filtered list is the whole list's.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/contracts/store/store.h"
#include "services/platform/api_util.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/outbox.h"
#include "tests/support/builders.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::contracts {
namespace {

using platform::ListQuery;

constexpr absl::CivilDay kToday(2022, 7, 8);

class ContractsStorePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDatabase(dir_.path() + "/contracts.db",
                                {platform::PlatformMigrations(), ContractsMigrations(),
                                 platform::LinkedDecisionsMigrations()});
    ASSERT_NE(db_, nullptr);
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < 60; ++i) {
      v1::Agreement a;
      a.set_name(absl::StrCat("agreements/a", i));
      a.set_title("Avtal");
      v1::Terms* t = a.mutable_terms();
      t->set_type(v1::AGREEMENT_TYPE_FRAMEWORK);
      *t->mutable_start() = testing::Day(2019 + i % 4, 1, 1);
      *t->mutable_end() = testing::Day(2021 + i % 4, 12, 31);
      t->set_notice_months(3);
      for (int m = 0; m < 3; ++m)
        a.add_entitled(absl::StrCat("municipalities/25", 10 + (i + m) % 14));
      ASSERT_TRUE(store::InsertAgreement(*tx, &a).ok());
      v1::Procurement p;
      p.set_name(absl::StrCat("procurements/p", i));
      p.set_state(static_cast<v1::Procurement::State>(1 + i % 8));
      ASSERT_TRUE(store::InsertProcurement(*tx, &p).ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  void ExpectIndexed(const ListQuery& q, bool filtered, const std::string& index) {
    testing::ExpectPlanIndexed(db_.get(), q, filtered, index);
  }
  ListQuery Agreements(const std::string& filter) {
    return store::AgreementsQuery(*ParseAgreementFilter(filter), kToday, filter);
  }
  int64_t Count(const std::string& filter) {
    auto tx = db_->BeginRead();
    return *Agreements(filter).Count(*tx);
  }

  enamnd::testing::TempDir dir_;
  std::unique_ptr<platform::Database> db_;
};

TEST_F(ContractsStorePlanTest, AgreementsUnfilteredWalkRegistrationOrder) {
  ExpectIndexed(Agreements(""), false, "agreements");
}

TEST_F(ContractsStorePlanTest, AgreementsInForceSeekTheirEnd) {
  ExpectIndexed(Agreements("in_force = 2022-06-22"), true, "agreements_by_end");
}

TEST_F(ContractsStorePlanTest, ExpiringAgreementsSeekTheirLastNoticeDay) {
  ExpectIndexed(Agreements("expiring_within_months = 6"), true, "agreements_by_notice");
  ExpectIndexed(Agreements("expiring_within_months = 6 AND in_force = 2022-07-08"), true,
                "agreements_by_notice");
}

TEST_F(ContractsStorePlanTest, AgreementsAMunicipalityMayUseSeekItsEntitlements) {
  ExpectIndexed(Agreements("municipality = \"municipalities/2582\" AND date = 2022-06-22"), true,
                "SEARCH e USING PRIMARY KEY (municipality=?");
}

TEST_F(ContractsStorePlanTest, ProcurementsByStateSeekTheStateIndex) {
  ExpectIndexed(store::ProcurementsQuery(v1::Procurement::STATE_STANDSTILL, "state"), true,
                "procurements_by_state");
}

TEST_F(ContractsStorePlanTest, CountsAreOfTheWholeFilteredList) {
  EXPECT_EQ(Count(""), 60);
  // In force on 2022-06-22: start 2019-2022 (by i % 4) and end 2021-2024:
  // those ending 2022, 2023 or 2024, i % 4 in {1, 2, 3}.
  EXPECT_EQ(Count("in_force = 2022-06-22"), 45);
  // Last notice day 2022-09-30 (ends 2022-12-31) is within six months.
  EXPECT_EQ(Count("expiring_within_months = 6"), 15);
  EXPECT_EQ(Count("municipality = \"municipalities/2512\""), 15);  // i % 14 in {0, 1, 2}
}

}  // namespace
}  // namespace enamnd::contracts
