// The protocol as people read it, through the API: the justering's place
// and the 14-day rule, the keeping municipality, and the PDF of a draft, an
// adjusted protocol and an extract (read back with pdftotext).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/meetings/api/meetings_api.h"
#include "services/platform/sha256.h"
#include "tests/meetings/fixture.h"
#include "tests/support/pdf_text.h"

namespace enamnd::meetings {
namespace {

using absl::CivilDay;
using enamnd::common::v1::DOCUMENT_FORMAT_HTML;
using enamnd::common::v1::DOCUMENT_FORMAT_PDF;
using enamnd::common::v1::DOCUMENT_FORMAT_TEXT;
using enamnd::testing::Day;

using enamnd::testing::PdfText;

class DocumentsTest : public MeetingsFixture {
 protected:
  void SetUp() override {
    MeetingsFixture::SetUp();
    runner()->clock()->Pin(CivilDay(2022, 7, 25));
    SetUpBody("e-namnden", {"2584", "2523", "2505"});
    meeting_ = CreateMeeting("e-namnden", 2022, 6, 22).name();
    ASSERT_TRUE(Attend(meeting_, {"2584", "2523", "2505"}).ok());
    CreateCase("2022/9-2.2.0.1");
    v1::Paragraph out;
    v1::Paragraph decision = Decision("cases/2022-9", {"2584"});
    decision.mutable_decision()->set_text(
        "E-nämnden beslutar att godkänna ”årshjulet” för Överkalix.");
    ASSERT_TRUE(Record(meeting_, decision, &out).ok());
  }

  v1::AdjustProtocolRequest AdjustRequest(int month, int day) {
    v1::AdjustProtocolRequest request;
    request.set_meeting(meeting_);
    request.mutable_chair()->set_display_name("Ledamot 2584");
    request.add_adjusters()->set_display_name("Ledamot 2523");
    *request.mutable_adjusted_date() = Day(2022, month, day);
    return request;
  }

  v1::RenderedProtocol Render(enamnd::common::v1::DocumentFormat format) {
    v1::RenderProtocolRequest request;
    request.set_meeting(meeting_);
    request.set_format(format);
    v1::RenderedProtocol out;
    grpc::Status status = Call(&Stub::RenderProtocol, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // The payloads of the ProtocolAdjusted events written so far.
  std::vector<v1::ProtocolAdjusted> AdjustedEvents() {
    std::vector<v1::ProtocolAdjusted> events;
    auto tx = runner()->db()->BeginRead();
    auto rows = tx->Query("SELECT event FROM outbox WHERE type = ?1 ORDER BY sequence",
                          {std::string("enamnd.meetings.v1.ProtocolAdjusted")});
    for (const auto& row : *rows) {
      io::cloudevents::v1::CloudEvent event;
      v1::ProtocolAdjusted adjusted;
      if (event.ParseFromString(row.Text(0)) && event.proto_data().UnpackTo(&adjusted)) {
        events.push_back(adjusted);
      }
    }
    return events;
  }

  std::string meeting_;
};

TEST_F(DocumentsTest, LateJusteringNeedsAReasonAndIsFlagged) {
  v1::Adjustment a;
  // 28 days after the meeting, without a reason: refused, nothing written.
  grpc::Status status = Call(&Stub::AdjustProtocol, AdjustRequest(7, 20), &a);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "late_reason: ")) << status.error_message();
  EXPECT_TRUE(AdjustedEvents().empty());
  // A reason for one in time is refused too: it would flag nothing.
  v1::AdjustProtocolRequest in_time = AdjustRequest(6, 29);
  in_time.set_late_reason("Sjukdom");
  EXPECT_EQ(Call(&Stub::AdjustProtocol, in_time, &a).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::AdjustProtocolRequest late = AdjustRequest(7, 20);
  late.set_late_reason("Ordföranden var sjuk.");
  status = Call(&Stub::AdjustProtocol, late, &a);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(a.late());
  EXPECT_EQ(a.late_reason(), "Ordföranden var sjuk.");
  EXPECT_TRUE(absl::StrContains(a.text(),
                                "Justerat senare än 14 dagar efter sammanträdet (28 "
                                "dagar). Skäl: Ordföranden var sjuk.\n"))
      << a.text();
  std::vector<v1::ProtocolAdjusted> events = AdjustedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].adjustment().late());
  EXPECT_EQ(events[0].adjustment().late_reason(), "Ordföranden var sjuk.");
}

TEST_F(DocumentsTest, PlaceOfJusteringGivenOrPlanned) {
  v1::Adjustment a;
  v1::AdjustProtocolRequest request = AdjustRequest(6, 29);
  request.set_place(std::string(300, 'x'));
  grpc::Status status = Call(&Stub::AdjustProtocol, request, &a);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "place")) << status.error_message();
  request.set_place("Stadshuset, Luleå");
  ASSERT_TRUE(Call(&Stub::AdjustProtocol, request, &a).ok());
  EXPECT_EQ(a.place(), "Stadshuset, Luleå");
  EXPECT_FALSE(a.late());
  EXPECT_TRUE(
      absl::StrContains(a.text(), "Justeringens plats och tid: Stadshuset, Luleå, 2022-06-29\n"));
}

TEST_F(DocumentsTest, KeepingMunicipalityMustBeRegistered) {
  v1::GetBodyRequest get;
  get.set_name("bodies/e-namnden");
  v1::Body body;
  ASSERT_TRUE(Call(&Stub::GetBody, get, &body).ok());
  v1::UpdateBodyRequest update;
  *update.mutable_body() = body;
  update.mutable_body()->set_keeping_municipality("municipalities/9999");
  update.mutable_update_mask()->add_paths("keeping_municipality");
  v1::Body out;
  grpc::Status status = Call(&Stub::UpdateBody, update, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "keeping_municipality"))
      << status.error_message();
  update.mutable_body()->set_keeping_municipality("municipalities/2584");
  update.mutable_body()->set_protocol_archive("Kommunkontoret, Kommun 2584");
  update.mutable_update_mask()->add_paths("protocol_archive");
  ASSERT_TRUE(Call(&Stub::UpdateBody, update, &out).ok());
  EXPECT_EQ(out.keeping_municipality(), "municipalities/2584");
  EXPECT_EQ(out.protocol_archive(), "Kommunkontoret, Kommun 2584");
}

TEST_F(DocumentsTest, FormatsOfTheProtocol) {
  v1::RenderedProtocol text = Render(DOCUMENT_FORMAT_TEXT);
  EXPECT_FALSE(text.text().empty());
  EXPECT_TRUE(text.html().empty());
  EXPECT_FALSE(text.has_pdf());
  v1::RenderedProtocol html = Render(DOCUMENT_FORMAT_HTML);
  EXPECT_TRUE(html.text().empty());
  EXPECT_TRUE(absl::StartsWith(html.html(), "<!DOCTYPE html>"));
  EXPECT_EQ(html.sha256(), text.sha256());

  v1::RenderProtocolRequest bad;
  bad.set_meeting(meeting_);
  bad.set_format(static_cast<enamnd::common::v1::DocumentFormat>(9));
  v1::RenderedProtocol out;
  grpc::Status status = Call(&Stub::RenderProtocol, bad, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "format")) << status.error_message();
}

TEST_F(DocumentsTest, DraftAndAdjustedPdf) {
  v1::RenderedProtocol draft = Render(DOCUMENT_FORMAT_PDF);
  ASSERT_TRUE(draft.has_pdf());
  EXPECT_EQ(draft.pdf().media_type(), "application/pdf");
  EXPECT_TRUE(absl::StartsWith(draft.pdf().content(), "%PDF-"));
  EXPECT_EQ(draft.pdf().sha256(), platform::Sha256Hex(draft.pdf().content()));
  std::string draft_text = PdfText(draft.pdf().content());
  EXPECT_TRUE(absl::StrContains(draft_text, "Utkast: inte justerat")) << draft_text;

  v1::Adjustment a;
  ASSERT_TRUE(Call(&Stub::AdjustProtocol, AdjustRequest(6, 29), &a).ok());
  v1::RenderedProtocol adjusted = Render(DOCUMENT_FORMAT_PDF);
  ASSERT_TRUE(adjusted.has_pdf());
  EXPECT_TRUE(adjusted.text().empty());
  EXPECT_EQ(adjusted.sha256(), a.sha256());
  EXPECT_EQ(adjusted.pdf().file_name(), "protokoll-e-namnden-2022-06-22.pdf");
  std::string pdf_text = PdfText(adjusted.pdf().content());
  for (const std::string& expected :
       {std::string("E-nämnden beslutar att godkänna ”årshjulet” för Överkalix."),
        std::string("Ärendenr 2022/9-2.2.0.1"), std::string("SAMMANTRÄDESPROTOKOLL"),
        std::string("Justerandes signatur"), std::string("Utdragsbestyrkande"),
        std::string("Sida 1 av"), std::string("Anslag/bevis"),
        absl::StrCat("(Justerat 2022-06-29, SHA-256 ", a.sha256(), ")")}) {
    EXPECT_TRUE(absl::StrContains(pdf_text, expected)) << expected << "\n---\n" << pdf_text;
  }
  // The same records, the same bytes.
  EXPECT_EQ(Render(DOCUMENT_FORMAT_PDF).pdf().content(), adjusted.pdf().content());

  // A notice recorded: the anslag part shows it; the adjusted hash stays.
  v1::RecordNoticePostingRequest post;
  post.set_adjustment(a.name());
  post.set_municipality("municipalities/2523");
  *post.mutable_posted_date() = Day(2022, 6, 30);
  v1::Adjustment posted;
  ASSERT_TRUE(Call(&Stub::RecordNoticePosting, post, &posted).ok());
  v1::RenderedProtocol after = Render(DOCUMENT_FORMAT_PDF);
  EXPECT_NE(after.pdf().sha256(), adjusted.pdf().sha256());
  EXPECT_EQ(after.sha256(), a.sha256());
  EXPECT_TRUE(absl::StrContains(PdfText(after.pdf().content()), "Kommun 2523 2022-06-30"));
}

TEST_F(DocumentsTest, PdfShowsWhatWasAdjustedAfterTheBodyChanges) {
  v1::Adjustment a;
  ASSERT_TRUE(Call(&Stub::AdjustProtocol, AdjustRequest(6, 29), &a).ok());
  v1::GetBodyRequest get;
  get.set_name("bodies/e-namnden");
  v1::Body body;
  ASSERT_TRUE(Call(&Stub::GetBody, get, &body).ok());
  v1::UpdateBodyRequest update;
  *update.mutable_body() = body;
  update.mutable_body()->mutable_seats(0)->mutable_member()->set_display_name("Ny ledamot 2584");
  update.mutable_update_mask()->add_paths("seats");
  v1::Body out;
  ASSERT_TRUE(Call(&Stub::UpdateBody, update, &out).ok());
  std::string text = PdfText(Render(DOCUMENT_FORMAT_PDF).pdf().content());
  EXPECT_TRUE(absl::StrContains(text, "Ledamot 2584")) << text;
  EXPECT_FALSE(absl::StrContains(text, "Ny ledamot 2584")) << text;

  // Without its stored blocks (adjusted before they were kept), the PDF is
  // made anew only if it still hashes as adjusted: now it would not.
  {
    auto tx = runner()->db()->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(tx->Exec("DELETE FROM document_blocks", {}).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  v1::RenderProtocolRequest request;
  request.set_meeting(meeting_);
  request.set_format(DOCUMENT_FORMAT_PDF);
  v1::RenderedProtocol rendered;
  grpc::Status status = Call(&Stub::RenderProtocol, request, &rendered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  // The text is still there.
  EXPECT_EQ(Render(DOCUMENT_FORMAT_TEXT).text(), a.text());
}

TEST_F(DocumentsTest, OlderAdjustmentWithoutBlocksIsRenderedAnew) {
  v1::Adjustment a;
  ASSERT_TRUE(Call(&Stub::AdjustProtocol, AdjustRequest(6, 29), &a).ok());
  std::string stored = Render(DOCUMENT_FORMAT_PDF).pdf().content();
  {
    auto tx = runner()->db()->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(tx->Exec("DELETE FROM document_blocks", {}).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(Render(DOCUMENT_FORMAT_PDF).pdf().content(), stored);
}

TEST_F(DocumentsTest, ExtractAsPdf) {
  v1::Adjustment a;
  ASSERT_TRUE(Call(&Stub::AdjustProtocol, AdjustRequest(6, 29), &a).ok());
  v1::CreateExtractRequest request;
  request.set_paragraph(meeting_ + "/paragraphs/1");
  request.mutable_certified_by()->set_display_name("Nämndsekreteraren");
  *request.mutable_certified_date() = Day(2022, 7, 1);
  request.set_format(DOCUMENT_FORMAT_PDF);
  request.set_request_id("extract-1");
  v1::Extract e;
  grpc::Status status = Call(&Stub::CreateExtract, request, &e);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(e.has_pdf());
  EXPECT_FALSE(e.text().empty());
  EXPECT_EQ(e.pdf().file_name(), "protokollsutdrag-e-namnden-2022-06-22-p1.pdf");
  std::string text = PdfText(e.pdf().content());
  for (const std::string& expected :
       {std::string("PROTOKOLLSUTDRAG"), std::string("Utdragsbestyrkande"),
        std::string("2022-07-01, Nämndsekreteraren"),
        std::string("E-nämnden beslutar att godkänna ”årshjulet” för Överkalix."),
        absl::StrCat("Justerat protokoll SHA-256: ", a.sha256())}) {
    EXPECT_TRUE(absl::StrContains(text, expected)) << expected << "\n---\n" << text;
  }
  // The retry gets the same extract and the same bytes; without PDF, none.
  v1::Extract again;
  ASSERT_TRUE(Call(&Stub::CreateExtract, request, &again).ok());
  EXPECT_EQ(again.name(), e.name());
  EXPECT_EQ(again.pdf().content(), e.pdf().content());
  request.clear_format();
  request.set_request_id("extract-2");
  ASSERT_TRUE(Call(&Stub::CreateExtract, request, &again).ok());
  EXPECT_EQ(again.name(), e.name());
  EXPECT_FALSE(again.has_pdf());
}

}  // namespace
}  // namespace enamnd::meetings
