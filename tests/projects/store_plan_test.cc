// Every List of the projects store and each of its filters reads through
// an index, on a first and on a later page (platform::PlanUsesIndexes), on
// a seeded database.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/platform/database.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/members.h"
#include "services/platform/outbox.h"
#include "services/projects/store/store.h"
#include "tests/support/builders.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::projects {
namespace {

using platform::ListQuery;

class ProjectsStorePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDatabase(
        dir_.path() + "/projects.db",
        {platform::PlatformMigrations(), ProjectsMigrations(), platform::MembersMigrations(),
         platform::LinkedDecisionsMigrations()});
    ASSERT_NE(db_, nullptr);
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < 60; ++i) {
      v1::Initiative in;
      in.set_name(absl::StrCat("initiatives/i", i));
      in.set_title("Initiativ");
      in.set_kind(static_cast<v1::Kind>(1 + i % 6));
      in.set_state(static_cast<v1::State>(1 + i % 7));
      for (int m = 0; m < 3; ++m) {
        v1::Participation* p = in.add_participations();
        p->set_municipality(absl::StrCat("municipalities/25", 10 + (i + m) % 14));
        *p->mutable_joined_date() = testing::Day(2020 + m, 1, 1);
      }
      ASSERT_TRUE(store::InsertInitiative(*tx, &in).ok());
      for (int n = 1; n <= 3; ++n) {
        v1::StatusReport r;
        r.add_status_lines("pågår");
        ASSERT_TRUE(
            store::InsertStatusReport(*tx, StatusReportName{{absl::StrCat("i", i)}, n}, r).ok());
      }
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  void ExpectIndexed(const ListQuery& q, bool filtered, const std::string& index) {
    testing::ExpectPlanIndexed(db_.get(), q, filtered, index);
  }
  ListQuery Initiatives(const std::string& filter, bool active_only = false) {
    return store::InitiativesQuery(*ParseInitiativeFilter(filter), active_only, filter);
  }

  enamnd::testing::TempDir dir_;
  std::unique_ptr<platform::Database> db_;
};

TEST_F(ProjectsStorePlanTest, InitiativesUnfilteredWalkRegistrationOrder) {
  ExpectIndexed(Initiatives(""), false, "initiatives");
}

TEST_F(ProjectsStorePlanTest, InitiativesByKindStateOrActiveSeekTheirIndex) {
  ExpectIndexed(Initiatives("kind = KIND_PRE_STUDY"), true, "initiatives_by_kind");
  ExpectIndexed(Initiatives("state = STATE_RUNNING"), true, "initiatives_by_state");
  ExpectIndexed(Initiatives("active = true"), true, "initiatives_by_active");
  ExpectIndexed(Initiatives("", /*active_only=*/true), true, "initiatives_by_active");
}

TEST_F(ProjectsStorePlanTest, InitiativesOfAMunicipalityOnADaySeekItsParticipations) {
  ExpectIndexed(Initiatives("municipality = \"municipalities/2582\""), true,
                "SEARCH pt USING PRIMARY KEY (municipality=?");
  ExpectIndexed(Initiatives("municipality = \"municipalities/2582\" AND date = 2022-06-22"), true,
                "SEARCH pp USING");
  ExpectIndexed(Initiatives("municipality = \"municipalities/2582\" AND kind = KIND_PRE_STUDY",
                            /*active_only=*/true),
                true, "SEARCH pt USING PRIMARY KEY (municipality=?");
}

TEST_F(ProjectsStorePlanTest, StatusReportsOfAnInitiativeSeekIt) {
  ExpectIndexed(store::StatusReportsQuery(InitiativeName{"i7"}), true,
                "SEARCH r USING PRIMARY KEY (initiative=?");
}

TEST_F(ProjectsStorePlanTest, ListsWalkEveryPageOnce) {
  auto tx = db_->BeginRead();
  ASSERT_TRUE(tx.ok());
  std::vector<std::string> names;
  std::string token;
  do {
    auto page = store::ListInitiatives(*tx, {}, false, "", 7, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& in : page->items) names.push_back(in.name());
    token = page->next_page_token;
  } while (!token.empty());
  ASSERT_EQ(names.size(), 60u);
  EXPECT_EQ(names.front(), "initiatives/i0");
  EXPECT_EQ(names.back(), "initiatives/i59");  // registration order, not name order
}

}  // namespace
}  // namespace enamnd::projects
