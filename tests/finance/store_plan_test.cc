// The lists of the finance store's budget side read through an index, on a
// first and on a later page (platform::PlanUsesIndexes), on a seeded
// database: budgets by year, by state, the public's (drafts left out), and
// a budget's revisions.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/finance/store/budgets.h"
#include "services/finance/store/schema.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/members.h"
#include "services/platform/outbox.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::finance {
namespace {

using v1::Budget;

class FinanceStorePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDatabase(
        dir_.path() + "/finance.db",
        {platform::PlatformMigrations(), FinanceMigrations(), platform::MembersMigrations(),
         platform::LinkedDecisionsMigrations()});
    ASSERT_NE(db_, nullptr);
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    for (int year = 2000; year < 2060; ++year) {
      Budget b;
      b.set_name(BudgetName{year}.ToString());
      b.set_year(year);
      b.set_title(absl::StrCat("Budget ", year));
      b.set_state(static_cast<Budget::State>(1 + year % 3));
      b.set_revision(1);
      ASSERT_TRUE(store::InsertBudget(*tx, &b).ok());
      for (int r = 2; r <= 3; ++r) {
        b.set_revision(r);
        ASSERT_TRUE(store::ReplaceBudget(*tx, &b).ok());
      }
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  int64_t Count(const platform::ListQuery& q) {
    auto tx = db_->BeginRead();
    return *q.Count(*tx);
  }

  enamnd::testing::TempDir dir_;
  std::unique_ptr<platform::Database> db_;
};

TEST_F(FinanceStorePlanTest, BudgetsUnfilteredWalkTheYears) {
  testing::ExpectPlanIndexed(db_.get(), store::BudgetsQuery(std::nullopt, false, ""), false,
                             "budgets");
  EXPECT_EQ(Count(store::BudgetsQuery(std::nullopt, false, "")), 60);
}

TEST_F(FinanceStorePlanTest, BudgetsByStateSeekTheStateIndex) {
  auto q = store::BudgetsQuery(Budget::STATE_ADOPTED, false, "state = STATE_ADOPTED");
  testing::ExpectPlanIndexed(db_.get(), q, true, "budgets_by_state");
  EXPECT_EQ(Count(q), 20);
}

// The public sees a revised budget as adopted: its filter on STATE_ADOPTED
// finds the adopted and the revised budgets (the public list), and on
// another state nothing.
TEST_F(FinanceStorePlanTest, ThePublicFiltersByTheStateItSees) {
  auto adopted = store::BudgetsQuery(Budget::STATE_ADOPTED, true, "state = STATE_ADOPTED");
  testing::ExpectPlanIndexed(db_.get(), adopted, false, "budgets");
  EXPECT_EQ(Count(adopted), 40);
  EXPECT_EQ(Count(store::BudgetsQuery(Budget::STATE_REVISED, true, "state = STATE_REVISED")), 0);
  EXPECT_EQ(Count(store::BudgetsQuery(Budget::STATE_DRAFT, true, "state = STATE_DRAFT")), 0);
}

TEST_F(FinanceStorePlanTest, ThePublicListWalksTheYearsWithoutDrafts) {
  auto q = store::BudgetsQuery(std::nullopt, true, "");
  testing::ExpectPlanIndexed(db_.get(), q, false, "budgets");
  EXPECT_EQ(Count(q), 40);
}

TEST_F(FinanceStorePlanTest, RevisionsSeekTheirBudget) {
  auto q = store::BudgetRevisionsQuery(BudgetName{2022});
  testing::ExpectPlanIndexed(db_.get(), q, true, "PRIMARY KEY (budget=?");
  EXPECT_EQ(Count(q), 3);
}

}  // namespace
}  // namespace enamnd::finance
