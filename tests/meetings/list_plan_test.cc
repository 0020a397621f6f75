// Every List and filter of the meetings store reads through an index: the
// EXPLAIN QUERY PLAN of its first and later pages, on a seeded database,
// neither scans a table nor sorts in a temporary B-tree (issue 7, section 4).
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/meetings/store/store.h"
#include "services/platform/list_query.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::meetings {
namespace {

class ListPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDatabase(dir_.path() + "/meetings.db", {MeetingsMigrations()});
    ASSERT_NE(db_, nullptr);
    Seed();
  }

  // Two bodies, four municipalities, 2 x 3 meetings of 3 paragraphs each.
  void Seed() {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    for (const char* code : {"0001", "0002", "0003", "0004"}) {
      v1::Municipality m;
      m.set_name(absl::StrCat("municipalities/", code));
      ASSERT_TRUE(store::InsertMunicipality(*tx, {code}, m).ok());
    }
    int sequence = 0;
    for (const char* body_id : {"a", "b"}) {
      const BodyName body{body_id};
      v1::Body b;
      b.set_name(body.ToString());
      ASSERT_TRUE(store::InsertBody(*tx, body, b).ok());
      for (int day = 1; day <= 3; ++day) {
        const MeetingName meeting{body, absl::StrCat("2022-06-0", day)};
        v1::Meeting m;
        m.set_name(meeting.ToString());
        m.mutable_date()->set_year(2022);
        m.mutable_date()->set_month(6);
        m.mutable_date()->set_day(day);
        m.set_state(v1::Meeting::STATE_HELD);
        ASSERT_TRUE(store::InsertMeeting(*tx, meeting, m).ok());
        for (int i = 1; i <= 3; ++i) SeedParagraph(*tx, meeting, (day - 1) * 3 + i, ++sequence);
      }
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  static void SeedParagraph(platform::Transaction& tx, const MeetingName& meeting, int number,
                            int sequence) {
    const CaseName case_name{2022, sequence};
    v1::Case c;
    c.set_name(case_name.ToString());
    c.set_subject(absl::StrCat("//audits/reviews/2021-", sequence % 4));
    ASSERT_TRUE(store::InsertCase(tx, case_name, c).ok());
    const ParagraphName name{meeting, number};
    v1::Paragraph p;
    p.set_name(name.ToString());
    p.set_number(number);
    p.set_case_(case_name.ToString());
    p.mutable_decision()->set_kind(number % 2 ? v1::DECISION_KIND_APPROVE
                                              : v1::DECISION_KIND_NOTE_AND_FILE);
    p.add_recipients()->set_municipality(absl::StrCat("municipalities/000", 1 + number % 3));
    p.add_recipients()->set_municipality("municipalities/0004");
    ASSERT_TRUE(store::InsertParagraph(tx, name, 2022, p).ok());
  }

  // The plans of the first and of a later page both use indexes only.
  void ExpectIndexed(const platform::ListQuery& q, bool filtered) {
    auto tx = db_->BeginRead();
    ASSERT_TRUE(tx.ok());
    for (bool later : {false, true}) {
      auto plan = q.Explain(*tx, later);
      ASSERT_TRUE(plan.ok()) << plan.status();
      std::string text;
      for (const std::string& line : *plan) absl::StrAppend(&text, line, "\n");
      EXPECT_TRUE(platform::PlanUsesIndexes(*plan, filtered)) << q.Sql(later) << "\n" << text;
    }
  }

  // A later page seeks its first row (a range on the key) in an index.
  void ExpectSeeks(const platform::ListQuery& q) {
    auto tx = db_->BeginRead();
    ASSERT_TRUE(tx.ok());
    auto plan = q.Explain(*tx, true);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_FALSE(plan->empty());
    EXPECT_TRUE(platform::PlanSeeksAfterKey(*plan)) << q.Sql(true) << "\n" << (*plan)[0];
  }

  static platform::ListQuery Meetings(const MeetingFilter& f) {
    return store::MeetingsQuery("s", f);
  }
  static platform::ListQuery Cases(const CaseFilter& f) { return store::CasesQuery("s", f); }
  static platform::ListQuery Paragraphs(const ParagraphFilter& f) {
    return store::ParagraphsQuery("s", f);
  }

  static constexpr const char* kMeeting = "bodies/a/meetings/2022-06-02";
  static constexpr const char* kCase = "cases/2022-3";
  static constexpr const char* kSubject = "//audits/reviews/2021-1";
  static constexpr int64_t kHeld = v1::Meeting::STATE_HELD;
  static constexpr int64_t kApprove = v1::DECISION_KIND_APPROVE;

  enamnd::testing::TempDir dir_;
  std::unique_ptr<platform::Database> db_;
};

TEST_F(ListPlanTest, Municipalities) { ExpectIndexed(store::MunicipalitiesQuery(), false); }

TEST_F(ListPlanTest, Bodies) { ExpectIndexed(store::BodiesQuery(), false); }

TEST_F(ListPlanTest, MeetingsOfAllBodies) { ExpectIndexed(Meetings({}), false); }

TEST_F(ListPlanTest, MeetingsOfABody) { ExpectIndexed(Meetings({.body_id = "a"}), true); }

TEST_F(ListPlanTest, MeetingsByYear) { ExpectIndexed(Meetings({.year = 2022}), true); }

TEST_F(ListPlanTest, MeetingsByState) { ExpectIndexed(Meetings({.state = kHeld}), true); }

TEST_F(ListPlanTest, MeetingsByYearAndState) {
  ExpectIndexed(Meetings({.year = 2022, .state = kHeld}), true);
}

TEST_F(ListPlanTest, MeetingsOfABodyByYearAndState) {
  ExpectIndexed(Meetings({.body_id = "a", .year = 2022, .state = kHeld}), true);
}

TEST_F(ListPlanTest, AllCases) { ExpectIndexed(Cases({}), false); }

TEST_F(ListPlanTest, CasesByYear) { ExpectIndexed(Cases({.year = 2022}), true); }

TEST_F(ListPlanTest, CasesBySubject) { ExpectIndexed(Cases({.subject = kSubject}), true); }

TEST_F(ListPlanTest, CasesBySubjectAndYear) {
  ExpectIndexed(Cases({.year = 2022, .subject = kSubject}), true);
}

TEST_F(ListPlanTest, AllParagraphs) { ExpectIndexed(Paragraphs({}), false); }

TEST_F(ListPlanTest, ParagraphsOfAMeeting) {
  ExpectIndexed(Paragraphs({.meeting = kMeeting}), true);
}

TEST_F(ListPlanTest, ParagraphsOfABody) { ExpectIndexed(Paragraphs({.body_id = "b"}), true); }

TEST_F(ListPlanTest, ParagraphsByYear) { ExpectIndexed(Paragraphs({.year = 2022}), true); }

TEST_F(ListPlanTest, ParagraphsByCase) { ExpectIndexed(Paragraphs({.case_name = kCase}), true); }

TEST_F(ListPlanTest, ParagraphsByKind) { ExpectIndexed(Paragraphs({.kind = kApprove}), true); }

TEST_F(ListPlanTest, ParagraphsByRecipient) {
  ExpectIndexed(Paragraphs({.recipient_code = "0002"}), true);
}

TEST_F(ListPlanTest, ParagraphsOfABodyByYear) {
  ExpectIndexed(Paragraphs({.body_id = "b", .year = 2022}), true);
}

TEST_F(ListPlanTest, ParagraphsByKindAndYear) {
  ExpectIndexed(Paragraphs({.year = 2022, .kind = kApprove}), true);
}

TEST_F(ListPlanTest, ParagraphsByRecipientAndYear) {
  ExpectIndexed(Paragraphs({.year = 2022, .recipient_code = "0004"}), true);
}

TEST_F(ListPlanTest, ParagraphsOfAMeetingByRecipient) {
  ExpectIndexed(Paragraphs({.meeting = kMeeting, .recipient_code = "0002"}), true);
}

TEST_F(ListPlanTest, ParagraphsByCaseAndRecipient) {
  ExpectIndexed(Paragraphs({.case_name = kCase, .recipient_code = "0004"}), true);
}

TEST_F(ListPlanTest, ParagraphsOfABodyByRecipientYearAndKind) {
  ExpectIndexed(
      Paragraphs({.body_id = "a", .year = 2022, .kind = kApprove, .recipient_code = "0004"}), true);
}

TEST_F(ListPlanTest, ParagraphsOfAMeetingByEveryFilter) {
  ExpectIndexed(Paragraphs({.meeting = kMeeting,
                            .year = 2022,
                            .case_name = kCase,
                            .kind = kApprove,
                            .recipient_code = "0004"}),
                true);
}

TEST_F(ListPlanTest, AdjustmentsOfABody) {
  ExpectIndexed(store::AdjustmentsQuery("s", {.body_id = "a"}), true);
}

TEST_F(ListPlanTest, AdjustmentsOfAMeeting) {
  ExpectIndexed(store::AdjustmentsQuery("s", {.meeting = kMeeting}), true);
}

TEST_F(ListPlanTest, LaterPagesSeek) {
  ExpectSeeks(Meetings({}));
  ExpectSeeks(Meetings({.body_id = "a", .year = 2022, .state = kHeld}));
  ExpectSeeks(Cases({.year = 2022}));
  ExpectSeeks(Cases({.year = 2022, .subject = kSubject}));
  ExpectSeeks(Cases({.subject = kSubject}));
  ExpectSeeks(Paragraphs({}));
  ExpectSeeks(Paragraphs({.body_id = "b"}));
  ExpectSeeks(Paragraphs({.body_id = "b", .year = 2022}));
  ExpectSeeks(Paragraphs({.body_id = "b", .year = 2022, .kind = kApprove}));
  ExpectSeeks(Paragraphs({.body_id = "b", .recipient_code = "0004"}));
  ExpectSeeks(Paragraphs({.body_id = "b", .year = 2022, .recipient_code = "0004"}));
  ExpectSeeks(Paragraphs({.meeting = kMeeting}));
  ExpectSeeks(Paragraphs({.recipient_code = "0004"}));
  ExpectSeeks(store::AdjustmentsQuery("s", {.body_id = "a"}));
}

// A page of the paragraphs query, parsed (as ListParagraphs replies).
absl::StatusOr<platform::Page<v1::Paragraph>> ParagraphPage(platform::Transaction& tx,
                                                            const ParagraphFilter& f, int size,
                                                            const std::string& token) {
  return platform::ListProtos<v1::Paragraph>(tx, store::ParagraphsQuery("s", f), size, token);
}

// Paging under a body and a year (a key of one column) walks every row once.
TEST_F(ListPlanTest, BodyAndYearPagesWalkTheNumbers) {
  auto tx = db_->BeginRead();
  ASSERT_TRUE(tx.ok());
  std::vector<int> numbers;
  std::string token;
  do {
    auto page = ParagraphPage(*tx, {.body_id = "b", .year = 2022}, 4, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::Paragraph& p : page->items) numbers.push_back(p.number());
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

// The recipient listing returns the right rows, in key order, across pages.
TEST_F(ListPlanTest, RecipientPagesWalkTheKeyOrder) {
  ParagraphFilter f;
  f.recipient_code = "0004";
  auto tx = db_->BeginRead();
  ASSERT_TRUE(tx.ok());
  std::vector<std::string> names;
  std::string token;
  do {
    auto page = ParagraphPage(*tx, f, 5, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::Paragraph& p : page->items) names.push_back(p.name());
    token = page->next_page_token;
  } while (!token.empty());
  ASSERT_EQ(names.size(), 18u);  // every paragraph goes to 0004
  EXPECT_EQ(names.front(), "bodies/a/meetings/2022-06-01/paragraphs/1");
  EXPECT_EQ(names.back(), "bodies/b/meetings/2022-06-03/paragraphs/9");
}

TEST_F(ListPlanTest, MeetingAndRecipientTogether) {
  ParagraphFilter f;
  f.meeting = "bodies/b/meetings/2022-06-02";
  f.recipient_code = "0002";  // 1 + number % 3 == 2: § 4 of that meeting
  auto tx = db_->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto page = ParagraphPage(*tx, f, 0, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].number(), 4);
}

// Recipients recorded before migration 3 get the sort key copied in.
TEST(RecipientMigrationTest, FillsTheKeyOfExistingRows) {
  enamnd::testing::TempDir dir;
  const std::string path = dir.path() + "/old.db";
  platform::MigrationSet old = MeetingsMigrations();
  old.steps.resize(2);
  {
    auto db = platform::Database::Open(path, {old});
    ASSERT_TRUE(db.ok()) << db.status();
    auto tx = (*db)->Begin();
    ASSERT_TRUE(tx.ok());
    for (const char* sql :
         {"INSERT INTO bodies VALUES ('a', x'', 1)",
          "INSERT INTO meetings VALUES ('bodies/a/meetings/m', 'a', 'm', '2022-06-22', 2022, 2,"
          " x'', 1)",
          "INSERT INTO cases VALUES ('cases/2022-9', 2022, 9, '', x'', 1)",
          "INSERT INTO paragraphs VALUES ('bodies/a/meetings/m/paragraphs/8', 'a', 2022, 8,"
          " 'bodies/a/meetings/m', 'cases/2022-9', 1, x'', 1)",
          "INSERT INTO paragraph_recipients VALUES ('bodies/a/meetings/m/paragraphs/8', '2584')"}) {
      ASSERT_TRUE(tx->Exec(sql).ok()) << sql;
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto db = platform::Database::Open(path, {MeetingsMigrations()});
  ASSERT_TRUE(db.ok()) << db.status();
  auto tx = (*db)->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto row = tx->QueryOne("SELECT body_id, year, number FROM paragraph_recipients");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->Text(0), "a");
  EXPECT_EQ((*row)->Int(1), 2022);
  EXPECT_EQ((*row)->Int(2), 8);
}

}  // namespace
}  // namespace enamnd::meetings
