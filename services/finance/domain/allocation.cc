#include "services/finance/domain/allocation.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <numeric>
#include <set>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/platform/status.h"

namespace enamnd::finance {
namespace {

using platform::InvalidField;

// 128 bits hold total * weight for any int64 total and weight, and the sum
// of any realistic number of int64 weights, so no step can overflow.
using Wide = __int128;

constexpr int64_t kWholeInBasisPoints = 10'000;

// Splits `magnitude` (>= 0) in proportion to `weights` (>= 0, not all zero
// unless `magnitude` is zero). Ties in the remainder go to the lower index;
// callers order the weights so that index order is the documented order.
std::vector<Wide> SplitByLargestRemainder(Wide magnitude, const std::vector<Wide>& weights) {
  const Wide weight_sum = std::accumulate(weights.begin(), weights.end(), Wide{0});
  std::vector<Wide> parts(weights.size(), 0);
  if (magnitude == 0 || weight_sum == 0) return parts;
  std::vector<Wide> remainders(weights.size(), 0);
  Wide handed_out = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const Wide exact = magnitude * weights[i];
    parts[i] = exact / weight_sum;
    remainders[i] = exact % weight_sum;
    handed_out += parts[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  // Fewer öre are left than there are weights: each remainder is below one.
  for (Wide left = magnitude - handed_out, k = 0; left > 0; --left, ++k) {
    ++parts[order[static_cast<size_t>(k)]];
  }
  return parts;
}

Wide Magnitude(Ore total_ore) { return total_ore < 0 ? -Wide{total_ore} : Wide{total_ore}; }

Ore Signed(Ore total_ore, Wide magnitude) {
  return static_cast<Ore>(total_ore < 0 ? -magnitude : magnitude);
}

// `path` is the element naming the municipality, e.g. "usage[3]".
absl::Status CheckMunicipality(absl::string_view code, absl::string_view path) {
  if (IsMunicipalityCode(code)) return absl::OkStatus();
  return InvalidField(absl::StrCat(path, ".municipality"),
                      absl::StrCat("\"", code, "\" is no SCB municipality code (four digits)"));
}

absl::Status CheckDayRange(absl::CivilDay first_day, absl::CivilDay last_day,
                           absl::string_view path) {
  if (first_day <= last_day) return absl::OkStatus();
  return InvalidField(absl::StrCat(path, ".last_day"),
                      absl::StrCat(absl::FormatCivilTime(last_day), " is before first_day ",
                                   absl::FormatCivilTime(first_day)));
}

absl::Status CheckWeights(const std::vector<Weight>& weights, absl::string_view field) {
  if (weights.empty()) return InvalidField(field, "names no municipality");
  std::set<std::string> seen;
  for (size_t i = 0; i < weights.size(); ++i) {
    const Weight& weight = weights[i];
    const std::string path = absl::StrCat(field, "[", i, "]");
    ENAMND_RETURN_IF_ERROR(CheckMunicipality(weight.municipality, path));
    if (!seen.insert(weight.municipality).second) {
      return InvalidField(absl::StrCat(path, ".municipality"),
                          absl::StrCat(weight.municipality, " is named twice"));
    }
    if (weight.weight < 0) {
      return InvalidField(absl::StrCat(path, ".weight"),
                          absl::StrCat("must not be negative (", weight.weight, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSumsToWhole(const std::vector<Weight>& basis_points, absl::string_view field) {
  Wide sum = 0;
  for (const Weight& weight : basis_points) sum += weight.weight;
  if (sum != kWholeInBasisPoints) {
    return InvalidField(field, absl::StrCat("sums to ", static_cast<int64_t>(sum),
                                            " basis points, not 10000 (100 %)"));
  }
  return absl::OkStatus();
}

// Days of [first, last] covered by the union of `periods`.
int64_t DaysCovered(std::vector<std::pair<absl::CivilDay, absl::CivilDay>> periods) {
  std::sort(periods.begin(), periods.end());
  int64_t days = 0;
  bool open = false;
  absl::CivilDay run_first, run_last;
  for (const auto& [first, last] : periods) {
    if (open && first <= run_last + 1) {
      run_last = std::max(run_last, last);
      continue;
    }
    if (open) days += run_last - run_first + 1;
    run_first = first;
    run_last = last;
    open = true;
  }
  if (open) days += run_last - run_first + 1;
  return days;
}

absl::StatusOr<std::vector<Weight>> ParticipationWeights(const ByParticipation& key) {
  ENAMND_RETURN_IF_ERROR(CheckDayRange(key.first_day, key.last_day, "participation"));
  if (key.periods.empty()) return InvalidField("participation.periods", "names no municipality");
  std::map<std::string, std::vector<std::pair<absl::CivilDay, absl::CivilDay>>> clipped;
  for (size_t i = 0; i < key.periods.size(); ++i) {
    const ParticipationPeriod& period = key.periods[i];
    const std::string path = absl::StrCat("participation.periods[", i, "]");
    ENAMND_RETURN_IF_ERROR(CheckMunicipality(period.municipality, path));
    ENAMND_RETURN_IF_ERROR(CheckDayRange(period.first_day, period.last_day, path));
    auto& runs = clipped[period.municipality];  // named even if outside the range: share 0
    const absl::CivilDay first = std::max(period.first_day, key.first_day);
    const absl::CivilDay last = std::min(period.last_day, key.last_day);
    if (first <= last) runs.emplace_back(first, last);
  }
  std::vector<Weight> weights;
  for (const auto& [municipality, runs] : clipped) {
    weights.push_back({municipality, DaysCovered(runs)});
  }
  return weights;
}

absl::StatusOr<std::vector<Weight>> WeightsOf(const SimpleKey& key) {
  if (const auto* equal = std::get_if<EqualShares>(&key)) {
    std::vector<Weight> weights;
    for (const std::string& municipality : equal->municipalities) {
      weights.push_back({municipality, 1});
    }
    return weights;
  }
  if (const auto* population = std::get_if<ByPopulation>(&key)) return population->inhabitants;
  if (const auto* table = std::get_if<ByPercentageTable>(&key)) {
    ENAMND_RETURN_IF_ERROR(CheckWeights(table->basis_points, "percentage_table"));
    ENAMND_RETURN_IF_ERROR(CheckSumsToWhole(table->basis_points, "percentage_table"));
    return table->basis_points;
  }
  if (const auto* usage = std::get_if<ByUsage>(&key)) return usage->counts;
  return ParticipationWeights(std::get<ByParticipation>(key));
}

absl::string_view FieldOf(const SimpleKey& key) {
  switch (key.index()) {
    case 0:
      return "equal_shares";
    case 1:
      return "inhabitants";
    case 2:
      return "percentage_table";
    case 3:
      return "usage";
    default:
      return "participation";
  }
}

absl::StatusOr<std::vector<Share>> AllocateSimple(Ore total_ore, const SimpleKey& key,
                                                  absl::string_view field_prefix) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Weight> weights, WeightsOf(key));
  auto shares = DistributeByWeights(total_ore, weights, FieldOf(key));
  if (!shares.ok() && !field_prefix.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field_prefix, shares.status().message()));
  }
  return shares;
}

absl::StatusOr<std::vector<Share>> AllocateMix(Ore total_ore, const WeightedMix& mix) {
  if (mix.parts.empty()) return InvalidField("mix.parts", "has no part");
  std::vector<Wide> part_weights;
  Wide sum = 0;
  for (size_t i = 0; i < mix.parts.size(); ++i) {
    if (mix.parts[i].basis_points < 0) {
      return InvalidField(absl::StrCat("mix.parts[", i, "].basis_points"),
                          absl::StrCat("must not be negative (", mix.parts[i].basis_points, ")"));
    }
    part_weights.push_back(mix.parts[i].basis_points);
    sum += mix.parts[i].basis_points;
  }
  if (sum != kWholeInBasisPoints) {
    return InvalidField("mix.parts", absl::StrCat("sum to ", static_cast<int64_t>(sum),
                                                  " basis points, not 10000 (100 %)"));
  }
  const std::vector<Wide> part_totals = SplitByLargestRemainder(Magnitude(total_ore), part_weights);
  std::map<std::string, Ore> by_municipality;
  for (size_t i = 0; i < mix.parts.size(); ++i) {
    ENAMND_ASSIGN_OR_RETURN(std::vector<Share> shares,
                            AllocateSimple(Signed(total_ore, part_totals[i]), mix.parts[i].key,
                                           absl::StrCat("mix.parts[", i, "].")));
    for (const Share& share : shares) by_municipality[share.municipality] += share.amount_ore;
  }
  std::vector<Share> result;
  for (const auto& [municipality, amount] : by_municipality) {
    result.push_back({municipality, amount});
  }
  return result;
}

}  // namespace

bool IsMunicipalityCode(absl::string_view code) {
  return code.size() == 4 && std::all_of(code.begin(), code.end(), absl::ascii_isdigit);
}

absl::StatusOr<std::vector<Share>> DistributeByWeights(Ore total_ore,
                                                       const std::vector<Weight>& weights,
                                                       absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(CheckWeights(weights, field));
  std::vector<Weight> by_code = weights;
  std::sort(by_code.begin(), by_code.end(),
            [](const Weight& a, const Weight& b) { return a.municipality < b.municipality; });
  std::vector<Wide> wide_weights;
  Wide weight_sum = 0;
  for (const Weight& weight : by_code) {
    wide_weights.push_back(weight.weight);
    weight_sum += weight.weight;
  }
  if (weight_sum == 0 && total_ore != 0) {
    return InvalidField(field, "all weights are zero: there is nothing to distribute by");
  }
  const std::vector<Wide> parts = SplitByLargestRemainder(Magnitude(total_ore), wide_weights);
  std::vector<Share> shares;
  for (size_t i = 0; i < by_code.size(); ++i) {
    shares.push_back({by_code[i].municipality, Signed(total_ore, parts[i])});
  }
  return shares;
}

absl::StatusOr<std::vector<Share>> Allocate(Ore total_ore, const AllocationKey& key) {
  return std::visit(
      [&](const auto& simple) -> absl::StatusOr<std::vector<Share>> {
        using T = std::decay_t<decltype(simple)>;
        if constexpr (std::is_same_v<T, WeightedMix>) {
          return AllocateMix(total_ore, simple);
        } else {
          return AllocateSimple(total_ore, SimpleKey(simple), "");
        }
      },
      key);
}

}  // namespace enamnd::finance
