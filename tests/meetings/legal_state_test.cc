// The protocol's legal life, one rule per test (domain/legal_state.h).
#include "services/meetings/domain/legal_state.h"

#include "gtest/gtest.h"
#include "services/meetings/domain/protocol.h"
#include "services/platform/api_util.h"
#include "services/platform/sha256.h"
#include "tests/support/builders.h"

namespace enamnd::meetings {
namespace {

using platform::ToDate;

class LegalStateTest : public ::testing::Test {
 protected:
  static v1::Paragraph Paragraph(int number, v1::Paragraph::LegalState state) {
    v1::Paragraph p;
    p.set_name("bodies/b/meetings/m/paragraphs/" + std::to_string(number));
    p.set_number(number);
    p.set_legal_state(state);
    if (state != v1::Paragraph::LEGAL_STATE_DRAFT) p.set_adjustment(kAdjustment);
    return p;
  }
  static v1::Paragraph Draft(int number = 1) {
    return Paragraph(number, v1::Paragraph::LEGAL_STATE_DRAFT);
  }
  static v1::Paragraph Adjusted(int number = 1) {
    return Paragraph(number, v1::Paragraph::LEGAL_STATE_ADJUSTED);
  }
  // Adjusted on 2022-06-27 for two members.
  static v1::Adjustment Adjustment() {
    v1::Adjustment a;
    a.set_name(kAdjustment);
    *a.mutable_adjusted_date() = ToDate(absl::CivilDay(2022, 6, 27));
    *a.mutable_notice_deadline() = ToDate(absl::CivilDay(2022, 6, 29));
    a.add_required_municipalities("municipalities/0001");
    a.add_required_municipalities("municipalities/0002");
    return a;
  }
  static google::protobuf::RepeatedField<int32_t> Numbers(std::initializer_list<int> numbers) {
    google::protobuf::RepeatedField<int32_t> out;
    for (int n : numbers) out.Add(n);
    return out;
  }
  static bool Precondition(const absl::Status& s) {
    return s.code() == absl::StatusCode::kFailedPrecondition;
  }
  static bool InvalidField(const absl::Status& s, const std::string& field) {
    return testing::InvalidAt(s, field);
  }
  static constexpr const char* kAdjustment = "bodies/b/meetings/m/adjustments/1";
};

TEST_F(LegalStateTest, DraftIsNotAdjusted) {
  EXPECT_FALSE(IsAdjusted(Draft()));
  EXPECT_FALSE(IsAdjusted(Paragraph(1, v1::Paragraph::LEGAL_STATE_UNSPECIFIED)));
  EXPECT_TRUE(IsAdjusted(Paragraph(1, v1::Paragraph::LEGAL_STATE_FINAL)));
  EXPECT_TRUE(IsAdjusted(Paragraph(1, v1::Paragraph::LEGAL_STATE_APPEALED)));
}

TEST_F(LegalStateTest, CanAdjustOnlyADraft) {
  EXPECT_TRUE(CanAdjust(Draft()).ok());
  EXPECT_TRUE(Precondition(CanAdjust(Adjusted())));
}

TEST_F(LegalStateTest, EditOnlyADraft) {
  EXPECT_TRUE(CheckEditable(Draft()).ok());
  EXPECT_TRUE(Precondition(CheckEditable(Adjusted())));
}

TEST_F(LegalStateTest, CorrectOnlyAnAdjustedParagraph) {
  EXPECT_TRUE(Precondition(CheckCorrectable(Draft())));
  EXPECT_TRUE(CheckCorrectable(Adjusted()).ok());
}

TEST_F(LegalStateTest, AppealOnlyAnAdjustedParagraph) {
  EXPECT_TRUE(Precondition(CheckAppealable(Draft())));
  EXPECT_TRUE(CheckAppealable(Adjusted()).ok());
}

TEST_F(LegalStateTest, ExtractOnlyFromAnAdjustedParagraph) {
  EXPECT_TRUE(Precondition(CheckExtractable(Draft())));
  EXPECT_TRUE(CheckExtractable(Adjusted()).ok());
}

TEST_F(LegalStateTest, NewParagraphDropsOutputOnlyFields) {
  v1::Paragraph p = Adjusted();
  p.set_etag("7");
  p.add_appeals()->set_appellant("x");
  p.add_corrections()->set_reason("y");
  PrepareNewParagraph("bodies/b/meetings/m/paragraphs/8", 8, "2022/9-2.2", &p);
  EXPECT_EQ(p.number(), 8);
  EXPECT_EQ(p.legal_state(), v1::Paragraph::LEGAL_STATE_DRAFT);
  EXPECT_TRUE(p.adjustment().empty() && p.etag().empty());
  EXPECT_EQ(p.appeals_size() + p.corrections_size(), 0);
}

TEST_F(LegalStateTest, MarkAdjustedNamesTheAdjustment) {
  v1::Paragraph p = Draft();
  MarkAdjusted(kAdjustment, &p);
  EXPECT_EQ(p.legal_state(), v1::Paragraph::LEGAL_STATE_ADJUSTED);
  EXPECT_EQ(p.adjustment(), kAdjustment);
}

TEST_F(LegalStateTest, FinalOnlyFromItsOwnAdjustment) {
  EXPECT_TRUE(CanBecomeFinal(Adjusted(), Adjustment()));
  v1::Paragraph other = Adjusted();
  other.set_adjustment("bodies/b/meetings/m/adjustments/2");
  EXPECT_FALSE(CanBecomeFinal(other, Adjustment()));
  EXPECT_FALSE(CanBecomeFinal(Paragraph(1, v1::Paragraph::LEGAL_STATE_APPEALED), Adjustment()));
}

TEST_F(LegalStateTest, MarkFinalSetsLegalForce) {
  v1::Adjustment a = Adjustment();
  *a.mutable_legal_force_date() = ToDate(absl::CivilDay(2022, 7, 22));
  v1::Paragraph p = Adjusted();
  MarkFinal(a, &p);
  EXPECT_EQ(p.legal_state(), v1::Paragraph::LEGAL_STATE_FINAL);
  EXPECT_EQ(p.legal_force_date().day(), 22);
}

TEST_F(LegalStateTest, AppealHoldsEvenAFinalDecision) {
  v1::Paragraph p = Paragraph(1, v1::Paragraph::LEGAL_STATE_FINAL);
  *p.mutable_legal_force_date() = ToDate(absl::CivilDay(2022, 7, 22));
  MarkAppealed(v1::Appeal(), &p);
  EXPECT_EQ(p.legal_state(), v1::Paragraph::LEGAL_STATE_APPEALED);
  EXPECT_FALSE(p.has_legal_force_date());
  EXPECT_EQ(p.appeals_size(), 1);
}

TEST_F(LegalStateTest, DayOrTodayDefaultsToToday) {
  EXPECT_EQ(*DayOrToday({}, "f", absl::CivilDay(2022, 6, 27)), absl::CivilDay(2022, 6, 27));
  EXPECT_EQ(*DayOrToday(ToDate(absl::CivilDay(2022, 6, 20)), "f", absl::CivilDay(2022, 6, 27)),
            absl::CivilDay(2022, 6, 20));
}

TEST_F(LegalStateTest, DayOrTodayRejectsTheFuture) {
  EXPECT_TRUE(InvalidField(
      DayOrToday(ToDate(absl::CivilDay(2022, 6, 28)), "f", absl::CivilDay(2022, 6, 27)).status(),
      "f"));
}

TEST_F(LegalStateTest, RequiredPastDayIsRequired) {
  EXPECT_TRUE(InvalidField(RequiredPastDay({}, "posted_date", absl::CivilDay(2022, 6, 27)).status(),
                           "posted_date"));
}

TEST_F(LegalStateTest, ParagraphNumbersArePositiveAndOnce) {
  EXPECT_EQ(*ParseParagraphNumbers(Numbers({9, 8})), (std::vector<int>{8, 9}));
  EXPECT_TRUE(InvalidField(ParseParagraphNumbers(Numbers({})).status(), "paragraph_numbers"));
  EXPECT_TRUE(InvalidField(ParseParagraphNumbers(Numbers({0})).status(), "paragraph_numbers"));
  EXPECT_TRUE(InvalidField(ParseParagraphNumbers(Numbers({8, 8})).status(), "paragraph_numbers"));
}

TEST_F(LegalStateTest, ProtocolCoversEveryParagraph) {
  auto covered = CoveredParagraphs(v1::Adjustment::KIND_PROTOCOL, {}, {Draft(1), Adjusted(2)}, "m");
  EXPECT_EQ(covered->size(), 2u);
}

TEST_F(LegalStateTest, ProtocolNeedsParagraphs) {
  EXPECT_TRUE(Precondition(CoveredParagraphs(v1::Adjustment::KIND_PROTOCOL, {}, {}, "m").status()));
}

TEST_F(LegalStateTest, ImmediateCoversTheNamedDrafts) {
  auto covered = CoveredParagraphs(v1::Adjustment::KIND_IMMEDIATE, {2}, {Draft(1), Draft(2)}, "m");
  ASSERT_EQ(covered->size(), 1u);
  EXPECT_EQ((*covered)[0].number(), 2);
}

TEST_F(LegalStateTest, ImmediateNamesParagraphsOfTheMeeting) {
  EXPECT_TRUE(
      InvalidField(CoveredParagraphs(v1::Adjustment::KIND_IMMEDIATE, {3}, {Draft(1)}, "m").status(),
                   "paragraph_numbers"));
}

TEST_F(LegalStateTest, ImmediateSkipsNothingAlreadyAdjusted) {
  EXPECT_TRUE(Precondition(
      CoveredParagraphs(v1::Adjustment::KIND_IMMEDIATE, {1}, {Adjusted(1)}, "m").status()));
}

TEST_F(LegalStateTest, NoticeFromAMemberOnly) {
  v1::Adjustment a = Adjustment();
  EXPECT_TRUE(
      InvalidField(RecordNotice("municipalities/0003", absl::CivilDay(2022, 6, 28), &a).status(),
                   "municipality"));
}

TEST_F(LegalStateTest, NoticeOncePerMember) {
  v1::Adjustment a = Adjustment();
  ASSERT_TRUE(RecordNotice("municipalities/0001", absl::CivilDay(2022, 6, 28), &a).ok());
  EXPECT_EQ(RecordNotice("municipalities/0001", absl::CivilDay(2022, 6, 28), &a).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(LegalStateTest, NoticeNotBeforeTheJustering) {
  v1::Adjustment a = Adjustment();
  EXPECT_TRUE(
      InvalidField(RecordNotice("municipalities/0001", absl::CivilDay(2022, 6, 26), &a).status(),
                   "posted_date"));
}

TEST_F(LegalStateTest, NoticeAfterTheDeadlineIsLate) {
  v1::Adjustment a = Adjustment();
  EXPECT_FALSE(RecordNotice("municipalities/0001", absl::CivilDay(2022, 6, 29), &a)->late());
  EXPECT_TRUE(RecordNotice("municipalities/0002", absl::CivilDay(2022, 6, 30), &a)->late());
}

TEST_F(LegalStateTest, LastNoticeStartsTheAppealPeriod) {
  v1::Adjustment a = Adjustment();
  ASSERT_TRUE(RecordNotice("municipalities/0002", absl::CivilDay(2022, 6, 29), &a).ok());
  EXPECT_FALSE(AllNoticesPosted(a));
  EXPECT_FALSE(a.has_appeal_deadline());
  ASSERT_TRUE(RecordNotice("municipalities/0001", absl::CivilDay(2022, 6, 28), &a).ok());
  EXPECT_TRUE(AllNoticesPosted(a));
  EXPECT_EQ(platform::ToCivil(a.appeal_period_start()), absl::CivilDay(2022, 6, 29));
  EXPECT_EQ(platform::ToCivil(a.appeal_deadline()), AppealDeadline(absl::CivilDay(2022, 6, 29)));
  EXPECT_TRUE(a.has_legal_force_date());
}

TEST_F(LegalStateTest, AppealNotBeforeTheJustering) {
  EXPECT_TRUE(InvalidField(CheckAppealDate(Adjustment(), absl::CivilDay(2022, 6, 26)),
                           "appeal.lodged_date"));
  EXPECT_TRUE(CheckAppealDate(Adjustment(), absl::CivilDay(2022, 6, 27)).ok());
}

TEST_F(LegalStateTest, AppealNotAfterThePeriod) {
  v1::Adjustment a = Adjustment();
  *a.mutable_appeal_deadline() = ToDate(absl::CivilDay(2022, 7, 20));
  EXPECT_TRUE(CheckAppealDate(a, absl::CivilDay(2022, 7, 20)).ok());
  EXPECT_TRUE(InvalidField(CheckAppealDate(a, absl::CivilDay(2022, 7, 21)), "appeal.lodged_date"));
}

TEST_F(LegalStateTest, NoticeOverdueTheDayAfterTheDeadline) {
  EXPECT_FALSE(NoticeOverdue(Adjustment(), absl::CivilDay(2022, 6, 29)));
  EXPECT_TRUE(NoticeOverdue(Adjustment(), absl::CivilDay(2022, 6, 30)));
}

TEST_F(LegalStateTest, NoticeNotOverdueForALateRecordedJustering) {
  v1::Adjustment a = Adjustment();
  *a.mutable_recorded_date() = ToDate(absl::CivilDay(2022, 7, 5));
  EXPECT_FALSE(NoticeOverdue(a, absl::CivilDay(2022, 7, 6)));
}

TEST_F(LegalStateTest, MissingNoticesAreTheUnposted) {
  v1::Adjustment a = Adjustment();
  ASSERT_TRUE(RecordNotice("municipalities/0001", absl::CivilDay(2022, 6, 28), &a).ok());
  EXPECT_EQ(MissingNotices(a), (std::vector<std::string>{"municipalities/0002"}));
}

TEST_F(LegalStateTest, AppealPeriodOverTheDayAfter) {
  v1::Adjustment a = Adjustment();
  EXPECT_FALSE(AppealPeriodOver(a, absl::CivilDay(2030, 1, 1)));
  *a.mutable_appeal_deadline() = ToDate(absl::CivilDay(2022, 7, 20));
  EXPECT_FALSE(AppealPeriodOver(a, absl::CivilDay(2022, 7, 20)));
  EXPECT_TRUE(AppealPeriodOver(a, absl::CivilDay(2022, 7, 21)));
}

TEST_F(LegalStateTest, DeadlineDueForOverdueNoticesOrFinality) {
  v1::Adjustment a = Adjustment();
  EXPECT_FALSE(DeadlineDue(a, absl::CivilDay(2022, 6, 29)));
  EXPECT_TRUE(DeadlineDue(a, absl::CivilDay(2022, 6, 30)));
  ASSERT_TRUE(RecordNotice("municipalities/0001", absl::CivilDay(2022, 6, 28), &a).ok());
  ASSERT_TRUE(RecordNotice("municipalities/0002", absl::CivilDay(2022, 6, 28), &a).ok());
  EXPECT_FALSE(DeadlineDue(a, absl::CivilDay(2022, 6, 30)));
  EXPECT_TRUE(DeadlineDue(a, platform::ToCivil(a.appeal_deadline()) + 1));
}

// ------------------------------------------------------------ verification

class ChainTest : public ::testing::Test {
 protected:
  static ChainLink Link(int position, const std::string& text, const std::string& previous) {
    ChainLink link;
    link.name = "a" + std::to_string(position);
    link.position = position;
    link.text = text;
    link.sha256 = platform::Sha256Hex(text);
    link.data.set_sha256(link.sha256);
    link.data.set_previous_sha256(previous);
    return link;
  }
  static v1::VerifyChainResponse Verify(const std::vector<ChainLink>& chain) {
    v1::VerifyChainResponse r;
    VerifyChainLinks(chain, &r);
    return r;
  }
};

TEST_F(ChainTest, IntactChain) {
  ChainLink one = Link(1, "one", "");
  v1::VerifyChainResponse r = Verify({one, Link(2, "two", one.sha256)});
  EXPECT_TRUE(r.intact());
  EXPECT_EQ(r.links_checked(), 2);
}

TEST_F(ChainTest, GapInPositions) { EXPECT_EQ(Verify({Link(2, "two", "")}).first_broken(), "a2"); }

TEST_F(ChainTest, AlteredText) {
  ChainLink one = Link(1, "one", "");
  one.text = "One";
  v1::VerifyChainResponse r = Verify({one});
  EXPECT_FALSE(r.intact());
  EXPECT_EQ(r.links_checked(), 1);
}

TEST_F(ChainTest, IndexAndRecordDisagree) {
  ChainLink one = Link(1, "one", "");
  one.data.set_sha256("x");
  EXPECT_FALSE(Verify({one}).intact());
}

TEST_F(ChainTest, BrokenLinkToThePrevious) {
  EXPECT_EQ(Verify({Link(1, "one", ""), Link(2, "two", "nope")}).first_broken(), "a2");
}

TEST(DocumentShaTest, OfTextOrGivenHash) {
  v1::VerifyDocumentRequest text;
  text.set_text("abc");
  EXPECT_EQ(*DocumentSha256(text), platform::Sha256Hex("abc"));
  v1::VerifyDocumentRequest hash;
  hash.set_sha256(std::string(64, 'A'));
  EXPECT_EQ(*DocumentSha256(hash), std::string(64, 'a'));
  hash.set_sha256("xyz");
  EXPECT_FALSE(DocumentSha256(hash).ok());
  EXPECT_EQ(DocumentSha256(v1::VerifyDocumentRequest()).status().message().rfind("document", 0),
            0u);
}

}  // namespace
}  // namespace enamnd::meetings
