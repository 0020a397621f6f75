// Distributing an amount over the member municipalities by an allocation
// model (fördelningsmodell; DOMAIN.md section 6, issue 12). Pure functions
// over plain values: no clock, no storage, no floating point.
//
// Every distribution is exact to the öre:
// - the shares sum exactly to the total;
// - each share is the exact quotient total * weight / sum_of_weights rounded
//   down (in magnitude), and the öre left over go one each by largest
//   remainder;
// - ties in the remainder go to the lower SCB code first (the order is
//   therefore the same on every run and on every machine);
// - a non-negative total gives no negative share;
// - a negative total (income to be handed back) is distributed
//   symmetrically: the shares are those of the positive total, negated.
// The shares come back ordered by SCB code, one per municipality named in
// the key (a municipality with weight zero gets a zero share).
#ifndef ENAMND_FINANCE_DOMAIN_ALLOCATION_H_
#define ENAMND_FINANCE_DOMAIN_ALLOCATION_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace enamnd::finance {

// 100 öre = 1 krona. Amounts are kept in öre and never in floating point.
using Ore = int64_t;

// The largest amount a budget line, an outcome or forecast line, or a price
// may carry: 10^15 öre (10 000 billion kronor). Below it every sum the
// service forms (500 lines times 12 months, a municipality's shares over
// the lines) stays far inside int64.
inline constexpr Ore kMaxAmountOre = 1'000'000'000'000'000;
// The most inhabitants a municipality's population figure may give.
inline constexpr int64_t kMaxInhabitants = 1'000'000'000;

// One municipality's part of a distributed amount. `municipality` is its
// four-digit SCB code (e.g. "2580", Luleå).
struct Share {
  std::string municipality;
  Ore amount_ore = 0;

  bool operator==(const Share& other) const = default;
};

// A municipality's weight in a key: inhabitants, a usage count, basis
// points. Never negative.
struct Weight {
  std::string municipality;
  int64_t weight = 0;
};

// The same share for everyone.
struct EqualShares {
  std::vector<std::string> municipalities;
};

// By inhabitants on a reference date (the figures are data with a source;
// the key only needs the numbers).
struct ByPopulation {
  std::vector<Weight> inhabitants;
};

// A fixed table in basis points (1 % = 100); it must sum to exactly
// 10 000, i.e. 100 %.
struct ByPercentageTable {
  std::vector<Weight> basis_points;
};

// By metered usage, e.g. the number of BankID transactions.
struct ByUsage {
  std::vector<Weight> counts;
};

// A period a municipality took part in an initiative, both days included.
struct ParticipationPeriod {
  std::string municipality;
  absl::CivilDay first_day;
  absl::CivilDay last_day;
};

// By participation: each municipality weighs the number of days within
// [first_day, last_day] it took part. Overlapping periods of one
// municipality count each day once.
struct ByParticipation {
  std::vector<ParticipationPeriod> periods;
  absl::CivilDay first_day;
  absl::CivilDay last_day;
};

using SimpleKey =
    std::variant<EqualShares, ByPopulation, ByPercentageTable, ByUsage, ByParticipation>;

// One part of a mix: `basis_points` of the total, distributed by `key`.
struct MixPart {
  int64_t basis_points = 0;
  SimpleKey key;
};

// E.g. 30 % equal + 70 % by population. The total is first split exactly
// over the parts (by largest remainder, ties to the earlier part), then each
// part by its own key, and the shares are added per municipality. The parts'
// basis points must sum to 10 000.
struct WeightedMix {
  std::vector<MixPart> parts;
};

using AllocationKey = std::variant<EqualShares, ByPopulation, ByPercentageTable, ByUsage,
                                   ByParticipation, WeightedMix>;

// Distributes `total_ore` by `key`. INVALID_ARGUMENT, naming the field, for
// a malformed SCB code, a municipality named twice, a negative weight, no
// municipality at all, a nonzero total with all weights zero, a table or mix
// that does not sum to 100 %, or a period that ends before it starts.
absl::StatusOr<std::vector<Share>> Allocate(Ore total_ore, const AllocationKey& key);

// The arithmetic under every key: distributes `total_ore` in proportion to
// `weights`. `field` names the weights in error messages ("inhabitants").
absl::StatusOr<std::vector<Share>> DistributeByWeights(Ore total_ore,
                                                       const std::vector<Weight>& weights,
                                                       absl::string_view field);

// Whether `code` looks like an SCB municipality code: four ASCII digits.
bool IsMunicipalityCode(absl::string_view code);

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_ALLOCATION_H_
