#include "services/finance/domain/uprating.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "services/platform/status.h"

namespace enamnd::finance {
namespace {

using platform::InvalidField;

constexpr Ore kOrePerTkr = 100'000;

// numerator / denominator rounded half away from zero; denominator > 0.
__int128 DivideRoundingHalfAway(__int128 numerator, __int128 denominator) {
  const __int128 magnitude = numerator < 0 ? -numerator : numerator;
  const __int128 rounded = (2 * magnitude + denominator) / (2 * denominator);
  return numerator < 0 ? -rounded : rounded;
}

}  // namespace

absl::StatusOr<IndexFigure> FigureFor(const IndexSeries& series, int year) {
  const IndexFigure* found = nullptr;
  for (const IndexFigure& figure : series.figures) {
    if (figure.year != year) continue;
    const std::string field = absl::StrCat("index.figures[", year, "]");
    if (found != nullptr) {
      return InvalidField(field, absl::StrCat(series.name, " has more than one figure for ", year));
    }
    if (figure.value_thousandths <= 0) {
      return InvalidField(absl::StrCat(field, ".value_thousandths"),
                          absl::StrCat("must be positive (", figure.value_thousandths, ")"));
    }
    found = &figure;
  }
  if (found == nullptr) {
    return InvalidField(absl::StrCat("index.figures[", year, "]"),
                        absl::StrCat(series.name, " has no figure for ", year));
  }
  return *found;
}

absl::StatusOr<Ore> Uprate(Ore amount_ore, const IndexSeries& series, int from_year, int to_year) {
  ENAMND_ASSIGN_OR_RETURN(IndexFigure from, FigureFor(series, from_year));
  ENAMND_ASSIGN_OR_RETURN(IndexFigure to, FigureFor(series, to_year));
  const __int128 uprated = DivideRoundingHalfAway(
      static_cast<__int128>(amount_ore) * to.value_thousandths, from.value_thousandths);
  if (uprated > INT64_MAX || uprated < INT64_MIN) {
    return InvalidField("amount_ore", "is too large to uprate");
  }
  return static_cast<Ore>(uprated);
}

int64_t ToTkr(Ore amount_ore) {
  return static_cast<int64_t>(DivideRoundingHalfAway(amount_ore, kOrePerTkr));
}

}  // namespace enamnd::finance
