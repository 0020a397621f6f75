// The allocation arithmetic (services/finance/domain/allocation.h): a table
// per key, then property tests over random totals and keys.
#include "services/finance/domain/allocation.h"

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace enamnd::finance {

// Readable failures (found by argument-dependent lookup, so not in the
// anonymous namespace).
void PrintTo(const Share& share, std::ostream* out) {
  *out << share.municipality << ": " << share.amount_ore << " öre";
}

namespace {

std::vector<Share> AllocateOrDie(Ore total_ore, const AllocationKey& key) {
  auto shares = Allocate(total_ore, key);
  EXPECT_TRUE(shares.ok()) << shares.status();
  return shares.ok() ? *shares : std::vector<Share>{};
}

TEST(AllocationTest, KeysDistributeExactlyWithLargestRemainder) {
  struct Case {
    std::string name;
    Ore total_ore;
    AllocationKey key;
    std::vector<Share> want;
  };
  const std::vector<Case> cases = {
      // A third each: the one öre left goes to the lowest code.
      {"equal thirds",
       100,
       EqualShares{{"2582", "2580", "2581"}},
       {{"2580", 34}, {"2581", 33}, {"2582", 33}}},
      {"equal, two left over",
       200,
       EqualShares{{"2582", "2580", "2581"}},
       {{"2580", 67}, {"2581", 67}, {"2582", 66}}},
      // 1000 * 1/6 = 166.67, 1000 * 2/6 = 333.33, 1000 * 3/6 = 500.
      {"population",
       1000,
       ByPopulation{{{"2580", 1}, {"2581", 2}, {"2582", 3}}},
       {{"2580", 167}, {"2581", 333}, {"2582", 500}}},
      {"percentage table",
       10001,
       ByPercentageTable{{{"2580", 2500}, {"2581", 7500}}},
       {{"2580", 2500}, {"2581", 7501}}},
      {"usage, zero count", 999, ByUsage{{{"2580", 0}, {"2581", 3}}}, {{"2580", 0}, {"2581", 999}}},
      // 2580 all of January (31 days), 2581 from the 22nd (10 days; its two
      // overlapping periods count each day once), 2582 outside the range.
      {"participation",
       4100,
       ByParticipation{{{"2580", absl::CivilDay(2022, 1, 1), absl::CivilDay(2022, 12, 31)},
                        {"2581", absl::CivilDay(2022, 1, 22), absl::CivilDay(2022, 1, 28)},
                        {"2581", absl::CivilDay(2022, 1, 25), absl::CivilDay(2022, 2, 10)},
                        {"2582", absl::CivilDay(2022, 3, 1), absl::CivilDay(2022, 3, 31)}},
                       absl::CivilDay(2022, 1, 1),
                       absl::CivilDay(2022, 1, 31)},
       {{"2580", 3100}, {"2581", 1000}, {"2582", 0}}},
      // 30 % equal (3000: 1500 each) + 70 % by population 1:3 (1750, 5250).
      {"mix 30 % equal + 70 % population",
       10000,
       WeightedMix{{{3000, EqualShares{{"2580", "2581"}}},
                    {7000, ByPopulation{{{"2580", 1}, {"2581", 3}}}}}},
       {{"2580", 3250}, {"2581", 6750}}},
      // The parts first: 101 * 30 % = 30.3 -> 30, 70.7 -> 71; then 15/15
      // and 71 * 1/4 = 17.75 -> 18, 53.25 -> 53.
      {"mix, parts split first",
       101,
       WeightedMix{{{3000, EqualShares{{"2580", "2581"}}},
                    {7000, ByPopulation{{{"2580", 1}, {"2581", 3}}}}}},
       {{"2580", 33}, {"2581", 68}}},
      // Income handed back: the shares of the positive total, negated.
      {"negative total",
       -100,
       EqualShares{{"2580", "2581", "2582"}},
       {{"2580", -34}, {"2581", -33}, {"2582", -33}}},
      {"zero total", 0, ByUsage{{{"2580", 0}, {"2581", 0}}}, {{"2580", 0}, {"2581", 0}}},
      {"largest int64",
       INT64_MAX,
       EqualShares{{"2580", "2581"}},
       {{"2580", INT64_MAX / 2 + 1}, {"2581", INT64_MAX / 2}}},
      {"smallest int64",
       INT64_MIN,
       EqualShares{{"2580", "2581"}},
       {{"2580", INT64_MIN / 2}, {"2581", INT64_MIN / 2}}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(AllocateOrDie(c.total_ore, c.key), c.want) << c.name;
  }
}

TEST(AllocationTest, BadKeysAreRefusedNamingTheField) {
  struct Case {
    std::string name;
    Ore total_ore;
    AllocationKey key;
    std::string field;  // the message starts with it
  };
  const std::vector<Case> cases = {
      {"table below 100 %", 100, ByPercentageTable{{{"2580", 2500}, {"2581", 7400}}},
       "percentage_table: sums to 9900"},
      {"table above 100 %", 100, ByPercentageTable{{{"2580", 2600}, {"2581", 7500}}},
       "percentage_table: sums to 10100"},
      {"mix below 100 %", 100,
       WeightedMix{{{3000, EqualShares{{"2580"}}}, {6000, ByPopulation{{{"2580", 1}}}}}},
       "mix.parts: sum to 9000"},
      {"mix, negative part", 100,
       WeightedMix{{{-1000, EqualShares{{"2580"}}}, {11000, ByPopulation{{{"2580", 1}}}}}},
       "mix.parts[0].basis_points:"},
      {"mix, bad part key", 100,
       WeightedMix{{{3000, EqualShares{{"2580"}}}, {7000, ByPopulation{{{"2580", -1}}}}}},
       "mix.parts[1].inhabitants[0].weight:"},
      {"empty mix", 100, WeightedMix{}, "mix.parts:"},
      {"no municipality", 100, EqualShares{}, "equal_shares:"},
      {"not an SCB code", 100, EqualShares{{"Luleå"}}, "equal_shares[0].municipality:"},
      {"three digits", 100, ByUsage{{{"258", 1}}}, "usage[0].municipality:"},
      {"named twice", 100, ByPopulation{{{"2580", 1}, {"2580", 2}}},
       "inhabitants[1].municipality:"},
      {"negative weight", 100, ByUsage{{{"2580", 5}, {"2581", -1}}}, "usage[1].weight:"},
      {"nothing to go by", 100, ByUsage{{{"2580", 0}, {"2581", 0}}}, "usage: all weights"},
      {"range backwards", 100,
       ByParticipation{{{"2580", absl::CivilDay(2022, 1, 1), absl::CivilDay(2022, 1, 2)}},
                       absl::CivilDay(2022, 2, 1),
                       absl::CivilDay(2022, 1, 1)},
       "participation.last_day:"},
      {"period backwards", 100,
       ByParticipation{{{"2580", absl::CivilDay(2022, 1, 9), absl::CivilDay(2022, 1, 2)}},
                       absl::CivilDay(2022, 1, 1),
                       absl::CivilDay(2022, 12, 31)},
       "participation.periods[0].last_day:"},
      {"nobody took part in the range", 100,
       ByParticipation{{{"2580", absl::CivilDay(2021, 1, 1), absl::CivilDay(2021, 1, 2)}},
                       absl::CivilDay(2022, 1, 1),
                       absl::CivilDay(2022, 12, 31)},
       "participation: all weights"},
  };
  for (const Case& c : cases) {
    auto shares = Allocate(c.total_ore, c.key);
    ASSERT_FALSE(shares.ok()) << c.name;
    EXPECT_EQ(shares.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StartsWith(shares.status().message(), c.field))
        << c.name << ": " << shares.status();
  }
}

// Property tests: random totals and keys from a fixed seed, so a failure
// is reproducible.
std::vector<Weight> RandomWeights(std::mt19937_64& random) {
  const int count = std::uniform_int_distribution<int>(1, 20)(random);
  // Small, large and degenerate weights: population figures, usage counts
  // in the millions, and many zeros.
  const int64_t limit = std::vector<int64_t>{3, 1000, 100'000, INT64_MAX / 64}[random() % 4];
  std::vector<Weight> weights;
  for (int i = 0; i < count; ++i) {
    const int64_t weight =
        random() % 5 == 0 ? 0 : std::uniform_int_distribution<int64_t>(0, limit)(random);
    weights.push_back({absl::StrCat(2500 + i * 7 % 100), weight});
  }
  if (std::all_of(weights.begin(), weights.end(), [](const Weight& w) { return w.weight == 0; })) {
    weights[0].weight = 1;
  }
  std::shuffle(weights.begin(), weights.end(), random);
  return weights;
}

Ore RandomTotal(std::mt19937_64& random) {
  switch (random() % 4) {
    case 0:
      return std::uniform_int_distribution<Ore>(0, 100)(random);
    case 1:
      return std::uniform_int_distribution<Ore>(0, 1'000'000'000)(random);
    case 2:
      return std::uniform_int_distribution<Ore>(-1'000'000'000, 0)(random);
    default:
      return std::uniform_int_distribution<Ore>(INT64_MIN, INT64_MAX)(random);
  }
}

TEST(AllocationPropertyTest, ExactNonNegativeDeterministicAndProportional) {
  std::mt19937_64 random(20220622);
  for (int round = 0; round < 20'000; ++round) {
    const Ore total = RandomTotal(random);
    std::vector<Weight> weights = RandomWeights(random);
    const std::string context = absl::StrCat("round ", round, ", total ", total);
    auto shares = DistributeByWeights(total, weights, "weights");
    ASSERT_TRUE(shares.ok()) << context << ": " << shares.status();
    ASSERT_EQ(shares->size(), weights.size()) << context;

    __int128 sum = 0;
    __int128 weight_sum = 0;
    __int128 largest_rounded_down = -1;
    __int128 smallest_rounded_up = static_cast<__int128>(1) << 126;
    for (const Weight& w : weights) weight_sum += w.weight;
    for (const Share& share : *shares) {
      sum += share.amount_ore;
      ASSERT_FALSE(total >= 0 && share.amount_ore < 0) << context;
      ASSERT_FALSE(total <= 0 && share.amount_ore > 0) << context;
      const auto weight = std::find_if(weights.begin(), weights.end(), [&](const Weight& w) {
        return w.municipality == share.municipality;
      });
      ASSERT_NE(weight, weights.end()) << context;
      // Within one öre of the exact quotient total * weight / weight_sum.
      const __int128 error = static_cast<__int128>(share.amount_ore) * weight_sum -
                             static_cast<__int128>(total) * weight->weight;
      ASSERT_LT(error < 0 ? -error : error, weight_sum) << context << ", " << share.municipality;
      // Largest remainder: the öre left over went to the largest remainders.
      const __int128 magnitude = total < 0 ? -static_cast<__int128>(total) : total;
      const __int128 remainder = magnitude * weight->weight % weight_sum;
      const __int128 share_magnitude =
          share.amount_ore < 0 ? -static_cast<__int128>(share.amount_ore) : share.amount_ore;
      const bool got_one_more = share_magnitude > magnitude * weight->weight / weight_sum;
      if (got_one_more) {
        smallest_rounded_up = std::min(smallest_rounded_up, remainder);
      } else {
        largest_rounded_down = std::max(largest_rounded_down, remainder);
      }
    }
    ASSERT_TRUE(sum == total) << context;
    ASSERT_TRUE(largest_rounded_down <= smallest_rounded_up) << context;

    // The same on every run, whatever order the key lists the municipalities in.
    std::shuffle(weights.begin(), weights.end(), random);
    auto again = DistributeByWeights(total, weights, "weights");
    ASSERT_TRUE(again.ok()) << context;
    ASSERT_EQ(*again, *shares) << context;
    ASSERT_TRUE(std::is_sorted(shares->begin(), shares->end(), [](const Share& a, const Share& b) {
      return a.municipality < b.municipality;
    })) << context;
  }
}

TEST(AllocationPropertyTest, MixesSumExactly) {
  std::mt19937_64 random(12);
  for (int round = 0; round < 5'000; ++round) {
    const Ore total = RandomTotal(random);
    const int64_t equal_part = std::uniform_int_distribution<int64_t>(0, 10'000)(random);
    std::vector<Weight> population = RandomWeights(random);
    std::vector<std::string> municipalities;
    for (const Weight& w : population) municipalities.push_back(w.municipality);
    const WeightedMix mix{{{equal_part, EqualShares{municipalities}},
                           {10'000 - equal_part, ByPopulation{population}}}};
    const std::string context = absl::StrCat("round ", round, ", total ", total);
    auto shares = Allocate(total, mix);
    ASSERT_TRUE(shares.ok()) << context << ": " << shares.status();
    __int128 sum = 0;
    for (const Share& share : *shares) {
      sum += share.amount_ore;
      ASSERT_FALSE(total >= 0 && share.amount_ore < 0) << context;
    }
    ASSERT_TRUE(sum == total) << context;
    auto again = Allocate(total, mix);
    ASSERT_TRUE(again.ok() && *again == *shares) << context;
  }
}

}  // namespace
}  // namespace enamnd::finance
