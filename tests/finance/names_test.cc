// The finance service's resource names: each Parse takes exactly what
// ToString makes, and names the field when it refuses.
#include "services/finance/domain/names.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"

namespace enamnd::finance {
namespace {

template <typename Name>
void ExpectRoundTrip(const std::string& text) {
  absl::StatusOr<Name> name = Name::Parse(text, "name");
  ASSERT_TRUE(name.ok()) << text << ": " << name.status();
  EXPECT_EQ(name->ToString(), text);
}

template <typename Name>
void ExpectRefused(const std::string& text) {
  absl::StatusOr<Name> name = Name::Parse(text, "budget.name");
  ASSERT_FALSE(name.ok()) << text;
  EXPECT_EQ(name.status().code(), absl::StatusCode::kInvalidArgument) << text;
  EXPECT_EQ(name.status().message().rfind("budget.name", 0), 0u) << name.status();
}

TEST(FinanceNames, RoundTrip) {
  ExpectRoundTrip<BudgetName>("budgets/2023");
  ExpectRoundTrip<BudgetLineName>("budgets/2022/lines/dcbd");
  ExpectRoundTrip<BudgetReference>("//finance/budgets/2023");
  ExpectRoundTrip<OutcomeName>("budgets/2022/outcomes/5");
  ExpectRoundTrip<ForecastName>("budgets/2022/forecasts/12");
  ExpectRoundTrip<IndexSeriesName>("index-series/aki");
  ExpectRoundTrip<PopulationFiguresName>("population-figures/2023-12-31");
  ExpectRoundTrip<PriceListName>("price-lists/2021");
  ExpectRoundTrip<InvoiceBasisName>("invoice-bases/2021");
  ExpectRoundTrip<InitiativeName>("initiatives/hr-payroll");
}

TEST(FinanceNames, RefusesOtherSpellings) {
  for (const char* text : {"budgets/", "budgets/23", "budgets/02023", "budgets/1999",
                           "budgets/2101", "budget/2023", "budgets/2023/x", "budgets/-2023"}) {
    ExpectRefused<BudgetName>(text);
  }
  for (const char* text :
       {"budgets/2022/lines/", "budgets/2022/lines/Dcbd", "budgets/2022/line/dcbd"}) {
    ExpectRefused<BudgetLineName>(text);
  }
  for (const char* text :
       {"finance/budgets/2023", "//projects/budgets/2023", "//finance/budgets/x"}) {
    ExpectRefused<BudgetReference>(text);
  }
  for (const char* text :
       {"budgets/2022/outcomes/0", "budgets/2022/outcomes/13", "budgets/2022/outcomes/05"}) {
    ExpectRefused<OutcomeName>(text);
  }
  for (const char* text :
       {"population-figures/2023-02-30", "population-figures/2023-2-1", "population-figures/"}) {
    ExpectRefused<PopulationFiguresName>(text);
  }
  ExpectRefused<IndexSeriesName>("index-series/AKI");
  ExpectRefused<PriceListName>("price-lists/20x1");
  ExpectRefused<InvoiceBasisName>("invoice-bases/");
}

TEST(FinanceNames, Years) {
  EXPECT_TRUE(ValidateYear(2000, "year").ok());
  EXPECT_TRUE(ValidateYear(2100, "year").ok());
  EXPECT_EQ(ValidateYear(1999, "year").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateYear(0, "year").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace enamnd::finance
