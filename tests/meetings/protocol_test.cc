#include "services/meetings/domain/protocol.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/platform/api_util.h"

namespace enamnd::meetings {
namespace {

using absl::CivilDay;

TEST(ProtocolDatesTest, NoticeAndAppealDeadlines) {
  EXPECT_EQ(NoticeDeadline(CivilDay(2022, 6, 29)), CivilDay(2022, 7, 1));
  // 22 June 2022 + 2 is Midsummer Eve; then Midsummer Day and a Sunday.
  EXPECT_EQ(NoticeDeadline(CivilDay(2022, 6, 22)), CivilDay(2022, 6, 27));
  EXPECT_EQ(AppealDeadline(CivilDay(2022, 7, 4)), CivilDay(2022, 7, 25));
  EXPECT_EQ(LegalForceDate(CivilDay(2022, 7, 25)), CivilDay(2022, 7, 26));
  EXPECT_EQ(AppealDeadline(CivilDay(2022, 12, 3)), CivilDay(2022, 12, 27));
}

TEST(ProtocolDatesTest, ParagraphRanges) {
  EXPECT_EQ(FormatParagraphRange({8, 9, 10, 11, 12, 13, 14, 15, 16}), "§ 8–16");
  EXPECT_EQ(FormatParagraphRange({12, 8, 10, 13, 14}), "§ 8, 10, 12–14");
  EXPECT_EQ(FormatParagraphRange({3}), "§ 3");
}

ProtocolInput SampleInput() {
  ProtocolInput in;
  in.body.set_name("bodies/e-namnden");
  in.body.set_display_name("Norrbottens e-nämnd");
  for (const char* code : {"2584", "2523", "2505"}) {
    auto* seat = in.body.add_seats();
    seat->set_municipality(std::string("municipalities/") + code);
    seat->mutable_member()->set_display_name(std::string("Ledamot ") + code);
    seat->mutable_substitute()->set_display_name(std::string("Ersättare ") + code);
    in.municipality_names[seat->municipality()] = std::string("Kommun ") + code;
  }
  in.meeting.mutable_date()->set_year(2022);
  in.meeting.mutable_date()->set_month(6);
  in.meeting.mutable_date()->set_day(22);
  in.meeting.mutable_start_time()->set_hours(13);
  in.meeting.mutable_end_time()->set_hours(16);
  in.meeting.set_location("Luleå");
  auto* a = in.meeting.mutable_attendance();
  auto* s1 = a->add_seats();
  s1->set_municipality("municipalities/2584");
  s1->set_member_present(true);
  auto* s2 = a->add_seats();
  s2->set_municipality("municipalities/2523");
  s2->set_substitute_served(true);
  a->mutable_secretary()->set_display_name("Sekreteraren");
  v1::Paragraph p;
  p.set_number(8);
  p.set_title("Grundläggande granskning 2021 <Kiruna & Gällivare>");
  p.set_case_number("2022/9-2.2.0.1");
  p.mutable_decision()->set_text("Nämnden tar till sig revisorernas synpunkter.\nAndra raden.");
  p.add_recipients()->set_municipality("municipalities/2584");
  p.add_documents()->set_title("Revisionsrapport");
  in.paragraphs.push_back(p);
  in.chair.set_display_name("Ledamot 2584");
  v1::Person adjuster;
  adjuster.set_display_name("Ersättare 2523");
  in.adjusters.push_back(adjuster);
  return in;
}

TEST(RenderTest, SameRecordsGiveTheSameBytes) {
  RenderedDocument first = RenderDocument(SampleInput());
  RenderedDocument second = RenderDocument(SampleInput());
  EXPECT_EQ(first.text, second.text);
  EXPECT_EQ(first.html, second.html);
  ProtocolInput changed = SampleInput();
  changed.paragraphs[0].mutable_decision()->set_text("Annat beslut.");
  EXPECT_NE(RenderDocument(changed).text, first.text);
}

TEST(RenderTest, ReadsLikeAProtocol) {
  RenderedDocument doc = RenderDocument(SampleInput());
  for (const char* expected :
       {"Protokoll\n",
        "Norrbottens e-nämnd\n",
        "Sammanträdesdatum: 2022-06-22\n",
        "Tid: 13:00–16:00\n",
        "Plats: Luleå\n",
        "Paragrafer: § 8\n",
        "Beslutande ledamöter\n",
        "  - Ledamot 2584, Kommun 2584\n",
        "Tjänstgörande ersättare\n",
        "  - Ersättare 2523, Kommun 2523, för Ledamot 2523, § 8\n",
        "Frånvarande ledamöter\n",
        "  - Ledamot 2505, Kommun 2505\n",
        "Ordförande: Ledamot 2584\n",
        "Sammanträde: ordinarie sammanträde\n",
        "Justering\nUtses att justera: Ersättare 2523\n",
        "Underskrifter\nParagrafer: § 8\nSekreterare: Sekreteraren\n",
        "Justerare: Ersättare 2523\n",
        "§ 8 Grundläggande granskning 2021",
        "Ärendenr 2022/9-2.2.0.1\n",
        "Beslut\n  Nämnden tar till sig revisorernas synpunkter.\n  Andra raden.\n",
        "Beslutsunderlag\n  - Revisionsrapport\n",
        "Beslutet skickas till\n  - Kommun 2584\n"}) {
    EXPECT_TRUE(absl::StrContains(doc.text, expected)) << expected << "\n---\n" << doc.text;
  }
  EXPECT_TRUE(absl::StrContains(doc.html, "&lt;Kiruna &amp; Gällivare&gt;"));
  EXPECT_TRUE(absl::StrContains(doc.html, "<html lang=\"sv\">"));
  EXPECT_FALSE(absl::StrContains(doc.html, "<Kiruna"));
}

TEST(RenderTest, SubstitutesPresentWithoutServing) {
  ProtocolInput in = SampleInput();
  in.meeting.mutable_attendance()->mutable_seats(0)->set_substitute_present(true);
  in.meeting.mutable_attendance()->add_other_substitutes()->set_display_name("Personlig ersättare");
  std::string text = RenderDocument(in).text;
  EXPECT_TRUE(absl::StrContains(text,
                                "Ersättare, ej tjänstgörande\n  - Ersättare 2584, Kommun 2584\n"
                                "  - Personlig ersättare\n"))
      << text;
  // Without any, no such heading.
  EXPECT_FALSE(absl::StrContains(RenderDocument(SampleInput()).text, "ej tjänstgörande"));
}

TEST(RenderTest, PlaceAndTimeOfJustering) {
  ProtocolInput in = SampleInput();
  EXPECT_TRUE(
      absl::StrContains(RenderDocument(in).text, "Justeringens plats och tid: ej bestämd\n"));
  in.adjustment_place = "Kommunhuset, Luleå";
  in.adjusted_date = CivilDay(2022, 6, 29);
  in.has_adjusted_date = true;
  std::string text = RenderDocument(in).text;
  EXPECT_TRUE(
      absl::StrContains(text, "Justeringens plats och tid: Kommunhuset, Luleå, 2022-06-29\n"));
  EXPECT_FALSE(absl::StrContains(text, "Justerat senare"));
  in.adjusted_date = CivilDay(2022, 7, 20);
  in.late = true;
  in.late_reason = "Ordföranden var sjuk.";
  EXPECT_TRUE(absl::StrContains(
      RenderDocument(in).text,
      "Justerat senare än 14 dagar efter sammanträdet (28 dagar). Skäl: Ordföranden var sjuk.\n"));
}

TEST(JusteringRuleTest, FourteenDaysOrAReason) {
  const CivilDay meeting(2022, 6, 22);
  struct Case {
    CivilDay adjusted;
    const char* reason;
    bool late;
    bool ok;
  };
  for (const Case& c : {
           Case{CivilDay(2022, 6, 22), "", false, true},  // at the meeting
           Case{CivilDay(2022, 7, 6), "", false, true},   // day 14
           Case{CivilDay(2022, 7, 7), "", true, false},   // day 15 needs a reason
           Case{CivilDay(2022, 7, 20), "Sjukdom", true, true},
           Case{CivilDay(2022, 6, 29), "Sjukdom", false, false},  // a reason in time is refused
       }) {
    EXPECT_EQ(IsLateJustering(meeting, c.adjusted), c.late) << c.adjusted;
    absl::Status status = CheckJusteringReason(meeting, c.adjusted, c.reason);
    EXPECT_EQ(status.ok(), c.ok) << c.adjusted << " " << status;
    if (!status.ok()) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(absl::StartsWith(status.message(), "late_reason: ")) << status;
    }
  }
}

TEST(JusteringRuleTest, FourteenDaysEndingOnAHolidayRunToTheNextWeekday) {
  // 10 June 2022 + 14 is Midsummer Eve; then Midsummer Day and a Sunday.
  const CivilDay meeting(2022, 6, 10);
  EXPECT_FALSE(IsLateJustering(meeting, CivilDay(2022, 6, 27)));
  EXPECT_TRUE(IsLateJustering(meeting, CivilDay(2022, 6, 28)));
}

TEST(RenderTest, AppointedAdjustersAndThoseWhoSign) {
  ProtocolInput in = SampleInput();
  in.meeting.mutable_attendance()->add_adjusters()->set_display_name("Ledamot 2505");
  std::string text = RenderDocument(in).text;
  EXPECT_TRUE(absl::StrContains(text, "Utses att justera: Ledamot 2505\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "Justerare: Ersättare 2523\n")) << text;
}

TEST(JusteringRuleTest, PlaceGivenPlannedOrWhereTheMeetingWas) {
  v1::Meeting m;
  m.set_location("Stadshuset");
  EXPECT_EQ(JusteringPlace("", m), "Stadshuset");
  m.mutable_attendance()->set_adjustment_place("Kommunkontoret");
  EXPECT_EQ(JusteringPlace("", m), "Kommunkontoret");
  EXPECT_EQ(JusteringPlace("Digitalt", m), "Digitalt");
}

// An adjusted protocol of SampleInput(): three members, two of them posted.
PdfContext AdjustedContext() {
  ProtocolInput in = SampleInput();
  PdfContext c = PdfContextOf(in);
  c.body.set_keeping_municipality("municipalities/2584");
  c.body.set_protocol_archive("Kommunledningsförvaltningen, Kommun 2584");
  v1::Adjustment a;
  a.add_paragraph_numbers(8);
  *a.mutable_adjusted_date() = platform::ToDate(CivilDay(2022, 6, 29));
  *a.mutable_notice_deadline() = platform::ToDate(CivilDay(2022, 7, 1));
  a.set_sha256(std::string(64, 'b'));
  for (const char* code : {"2584", "2523", "2505"}) {
    a.add_required_municipalities(std::string("municipalities/") + code);
  }
  auto* n = a.add_notices();
  n->set_municipality("municipalities/2584");
  *n->mutable_posted_date() = platform::ToDate(CivilDay(2022, 6, 29));
  n = a.add_notices();
  n->set_municipality("municipalities/2523");
  *n->mutable_posted_date() = platform::ToDate(CivilDay(2022, 6, 30));
  c.adjustment = a;
  return c;
}

std::string Text(const std::vector<platform::Block>& blocks) {
  return platform::RenderBlocksAsText(blocks);
}

TEST(NoticeTest, EachMemberWithItsDaysOnceAllHavePosted) {
  PdfContext c = AdjustedContext();
  std::string text = Text(NoticeBlocks(c));
  EXPECT_TRUE(absl::StrContains(text, "Anslag/bevis\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "  Kommun 2584 | 2022-06-29 | – | –\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "  Kommun 2505 | inte registrerat | – | –\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "tre veckor från den dag")) << text;
  EXPECT_TRUE(absl::StrContains(
      text, "Förvaringsplats för protokollet: Kommunledningsförvaltningen, Kommun 2584\n"));
  // The last posting starts the appeal period; the notices stay up through it.
  v1::Adjustment& a = *c.adjustment;
  auto* n = a.add_notices();
  n->set_municipality("municipalities/2505");
  *n->mutable_posted_date() = platform::ToDate(CivilDay(2022, 7, 4));
  *a.mutable_appeal_deadline() = platform::ToDate(AppealDeadline(CivilDay(2022, 7, 4)));
  *a.mutable_legal_force_date() =
      platform::ToDate(LegalForceDate(AppealDeadline(CivilDay(2022, 7, 4))));
  text = Text(NoticeBlocks(c));
  EXPECT_TRUE(absl::StrContains(text, "Sista dag för överklagande: 2022-07-25\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "  Kommun 2584 | 2022-06-29 | 2022-07-26 | 2022-07-25\n"));
  EXPECT_TRUE(absl::StrContains(text, "  Kommun 2505 | 2022-07-04 | 2022-07-26 | 2022-07-25\n"));
}

TEST(NoticeTest, DraftHasNoNoticeYet) {
  PdfContext c = PdfContextOf(SampleInput());
  std::string text = Text(NoticeBlocks(c));
  EXPECT_TRUE(absl::StrContains(text, "inte justerat")) << text;
  EXPECT_TRUE(absl::StrContains(text, "Förvaringsplats för protokollet: ej angiven\n")) << text;
}

TEST(PdfFrameTest, HeaderFooterAndDatesFromTheRecords) {
  PdfContext c = AdjustedContext();
  platform::PdfDocument pdf = ProtocolPdf(RenderDocument(SampleInput()).blocks, c);
  EXPECT_EQ(pdf.frame.header_left, std::vector<std::string>{"KOMMUN 2584"});
  EXPECT_EQ(pdf.frame.header_right,
            (std::vector<std::string>{"SAMMANTRÄDESPROTOKOLL", "Norrbottens e-nämnd 2022-06-22"}));
  EXPECT_EQ(pdf.frame.footer_boxes,
            (std::vector<std::string>{"Justerandes signatur", "Utdragsbestyrkande"}));
  EXPECT_EQ(pdf.frame.footer_note,
            absl::StrCat("(Justerat 2022-06-29, SHA-256 ", std::string(64, 'b'), ")"));
  EXPECT_EQ(pdf.info.created, absl::CivilSecond(2022, 6, 29));
  // The notice follows the adjusted blocks.
  EXPECT_EQ(pdf.blocks.front().text, "Protokoll");
  EXPECT_TRUE(absl::StrContains(Text(pdf.blocks), "Anslag/bevis"));
  EXPECT_EQ(PdfFileName(c), "protokoll-e-namnden-2022-06-22.pdf");
  // A draft says so where the hash would be, dated by its meeting.
  platform::PdfDocument draft =
      ProtocolPdf(RenderDocument(SampleInput()).blocks, PdfContextOf(SampleInput()));
  EXPECT_EQ(draft.frame.footer_note, "Utkast: inte justerat");
  EXPECT_EQ(draft.info.created, absl::CivilSecond(2022, 6, 22));
  EXPECT_EQ(draft.frame.header_left, std::vector<std::string>{"NORRBOTTENS E-NÄMND"});
}

TEST(RenderTest, ExtractCarriesItsCertification) {
  ProtocolInput in = SampleInput();
  in.kind = DocumentKind::kExtract;
  in.certified_by.set_display_name("Nämndsekreterare");
  in.certified_date = CivilDay(2022, 7, 1);
  in.adjusted_date = CivilDay(2022, 6, 29);
  in.adjustment_name = "bodies/e-namnden/meetings/2022-06-22/adjustments/1";
  in.protocol_sha256 = std::string(64, 'a');
  std::string text = RenderDocument(in).text;
  EXPECT_TRUE(absl::StrContains(text, "Protokollsutdrag\n"));
  EXPECT_TRUE(absl::StrContains(text, "Utdragsbestyrkande\n"));
  EXPECT_TRUE(absl::StrContains(text, "2022-07-01, Nämndsekreterare\n"));
  EXPECT_TRUE(
      absl::StrContains(text, std::string("Justerat protokoll SHA-256: ") + std::string(64, 'a')));
  EXPECT_FALSE(absl::StrContains(text, "Beslutande ledamöter"));
}

}  // namespace
}  // namespace enamnd::meetings
