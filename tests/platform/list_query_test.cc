#include "services/platform/list_query.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::platform {
namespace {

// Items of several groups, numbered within each group; one index per filter.
class ListQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ =
        testing::OpenDatabase(dir_.path() + "/t.db",
                              {{"test",
                                {"CREATE TABLE items (grp TEXT NOT NULL, number INTEGER NOT NULL,"
                                 " colour TEXT NOT NULL, PRIMARY KEY (grp, number));"
                                 "CREATE INDEX items_by_colour ON items (colour, grp, number);"}}});
    ASSERT_NE(db_, nullptr);
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    for (const char* group : {"a", "b"}) {
      for (int n = 1; n <= 25; ++n) {
        ASSERT_TRUE(tx->Exec("INSERT INTO items VALUES (?1, ?2, ?3)",
                             {std::string(group), int64_t{n}, n % 5 == 0 ? "red" : "blue"})
                        .ok());
      }
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  ListQuery Items(const std::string& colour = "", const std::string& group = "") {
    ListQuery q(absl::StrCat("ListItems|", colour, "|", group), "SELECT grp, number FROM items",
                {{"grp", KeyType::kText}, {"number", KeyType::kInt}});
    if (!colour.empty()) q.Where("colour = ?", {colour});
    if (!group.empty()) q.Where("grp = ?", {group});
    return q;
  }

  // Every "grp/number" of every page of `q`, walking the tokens.
  std::vector<std::string> WalkAll(const ListQuery& q, int page_size, int* pages) {
    std::vector<std::string> names;
    std::string token;
    *pages = 0;
    do {
      auto tx = db_->BeginRead();
      EXPECT_TRUE(tx.ok());
      auto page = q.Run(*tx, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      ++*pages;
      for (const Row& row : page->rows) names.push_back(absl::StrCat(row.Text(0), "/", row.Int(1)));
      token = page->next_page_token;
    } while (!token.empty());
    return names;
  }

  absl::StatusOr<ListPage> FirstPage(const ListQuery& q, int size, const std::string& token = "") {
    auto tx = db_->BeginRead();
    if (!tx.ok()) return tx.status();
    return q.Run(*tx, size, token);
  }

  std::vector<std::string> Plan(const ListQuery& q, bool after) {
    auto tx = db_->BeginRead();
    auto plan = q.Explain(*tx, after);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : std::vector<std::string>{"(no plan)"};
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(ListQueryTest, PagesCoverEveryRowOnceInKeyOrder) {
  int pages = 0;
  std::vector<std::string> all = WalkAll(Items(), 7, &pages);
  ASSERT_EQ(all.size(), 50u);
  EXPECT_EQ(pages, 8);  // 7 full pages and one of 1
  EXPECT_EQ(all.front(), "a/1");
  EXPECT_EQ(all[9], "a/10");  // numbers sort as numbers
  EXPECT_EQ(all.back(), "b/25");
}

TEST_F(ListQueryTest, FiltersAreApplied) {
  int pages = 0;
  std::vector<std::string> red = WalkAll(Items("red"), 3, &pages);
  EXPECT_EQ(red, (std::vector<std::string>{"a/5", "a/10", "a/15", "a/20", "a/25", "b/5", "b/10",
                                           "b/15", "b/20", "b/25"}));
  EXPECT_EQ(WalkAll(Items("red", "b"), 50, &pages).size(), 5u);
  EXPECT_EQ(pages, 1);
}

TEST_F(ListQueryTest, CountIsTheWholeListWithItsFilters) {
  auto tx = db_->BeginRead();
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(*Items().Count(*tx), 50);
  EXPECT_EQ(*Items("red").Count(*tx), 10);
  EXPECT_EQ(*Items("red", "b").Count(*tx), 5);
  EXPECT_EQ(*Items("green").Count(*tx), 0);
}

TEST_F(ListQueryTest, LastPageHasNoToken) {
  auto page = FirstPage(Items("", "a"), 25);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->rows.size(), 25u);
  EXPECT_TRUE(page->next_page_token.empty());
}

TEST_F(ListQueryTest, TokenOfAnotherRequestIsRejected) {
  auto page = FirstPage(Items("red"), 2);
  ASSERT_TRUE(page.ok());
  auto other = FirstPage(Items("blue"), 2, page->next_page_token);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("page_token"), std::string::npos);
}

TEST_F(ListQueryTest, NegativePageSizeIsRejected) {
  EXPECT_EQ(FirstPage(Items(), -1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ListQueryTest, OnlyGivenFiltersReachTheSql) {
  EXPECT_EQ(Items().Sql(false).find("WHERE"), std::string::npos);
  EXPECT_NE(Items("red").Sql(false).find("colour = ?"), std::string::npos);
  EXPECT_EQ(Items("red").Sql(false).find("IS NULL"), std::string::npos);
}

TEST_F(ListQueryTest, FilteredPlanSeeksTheFilterIndex) {
  for (bool after : {false, true}) {
    std::vector<std::string> plan = Plan(Items("red"), after);
    EXPECT_TRUE(PlanUsesIndexes(plan, /*filtered=*/true)) << ::testing::PrintToString(plan);
  }
}

TEST_F(ListQueryTest, AKeyColumnFixedByAFilterLeavesTheKey) {
  ListQuery in_b("ListItems|b", "SELECT grp, number FROM items",
                 {{"grp", KeyType::kText}, {"number", KeyType::kInt}});
  in_b.WhereKeyIs("grp", std::string("b"));
  EXPECT_EQ(in_b.Sql(true).find("(grp, number) >"), std::string::npos) << in_b.Sql(true);
  int pages = 0;
  std::vector<std::string> all = WalkAll(in_b, 10, &pages);
  ASSERT_EQ(all.size(), 25u);
  EXPECT_EQ(all.front(), "b/1");
  EXPECT_EQ(all.back(), "b/25");
  EXPECT_EQ(pages, 3);
  EXPECT_TRUE(PlanSeeksAfterKey(Plan(in_b, true))) << ::testing::PrintToString(Plan(in_b, true));
}

TEST_F(ListQueryTest, LaterPagesSeekPastTheToken) {
  EXPECT_TRUE(PlanSeeksAfterKey(Plan(Items(), true)))
      << ::testing::PrintToString(Plan(Items(), true));
  EXPECT_TRUE(PlanSeeksAfterKey(Plan(Items("red"), true)));
  EXPECT_FALSE(PlanSeeksAfterKey({"SCAN items USING INDEX sqlite_autoindex_items_1"}));
  EXPECT_FALSE(PlanSeeksAfterKey({"SEARCH items USING INDEX items_by_colour (colour=?)"}));
}

TEST_F(ListQueryTest, PlanCheckCatchesScansAndSorts) {
  EXPECT_FALSE(PlanUsesIndexes({"SCAN items"}, false));
  EXPECT_FALSE(PlanUsesIndexes({"SCAN items USING INDEX sqlite_autoindex_items_1"}, true));
  EXPECT_FALSE(PlanUsesIndexes(
      {"SEARCH items USING INDEX x (colour=?)", "USE TEMP B-TREE FOR ORDER BY"}, true));
  EXPECT_TRUE(PlanUsesIndexes({"SCAN items USING INDEX sqlite_autoindex_items_1"}, false));
  // A filter on a column without an index is caught on a real plan.
  ListQuery unindexed("x", "SELECT grp, number FROM items",
                      {{"grp", KeyType::kText}, {"number", KeyType::kInt}});
  unindexed.Where("number = ?", {int64_t{3}});
  EXPECT_FALSE(PlanUsesIndexes(Plan(unindexed, false), true));
}

}  // namespace
}  // namespace enamnd::platform
