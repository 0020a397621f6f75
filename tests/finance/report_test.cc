// The financial report (services/finance/domain/budgets.h, BuildReport):
// budget, outcome through a month, forecast (lines it does not name as
// budgeted) and deviations, each tkr figure rounded from its exact sum;
// DOMAIN.md's Jan-May 2022 (income 1 792 tkr, costs 1 673 tkr, deviation
// 120 tkr, not 1 792 - 1 673 = 119).
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/finance/domain/budgets.h"
#include "tests/finance/budget_builders.h"

namespace enamnd::finance {
namespace {

v1::Budget Budget2022() {
  v1::Budget b;
  b.set_name("budgets/2022");
  b.set_year(2022);
  *b.add_lines() = EqualLine("basic-funding", 360'000'000, 360'000'000);
  *b.add_lines() = EqualLine("e-office", 143'400'000, 143'400'000);
  return b;
}

v1::MonthlyOutcome Month(int month, std::vector<std::tuple<std::string, Ore, Ore>> lines) {
  v1::MonthlyOutcome o;
  o.set_month(month);
  for (const auto& [line, income, cost] : lines) {
    AddAmounts(o.mutable_lines(), line, income, cost);
  }
  return o;
}

// January to May 2022: income 1 792 400 kr, costs 1 672 600 kr.
std::vector<v1::MonthlyOutcome> JanuaryToMay() {
  std::vector<v1::MonthlyOutcome> months;
  for (int m = 1; m <= 5; ++m) {
    std::vector<std::tuple<std::string, Ore, Ore>> lines = {
        {"basic-funding", 30'000'000, 25'000'000}};
    if (m == 2) lines.push_back({"e-office", 0, 20'000'000});
    if (m == 3) lines.push_back({"e-office", 29'240'000, 0});
    if (m == 5) lines.push_back({"e-office", 0, 22'260'000});
    months.push_back(Month(m, lines));
  }
  months.push_back(Month(6, {{"basic-funding", 99'000'000, 0}}));  // after the report's month
  return months;
}

TEST(ReportTest, JanuaryToMay2022RoundsEachFigureFromItsExactSum) {
  v1::FinancialReport r = BuildReport(Budget2022(), JanuaryToMay(), 5, std::nullopt);
  EXPECT_EQ(r.budget(), "budgets/2022");
  EXPECT_EQ(r.through_month(), 5);
  const v1::Figures& total = r.total().outcome();
  EXPECT_EQ(total.income().ore(), 179'240'000);
  EXPECT_EQ(total.cost().ore(), 167'260'000);
  EXPECT_EQ(total.deviation().ore(), 11'980'000);
  EXPECT_EQ(total.income_tkr(), 1792);
  EXPECT_EQ(total.cost_tkr(), 1673);
  EXPECT_EQ(total.deviation_tkr(), 120);  // not 1 792 - 1 673
  EXPECT_EQ(r.total().budget().cost_tkr(), 5034);
  ASSERT_EQ(r.rows_size(), 2);
  EXPECT_EQ(r.rows(0).line(), "basic-funding");
  EXPECT_EQ(r.rows(0).title(), "Rad basic-funding");
  EXPECT_EQ(r.rows(0).outcome().income().ore(), 150'000'000);
  EXPECT_EQ(r.rows(1).outcome().cost().ore(), 42'260'000);
  // No forecast: as budgeted, no deviation.
  EXPECT_TRUE(r.forecast().empty());
  EXPECT_EQ(r.total().forecast().cost().ore(), 503'400'000);
  EXPECT_EQ(r.total().forecast_deviation().cost().ore(), 0);
}

TEST(ReportTest, TheForecastReplacesTheLinesItNamesOnly) {
  v1::Forecast f;
  f.set_name("budgets/2022/forecasts/5");
  f.set_as_of_month(5);
  AddAmounts(f.mutable_lines(), "e-office", 143'400'000, 123'400'000);  // 200 tkr less
  f.add_notes("Vakant tjänst under våren");
  v1::FinancialReport r = BuildReport(Budget2022(), JanuaryToMay(), 5, f);
  EXPECT_EQ(r.forecast(), "budgets/2022/forecasts/5");
  ASSERT_EQ(r.forecast_notes_size(), 1);
  EXPECT_EQ(r.rows(0).forecast().cost().ore(), 360'000'000);  // as budgeted
  EXPECT_EQ(r.rows(1).forecast().cost().ore(), 123'400'000);
  EXPECT_EQ(r.rows(1).forecast_deviation().cost().ore(), -20'000'000);
  EXPECT_EQ(r.rows(1).forecast_deviation().deviation().ore(), 20'000'000);
  EXPECT_EQ(r.total().forecast_deviation().cost_tkr(), -200);
  EXPECT_EQ(r.total().forecast().deviation_tkr(), 200);
}

TEST(ReportTest, ThroughMonthLimitsTheOutcome) {
  struct Case {
    int through;
    Ore income;
    Ore cost;
  };
  const std::vector<Case> cases = {
      {0, 0, 0},
      {1, 30'000'000, 25'000'000},
      {2, 60'000'000, 70'000'000},
      {6, 278'240'000, 167'260'000},
  };
  for (const Case& c : cases) {
    v1::FinancialReport r = BuildReport(Budget2022(), JanuaryToMay(), c.through, std::nullopt);
    EXPECT_EQ(r.total().outcome().income().ore(), c.income) << c.through;
    EXPECT_EQ(r.total().outcome().cost().ore(), c.cost) << c.through;
  }
}

TEST(ReportTest, AmountsOfALineNoLongerBudgetedStayInTheTotal) {
  v1::Budget b = Budget2022();
  b.mutable_lines()->RemoveLast();
  v1::FinancialReport r = BuildReport(b, JanuaryToMay(), 5, std::nullopt);
  ASSERT_EQ(r.rows_size(), 2);
  EXPECT_EQ(r.rows(1).line(), "e-office");
  EXPECT_EQ(r.rows(1).title(), "");
  EXPECT_EQ(r.rows(1).budget().cost().ore(), 0);
  EXPECT_EQ(r.total().outcome().cost_tkr(), 1673);
}

TEST(FiguresTest, DeviationIsIncomeMinusCostEachRounded) {
  struct Case {
    Ore income, cost;
    int64_t income_tkr, cost_tkr, deviation_tkr;
  };
  const std::vector<Case> cases = {
      {179'240'000, 167'260'000, 1792, 1673, 120},
      {0, 50'000, 0, 1, -1},  // 0.5 tkr away from zero
      {49'999, 0, 0, 0, 0},
      {0, 0, 0, 0, 0},
  };
  for (const Case& c : cases) {
    v1::Figures f = FiguresOf(c.income, c.cost);
    EXPECT_EQ(f.deviation().ore(), c.income - c.cost);
    EXPECT_EQ(f.income_tkr(), c.income_tkr);
    EXPECT_EQ(f.cost_tkr(), c.cost_tkr);
    EXPECT_EQ(f.deviation_tkr(), c.deviation_tkr);
  }
}

}  // namespace
}  // namespace enamnd::finance
