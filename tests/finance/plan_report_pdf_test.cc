// The interim and annual report as blocks and as a PDF document
// (services/finance/domain/plan_report.h): the sections of the Markdown, the
// follow-up's texts and the goals' names verbatim, nothing that differs from
// call to call, and a page frame dated the follow-up's month end.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/finance/domain/plan_report.h"
#include "services/platform/api_util.h"

namespace enamnd::finance {
namespace {

using platform::Block;

v1::Plan Plan() {
  v1::Plan plan;
  plan.set_name("plans/2022");
  plan.set_year(2022);
  plan.set_title("Verksamhetsplan 2022");
  return plan;
}

v1::PlanFollowUp FollowUp(int through_month) {
  v1::PlanFollowUp f;
  f.set_name(absl::StrCat("plans/2022/follow-ups/", through_month));
  f.set_through_month(through_month);
  *f.mutable_as_of_date() =
      platform::ToDate(absl::CivilDay(absl::CivilMonth(2022, through_month) + 1) - 1);
  f.set_title("Delårsrapport 2022");
  f.add_summary()->set_text("Delårsrapporten omfattar januari-maj 2022.");
  v1::TextBlock* bullets = f.add_summary();
  bullets->set_marker("-");
  bullets->add_bullets("första insatsen");
  v1::TextBlock* numbered = f.add_summary();
  numbered->set_marker("1)");
  numbered->add_bullets("numrerad insats");
  v1::TextBlock* lines = f.add_summary();
  lines->add_lines("16 mars 2022");
  lines->add_lines("22 juni 2022");
  f.add_outcome_notes("Positivt resultat på 120 tkr.");
  return f;
}

v1::Figures Tkr(int64_t income, int64_t cost) {
  v1::Figures f;
  f.set_income_tkr(income);
  f.set_cost_tkr(cost);
  f.set_deviation_tkr(income - cost);
  return f;
}

// One goal with a figure read from meetings (at a time the PDF leaves out)
// and the committee's comment, one indicator; a one-line statement.
v1::RenderedPlanReport Report() {
  v1::RenderedPlanReport r;
  r.set_follow_up("plans/2022/follow-ups/5");
  r.set_title("Delårsrapport 2022");
  r.set_complete(true);
  v1::GoalReport* goal = r.add_goals();
  goal->mutable_goal()->set_text("Minst 75 % närvaro vid nämndens sammanträden");
  goal->mutable_goal()->set_kind(v1::Goal::KIND_GOAL);
  goal->mutable_goal()->set_unit(v1::UNIT_PERCENT);
  goal->mutable_goal()->set_target(75);
  v1::GoalFigure* figure = goal->add_figures();
  figure->set_label("Närvaro");
  figure->set_value(9);
  figure->set_denominator(14);
  figure->set_percent(64);
  figure->set_unit(v1::UNIT_PERCENT);
  figure->set_source("//meetings/bodies/e-namnden");
  figure->mutable_read_time()->set_seconds(1655799300);
  goal->set_computed_outlook(v1::OUTLOOK_AT_RISK);
  goal->set_computed_reason("9 av 14 (64 %) är under målet 75 %");
  goal->mutable_follow_up()->add_comment()->set_text("Nio av fjorton deltog.");
  goal->mutable_follow_up()->set_forecast(v1::OUTLOOK_AT_RISK);
  v1::GoalReport* indicator = r.add_goals();
  indicator->mutable_goal()->set_text("Minst 10 beredningsgruppsmöten");
  indicator->mutable_goal()->set_kind(v1::Goal::KIND_INDICATOR);
  v1::FinancialReport* s = r.mutable_financial_statement();
  s->set_budget("budgets/2022");
  s->set_through_month(5);
  v1::FinancialReport::Row* row = s->add_rows();
  row->set_line("basic-funding");
  row->set_title("Grundfinansiering");
  *row->mutable_outcome() = Tkr(1250, 1100);
  *row->mutable_budget() = Tkr(3000, 3000);
  *row->mutable_forecast() = Tkr(3000, 3000);
  *row->mutable_forecast_deviation() = Tkr(0, 0);
  *s->mutable_total() = *row;
  s->add_forecast_notes("Utfall enligt budget på årsbasis.");
  v1::SourceStatus* meetings = r.add_sources();
  meetings->set_service("meetings");
  meetings->set_ok(true);
  meetings->set_calls(2);
  r.mutable_render_time()->set_seconds(1655799400);
  return r;
}

const std::vector<Block> kHead = {
    {Block::kTitle, "Delårsrapport 2022"},
    {Block::kLine, "Verksamhetsplan 2022 · januari–maj 2022 · uppgifterna räknade till 2022-05-31"},
};
const std::vector<Block> kSummary = {
    {Block::kText, "Delårsrapporten omfattar januari-maj 2022."},
    {Block::kItem, "första insatsen"},
    {Block::kItem, "1) numrerad insats"},
    {Block::kText, "16 mars 2022\n22 juni 2022"},
};
const std::vector<Block> kGoals = {
    {Block::kHeading, "Måluppföljning"},
    {Block::kSubheading, "Mål"},
    {Block::kSubheading, "Minst 75 % närvaro vid nämndens sammanträden"},
    {Block::kLine, "Målvärde: minst 75 %"},
    {Block::kHeaderRow, "Uppgift\tVärde\tKälla"},
    {Block::kRow, "Närvaro\t9 av 14 (64 %)\t//meetings/bodies/e-namnden"},
    {Block::kLine,
     "Beräknad bedömning: risk att det inte nås — 9 av 14 (64 %) är under målet 75 %"},
    {Block::kLine, "Kommentar:"},
    {Block::kText, "Nio av fjorton deltog."},
    {Block::kLine, "Nämndens bedömning: risk att det inte nås"},
    {Block::kSubheading, "Indikatorer"},
    {Block::kSubheading, "Minst 10 beredningsgruppsmöten"},
    {Block::kLine, "Målvärde: inget (följs upp i text)"},
    {Block::kLine, "Beräknad bedömning: kan inte bedömas"},
};
const std::vector<Block> kOutcomeNotes = {
    {Block::kSubheading, "Noteringar avvikelser"},
    {Block::kItem, "Positivt resultat på 120 tkr."},
};
const std::vector<Block> kSources = {
    {Block::kHeading, "Källor"},
    {Block::kItem, "meetings: svarade, 2 anrop"},
};

std::vector<Block> Join(const std::vector<std::vector<Block>>& parts) {
  std::vector<Block> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

std::vector<Block> Table(const std::string& caption, const std::string& row,
                         const std::string& total) {
  return {{Block::kSubheading, caption},
          {Block::kHeaderRow, "\tIntäkter\tKostnader\tAvvikelse"},
          {Block::kRow, row},
          {Block::kRow, total}};
}

TEST(PlanReportBlocksTest, SectionsAsTheMarkdownHasThem) {
  const v1::RenderedPlanReport complete = Report();
  v1::RenderedPlanReport no_statement = Report();
  no_statement.clear_financial_statement();
  no_statement.set_financial_statement_missing("ingen budget för 2022");
  v1::RenderedPlanReport meetings_down = Report();
  meetings_down.set_complete(false);
  meetings_down.mutable_sources(0)->set_ok(false);
  meetings_down.mutable_sources(0)->set_error("DEADLINE_EXCEEDED after 2000 ms");
  meetings_down.clear_financial_statement();

  const std::vector<Block> statement = Join({
      {{Block::kHeading, "Ekonomisk redovisning"}},
      Table("Utfall per sista maj 2022 (tkr)", "Grundfinansiering\t1 250\t1 100\t150",
            "Totalt\t1 250\t1 100\t150"),
      kOutcomeNotes,
      Table("Budget 2022 (tkr)", "Grundfinansiering\t3 000\t3 000\t0", "Totalt\t3 000\t3 000\t0"),
  });
  struct Case {
    std::string name;
    v1::RenderedPlanReport report;
    std::vector<Block> want_prefix;  // up to the statement's second table
    std::vector<Block> want_suffix;
  };
  const std::vector<Case> cases = {
      {"complete", complete, Join({kHead, kSummary, kGoals}), kSources},
      {"no statement", no_statement,
       Join({kHead,
             kSummary,
             kGoals,
             {{Block::kHeading, "Ekonomisk redovisning"},
              {Block::kLine, "Ekonomisk redovisning saknas: ingen budget för 2022"}},
             kOutcomeNotes,
             kSources}),
       kSources},
      {"a service down",
       meetings_down,
       Join({kHead,
             {{Block::kText,
               "Rapporten är ofullständig: uppgifter kunde inte hämtas från meetings "
               "(DEADLINE_EXCEEDED after 2000 ms). Berörda uppgifter är markerade \"uppgift "
               "saknas\"."}},
             kSummary,
             kGoals}),
       {{Block::kHeading, "Källor"},
        {Block::kItem, "meetings: svarade inte (DEADLINE_EXCEEDED after 2000 ms), 2 anrop"}}},
  };
  for (const Case& c : cases) {
    const std::vector<Block> got = PlanReportBlocks(c.report, Plan(), FollowUp(5));
    ASSERT_GE(got.size(), c.want_prefix.size()) << c.name;
    EXPECT_EQ(std::vector<Block>(got.begin(), got.begin() + c.want_prefix.size()), c.want_prefix)
        << c.name;
    ASSERT_GE(got.size(), c.want_suffix.size()) << c.name;
    EXPECT_EQ(std::vector<Block>(got.end() - c.want_suffix.size(), got.end()), c.want_suffix)
        << c.name;
    for (const Block& b : got) {
      // Neither the read time (10:15 in Stockholm) nor the render time.
      EXPECT_EQ(b.text.find("2022-06-21"), std::string::npos) << c.name << ": " << b.text;
      EXPECT_EQ(b.text.find("sammanställd"), std::string::npos) << c.name << ": " << b.text;
    }
  }

  // The statement: outcome, the follow-up's notes, budget, forecast,
  // deviation, and the forecast's notes, in that order.
  const std::vector<Block> got = PlanReportBlocks(complete, Plan(), FollowUp(5));
  const size_t start = Join({kHead, kSummary, kGoals}).size();
  ASSERT_GE(got.size(), start + statement.size());
  EXPECT_EQ(std::vector<Block>(got.begin() + start, got.begin() + start + statement.size()),
            statement);
  const std::vector<Block> forecast_notes = {{Block::kSubheading, "Noteringar avvikelser"},
                                             {Block::kText, "Utfall enligt budget på årsbasis."}};
  EXPECT_EQ(std::vector<Block>(got.end() - kSources.size() - forecast_notes.size(),
                               got.end() - kSources.size()),
            forecast_notes);
}

TEST(PlanReportPdfTest, InterimOrAnnualByTheFollowUpsMonth) {
  struct Case {
    int month;
    std::vector<std::string> header_right;
    std::string file_name;
    absl::CivilSecond created;
  };
  const Case cases[] = {
      {5,
       {"DELÅRSRAPPORT", "2022-05-31"},
       "delarsrapport-2022-05-31.pdf",
       absl::CivilSecond(2022, 5, 31)},
      {8,
       {"DELÅRSRAPPORT", "2022-08-31"},
       "delarsrapport-2022-08-31.pdf",
       absl::CivilSecond(2022, 8, 31)},
      {12,
       {"ÅRSREDOVISNING", "2022-12-31"},
       "arsredovisning-2022-12-31.pdf",
       absl::CivilSecond(2022, 12, 31)},
  };
  for (const Case& c : cases) {
    const platform::PdfDocument pdf = PlanReportPdf(Report(), Plan(), FollowUp(c.month));
    EXPECT_EQ(pdf.blocks, PlanReportBlocks(Report(), Plan(), FollowUp(c.month)));
    EXPECT_EQ(pdf.frame.header_left, std::vector<std::string>{"NORRBOTTENS E-NÄMND"});
    EXPECT_EQ(pdf.frame.header_right, c.header_right) << c.month;
    EXPECT_TRUE(pdf.frame.footer_boxes.empty());
    EXPECT_EQ(pdf.frame.footer_left, "Delårsrapport 2022");
    EXPECT_EQ(pdf.info.title, "Delårsrapport 2022");
    EXPECT_EQ(pdf.info.created, c.created) << c.month;
    EXPECT_EQ(PlanReportPdfFileName(Plan(), FollowUp(c.month)), c.file_name);
  }
}

}  // namespace
}  // namespace enamnd::finance
