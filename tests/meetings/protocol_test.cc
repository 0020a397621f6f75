#include "services/meetings/domain/protocol.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

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
       {"Protokoll\n", "Norrbottens e-nämnd\n", "Sammanträdesdatum: 2022-06-22\n",
        "Tid: 13:00–16:00\n", "Plats: Luleå\n", "Paragrafer: § 8\n", "Beslutande ledamöter\n",
        "  - Ledamot 2584, Kommun 2584\n", "Tjänstgörande ersättare\n",
        "  - Ersättare 2523, Kommun 2523, för Ledamot 2523, § 8\n", "Frånvarande ledamöter\n",
        "  - Ledamot 2505, Kommun 2505\n", "Ordförande: Ledamot 2584\n",
        "Justerare: Ersättare 2523\n", "§ 8 Grundläggande granskning 2021", "Dnr 2022/9-2.2.0.1\n",
        "Beslut\n  Nämnden tar till sig revisorernas synpunkter.\n  Andra raden.\n",
        "Beslutsunderlag\n  - Revisionsrapport\n", "Beslutet skickas till\n  - Kommun 2584\n"}) {
    EXPECT_TRUE(absl::StrContains(doc.text, expected)) << expected << "\n---\n" << doc.text;
  }
  EXPECT_TRUE(absl::StrContains(doc.html, "&lt;Kiruna &amp; Gällivare&gt;"));
  EXPECT_TRUE(absl::StrContains(doc.html, "<html lang=\"sv\">"));
  EXPECT_FALSE(absl::StrContains(doc.html, "<Kiruna"));
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
