// The legal life of a protocol through the API: justering and locking,
// notices, overdue notices, appeals, legal force, extracts, verification.
#include "absl/strings/match.h"
#include "services/meetings/api/meetings_api.h"
#include "services/platform/sha256.h"
#include "tests/meetings/fixture.h"

namespace enamnd::meetings {
namespace {

using absl::CivilDay;
using enamnd::testing::Day;

class LifecycleTest : public MeetingsFixture {
 protected:
  void SetUp() override {
    MeetingsFixture::SetUp();
    runner()->clock()->Pin(CivilDay(2022, 6, 29));
    SetUpBody("e-namnden", {"2584", "2523", "2505"});
    meeting_ = CreateMeeting("e-namnden", 2022, 6, 22).name();
    ASSERT_TRUE(Attend(meeting_, {"2584", "2523", "2505"}).ok());
    CreateCase("2022/9-2.2.0.1");
    v1::Paragraph out;
    ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9", {"2584"}), &out).ok());
    ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9", {"2523"}), &out).ok());
    ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &out).ok());
  }

  grpc::Status Adjust(const std::string& meeting, const std::string& chair,
                      const std::string& adjuster, v1::Adjustment* out) {
    v1::AdjustProtocolRequest request;
    request.set_meeting(meeting);
    request.mutable_chair()->set_display_name(chair);
    request.add_adjusters()->set_display_name(adjuster);
    *request.mutable_adjusted_date() = Day(2022, 6, 29);
    return Call(&Stub::AdjustProtocol, request, out);
  }

  grpc::Status Post(const std::string& adjustment, const std::string& code, int y, int m, int d,
                    v1::Adjustment* out) {
    v1::RecordNoticePostingRequest request;
    request.set_adjustment(adjustment);
    request.set_municipality("municipalities/" + code);
    *request.mutable_posted_date() = Day(y, m, d);
    return Call(&Stub::RecordNoticePosting, request, out);
  }

  v1::Paragraph Get(int number) {
    v1::GetParagraphRequest request;
    request.set_name(absl::StrCat(meeting_, "/paragraphs/", number));
    v1::Paragraph p;
    EXPECT_TRUE(Call(&Stub::GetParagraph, request, &p).ok());
    return p;
  }

  int64_t EventCount(const std::string& type) {
    auto tx = runner()->db()->BeginRead();
    auto row = tx->QueryOne("SELECT COUNT(*) FROM outbox WHERE type = ?1",
                            {std::string("enamnd.meetings.v1.") + type});
    return (*row)->Int(0);
  }

  void RunDeadlines(CivilDay today) {
    MeetingsApi api(runner()->db(), runner()->outbox(), runner()->clock());
    absl::Status status = api.RunDeadlines(today);
    ASSERT_TRUE(status.ok()) << status;
  }

  v1::RenderedProtocol Render() {
    v1::RenderProtocolRequest request;
    request.set_meeting(meeting_);
    v1::RenderedProtocol out;
    EXPECT_TRUE(Call(&Stub::RenderProtocol, request, &out).ok());
    return out;
  }

  std::string meeting_;
};

TEST_F(LifecycleTest, WholeLifeOfAProtocol) {
  v1::RenderedProtocol draft = Render();
  EXPECT_EQ(draft.text(), Render().text());
  EXPECT_EQ(draft.html(), Render().html());
  EXPECT_TRUE(draft.adjustment().empty());
  EXPECT_TRUE(absl::StrContains(draft.text(), "Paragrafer: § 1–3\n")) << draft.text();

  v1::Adjustment a;
  ASSERT_TRUE(Adjust(meeting_, "Ledamot 2584", "Ledamot 2523", &a).ok());
  EXPECT_EQ(a.name(), meeting_ + "/adjustments/1");
  EXPECT_EQ(a.sha256(), platform::Sha256Hex(a.text()));
  EXPECT_TRUE(a.previous_sha256().empty());
  EXPECT_EQ(a.notice_deadline().day(), 1);  // 2022-07-01
  EXPECT_TRUE(absl::StrContains(a.text(), "Justerare: Ledamot 2523\n"));
  v1::RenderedProtocol adjusted = Render();
  EXPECT_EQ(adjusted.text(), a.text());
  EXPECT_EQ(adjusted.adjustment(), a.name());
  EXPECT_EQ(Get(1).legal_state(), v1::Paragraph::LEGAL_STATE_ADJUSTED);
  EXPECT_EQ(EventCount("ProtocolAdjusted"), 1);

  // Locked: every mutating call on the meeting and its paragraphs.
  {
    v1::UpdateParagraphRequest request;
    *request.mutable_paragraph() = Get(1);
    request.mutable_paragraph()->set_summary("ändrad");
    request.mutable_update_mask()->add_paths("summary");
    v1::Paragraph out;
    EXPECT_EQ(Call(&Stub::UpdateParagraph, request, &out).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  v1::Paragraph out;
  EXPECT_EQ(Record(meeting_, Decision("cases/2022-9"), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Attend(meeting_, {"2584", "2523"}).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  {
    v1::UpdateMeetingRequest request;
    request.mutable_meeting()->set_name(meeting_);
    request.mutable_meeting()->set_location("Kiruna");
    request.mutable_update_mask()->add_paths("location");
    v1::Meeting m;
    EXPECT_EQ(Call(&Stub::UpdateMeeting, request, &m).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  v1::Adjustment again;
  EXPECT_EQ(Adjust(meeting_, "Ledamot 2584", "Ledamot 2523", &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Notices: bad ones first.
  v1::Adjustment after;
  EXPECT_INVALID_FIELD(Post(a.name(), "2584", 2022, 6, 28, &after), "posted_date");
  EXPECT_INVALID_FIELD(Post(a.name(), "2584", 2022, 7, 30, &after), "posted_date");
  EXPECT_INVALID_FIELD(Post(a.name(), "2580", 2022, 6, 29, &after), "municipality");
  EXPECT_INVALID_FIELD(Post(a.name(), "25x4", 2022, 6, 29, &after), "municipality");
  EXPECT_EQ(Post(meeting_ + "/adjustments/9", "2584", 2022, 6, 29, &after).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The service's own deadline job runs too; keep its "today" before the
  // deadlines this test steps through by hand.
  runner()->clock()->Pin(CivilDay(2022, 6, 30));
  ASSERT_TRUE(Post(a.name(), "2584", 2022, 6, 29, &after).ok());
  EXPECT_EQ(Post(a.name(), "2584", 2022, 6, 30, &after).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(Post(a.name(), "2523", 2022, 6, 30, &after).ok());
  EXPECT_FALSE(after.has_appeal_deadline());

  RunDeadlines(CivilDay(2022, 7, 1));
  EXPECT_EQ(EventCount("NoticeOverdue"), 0);
  RunDeadlines(CivilDay(2022, 7, 2));
  RunDeadlines(CivilDay(2022, 7, 3));
  EXPECT_EQ(EventCount("NoticeOverdue"), 1);  // Arvidsjaur, once

  runner()->clock()->Pin(CivilDay(2022, 7, 10));
  ASSERT_TRUE(Post(a.name(), "2505", 2022, 7, 4, &after).ok());
  EXPECT_TRUE(after.notices(2).late());
  EXPECT_EQ(after.appeal_deadline().month(), 7);
  EXPECT_EQ(after.appeal_deadline().day(), 25);
  EXPECT_EQ(after.legal_force_date().day(), 26);

  // An appeal holds § 2; a late one is refused.
  {
    v1::RecordAppealRequest request;
    request.set_paragraph(meeting_ + "/paragraphs/2");
    *request.mutable_appeal()->mutable_lodged_date() = Day(2022, 7, 10);
    request.mutable_appeal()->set_appellant("En kommunmedlem");
    v1::Appeal appeal;
    ASSERT_TRUE(Call(&Stub::RecordAppeal, request, &appeal).ok());
    EXPECT_EQ(appeal.name(), meeting_ + "/paragraphs/2/appeals/1");
  }
  EXPECT_EQ(Get(2).legal_state(), v1::Paragraph::LEGAL_STATE_APPEALED);

  RunDeadlines(CivilDay(2022, 7, 25));  // the last day to appeal
  EXPECT_EQ(EventCount("DecisionFinal"), 0);
  RunDeadlines(CivilDay(2022, 7, 26));
  RunDeadlines(CivilDay(2022, 8, 1));
  EXPECT_EQ(EventCount("DecisionFinal"), 2);
  EXPECT_EQ(Get(1).legal_state(), v1::Paragraph::LEGAL_STATE_FINAL);
  EXPECT_EQ(Get(1).legal_force_date().day(), 26);
  EXPECT_EQ(Get(2).legal_state(), v1::Paragraph::LEGAL_STATE_APPEALED);
  EXPECT_EQ(Get(3).legal_state(), v1::Paragraph::LEGAL_STATE_FINAL);
  runner()->clock()->Pin(CivilDay(2022, 8, 1));
  {
    // Lodged in time, but the committee hears of it after the deadline job
    // made § 3 final: the appeal still holds it.
    v1::RecordAppealRequest request;
    request.set_paragraph(meeting_ + "/paragraphs/3");
    *request.mutable_appeal()->mutable_lodged_date() = Day(2022, 7, 25);
    request.mutable_appeal()->set_appellant("Inkom sista dagen");
    v1::Appeal appeal;
    ASSERT_TRUE(Call(&Stub::RecordAppeal, request, &appeal).ok());
  }
  EXPECT_EQ(Get(3).legal_state(), v1::Paragraph::LEGAL_STATE_APPEALED);
  EXPECT_FALSE(Get(3).has_legal_force_date());
  {
    v1::RecordAppealRequest request;
    request.set_paragraph(meeting_ + "/paragraphs/2");
    *request.mutable_appeal()->mutable_lodged_date() = Day(2022, 7, 26);
    request.mutable_appeal()->set_appellant("För sent");
    v1::Appeal appeal;
    EXPECT_INVALID_FIELD(Call(&Stub::RecordAppeal, request, &appeal), "appeal.lodged_date");
  }

  // Extracts and verification.
  v1::CreateExtractRequest extract_request;
  extract_request.set_paragraph(meeting_ + "/paragraphs/1");
  extract_request.mutable_certified_by()->set_display_name("Nämndsekreterare");
  *extract_request.mutable_certified_date() = Day(2022, 7, 1);
  v1::Extract extract, same;
  ASSERT_TRUE(Call(&Stub::CreateExtract, extract_request, &extract).ok());
  ASSERT_TRUE(Call(&Stub::CreateExtract, extract_request, &same).ok());
  EXPECT_EQ(extract.name(), same.name());
  EXPECT_EQ(extract.text(), same.text());
  EXPECT_EQ(extract.protocol_sha256(), a.sha256());
  EXPECT_TRUE(absl::StrContains(extract.text(), a.sha256()));
  auto verify = [&](const std::string& text) {
    v1::VerifyDocumentRequest request;
    request.set_text(text);
    v1::VerifyDocumentResponse response;
    EXPECT_TRUE(Call(&Stub::VerifyDocument, request, &response).ok());
    return response;
  };
  EXPECT_EQ(verify(a.text()).match(), v1::VerifyDocumentResponse::MATCH_PROTOCOL);
  EXPECT_EQ(verify(a.text()).name(), a.name());
  EXPECT_EQ(verify(extract.text()).match(), v1::VerifyDocumentResponse::MATCH_EXTRACT);
  EXPECT_EQ(verify(a.text() + " ").match(), v1::VerifyDocumentResponse::MATCH_NONE);

  // A correction is a new record; the adjusted text stays as it was.
  {
    v1::RecordCorrectionRequest request;
    request.set_paragraph(meeting_ + "/paragraphs/1");
    request.mutable_correction()->set_field("decision.text");
    request.mutable_correction()->set_corrected_text("Rättad lydelse.");
    request.mutable_correction()->set_reason("Skrivfel");
    request.mutable_correction()->mutable_recorded_by()->set_display_name("Nämndsekreterare");
    v1::Correction c;
    ASSERT_TRUE(Call(&Stub::RecordCorrection, request, &c).ok());
    EXPECT_EQ(c.name(), meeting_ + "/paragraphs/1/corrections/1");
  }
  EXPECT_EQ(Get(1).corrections_size(), 1);
  EXPECT_EQ(Render().text(), a.text());
  EXPECT_EQ(EventCount("ProtocolCorrected"), 1);
}

TEST_F(LifecycleTest, AdjustersMustBeMembers) {
  v1::Adjustment a;
  EXPECT_INVALID_FIELD(Adjust(meeting_, "Ledamot 2584", "Någon Annan", &a), "adjusters[0]");
  EXPECT_INVALID_FIELD(Adjust(meeting_, "Någon Annan", "Ledamot 2523", &a), "chair");
  // A substitute who did not serve at the meeting does not adjust it.
  EXPECT_INVALID_FIELD(Adjust(meeting_, "Ledamot 2584", "Ersättare 2505", &a), "adjusters[0]");
  EXPECT_EQ(Get(1).legal_state(), v1::Paragraph::LEGAL_STATE_DRAFT);
  EXPECT_EQ(EventCount("ProtocolAdjusted"), 0);
}

TEST_F(LifecycleTest, ImmediateAdjustmentAndTheHashChain) {
  v1::AdjustParagraphsRequest now;
  now.set_meeting(meeting_);
  now.add_paragraph_numbers(1);
  now.mutable_chair()->set_display_name("Ledamot 2584");
  now.add_adjusters()->set_display_name("Ledamot 2505");
  v1::Adjustment first;
  grpc::Status status = Call(&Stub::AdjustParagraphs, now, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(first.kind(), v1::Adjustment::KIND_IMMEDIATE);
  EXPECT_EQ(Get(1).legal_state(), v1::Paragraph::LEGAL_STATE_ADJUSTED);
  EXPECT_EQ(Get(2).legal_state(), v1::Paragraph::LEGAL_STATE_DRAFT);
  {
    // § 1 cannot be adjusted at once twice.
    v1::Adjustment dup;
    EXPECT_EQ(Call(&Stub::AdjustParagraphs, now, &dup).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  v1::Adjustment protocol;
  ASSERT_TRUE(Adjust(meeting_, "Ledamot 2584", "Ledamot 2523", &protocol).ok());
  EXPECT_EQ(protocol.previous_sha256(), first.sha256());
  EXPECT_EQ(protocol.chain_position(), 2);
  EXPECT_EQ(Get(1).adjustment(), first.name());  // keeps its own justering
  EXPECT_EQ(Get(2).adjustment(), protocol.name());

  std::string october = CreateMeeting("e-namnden", 2022, 10, 12).name();
  ASSERT_TRUE(Attend(october, {"2584", "2523"}).ok());
  v1::Paragraph p;
  runner()->clock()->Pin(CivilDay(2022, 10, 20));
  ASSERT_TRUE(Record(october, Decision("cases/2022-9"), &p).ok());
  EXPECT_EQ(p.number(), 4);
  v1::Adjustment third;
  {
    v1::AdjustProtocolRequest request;
    request.set_meeting(october);
    request.mutable_chair()->set_display_name("Ledamot 2584");
    request.add_adjusters()->set_display_name("Ledamot 2523");
    ASSERT_TRUE(Call(&Stub::AdjustProtocol, request, &third).ok());
  }
  EXPECT_EQ(third.previous_sha256(), protocol.sha256());
  EXPECT_EQ(third.adjusted_date().month(), 10);  // today, as pinned

  v1::VerifyChainRequest chain;
  chain.set_body("bodies/e-namnden");
  v1::VerifyChainResponse result;
  ASSERT_TRUE(Call(&Stub::VerifyChain, chain, &result).ok());
  EXPECT_TRUE(result.intact()) << result.problem();
  EXPECT_EQ(result.links_checked(), 3);

  // Someone edits the stored text of the second link behind the API's back.
  {
    auto tx = runner()->db()->Begin();
    ASSERT_TRUE(tx->Exec("UPDATE adjustments SET text = CAST(?1 AS BLOB) WHERE name = ?2",
                         {std::string("Protokoll\nförfalskat\n"), protocol.name()})
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  ASSERT_TRUE(Call(&Stub::VerifyChain, chain, &result).ok());
  EXPECT_FALSE(result.intact());
  EXPECT_EQ(result.first_broken(), protocol.name());
  v1::VerifyDocumentRequest verify;
  verify.set_sha256(protocol.sha256());
  v1::VerifyDocumentResponse verified;
  ASSERT_TRUE(Call(&Stub::VerifyDocument, verify, &verified).ok());
  EXPECT_EQ(verified.match(), v1::VerifyDocumentResponse::MATCH_NONE);
}

TEST_F(LifecycleTest, AppealsAndExtractsNeedAnAdjustedProtocol) {
  v1::RecordAppealRequest appeal;
  appeal.set_paragraph(meeting_ + "/paragraphs/1");
  *appeal.mutable_appeal()->mutable_lodged_date() = Day(2022, 6, 29);
  appeal.mutable_appeal()->set_appellant("X");
  v1::Appeal a;
  EXPECT_EQ(Call(&Stub::RecordAppeal, appeal, &a).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::CreateExtractRequest extract;
  extract.set_paragraph(meeting_ + "/paragraphs/1");
  extract.mutable_certified_by()->set_display_name("Sekreterare");
  v1::Extract e;
  EXPECT_EQ(Call(&Stub::CreateExtract, extract, &e).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::VerifyDocumentRequest verify;
  verify.set_sha256("not-a-hash");
  v1::VerifyDocumentResponse response;
  EXPECT_INVALID_FIELD(Call(&Stub::VerifyDocument, verify, &response), "sha256");
}

}  // namespace
}  // namespace enamnd::meetings
