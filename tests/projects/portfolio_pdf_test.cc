// The portfolio overview as blocks and as a PDF document
// (services/projects/domain/portfolio.h): the same sections as the Markdown,
// status lines verbatim, and a page frame dated from the portfolio's day.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/projects/domain/portfolio.h"
#include "tests/support/builders.h"

namespace enamnd::projects {
namespace {

using platform::Block;
using testing::Day;

v1::PortfolioEntry Entry(const std::string& title, std::vector<std::string> status_lines) {
  v1::PortfolioEntry e;
  e.set_title(title);
  e.set_kind(v1::KIND_PRE_STUDY);
  e.set_state(v1::STATE_RUNNING);
  *e.mutable_state_date() = Day(2022, 3, 18);
  e.add_participant_display_names("Boden");
  e.add_participant_display_names("Luleå");
  for (std::string& line : status_lines) e.mutable_latest_status()->add_status_lines(line);
  return e;
}

v1::Portfolio PortfolioOf(std::vector<v1::PortfolioEntry> entries) {
  v1::Portfolio p;
  *p.mutable_date() = Day(2022, 6, 22);
  for (v1::PortfolioEntry& e : entries) *p.add_entries() = std::move(e);
  return p;
}

TEST(PortfolioBlocksTest, SectionsAsTheMarkdownHasThem) {
  v1::PortfolioEntry with_milestone =
      Entry("DCBD (gemensamt datacenter)", {"Älvsbyn, Boden och Gällivare är inne i plattformen"});
  v1::Milestone* m = with_milestone.mutable_latest_status()->add_milestones();
  m->set_title("Migrering Luleå");
  *m->mutable_planned_date() = Day(2022, 9, 1);
  *m->mutable_actual_date() = Day(2022, 8, 30);

  struct Case {
    std::string name;
    v1::Portfolio portfolio;
    std::vector<Block> want;
  };
  const std::string facts = "Förstudie · pågår sedan 2022-03-18 · Boden, Luleå";
  const std::vector<Case> cases = {
      {"empty",
       PortfolioOf({}),
       {{Block::kTitle, "Status"}, {Block::kLine, "Läge 2022-06-22, 0 aktiviteter."}}},
      {"no report yet",
       PortfolioOf({Entry("HR-system", {})}),
       {{Block::kTitle, "Status"},
        {Block::kLine, "Läge 2022-06-22, 1 aktivitet."},
        {Block::kHeading, "HR-system"},
        {Block::kLine, facts},
        {Block::kSubheading, "STATUS:"},
        {Block::kItem, "(ingen lägesrapport)"}}},
      {"status lines verbatim, markup characters and all",
       PortfolioOf({Entry("E-arkiv *fas 2*", {"Upphandling [klar] <2022>", "# inte en rubrik"}),
                    with_milestone}),
       {{Block::kTitle, "Status"},
        {Block::kLine, "Läge 2022-06-22, 2 aktiviteter."},
        {Block::kHeading, "E-arkiv *fas 2*"},
        {Block::kLine, facts},
        {Block::kSubheading, "STATUS:"},
        {Block::kItem, "Upphandling [klar] <2022>"},
        {Block::kItem, "# inte en rubrik"},
        {Block::kHeading, "DCBD (gemensamt datacenter)"},
        {Block::kLine, facts},
        {Block::kSubheading, "STATUS:"},
        {Block::kItem, "Älvsbyn, Boden och Gällivare är inne i plattformen"},
        {Block::kSubheading, "DELMÅL:"},
        {Block::kItem, "Migrering Luleå: planerat 2022-09-01, klart 2022-08-30"}}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PortfolioBlocks(c.portfolio, "Status"), c.want) << c.name;
  }
}

TEST(PortfolioBlocksTest, TextRenderingCarriesWhatTheMarkdownSays) {
  v1::Portfolio p = PortfolioOf({Entry("HR-system", {"Förstudie genomförd"})});
  const std::string text = platform::RenderBlocksAsText(PortfolioBlocks(p, kDefaultPortfolioTitle));
  const std::string markdown = RenderPortfolioMarkdown(p, kDefaultPortfolioTitle);
  for (const char* shared : {"Aktuella och pågående aktiviteter", "Läge 2022-06-22, 1 aktivitet.",
                             "HR-system", "STATUS:", "Förstudie genomförd"}) {
    EXPECT_NE(text.find(shared), std::string::npos) << shared << "\n" << text;
    EXPECT_NE(markdown.find(shared), std::string::npos) << shared << "\n" << markdown;
  }
}

TEST(PortfolioPdfTest, FrameAndMetadataFromThePortfoliosDay) {
  v1::Portfolio p = PortfolioOf({Entry("HR-system", {"Förstudie genomförd"})});
  const platform::PdfDocument pdf = PortfolioPdf(p, "Aktiviteter juni");
  EXPECT_EQ(pdf.blocks, PortfolioBlocks(p, "Aktiviteter juni"));
  EXPECT_EQ(pdf.frame.header_left, std::vector<std::string>{"NORRBOTTENS E-NÄMND"});
  EXPECT_EQ(pdf.frame.header_right, (std::vector<std::string>{"PORTFÖLJÖVERSIKT", "2022-06-22"}));
  EXPECT_TRUE(pdf.frame.footer_boxes.empty());
  EXPECT_EQ(pdf.frame.footer_left, "Aktiviteter juni 2022-06-22");
  EXPECT_EQ(pdf.info.title, "Aktiviteter juni");
  EXPECT_EQ(pdf.info.created, absl::CivilSecond(2022, 6, 22));
  EXPECT_EQ(PortfolioPdfFileName(p), "portfoljoversikt-2022-06-22.pdf");
}

}  // namespace
}  // namespace enamnd::projects
