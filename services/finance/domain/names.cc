#include "services/finance/domain/names.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/platform/api_util.h"
#include "services/platform/calendar.h"
#include "services/platform/resource_name.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::finance {
namespace {

using platform::InvalidField;
using platform::MatchName;

// The id of `text` shaped as `pattern` (one {id}); `shape` is the message.
absl::StatusOr<std::string> IdOf(absl::string_view text, absl::string_view pattern,
                                 absl::string_view field, absl::string_view shape) {
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, pattern, field);
  if (!parts.ok() || !platform::ValidateResourceId((*parts)[0], field).ok()) {
    return InvalidField(field, shape);
  }
  return (*parts)[0];
}

absl::StatusOr<int> YearOf(absl::string_view segment, absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(int64_t year,
                          platform::ParseNameNumber(segment, kMinYear, kMaxYear, field, "year"));
  return static_cast<int>(year);
}

// {prefix}/{year}, e.g. budgets/2023.
absl::StatusOr<int> YearName(absl::string_view text, absl::string_view prefix,
                             absl::string_view field) {
  const std::string pattern = absl::StrCat(prefix, "/{year}");
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, pattern, field);
  if (!parts.ok()) {
    return InvalidField(field, absl::StrCat("must be ", pattern, ", e.g. ", prefix, "/2023"));
  }
  return YearOf((*parts)[0], field);
}

// budgets/{year}/{collection}/{month}.
absl::StatusOr<std::pair<BudgetName, int>> MonthName(absl::string_view text,
                                                     absl::string_view collection,
                                                     absl::string_view field) {
  const std::string pattern = absl::StrCat("budgets/{year}/", collection, "/{month}");
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, pattern, field);
  if (!parts.ok()) {
    return InvalidField(
        field, absl::StrCat("must be ", pattern, ", e.g. budgets/2022/", collection, "/5"));
  }
  ENAMND_ASSIGN_OR_RETURN(int year, YearOf((*parts)[0], field));
  ENAMND_ASSIGN_OR_RETURN(int64_t month,
                          platform::ParseNameNumber((*parts)[1], 1, 12, field, "month"));
  return std::make_pair(BudgetName{year}, static_cast<int>(month));
}

}  // namespace

absl::Status ValidateYear(int year, absl::string_view field) {
  if (year < kMinYear || year > kMaxYear) {
    return InvalidField(field,
                        absl::StrCat(year, " is not a year from ", kMinYear, " to ", kMaxYear));
  }
  return absl::OkStatus();
}

absl::StatusOr<BudgetName> BudgetName::Parse(absl::string_view text, absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(int year, YearName(text, "budgets", field));
  return BudgetName{year};
}

std::string BudgetName::ToString() const { return absl::StrCat("budgets/", year); }

absl::StatusOr<BudgetLineName> BudgetLineName::Parse(absl::string_view text,
                                                     absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> parts =
      MatchName(text, "budgets/{year}/lines/{id}", field);
  if (!parts.ok() || !platform::ValidateResourceId((*parts)[1], field).ok()) {
    return InvalidField(field,
                        "must be budgets/{year}/lines/{id}, e.g. budgets/2023/lines/e-office");
  }
  ENAMND_ASSIGN_OR_RETURN(int year, YearOf((*parts)[0], field));
  return BudgetLineName{BudgetName{year}, (*parts)[1]};
}

std::string BudgetLineName::ToString() const {
  return absl::StrCat(budget.ToString(), "/lines/", line);
}

absl::StatusOr<BudgetReference> BudgetReference::Parse(absl::string_view text,
                                                       absl::string_view field) {
  absl::string_view rest = text;
  if (!absl::ConsumePrefix(&rest, "//finance/")) {
    return InvalidField(field, "must be //finance/budgets/{year}, e.g. //finance/budgets/2023");
  }
  ENAMND_ASSIGN_OR_RETURN(BudgetName budget, BudgetName::Parse(rest, field));
  return BudgetReference{budget};
}

std::string BudgetReference::ToString() const {
  return absl::StrCat("//finance/", budget.ToString());
}

absl::StatusOr<OutcomeName> OutcomeName::Parse(absl::string_view text, absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(auto parts, MonthName(text, "outcomes", field));
  return OutcomeName{parts.first, parts.second};
}

std::string OutcomeName::ToString() const {
  return absl::StrCat(budget.ToString(), "/outcomes/", month);
}

absl::StatusOr<ForecastName> ForecastName::Parse(absl::string_view text, absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(auto parts, MonthName(text, "forecasts", field));
  return ForecastName{parts.first, parts.second};
}

std::string ForecastName::ToString() const {
  return absl::StrCat(budget.ToString(), "/forecasts/", month);
}

absl::StatusOr<IndexSeriesName> IndexSeriesName::Parse(absl::string_view text,
                                                       absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(std::string id, IdOf(text, "index-series/{id}", field,
                                               "must be index-series/{id}, e.g. index-series/aki"));
  return IndexSeriesName{std::move(id)};
}

std::string IndexSeriesName::ToString() const { return absl::StrCat("index-series/", id); }

absl::StatusOr<PopulationFiguresName> PopulationFiguresName::Parse(absl::string_view text,
                                                                   absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> parts =
      MatchName(text, "population-figures/{date}", field);
  absl::StatusOr<absl::CivilDay> day =
      parts.ok() ? platform::ParseDay((*parts)[0]) : absl::StatusOr<absl::CivilDay>(parts.status());
  if (!day.ok() || platform::DayText(*day) != (*parts)[0]) {
    return InvalidField(field,
                        "must be population-figures/{YYYY-MM-DD}, e.g. "
                        "population-figures/2023-12-31");
  }
  return PopulationFiguresName{*day};
}

std::string PopulationFiguresName::ToString() const {
  return absl::StrCat("population-figures/", platform::DayText(reference_date));
}

absl::StatusOr<PriceListName> PriceListName::Parse(absl::string_view text,
                                                   absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(int year, YearName(text, "price-lists", field));
  return PriceListName{year};
}

std::string PriceListName::ToString() const { return absl::StrCat("price-lists/", year); }

absl::StatusOr<InvoiceBasisName> InvoiceBasisName::Parse(absl::string_view text,
                                                         absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(int year, YearName(text, "invoice-bases", field));
  return InvoiceBasisName{year};
}

std::string InvoiceBasisName::ToString() const { return absl::StrCat("invoice-bases/", year); }

absl::StatusOr<InitiativeName> InitiativeName::Parse(absl::string_view text,
                                                     absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(std::string id,
                          IdOf(text, "initiatives/{id}", field,
                               "must be initiatives/{id}, e.g. initiatives/hr-payroll"));
  return InitiativeName{std::move(id)};
}

std::string InitiativeName::ToString() const { return absl::StrCat("initiatives/", id); }

absl::StatusOr<PlanName> PlanName::Parse(absl::string_view text, absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(int year, YearName(text, "plans", field));
  return PlanName{year};
}

std::string PlanName::ToString() const { return absl::StrCat("plans/", year); }

absl::StatusOr<PlanFollowUpName> PlanFollowUpName::Parse(absl::string_view text,
                                                         absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> parts =
      MatchName(text, "plans/{year}/follow-ups/{month}", field);
  if (!parts.ok()) {
    return InvalidField(field,
                        "must be plans/{year}/follow-ups/{month}, e.g. plans/2022/follow-ups/5");
  }
  ENAMND_ASSIGN_OR_RETURN(int year, YearOf((*parts)[0], field));
  ENAMND_ASSIGN_OR_RETURN(int64_t month,
                          platform::ParseNameNumber((*parts)[1], 1, 12, field, "month"));
  return PlanFollowUpName{PlanName{year}, static_cast<int>(month)};
}

std::string PlanFollowUpName::ToString() const {
  return absl::StrCat(plan.ToString(), "/follow-ups/", month);
}

}  // namespace enamnd::finance
