// The rules of budgets (services/finance/domain/budgets.h): content and
// allocation models, states, uprating, population figures, months and line
// amounts, allocation keys from models and their descriptions. One table
// per rule.
#include "services/finance/domain/budgets.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/finance/budget_builders.h"
#include "tests/support/builders.h"

namespace enamnd::finance {
namespace {

using testing::Day;
using testing::InvalidFieldOf;
using v1::Budget;

Budget ValidBudget() {
  Budget b;
  b.set_name("budgets/2022");
  b.set_year(2022);
  b.set_title("Budget 2022");
  *b.add_lines() = EqualLine("basic-funding", 0, 300'000'000);
  *b.add_lines() = EqualLine("e-office", 50'000'000, 203'400'000);
  b.mutable_lines(1)->mutable_allocation()->mutable_population()->set_population_figures(
      "population-figures/2023-12-31");
  b.add_comments("Kommentar");
  return b;
}

v1::AllocationModel Table(std::vector<std::pair<std::string, int>> entries) {
  v1::AllocationModel m;
  for (const auto& [code, bp] : entries) {
    v1::TableEntry* e = m.mutable_table()->add_entries();
    e->set_municipality("municipalities/" + code);
    e->set_basis_points(bp);
  }
  return m;
}

TEST(BudgetContentTest, NamesTheFieldOfEachBrokenRule) {
  struct Case {
    std::string name;
    std::function<void(Budget*)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"valid", [](Budget*) {}, "ok"},
      {"no title", [](Budget* b) { b->clear_title(); }, "budget.title"},
      {"bad line id", [](Budget* b) { b->mutable_lines(0)->set_id("Grund Finans"); },
       "budget.lines[0].id"},
      {"line id twice", [](Budget* b) { b->mutable_lines(1)->set_id("basic-funding"); },
       "budget.lines[1].id"},
      {"no line title", [](Budget* b) { b->mutable_lines(1)->clear_title(); },
       "budget.lines[1].title"},
      {"negative income", [](Budget* b) { b->mutable_lines(1)->mutable_income()->set_ore(-1); },
       "budget.lines[1].income"},
      {"negative cost", [](Budget* b) { b->mutable_lines(0)->mutable_cost()->set_ore(-5); },
       "budget.lines[0].cost"},
      {"no allocation", [](Budget* b) { b->mutable_lines(0)->clear_allocation(); },
       "budget.lines[0].allocation"},
      {"empty allocation", [](Budget* b) { b->mutable_lines(0)->mutable_allocation()->Clear(); },
       "budget.lines[0].allocation"},
      {"bad initiative", [](Budget* b) { b->mutable_lines(0)->set_initiative("projects/x"); },
       "budget.lines[0].initiative"},
      {"empty comment", [](Budget* b) { b->add_comments(""); }, "budget.comments[1]"},
      // Amounts above kMaxAmountOre would let the sums of lines, months and
      // shares overflow int64 (two lines of 2^62 öre summed to a negative
      // total).
      {"cost too large",
       [](Budget* b) { b->mutable_lines(0)->mutable_cost()->set_ore(kMaxAmountOre + 1); },
       "budget.lines[0].cost"},
      {"income too large",
       [](Budget* b) { b->mutable_lines(1)->mutable_income()->set_ore(int64_t{1} << 62); },
       "budget.lines[1].income"},
      {"largest cost",
       [](Budget* b) { b->mutable_lines(0)->mutable_cost()->set_ore(kMaxAmountOre); }, "ok"},
  };
  for (const Case& c : cases) {
    Budget b = ValidBudget();
    c.change(&b);
    EXPECT_EQ(InvalidFieldOf(ValidateBudgetContent(b, "budget")), c.field) << c.name;
  }
}

TEST(AllocationModelTest, ChecksEveryKindOfModel) {
  struct Case {
    std::string name;
    std::function<void(v1::AllocationModel*)> make;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"equal, every member", [](v1::AllocationModel* m) { m->mutable_equal(); }, "ok"},
      {"equal, bad name",
       [](v1::AllocationModel* m) { m->mutable_equal()->add_municipalities("2580"); },
       "m.equal.municipalities[0]"},
      {"equal, twice",
       [](v1::AllocationModel* m) {
         m->mutable_equal()->add_municipalities("municipalities/2580");
         m->mutable_equal()->add_municipalities("municipalities/2580");
       },
       "m.equal.municipalities[1]"},
      {"population, bad name",
       [](v1::AllocationModel* m) {
         m->mutable_population()->set_population_figures("population-figures/2023-13-01");
       },
       "m.population.population_figures"},
      {"population, missing", [](v1::AllocationModel* m) { m->mutable_population(); },
       "m.population.population_figures"},
      {"table sums to 100 %",
       [](v1::AllocationModel* m) {
         *m = Table({{"2580", 6000}, {"2584", 4000}});
       },
       "ok"},
      {"table sums to 99 %",
       [](v1::AllocationModel* m) {
         *m = Table({{"2580", 6000}, {"2584", 3900}});
       },
       "m.table"},
      {"table over 100 % in one entry",
       [](v1::AllocationModel* m) {
         *m = Table({{"2580", 10001}, {"2584", -1}});
       },
       "m.table.entries[0].basis_points"},
      {"table, bad municipality",
       [](v1::AllocationModel* m) {
         *m = Table({{"25", 10000}});
       },
       "m.table.entries[0].municipality"},
      {"table, twice",
       [](v1::AllocationModel* m) {
         *m = Table({{"2580", 5000}, {"2580", 5000}});
       },
       "m.table.entries[1].municipality"},
      {"table, empty", [](v1::AllocationModel* m) { m->mutable_table(); }, "m.table"},
      {"usage, every kind", [](v1::AllocationModel* m) { m->mutable_usage(); }, "ok"},
      {"usage, bad kind",
       [](v1::AllocationModel* m) { m->mutable_usage()->add_kinds(static_cast<v1::UsageKind>(9)); },
       "m.usage.kinds[0]"},
      {"usage, unspecified kind",
       [](v1::AllocationModel* m) { m->mutable_usage()->add_kinds(v1::USAGE_KIND_UNSPECIFIED); },
       "m.usage.kinds[0]"},
      {"usage, bad year", [](v1::AllocationModel* m) { m->mutable_usage()->set_year(1999); },
       "m.usage.year"},
      {"participation",
       [](v1::AllocationModel* m) {
         m->mutable_participation()->set_initiative("initiatives/dcbd");
       },
       "ok"},
      {"participation, no initiative", [](v1::AllocationModel* m) { m->mutable_participation(); },
       "m.participation.initiative"},
      {"participation, half a period",
       [](v1::AllocationModel* m) {
         m->mutable_participation()->set_initiative("initiatives/dcbd");
         *m->mutable_participation()->mutable_first_day() = Day(2023, 1, 1);
       },
       "m.participation.last_day"},
      {"participation, period backwards",
       [](v1::AllocationModel* m) {
         m->mutable_participation()->set_initiative("initiatives/dcbd");
         *m->mutable_participation()->mutable_first_day() = Day(2023, 6, 1);
         *m->mutable_participation()->mutable_last_day() = Day(2023, 5, 31);
       },
       "m.participation.last_day"},
      {"mix 30/70",
       [](v1::AllocationModel* m) {
         v1::MixPart* a = m->mutable_mix()->add_parts();
         a->set_basis_points(3000);
         a->mutable_model()->mutable_equal();
         v1::MixPart* b = m->mutable_mix()->add_parts();
         b->set_basis_points(7000);
         b->mutable_model()->mutable_population()->set_population_figures(
             "population-figures/2023-12-31");
       },
       "ok"},
      {"mix not 100 %",
       [](v1::AllocationModel* m) {
         v1::MixPart* a = m->mutable_mix()->add_parts();
         a->set_basis_points(3000);
         a->mutable_model()->mutable_equal();
       },
       "m.mix"},
      {"mix part zero",
       [](v1::AllocationModel* m) {
         v1::MixPart* a = m->mutable_mix()->add_parts();
         a->set_basis_points(0);
         a->mutable_model()->mutable_equal();
       },
       "m.mix.parts[0].basis_points"},
      {"mix of a mix",
       [](v1::AllocationModel* m) {
         v1::MixPart* a = m->mutable_mix()->add_parts();
         a->set_basis_points(10000);
         v1::MixPart* inner = a->mutable_model()->mutable_mix()->add_parts();
         inner->set_basis_points(10000);
         inner->mutable_model()->mutable_equal();
       },
       "m.mix.parts[0].model.mix"},
      {"mix part without model",
       [](v1::AllocationModel* m) { m->mutable_mix()->add_parts()->set_basis_points(10000); },
       "m.mix.parts[0].model"},
      {"mix without parts", [](v1::AllocationModel* m) { m->mutable_mix(); }, "m.mix"},
  };
  for (const Case& c : cases) {
    v1::AllocationModel m;
    c.make(&m);
    EXPECT_EQ(InvalidFieldOf(ValidateAllocationModel(m, "m")), c.field) << c.name;
  }
}

TEST(BudgetTotalsTest, SumTheLinesExactly) {
  Budget b = ValidBudget();
  FillTotals(&b);
  EXPECT_EQ(b.total_income().ore(), 50'000'000);
  EXPECT_EQ(b.total_cost().ore(), 503'400'000);  // 5 034 tkr
  b.clear_lines();
  FillTotals(&b);
  EXPECT_EQ(b.total_cost().ore(), 0);
}

TEST(BudgetStateTest, UpdatesAndDecisionsMoveTheBudget) {
  struct Case {
    BudgetState from;
    BudgetState after_update;
    bool adoption_applies;
  };
  const std::vector<Case> cases = {
      {Budget::STATE_DRAFT, Budget::STATE_DRAFT, true},
      {Budget::STATE_ADOPTED, Budget::STATE_REVISED, false},
      {Budget::STATE_REVISED, Budget::STATE_REVISED, true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StateAfterUpdate(c.from), c.after_update) << Budget::State_Name(c.from);
    EXPECT_EQ(AdoptionApplies(c.from), c.adoption_applies) << Budget::State_Name(c.from);
  }
  EXPECT_TRUE(IsAdoptingDecision("DECISION_KIND_APPROVE"));
  EXPECT_TRUE(IsAdoptingDecision("DECISION_KIND_ADOPT"));
  EXPECT_FALSE(IsAdoptingDecision("DECISION_KIND_REFER_BACK"));
  EXPECT_FALSE(IsAdoptingDecision("DECISION_KIND_NOTE_AND_FILE"));
  EXPECT_FALSE(IsAdoptingDecision(""));
}

v1::IndexSeries Aki() {
  v1::IndexSeries s;
  s.set_name("index-series/aki");
  s.set_display_name("Arbetskostnadsindex (AKI)");
  for (auto [year, value] : {std::pair{2022, 100'000}, {2023, 102'600}}) {
    v1::IndexFigure* f = s.add_figures();
    f->set_year(year);
    f->set_value_thousandths(value);
    f->set_source("invented for the test");
    f->set_reference_period(std::to_string(year));
  }
  return s;
}

TEST(UprateLinesTest, UpratesIncomeAndCostAndOmitsLines) {
  auto lines = UprateLines(ValidBudget(), Aki(), 2023, {});
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].cost().ore(), 307'800'000);   // 3 000 tkr + 2.6 %
  EXPECT_EQ((*lines)[1].income().ore(), 51'300'000);  // 500 tkr + 2.6 %
  EXPECT_EQ((*lines)[1].cost().ore(), 208'688'400);
  EXPECT_EQ((*lines)[1].allocation().population().population_figures(),
            "population-figures/2023-12-31");

  auto omitted = UprateLines(ValidBudget(), Aki(), 2023, {"e-office"});
  ASSERT_TRUE(omitted.ok());
  ASSERT_EQ(omitted->size(), 1u);
  EXPECT_EQ((*omitted)[0].id(), "basic-funding");
}

TEST(UprateLinesTest, NamesTheSeriesAndTheMissingYear) {
  struct Case {
    int to_year;
    std::vector<std::string> omit;
    std::string field;
    std::string says;
  };
  const std::vector<Case> cases = {
      {2024, {}, "index_series", "index-series/aki has no figure for 2024"},
      {2023, {"projects"}, "omit_lines[0]", "\"projects\" is not a line of budgets/2022"},
  };
  for (const Case& c : cases) {
    auto lines = UprateLines(ValidBudget(), Aki(), c.to_year, c.omit);
    EXPECT_EQ(InvalidFieldOf(lines.status()), c.field);
    EXPECT_TRUE(absl::StrContains(lines.status().message(), c.says)) << lines.status();
  }
  // An index that would lift a line above kMaxAmountOre is refused.
  Budget large = ValidBudget();
  large.mutable_lines(1)->mutable_cost()->set_ore(kMaxAmountOre / 2);
  v1::IndexSeries steep = Aki();
  steep.mutable_figures(1)->set_value_thousandths(300'000);
  auto too_large = UprateLines(large, steep, 2023, {});
  EXPECT_EQ(InvalidFieldOf(too_large.status()), "index_series");
  EXPECT_TRUE(absl::StrContains(too_large.status().message(), "e-office")) << too_large.status();
  Budget from2021 = ValidBudget();
  from2021.set_year(2021);
  auto missing_source = UprateLines(from2021, Aki(), 2023, {});
  EXPECT_TRUE(absl::StrContains(missing_source.status().message(), "no figure for 2021"))
      << missing_source.status();
}

TEST(IndexSeriesTest, ChecksFigures) {
  struct Case {
    std::string name;
    std::function<void(v1::IndexSeries*)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"valid", [](v1::IndexSeries*) {}, "ok"},
      {"no display name", [](v1::IndexSeries* s) { s->clear_display_name(); }, "s.display_name"},
      {"year twice", [](v1::IndexSeries* s) { s->mutable_figures(1)->set_year(2022); },
       "s.figures[1].year"},
      {"bad year", [](v1::IndexSeries* s) { s->mutable_figures(0)->set_year(1899); },
       "s.figures[0].year"},
      {"zero value", [](v1::IndexSeries* s) { s->mutable_figures(0)->set_value_thousandths(0); },
       "s.figures[0].value_thousandths"},
      {"no source", [](v1::IndexSeries* s) { s->mutable_figures(1)->clear_source(); },
       "s.figures[1].source"},
      {"no period", [](v1::IndexSeries* s) { s->mutable_figures(1)->clear_reference_period(); },
       "s.figures[1].reference_period"},
  };
  for (const Case& c : cases) {
    v1::IndexSeries s = Aki();
    c.change(&s);
    EXPECT_EQ(InvalidFieldOf(ValidateIndexSeries(s, "s")), c.field) << c.name;
  }
}

TEST(PopulationFiguresTest, ChecksEntriesAndSumsThem) {
  auto valid = [] {
    v1::PopulationFigures f;
    *f.mutable_reference_date() = Day(2023, 12, 31);
    f.set_source("SCB, folkmängd 31 december 2023");
    for (auto [code, n] : {std::pair{"2580", 79'352}, {"2584", 22'433}}) {
      v1::MunicipalityPopulation* e = f.add_entries();
      e->set_municipality(std::string("municipalities/") + code);
      e->set_inhabitants(n);
    }
    return f;
  };
  struct Case {
    std::string name;
    std::function<void(v1::PopulationFigures*)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"valid", [](v1::PopulationFigures*) {}, "ok"},
      {"no date", [](v1::PopulationFigures* f) { f->clear_reference_date(); }, "p.reference_date"},
      {"no source", [](v1::PopulationFigures* f) { f->clear_source(); }, "p.source"},
      {"no entries", [](v1::PopulationFigures* f) { f->clear_entries(); }, "p.entries"},
      {"bad name", [](v1::PopulationFigures* f) { f->mutable_entries(0)->set_municipality("x"); },
       "p.entries[0].municipality"},
      {"twice",
       [](v1::PopulationFigures* f) {
         f->mutable_entries(1)->set_municipality("municipalities/2580");
       },
       "p.entries[1].municipality"},
      {"negative", [](v1::PopulationFigures* f) { f->mutable_entries(1)->set_inhabitants(-1); },
       "p.entries[1].inhabitants"},
      // Two entries of 2^62 summed to a negative total.
      {"too many",
       [](v1::PopulationFigures* f) { f->mutable_entries(1)->set_inhabitants(int64_t{1} << 62); },
       "p.entries[1].inhabitants"},
  };
  for (const Case& c : cases) {
    v1::PopulationFigures f = valid();
    c.change(&f);
    EXPECT_EQ(InvalidFieldOf(ValidatePopulationFigures(f, "p")), c.field) << c.name;
  }
  v1::PopulationFigures f = valid();
  FillPopulationTotal(&f);
  EXPECT_EQ(f.total(), 101'785);
}

TEST(MonthTest, AMonthIsRecordedOnceItHasBegun) {
  const absl::CivilDay today(2022, 7, 8);
  struct Case {
    int month;
    int year;
    std::string field;
  };
  const std::vector<Case> cases = {
      {1, 2022, "ok"},     {7, 2022, "ok"},  {8, 2022, "month"}, {0, 2022, "month"},
      {13, 2022, "month"}, {12, 2021, "ok"}, {1, 2023, "month"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(InvalidFieldOf(ValidateMonthBegun(c.month, c.year, today, "month")), c.field)
        << c.year << "-" << c.month;
  }
}

TEST(LineAmountsTest, LinesAreTheBudgetsOnceEachNotNegative) {
  auto amounts = [](std::vector<std::tuple<std::string, Ore, Ore>> rows) {
    LineAmountsList list;
    for (const auto& [line, income, cost] : rows) AddAmounts(&list, line, income, cost);
    return list;
  };
  struct Case {
    std::string name;
    LineAmountsList lines;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"valid", amounts({{"basic-funding", 0, 10}, {"e-office", 5, 0}}), "ok"},
      {"none", amounts({}), "ok"},
      {"not a line", amounts({{"projects", 0, 10}}), "l[0].line"},
      {"twice", amounts({{"e-office", 0, 10}, {"e-office", 0, 1}}), "l[1].line"},
      {"negative income", amounts({{"e-office", -1, 10}}), "l[0].income"},
      {"negative cost", amounts({{"e-office", 1, -10}}), "l[0].cost"},
      {"cost too large", amounts({{"e-office", 1, kMaxAmountOre + 1}}), "l[0].cost"},
      {"income too large", amounts({{"e-office", int64_t{1} << 62, 0}}), "l[0].income"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(InvalidFieldOf(ValidateLineAmounts(c.lines, ValidBudget(), "l")), c.field) << c.name;
  }
}

// ------------------------------------------------------------ allocation keys

AllocationData Data() {
  AllocationData data;
  data.budget_year = 2023;
  data.members = {"2580", "2582", "2584"};
  v1::PopulationFigures f;
  f.set_name("population-figures/2023-12-31");
  for (auto [code, n] : {std::pair{"2580", 79'352}, {"2582", 27'943}, {"2584", 22'433}}) {
    v1::MunicipalityPopulation* e = f.add_entries();
    e->set_municipality(std::string("municipalities/") + code);
    e->set_inhabitants(n);
  }
  data.population[f.name()] = f;
  data.usage[2023]["2580"][v1::USAGE_KIND_SMS] = 30;
  data.usage[2023]["2580"][v1::USAGE_KIND_FREJA_EID] = 10;
  data.usage[2023]["2584"][v1::USAGE_KIND_SMS] = 10;
  data.participations["initiatives/dcbd"] = {
      {"2580", absl::CivilDay(2023, 1, 1), std::nullopt},
      {"2584", absl::CivilDay(2023, 7, 1), absl::CivilDay(2023, 12, 31)}};
  return data;
}

std::vector<Share> SharesOf(const v1::AllocationModel& model, Ore total) {
  auto key = AllocationKeyOf(model, Data(), "m");
  EXPECT_TRUE(key.ok()) << key.status();
  if (!key.ok()) return {};
  auto shares = Allocate(total, *key);
  EXPECT_TRUE(shares.ok()) << shares.status();
  return shares.ok() ? *shares : std::vector<Share>{};
}

TEST(AllocationKeyTest, ModelsBecomeKeysOverTheResolvedData) {
  v1::AllocationModel equal;
  equal.mutable_equal();
  EXPECT_EQ(SharesOf(equal, 300),
            (std::vector<Share>{{"2580", 100}, {"2582", 100}, {"2584", 100}}));
  v1::AllocationModel two;
  two.mutable_equal()->add_municipalities("municipalities/2584");
  two.mutable_equal()->add_municipalities("municipalities/2580");
  EXPECT_EQ(SharesOf(two, 301), (std::vector<Share>{{"2580", 151}, {"2584", 150}}));
  v1::AllocationModel population;
  population.mutable_population()->set_population_figures("population-figures/2023-12-31");
  EXPECT_EQ(SharesOf(population, 129'728),
            (std::vector<Share>{{"2580", 79'352}, {"2582", 27'943}, {"2584", 22'433}}));
  v1::AllocationModel sms;
  sms.mutable_usage()->add_kinds(v1::USAGE_KIND_SMS);
  EXPECT_EQ(SharesOf(sms, 400), (std::vector<Share>{{"2580", 300}, {"2582", 0}, {"2584", 100}}));
  v1::AllocationModel all_kinds;
  all_kinds.mutable_usage();
  EXPECT_EQ(SharesOf(all_kinds, 500),
            (std::vector<Share>{{"2580", 400}, {"2582", 0}, {"2584", 100}}));
  v1::AllocationModel participation;
  participation.mutable_participation()->set_initiative("initiatives/dcbd");
  // 365 days and 184 days of 2023.
  EXPECT_EQ(SharesOf(participation, 549), (std::vector<Share>{{"2580", 365}, {"2584", 184}}));
  EXPECT_EQ(SharesOf(Table({{"2580", 7500}, {"2584", 2500}}), 1000),
            (std::vector<Share>{{"2580", 750}, {"2584", 250}}));
}

TEST(AllocationKeyTest, AMixSplitsFirstThenAddsPerMunicipality) {
  v1::AllocationModel mix;
  v1::MixPart* a = mix.mutable_mix()->add_parts();
  a->set_basis_points(3000);
  a->mutable_model()->mutable_equal();
  v1::MixPart* b = mix.mutable_mix()->add_parts();
  b->set_basis_points(7000);
  *b->mutable_model() = Table({{"2580", 10000}});
  std::vector<Share> shares = SharesOf(mix, 3000);
  EXPECT_EQ(shares, (std::vector<Share>{{"2580", 2400}, {"2582", 300}, {"2584", 300}}));
  EXPECT_EQ(DescribeModel(mix),
            "30 % equal shares (every member) + 70 % by a percentage table (1 municipalities)");
}

TEST(AllocationKeyTest, MissingDataIsAFailedPrecondition) {
  v1::AllocationModel population;
  population.mutable_population()->set_population_figures("population-figures/2020-12-31");
  auto key = AllocationKeyOf(population, Data(), "m");
  EXPECT_TRUE(absl::IsFailedPrecondition(key.status())) << key.status();
  EXPECT_TRUE(absl::StrContains(key.status().message(), "population-figures/2020-12-31"));
  v1::AllocationModel equal;
  equal.mutable_equal();
  AllocationData none = Data();
  none.members.clear();
  EXPECT_TRUE(absl::IsFailedPrecondition(AllocationKeyOf(equal, none, "m").status()));
}

TEST(AllocationNeedsTest, CollectsWhatModelsReferTo) {
  v1::AllocationModel mix;
  v1::MixPart* a = mix.mutable_mix()->add_parts();
  a->set_basis_points(5000);
  a->mutable_model()->mutable_usage();
  v1::MixPart* b = mix.mutable_mix()->add_parts();
  b->set_basis_points(5000);
  b->mutable_model()->mutable_participation()->set_initiative("initiatives/dcbd");
  v1::AllocationModel population;
  population.mutable_population()->set_population_figures("population-figures/2023-12-31");
  AllocationNeeds needs;
  CollectNeeds(mix, 2023, &needs);
  CollectNeeds(population, 2023, &needs);
  EXPECT_EQ(needs.usage_years, (std::set<int>{2023}));
  EXPECT_EQ(needs.initiatives, (std::set<std::string>{"initiatives/dcbd"}));
  EXPECT_EQ(needs.population_figures, (std::set<std::string>{"population-figures/2023-12-31"}));
}

TEST(DescribeModelTest, SaysHowInWords) {
  struct Case {
    std::function<void(v1::AllocationModel*)> make;
    std::string want;
  };
  const std::vector<Case> cases = {
      {[](v1::AllocationModel* m) { m->mutable_equal(); }, "equal shares (every member)"},
      {[](v1::AllocationModel* m) {
         m->mutable_equal()->add_municipalities("municipalities/2580");
       },
       "equal shares (municipalities/2580)"},
      {[](v1::AllocationModel* m) {
         m->mutable_population()->set_population_figures("population-figures/2023-12-31");
       },
       "by population (population-figures/2023-12-31)"},
      {[](v1::AllocationModel* m) { m->mutable_usage()->add_kinds(v1::USAGE_KIND_SMS); },
       "by usage (the budget's year, USAGE_KIND_SMS)"},
      {[](v1::AllocationModel* m) { m->mutable_usage()->set_year(2021); },
       "by usage (2021, every kind)"},
      {[](v1::AllocationModel* m) {
         m->mutable_participation()->set_initiative("initiatives/dcbd");
         *m->mutable_participation()->mutable_first_day() = Day(2023, 1, 1);
         *m->mutable_participation()->mutable_last_day() = Day(2023, 6, 30);
       },
       "by participation (initiatives/dcbd, 2023-01-01 to 2023-06-30)"},
      {[](v1::AllocationModel* m) {
         v1::MixPart* p = m->mutable_mix()->add_parts();
         p->set_basis_points(3333);
         p->mutable_model()->mutable_equal();
       },
       "33.33 % equal shares (every member)"},
  };
  for (const Case& c : cases) {
    v1::AllocationModel m;
    c.make(&m);
    EXPECT_EQ(DescribeModel(m), c.want);
  }
}

}  // namespace
}  // namespace enamnd::finance
