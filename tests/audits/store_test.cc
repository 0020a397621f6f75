// The audits store on a seeded SQLite database: every List filters and
// pages in SQL on an index (checked with EXPLAIN QUERY PLAN, which is
// deterministic, unlike timing), pages walk in natural order, and rows
// stored before migration 2 get their list columns.
#include "services/audits/store/store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/audits/domain/rules.h"
#include "services/platform/api_util.h"
#include "services/platform/outbox.h"
#include "services/platform/status.h"
#include "tests/audits/domain_test_util.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::audits {
namespace {

using absl::CivilDay;
using platform::ListQuery;
using platform::Transaction;

constexpr int kReviews = 40;
constexpr int kRecommendationsPerReview = 12;
const CivilDay kToday(2022, 10, 1);

class AuditsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDatabase(dir_.path() + "/audits.db",
                                {platform::PlatformMigrations(), AuditsMigrations()});
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(store::FillListColumns(db_.get()).ok());
    Seed();
  }

  static std::string Code(int i) { return absl::StrCat(2500 + i); }

  void Seed() {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < kReviews; ++i) {
      v1::Review r = domain_testing::ValidReview();
      ReviewName name{2020 + i % 3, Code(i)};
      r.set_name(name.ToString());
      r.set_year(name.year);
      r.set_auditing_municipalities(0, "municipalities/" + Code(i));
      r.set_auditing_municipalities(1, "municipalities/2584");
      ASSERT_TRUE(store::InsertReview(*tx, name, &r).ok());
      for (int n = 1; n <= kRecommendationsPerReview; ++n) {
        v1::Recommendation rec = domain_testing::ValidRecommendation();
        RecommendationName rec_name{name, n};
        rec.set_name(rec_name.ToString());
        rec.set_status(static_cast<v1::Recommendation::Status>(1 + n % 4));
        if (n % 2 == 0) *rec.mutable_due_date() = enamnd::testing::Day(2022, 9, n);
        ASSERT_TRUE(store::InsertRecommendation(*tx, rec_name, &rec).ok());
      }
    }
    for (const char* id : {"p10", "p2", "attest", "p1"}) {
      v1::ControlPoint p = domain_testing::ValidPoint();
      ControlPointName name{{2024}, id};
      p.set_name(name.ToString());
      ASSERT_TRUE(store::InsertControlPoint(*tx, name, p).ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  // The plan of a first and of a later page, both checked.
  void ExpectIndexed(const ListQuery& q, bool filtered, const std::string& index) {
    testing::ExpectPlanIndexed(db_.get(), q, filtered, index, /*seeks_after_key=*/true);
  }

  ListQuery Recs(const std::string& filter, std::optional<ReviewName> parent = std::nullopt) {
    return store::RecommendationsQuery(parent, *ParseRecommendationFilter(filter), filter, kToday);
  }
  ListQuery Reviews(const std::string& filter) {
    return store::ReviewsQuery(*ParseReviewFilter(filter), filter);
  }

  // Every recommendation name a list returns, walking its pages.
  std::vector<std::string> WalkRecommendations(const std::string& filter,
                                               std::optional<ReviewName> parent, int page_size) {
    std::vector<std::string> names;
    std::string token;
    do {
      auto tx = db_->BeginRead();
      auto page = store::ListRecommendations(*tx, parent, *ParseRecommendationFilter(filter),
                                             filter, kToday, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& r : page->items) names.push_back(r.name());
      token = page->next_page_token;
    } while (!token.empty());
    return names;
  }

  enamnd::testing::TempDir dir_;
  std::unique_ptr<platform::Database> db_;
};

TEST_F(AuditsStoreTest, ReviewsUnfilteredWalkTheNameIndex) {
  ExpectIndexed(Reviews(""), false, "documents_by_collection");
}

TEST_F(AuditsStoreTest, ReviewsByYearSeekTheYearIndex) {
  ExpectIndexed(Reviews("year = 2021"), true, "reviews_by_year");
}

TEST_F(AuditsStoreTest, ReviewsByMunicipalitySeekTheAuditors) {
  // review_auditors is keyed (municipality, review): its primary key.
  ExpectIndexed(Reviews("municipality = municipalities/2584"), true,
                "SEARCH a USING PRIMARY KEY (municipality=?");
  ExpectIndexed(Reviews("municipality = municipalities/2584 AND year = 2021"), true,
                "SEARCH a USING PRIMARY KEY (municipality=?");
}

TEST_F(AuditsStoreTest, RecommendationsUnfilteredWalkTheNumberIndex) {
  ExpectIndexed(Recs(""), false, "recommendations_by_number");
}

TEST_F(AuditsStoreTest, RecommendationsOfAReviewSeekIt) {
  ExpectIndexed(Recs("", ReviewName{2021, Code(1)}), true, "recommendations_by_number");
}

TEST_F(AuditsStoreTest, RecommendationsByStatusSeekTheStatusIndex) {
  ExpectIndexed(Recs("status = STATUS_DONE"), true, "recommendations_by_status");
}

TEST_F(AuditsStoreTest, RecommendationsByYearSeekTheYearIndex) {
  ExpectIndexed(Recs("year = 2021"), true, "recommendations_by_year");
}

TEST_F(AuditsStoreTest, OverdueRecommendationsUseThePartialIndex) {
  ExpectIndexed(Recs("overdue = true"), true, "recommendations_due");
  ExpectIndexed(Recs("overdue = true", ReviewName{2021, Code(1)}), true, "recommendations_due");
}

// A negated filter matches most rows: walking the key index in order and
// skipping the few overdue ones is what bounds a page.
TEST_F(AuditsStoreTest, NotOverdueRecommendationsWalkTheNumberIndex) {
  ExpectIndexed(Recs("overdue = false"), false, "recommendations_by_number");
}

TEST_F(AuditsStoreTest, ControlPointsSeekTheirPlan) {
  ExpectIndexed(store::ControlPointsQuery(ControlPlanName{2024}), true, "control_points_in_order");
}

TEST_F(AuditsStoreTest, RecommendationPagesInNaturalOrder) {
  ReviewName review{2021, Code(1)};
  auto names = WalkRecommendations("", review, 5);
  ASSERT_EQ(names.size(), static_cast<size_t>(kRecommendationsPerReview));
  EXPECT_EQ(names[1], review.ToString() + "/recommendations/2");
  EXPECT_EQ(names[9], review.ToString() + "/recommendations/10");
}

TEST_F(AuditsStoreTest, FiltersCombineAcrossPages) {
  // Statuses cycle 2,3,4,1 over n = 1..12; even n have due days 2022-09-n.
  EXPECT_EQ(WalkRecommendations("status = STATUS_DONE", std::nullopt, 7).size(),
            static_cast<size_t>(kReviews * 3));
  // Overdue: open (n % 4 == 0) or in progress (n % 4 == 1), with a due day.
  auto overdue = WalkRecommendations("overdue = true", std::nullopt, 7);
  EXPECT_EQ(overdue.size(), static_cast<size_t>(kReviews * 3));  // n = 4, 8, 12
  EXPECT_EQ(WalkRecommendations("overdue = false", std::nullopt, 50).size(),
            static_cast<size_t>(kReviews * (kRecommendationsPerReview - 3)));
  EXPECT_EQ(WalkRecommendations("year = 2021", std::nullopt, 50).size() % kRecommendationsPerReview,
            0u);
}

TEST_F(AuditsStoreTest, ReviewsByMunicipalityArePagedAndCompleted) {
  auto tx = db_->BeginRead();
  auto page = store::ListReviews(*tx, *ParseReviewFilter("municipality = municipalities/2501"), "m",
                                 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].recommendations_size(), kRecommendationsPerReview);
  EXPECT_EQ(page->items[0].recommendations(9), page->items[0].name() + "/recommendations/10");
  EXPECT_EQ(page->items[0].etag(), "1");
  page = store::ListReviews(*tx, *ParseReviewFilter("municipality = municipalities/2584"), "m", 15,
                            "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 15u);
  EXPECT_FALSE(page->next_page_token.empty());
}

TEST_F(AuditsStoreTest, ControlPointsInNaturalOrder) {
  auto tx = db_->BeginRead();
  auto page = store::ListControlPoints(*tx, ControlPlanName{2024}, 3, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].name(), "control-plans/2024/points/attest");
  EXPECT_EQ(page->items[1].name(), "control-plans/2024/points/p1");
  EXPECT_EQ(page->items[2].name(), "control-plans/2024/points/p2");
  page = store::ListControlPoints(*tx, ControlPlanName{2024}, 3, page->next_page_token);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].name(), "control-plans/2024/points/p10");
}

TEST_F(AuditsStoreTest, ReplaceBumpsTheEtag) {
  auto tx = db_->Begin();
  RecommendationName name{{2021, Code(1)}, 3};
  auto rec = store::GetRecommendation(*tx, name);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->etag(), "1");
  ASSERT_TRUE(store::ReplaceRecommendation(*tx, name, &**rec).ok());
  EXPECT_EQ((*rec)->etag(), "2");
  EXPECT_EQ((*store::GetRecommendation(*tx, name))->etag(), "2");
  EXPECT_FALSE(store::GetRecommendation(*tx, RecommendationName{{2021, Code(1)}, 99})->has_value());
}

TEST_F(AuditsStoreTest, TakenNameIsAlreadyExists) {
  auto tx = db_->Begin();
  v1::Review r = domain_testing::ValidReview();
  EXPECT_TRUE(absl::IsAlreadyExists(store::InsertReview(*tx, ReviewName{2020, Code(0)}, &r)));
}

// A database written before migration 2: rows with only their protos.
TEST(AuditsStoreMigrationTest, OldRowsGetTheirListColumns) {
  enamnd::testing::TempDir dir;
  const std::string path = dir.path() + "/audits.db";
  platform::MigrationSet first = AuditsMigrations();
  first.steps.resize(1);
  {
    auto db = platform::Database::Open(path, {first});
    ASSERT_TRUE(db.ok()) << db.status();
    auto tx = (*db)->Begin();
    v1::Review r = domain_testing::ValidReview();
    v1::Recommendation rec = domain_testing::ValidRecommendation();
    rec.set_name("reviews/2021-2584/recommendations/10");
    *rec.mutable_due_date() = enamnd::testing::Day(2022, 9, 1);
    v1::ControlPoint p = domain_testing::ValidPoint();
    p.set_name("control-plans/2024/points/p2");
    for (const auto& [name, collection, parent, data] :
         std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
             {r.name(), "reviews", "", r.SerializeAsString()},
             {rec.name(), "recommendations", r.name(), rec.SerializeAsString()},
             {p.name(), "control-points", "control-plans/2024", p.SerializeAsString()}}) {
      ASSERT_TRUE(tx->Exec("INSERT INTO documents (name, collection, parent, data, revision)"
                           " VALUES (?1, ?2, ?3, ?4, 3)",
                           {name, collection, parent, platform::Blob{data}})
                      .ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto db = platform::Database::Open(path, {AuditsMigrations()});
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(store::FillListColumns(db->get()).ok());
  ASSERT_TRUE(store::FillListColumns(db->get()).ok());  // once is enough
  auto tx = (*db)->BeginRead();
  auto overdue = store::ListRecommendations(
      *tx, std::nullopt, *ParseRecommendationFilter("overdue = true AND year = 2021"), "", kToday,
      10, "");
  ASSERT_TRUE(overdue.ok()) << overdue.status();
  ASSERT_EQ(overdue->items.size(), 1u);
  EXPECT_EQ(overdue->items[0].etag(), "3");
  auto reviews =
      store::ListReviews(*tx, *ParseReviewFilter("municipality = municipalities/2523"), "", 10, "");
  ASSERT_TRUE(reviews.ok()) << reviews.status();
  ASSERT_EQ(reviews->items.size(), 1u);
  EXPECT_EQ(reviews->items[0].recommendations(0), "reviews/2021-2584/recommendations/10");
  auto points = store::ListControlPoints(*tx, ControlPlanName{2024}, 10, "");
  ASSERT_TRUE(points.ok()) << points.status();
  EXPECT_EQ(points->items.size(), 1u);
}

}  // namespace
}  // namespace enamnd::audits
