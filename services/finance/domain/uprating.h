// Uprating a budget by an index, and reporting exact sums in tkr (DOMAIN.md
// section 6, issue 12). The cooperation agreement uprates each budget line
// by the labour cost index (AKI, SCB); the index figures are data with
// their source and reference period. Pure functions, no floating point.
#ifndef ENAMND_FINANCE_DOMAIN_UPRATING_H_
#define ENAMND_FINANCE_DOMAIN_UPRATING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/finance/domain/allocation.h"

namespace enamnd::finance {

// One figure of an index series. `value_thousandths` is the index level
// times 1000 (AKI 112.3 is 112300), so the figure is kept exact.
struct IndexFigure {
  int year = 0;
  int64_t value_thousandths = 0;
  std::string source;            // e.g. "SCB, Arbetskostnadsindex (AKI)"
  std::string reference_period;  // e.g. "2022M03" or "2022 (preliminary)"
};

struct IndexSeries {
  std::string name;  // e.g. "AKI"
  std::vector<IndexFigure> figures;
};

// The figure for `year`. INVALID_ARGUMENT naming "index.figures[<year>]"
// when the series has none, and naming the figure when it is not positive
// or when the year has more than one figure.
absl::StatusOr<IndexFigure> FigureFor(const IndexSeries& series, int year);

// `amount_ore` of `from_year` in `to_year`'s terms:
// amount * index(to_year) / index(from_year), computed exactly and rounded
// to the öre half away from zero (so income and cost round alike).
absl::StatusOr<Ore> Uprate(Ore amount_ore, const IndexSeries& series, int from_year, int to_year);

// An exact amount in whole tkr (1 tkr = 1 000 kr = 100 000 öre), rounded
// half away from zero. Reported figures are each rounded from exact sums:
// a deviation is ToTkr(income - costs), not ToTkr(income) - ToTkr(costs),
// which is why Jan-May 2022 shows 1 792 - 1 673 = 120.
int64_t ToTkr(Ore amount_ore);

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_UPRATING_H_
