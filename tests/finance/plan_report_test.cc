// The interim report as people read it (services/finance/domain/
// plan_report.h): the follow-up's texts verbatim, the computed figures, the
// financial statement in tkr, missing figures and failed services marked,
// and HTML that escapes what it is given.
#include "services/finance/domain/plan_report.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/finance/domain/budgets.h"
#include "services/finance/domain/plans.h"
#include "services/platform/api_util.h"
#include "tests/finance/plan_builders.h"

namespace enamnd::finance {
namespace {

using absl::StrContains;

const char kAttendanceComment[] =
    "Kommentar: Vid nämndsammanträdet 16 mars deltog 9 av 14 ledamöter vilket utgör ca 64% "
    "deltagande. Prognosen är att det föreligger en risk att målet ej nås.";
const char kCoordinationBullet[] =
    "Genomförande av införandeprojekt ”gemensamt datacenter Norrbotten”";
const char kMeetingLine[] = "16 mars 2022, 13:00-16:00";
const char kSummary[] =
    "Delårsrapporten omfattar tidsperioden januari-maj 2022 och rapporterar prognosen för hur "
    "Norrbottens e-nämnd kommer att uppfylla de verksamhetsmål som satts för året samt innefattar "
    "ekonomisk redovisning för perioden och prognos för helåret.";
const char kOutcomeNote[] = "Per sista maj redovisar nämnden ett positivt resultat på 120 tkr.";
const char kForecastNote[] =
    "Nämnden räknar med ett utfall enligt budget på årsbasis, dvs noll. Omsättning för helåret "
    "5 034 tkr, prognosen visar 6 193 tkr för helåret.";

v1::PlanFollowUp InterimFollowUp() {
  v1::PlanFollowUp f;
  f.set_name("plans/2022/follow-ups/5");
  f.set_through_month(5);
  *f.mutable_as_of_date() = platform::ToDate(absl::CivilDay(2022, 6, 21));
  f.set_title("Delårsrapport 2022");
  f.add_summary()->set_text(kSummary);
  v1::GoalFollowUp* attendance = f.add_goals();
  attendance->set_goal("committee-attendance");
  attendance->add_comment()->set_text(kAttendanceComment);
  attendance->set_forecast(v1::OUTLOOK_AT_RISK);
  v1::GoalFollowUp* coordination = f.add_goals();
  coordination->set_goal("coordination");
  coordination->add_comment()->set_text(
      "Kommentar: Under perioden har nämnden samordnat nedanstående insatser:");
  v1::TextBlock* list = coordination->add_comment();
  list->add_bullets(
      "Genomförande av införandeprojekt ”nytt verksamhetssystem för socialtjänsten i Norrbotten”");
  list->add_bullets(kCoordinationBullet);
  list->set_marker("-");
  coordination->set_forecast_text("Prognosen är att målet kommer nås");
  v1::GoalFollowUp* meetings = f.add_goals();
  meetings->set_goal("committee-meetings");
  meetings->add_comment()->set_text(
      "Kommentar: Nämnden har fastslagit nedanstående sammanträdesplan för året 2022 och denna "
      "har under perioden följts.");
  v1::TextBlock* lines = meetings->add_comment();
  lines->add_lines(kMeetingLine);
  lines->add_lines("22 juni 2022, 13:00-16:00");
  v1::GoalFollowUp* prep = f.add_goals();
  prep->set_goal("prep-attendance");
  prep->set_forecast_text(
      "Prognosen är att indikatorn kommer att uppnås vad gäller deltagande under helåret 2022.");
  prep->set_forecast(v1::OUTLOOK_WILL_BE_MET);
  f.add_outcome_notes(kOutcomeNote);
  f.add_outcome_notes("Säsongsvariation, vissa projektkostnader kommer i slutet på året.");
  return f;
}

// Two lines whose sums are the sample's totals (tkr): outcome 1 792 / 1 673,
// budget 5 034 / 5 034, forecast 6 193 / 6 193.
v1::FinancialReport Statement() {
  v1::FinancialReport s;
  s.set_budget("budgets/2022");
  s.set_through_month(5);
  s.set_forecast("budgets/2022/forecasts/5");
  auto row = [](const std::string& line, const std::string& title, int64_t budget,
                int64_t outcome_in, int64_t outcome_cost, int64_t forecast) {
    v1::FinancialReport::Row r;
    r.set_line(line);
    r.set_title(title);
    *r.mutable_budget() = FiguresOf(budget, budget);
    *r.mutable_outcome() = FiguresOf(outcome_in, outcome_cost);
    *r.mutable_forecast() = FiguresOf(forecast, forecast);
    *r.mutable_forecast_deviation() = FiguresOf(forecast - budget, forecast - budget);
    return r;
  };
  *s.add_rows() =
      row("basic-funding", "Grundfinansiering", 300'000'000, 125'000'000, 110'000'000, 300'000'000);
  *s.add_rows() =
      row("e-office", "E-kontor | samordnare", 203'400'000, 54'200'000, 57'300'000, 319'300'000);
  *s.mutable_total() = row("", "Total", 503'400'000, 179'200'000, 167'300'000, 619'300'000);
  s.add_forecast_notes(kForecastNote);
  return s;
}

v1::RenderedPlanReport Report(const PlanFacts& facts, const v1::PlanFollowUp& follow_up) {
  const v1::Plan plan = Plan2022();
  v1::RenderedPlanReport report;
  report.set_follow_up(follow_up.name());
  report.set_title(follow_up.title());
  for (const v1::Goal& goal : plan.goals()) {
    const v1::GoalFollowUp* comment = nullptr;
    for (const v1::GoalFollowUp& g : follow_up.goals()) {
      if (g.goal() == goal.id()) comment = &g;
    }
    *report.add_goals() = EvaluateGoal(goal, comment, facts, May2022());
  }
  *report.mutable_financial_statement() = Statement();
  report.set_complete(true);
  for (const auto& [service, outcome] : facts.sources) {
    v1::SourceStatus* s = report.add_sources();
    s->set_service(service);
    s->set_ok(outcome.ok);
    s->set_error(outcome.error);
    s->set_calls(outcome.calls);
    if (!outcome.ok) report.set_complete(false);
  }
  return report;
}

PlanFacts MeetingsDown() {
  PlanFacts facts = SampleFacts();
  facts.bodies.clear();
  facts.sources["meetings"] = SourceOutcome{false, "DEADLINE_EXCEEDED after 2000 ms", 3, ReadAt()};
  return facts;
}

size_t Position(const std::string& text, const std::string& part) {
  const size_t at = text.find(part);
  EXPECT_NE(at, std::string::npos) << "missing: " << part;
  return at;
}

TEST(PlanReportMarkdownTest, TheInterimReport) {
  const v1::PlanFollowUp follow_up = InterimFollowUp();
  const std::string md =
      RenderPlanReportMarkdown(Report(SampleFacts(), follow_up), Plan2022(), follow_up);
  EXPECT_TRUE(absl::StartsWith(md, "# Delårsrapport 2022\n")) << md;
  EXPECT_TRUE(StrContains(md, kSummary));
  EXPECT_TRUE(StrContains(md, kAttendanceComment));
  EXPECT_TRUE(StrContains(md, std::string("- - ") + kCoordinationBullet) ||
              StrContains(md, std::string("- ") + kCoordinationBullet))
      << md;
  EXPECT_TRUE(StrContains(md, "16 mars 2022, 13:00-16:00\\\n22 juni 2022, 13:00-16:00\n")) << md;
  EXPECT_TRUE(StrContains(md, "Prognosen är att målet kommer nås\n"));
  EXPECT_TRUE(StrContains(md, "Nämndens bedömning: risk att det inte nås"));
  EXPECT_FALSE(StrContains(md, "ofullständig"));

  // The figures, with source and read time in Stockholm.
  EXPECT_TRUE(StrContains(
      md, "| Närvaro | 9 av 14 (64 %) | //meetings/bodies/e-namnden | 2022-06-21 10:15:00 |"))
      << md;
  EXPECT_TRUE(StrContains(md, "| Lägsta närvaro | 10 av 14 (71 %) |"));
  EXPECT_TRUE(StrContains(md,
                          "*Beräknad bedömning: risk att det inte nås — 9 av 14 (64 %) är "
                          "under målet 75 %; 3 sammanträden planerade*"));
  EXPECT_TRUE(StrContains(md, "Målvärde: minst 75 %"));

  // Goals, then indicators; each goal where its kind puts it.
  const size_t goals = Position(md, "### Mål\n");
  const size_t indicators = Position(md, "### Indikatorer\n");
  EXPECT_LT(goals, indicators);
  EXPECT_LT(Position(md, "#### Nämnden har genomfört minst fyra sammanträden"), indicators);
  EXPECT_GT(Position(md, "#### Minst 10 beredningsgruppsmöten"), indicators);
  EXPECT_LT(indicators, Position(md, "## Ekonomisk redovisning"));

  // The financial statement in tkr, with its notes.
  EXPECT_TRUE(StrContains(md, "**Utfall per sista maj 2022 (tkr)**"));
  EXPECT_TRUE(StrContains(md, "| **Totalt** | 1 792 | 1 673 | 119 |")) << md;
  EXPECT_TRUE(StrContains(md, "| Grundfinansiering | 1 250 | 1 100 | 150 |"));
  EXPECT_TRUE(StrContains(md, "| E-kontor \\| samordnare |"));
  EXPECT_TRUE(StrContains(md, "**Budget 2022 (tkr)**"));
  EXPECT_TRUE(StrContains(md, "| **Totalt** | 5 034 | 5 034 | 0 |"));
  EXPECT_TRUE(StrContains(md, "**Prognos 2022 (tkr) (2022-05)**"));
  EXPECT_TRUE(StrContains(md, "| **Totalt** | 6 193 | 6 193 | 0 |"));
  EXPECT_LT(Position(md, "Utfall per sista maj"), Position(md, kOutcomeNote));
  EXPECT_LT(Position(md, kOutcomeNote), Position(md, "Budget 2022 (tkr)"));
  EXPECT_TRUE(StrContains(md, kForecastNote));
}

TEST(PlanReportMarkdownTest, MarksMissingFiguresAndFailedServices) {
  const v1::PlanFollowUp follow_up = InterimFollowUp();
  const v1::RenderedPlanReport report = Report(MeetingsDown(), follow_up);
  ASSERT_FALSE(report.complete());
  const std::string md = RenderPlanReportMarkdown(report, Plan2022(), follow_up);
  EXPECT_LT(Position(md,
                     "> **Rapporten är ofullständig: uppgifter kunde inte hämtas från "
                     "meetings (DEADLINE_EXCEEDED after 2000 ms)."),
            Position(md, "## Måluppföljning"));
  EXPECT_TRUE(StrContains(
      md, "| Närvaro | **uppgift saknas (meetings: DEADLINE_EXCEEDED after 2000 ms)** |"))
      << md;
  EXPECT_TRUE(StrContains(md,
                          "Beräknad bedömning: kan inte bedömas — Uppgiften kunde inte "
                          "hämtas: meetings: DEADLINE_EXCEEDED after 2000 ms"));
  // The goals of the other services and the comments are still there.
  EXPECT_TRUE(StrContains(md, "| Initiativ under arbete | 3 |"));
  EXPECT_TRUE(StrContains(md, kAttendanceComment));
  EXPECT_TRUE(
      StrContains(md, "- meetings: svarade inte (DEADLINE_EXCEEDED after 2000 ms), 3 anrop"));
}

TEST(PlanReportMarkdownTest, EscapesMarkupAndSaysWhenTheStatementIsMissing) {
  v1::PlanFollowUp follow_up = InterimFollowUp();
  follow_up.mutable_goals(0)->add_comment()->set_text("# inte en rubrik\n1. inte en lista <b>");
  follow_up.mutable_goals(3)->add_comment()->set_text("Sex möten har genomförts.");
  v1::RenderedPlanReport report = Report(SampleFacts(), follow_up);
  report.clear_financial_statement();
  report.set_financial_statement_missing("budgets/2022 finns inte");
  const std::string md = RenderPlanReportMarkdown(report, Plan2022(), follow_up);
  EXPECT_TRUE(StrContains(md, "\n\\# inte en rubrik\n1\\. inte en lista \\<b>\n")) << md;
  EXPECT_TRUE(StrContains(md, "Ekonomisk redovisning saknas: budgets/2022 finns inte"));
  // "Kommentar:" once: before a comment that does not say it itself.
  EXPECT_FALSE(StrContains(md, "Kommentar:\n\nKommentar:"));
  EXPECT_TRUE(StrContains(md, "Kommentar:\n\nSex möten har genomförts.\n"));
  EXPECT_FALSE(StrContains(md, "(tkr)"));
  // The outcome notes are the follow-up's and still shown.
  EXPECT_TRUE(StrContains(md, kOutcomeNote));
}

TEST(PlanReportHtmlTest, AWholeDocument) {
  const v1::PlanFollowUp follow_up = InterimFollowUp();
  const std::string html =
      RenderPlanReportHtml(Report(SampleFacts(), follow_up), Plan2022(), follow_up);
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>\n<html lang=\"sv\">")) << html;
  EXPECT_TRUE(StrContains(html, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(StrContains(html, "<style>"));
  EXPECT_TRUE(absl::EndsWith(html, "</html>\n"));
  EXPECT_FALSE(StrContains(html, "<script"));
  EXPECT_TRUE(StrContains(html, "<title>Delårsrapport 2022</title>"));
  EXPECT_TRUE(StrContains(html, kSummary));
  EXPECT_TRUE(StrContains(html, kAttendanceComment));
  EXPECT_TRUE(
      StrContains(html, std::string("<span class=\"marker\">-</span>") + kCoordinationBullet));
  EXPECT_TRUE(StrContains(html, "16 mars 2022, 13:00-16:00<br>\n22 juni 2022, 13:00-16:00"));
  EXPECT_TRUE(StrContains(html, "<td>Närvaro</td><td>9 av 14 (64 %)</td>"));
  EXPECT_TRUE(StrContains(html, "<td>2022-06-21 10:15:00</td>"));
  EXPECT_TRUE(StrContains(html, "<caption>Utfall per sista maj 2022 (tkr)</caption>"));
  EXPECT_TRUE(StrContains(html, "<td class=\"num\">1 792</td><td class=\"num\">1 673</td>"));
  EXPECT_TRUE(StrContains(html, "<td class=\"num\">6 193</td>"));
  EXPECT_TRUE(StrContains(html, "E-kontor | samordnare"));
  EXPECT_TRUE(StrContains(html, kOutcomeNote));
  EXPECT_FALSE(StrContains(html, "class=\"notice\""));
  EXPECT_FALSE(StrContains(html, "uppgift saknas ("));
}

TEST(PlanReportHtmlTest, MarksMissingFiguresAndEscapes) {
  v1::PlanFollowUp follow_up = InterimFollowUp();
  follow_up.mutable_goals(0)->add_comment()->set_text("<script>alert(\"x\")</script> & co");
  follow_up.mutable_goals(1)->mutable_comment(1)->set_marker("<i>");
  const std::string html =
      RenderPlanReportHtml(Report(MeetingsDown(), follow_up), Plan2022(), follow_up);
  EXPECT_FALSE(StrContains(html, "<script"));
  EXPECT_FALSE(StrContains(html, "<i>"));
  EXPECT_TRUE(StrContains(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"))
      << html;
  EXPECT_TRUE(StrContains(html,
                          "<div class=\"notice\" role=\"alert\"><p>Rapporten är "
                          "ofullständig: uppgifter kunde inte hämtas från meetings "
                          "(DEADLINE_EXCEEDED after 2000 ms)."));
  EXPECT_TRUE(StrContains(html,
                          "<tr class=\"missing\"><td>Närvaro</td><td><span "
                          "class=\"missing\">uppgift saknas (meetings: DEADLINE_EXCEEDED "
                          "after 2000 ms)</span></td>"))
      << html;
}

}  // namespace
}  // namespace enamnd::finance
