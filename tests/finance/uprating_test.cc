// Uprating by an index and tkr rounding (services/finance/domain/uprating.h).
#include "services/finance/domain/uprating.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace enamnd::finance {
namespace {

// Invented index levels: the figures are data; these only exercise the
// arithmetic (2022 -> 2023 is +2.6 %).
IndexSeries Aki() {
  return {"AKI",
          {{2022, 100'000, "invented for the test", "2022"},
           {2023, 102'600, "invented for the test", "2023"},
           {2024, 105'000, "invented for the test", "2024"}}};
}

TEST(UpratingTest, UpratesExactlyAndRoundsToTheOreHalfAwayFromZero) {
  struct Case {
    std::string name;
    Ore amount_ore;
    int from_year;
    int to_year;
    Ore want;
  };
  const std::vector<Case> cases = {
      {"5 034 tkr by 2.6 %", 503'400'000, 2022, 2023, 516'488'400},
      {"exact", 100, 2022, 2023, 103},      // 102.6 -> 103
      {"rounds down", 10, 2022, 2023, 10},  // 10.26 -> 10
      {"51.3 rounds down", 50, 2022, 2023, 51},
      {"26.25 rounds down", 25, 2022, 2024, 26},
      {"exact half away from zero", 10, 2022, 2024, 11},       // 10.5 -> 11
      {"negative half away from zero", -10, 2022, 2024, -11},  // -10.5 -> -11
      {"back in time", 102'600, 2023, 2022, 100'000},
      {"same year", 12'345, 2023, 2023, 12'345},
      {"zero", 0, 2022, 2024, 0},
  };
  for (const Case& c : cases) {
    auto uprated = Uprate(c.amount_ore, Aki(), c.from_year, c.to_year);
    ASSERT_TRUE(uprated.ok()) << c.name << ": " << uprated.status();
    EXPECT_EQ(*uprated, c.want) << c.name;
  }
}

TEST(UpratingTest, MissingOrBadFiguresAreRefusedNamingThem) {
  IndexSeries twice = Aki();
  twice.figures.push_back({2023, 103'000, "another source", "2023"});
  IndexSeries zero = Aki();
  zero.figures[0].value_thousandths = 0;
  struct Case {
    std::string name;
    IndexSeries series;
    int from_year;
    int to_year;
    std::string prefix;
  };
  const std::vector<Case> cases = {
      {"no figure for the new year", Aki(), 2024, 2025, "index.figures[2025]: AKI has no figure"},
      {"no figure for the old year", Aki(), 2021, 2022, "index.figures[2021]: AKI has no figure"},
      {"two figures", twice, 2022, 2023, "index.figures[2023]: AKI has more than one"},
      {"zero figure", zero, 2022, 2023, "index.figures[2022].value_thousandths:"},
  };
  for (const Case& c : cases) {
    auto uprated = Uprate(100, c.series, c.from_year, c.to_year);
    ASSERT_FALSE(uprated.ok()) << c.name;
    EXPECT_EQ(uprated.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StartsWith(uprated.status().message(), c.prefix))
        << c.name << ": " << uprated.status();
  }
  auto figure = FigureFor(Aki(), 2023);
  ASSERT_TRUE(figure.ok());
  EXPECT_EQ(figure->source, "invented for the test");
  EXPECT_EQ(figure->reference_period, "2023");
}

TEST(ToTkrTest, RoundsHalfAwayFromZero) {
  struct Case {
    Ore amount_ore;
    int64_t want_tkr;
  };
  const std::vector<Case> cases = {
      {0, 0},
      {49'999, 0},
      {50'000, 1},
      {100'000, 1},
      {149'999, 1},
      {150'000, 2},
      {-49'999, 0},
      {-50'000, -1},
      {-150'000, -2},
      {503'400'000, 5034},
      {INT64_MAX, 92'233'720'368'548},
      {INT64_MIN, -92'233'720'368'548},
  };
  for (const Case& c : cases) EXPECT_EQ(ToTkr(c.amount_ore), c.want_tkr) << c.amount_ore;
}

// DOMAIN.md section 6: Jan-May 2022 is reported as income 1 792 tkr, costs
// 1 673 tkr and deviation 120 tkr. The exact sums are not in the sample;
// these (invented) ones show how the figures arise: each is rounded from
// the exact amount, so the deviation is not 1 792 - 1 673.
TEST(ToTkrTest, JanuaryToMay2022DeviationComesFromExactSums) {
  const Ore income_ore = 179'240'000;  // 1 792 400 kr
  const Ore costs_ore = 167'260'000;   // 1 672 600 kr
  EXPECT_EQ(ToTkr(income_ore), 1792);
  EXPECT_EQ(ToTkr(costs_ore), 1673);
  EXPECT_EQ(ToTkr(income_ore - costs_ore), 120);  // 119 800 kr
  EXPECT_NE(ToTkr(income_ore) - ToTkr(costs_ore), 120);
}

}  // namespace
}  // namespace enamnd::finance
