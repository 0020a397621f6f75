// Parents and filters of the List methods (domain/filters.h).
#include "services/meetings/domain/filters.h"

#include "enamnd/meetings/v1/meetings.pb.h"
#include "gtest/gtest.h"
#include "tests/support/builders.h"

namespace enamnd::meetings {
namespace {

std::string Field(const absl::Status& s) { return testing::InvalidFieldOf(s); }

TEST(MeetingFilterTest, AllBodiesOrOne) {
  EXPECT_FALSE(ParseMeetingFilter("bodies/-", "")->body_id.has_value());
  EXPECT_EQ(*ParseMeetingFilter("bodies/b", "")->body_id, "b");
  EXPECT_EQ(Field(ParseMeetingFilter("b", "").status()), "parent");
}

TEST(MeetingFilterTest, YearAndState) {
  auto f = ParseMeetingFilter("bodies/-", "year = 2022 AND state = STATE_HELD");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f->year, 2022);
  EXPECT_EQ(*f->state, v1::Meeting::STATE_HELD);
  EXPECT_EQ(Field(ParseMeetingFilter("bodies/-", "year = x").status()), "filter");
  EXPECT_EQ(Field(ParseMeetingFilter("bodies/-", "state = HELD").status()), "filter.state");
}

TEST(CaseFilterTest, YearAndSubject) {
  auto f = ParseCaseFilter("subject = \"//audits/reviews/2021-2584\"");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f->subject, "//audits/reviews/2021-2584");
  EXPECT_FALSE(f->year.has_value());
  EXPECT_FALSE(ParseCaseFilter("title = x").ok());
}

TEST(ParagraphFilterTest, ParentIsAMeetingABodyOrAll) {
  EXPECT_EQ(*ParseParagraphFilter("bodies/b/meetings/m", "")->meeting, "bodies/b/meetings/m");
  EXPECT_EQ(*ParseParagraphFilter("bodies/b", "")->body_id, "b");
  auto all = ParseParagraphFilter("bodies/-", "");
  EXPECT_FALSE(all->meeting.has_value() || all->body_id.has_value());
  EXPECT_EQ(Field(ParseParagraphFilter("bodies/b/meetings/", "").status()), "parent");
  EXPECT_EQ(Field(ParseParagraphFilter("meetings", "").status()), "parent");
}

TEST(ParagraphFilterTest, RecipientCaseYearKind) {
  auto f = ParseParagraphFilter(
      "bodies/-",
      "recipient = municipalities/2584 AND case = cases/2022-9 AND year = 2022 AND "
      "kind = DECISION_KIND_APPROVE");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f->recipient_code, "2584");
  EXPECT_EQ(*f->case_name, "cases/2022-9");
  EXPECT_EQ(*f->year, 2022);
  EXPECT_EQ(*f->kind, v1::DECISION_KIND_APPROVE);
}

TEST(ParagraphFilterTest, BadTermsNameTheirField) {
  EXPECT_EQ(Field(ParseParagraphFilter("bodies/-", "recipient = 2584").status()),
            "filter recipient");
  EXPECT_EQ(Field(ParseParagraphFilter("bodies/-", "case = 2022-9").status()), "filter case");
  EXPECT_EQ(Field(ParseParagraphFilter("bodies/-", "kind = APPROVE").status()), "filter.kind");
}

TEST(AdjustmentParentTest, MeetingOrBody) {
  EXPECT_EQ(*ParseAdjustmentParent("bodies/b/meetings/m")->meeting, "bodies/b/meetings/m");
  EXPECT_EQ(*ParseAdjustmentParent("bodies/b")->body_id, "b");
  EXPECT_FALSE(ParseAdjustmentParent("bodies/-/meetings/").ok());
}

}  // namespace
}  // namespace enamnd::meetings
