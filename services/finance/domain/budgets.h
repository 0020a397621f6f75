// The rules of budgets, their lines and allocation models, uprating, the
// outcome and forecast, and the financial report (DOMAIN.md section 6,
// issue 12), on the API's protos with the request's field paths. Pure: no
// clock (today is passed in), no storage; the data an allocation model
// needs (members, population figures, usage counts, participations) is
// resolved by the caller and handed in.
#ifndef ENAMND_FINANCE_DOMAIN_BUDGETS_H_
#define ENAMND_FINANCE_DOMAIN_BUDGETS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/domain/allocation.h"
#include "services/finance/domain/uprating.h"

namespace enamnd::finance {

using BudgetState = v1::Budget::State;
using LineAmountsList = google::protobuf::RepeatedPtrField<v1::LineAmounts>;

// ------------------------------------------------------------ content

// An allocation model: one kind set; tables and mixes sum to 10 000 basis
// points; a mix part is not itself a mix; municipality names well-formed
// and not repeated; usage kinds valid; a participation names its initiative
// and a period that does not end before it starts. `field` is its path
// (e.g. "budget.lines[2].allocation").
absl::Status ValidateAllocationModel(const v1::AllocationModel& model, absl::string_view field);

// A line: id (lower-case letters, digits, '-'), title, income and cost
// not negative, an allocation model, an optional initiative name.
absl::Status ValidateBudgetLine(const v1::BudgetLine& line, absl::string_view field);

// The content a caller gives (title, lines with unique ids, comments);
// `field` is the budget's path ("budget").
absl::Status ValidateBudgetContent(const v1::Budget& budget, absl::string_view field);

// Sets total_income and total_cost, the exact sums of the lines.
void FillTotals(v1::Budget* budget);

// ------------------------------------------------------------ states

// The state after UpdateBudget: a draft stays a draft, an adopted budget
// becomes revised, a revised one stays revised.
BudgetState StateAfterUpdate(BudgetState state);

// Whether a committee decision of this kind (the DecisionKind value's name)
// adopts the budget it is about: DECISION_KIND_APPROVE or
// DECISION_KIND_ADOPT.
bool IsAdoptingDecision(absl::string_view decision_kind);

// Whether an adopting decision moves a budget in `state`: a draft and a
// revised budget become adopted; an adopted one stays as it is.
bool AdoptionApplies(BudgetState state);

// ------------------------------------------------------------ uprating

// The domain's index series from the API's.
IndexSeries IndexSeriesOf(const v1::IndexSeries& series);

// An index series' display name and figures: at most one figure per year
// (a valid year), positive values, source and reference period required.
absl::Status ValidateIndexSeries(const v1::IndexSeries& series, absl::string_view field);

// The source's lines uprated from `from_year` to `to_year` (income and
// cost each by Uprate), without those in `omit` (each must be a line of
// the source: INVALID_ARGUMENT naming omit_lines[i]). INVALID_ARGUMENT
// naming `index_series` (the series' resource name) and the missing year
// when the series has no figure for either year.
absl::StatusOr<std::vector<v1::BudgetLine>> UprateLines(const v1::Budget& source,
                                                        const v1::IndexSeries& series, int to_year,
                                                        const std::vector<std::string>& omit);

// ------------------------------------------------------------ population

// Reference date, source, one entry per municipality, not negative;
// `total` is ignored (FillPopulationTotal sets it).
absl::Status ValidatePopulationFigures(const v1::PopulationFigures& figures,
                                       absl::string_view field);
void FillPopulationTotal(v1::PopulationFigures* figures);

// ------------------------------------------------------------ outcome, forecast

// A month of the budget's year that has begun on `today`: 1-12 and not
// after today's month.
absl::Status ValidateMonthBegun(int month, int budget_year, absl::CivilDay today,
                                absl::string_view field);

// Per-line amounts of an outcome or a forecast: each line one of the
// budget's line ids, at most once, income and cost not negative.
absl::Status ValidateLineAmounts(const LineAmountsList& lines, const v1::Budget& budget,
                                 absl::string_view field);

// ------------------------------------------------------------ report

// Income, cost and deviation (income - cost), exact and each rounded to
// tkr from its exact amount.
v1::Figures FiguresOf(Ore income, Ore cost);

// The report of `budget` through `through_month` (>= 0): the outcomes of
// months 1..through_month summed per line, the forecast given (the latest
// made after a month up to through_month, if any; lines it does not name as
// budgeted), and the deviations, per line in the budget's order (lines no
// longer in the budget that have amounts come after) and in total, each
// tkr figure from its exact sum.
v1::FinancialReport BuildReport(const v1::Budget& budget,
                                const std::vector<v1::MonthlyOutcome>& outcomes, int through_month,
                                const std::optional<v1::Forecast>& forecast);

// ------------------------------------------------------------ allocation

// One stored participation: left_day unset while it lasts.
struct ParticipationRow {
  std::string municipality;  // SCB code
  absl::CivilDay joined_day;
  std::optional<absl::CivilDay> left_day;
};

// What a model refers to and must be read before it is applied.
struct AllocationNeeds {
  std::set<std::string> population_figures;  // population-figures/{date}
  std::set<int> usage_years;
  std::set<std::string> initiatives;  // initiatives/{id}
};
void CollectNeeds(const v1::AllocationModel& model, int budget_year, AllocationNeeds* needs);

// The data an allocation model is applied to.
struct AllocationData {
  int budget_year = 0;
  std::vector<std::string> members;                         // SCB codes of the member register
  std::map<std::string, v1::PopulationFigures> population;  // by name
  // year -> municipality (SCB code) -> kind -> count
  std::map<int, std::map<std::string, std::map<int, int64_t>>> usage;
  std::map<std::string, std::vector<ParticipationRow>> participations;  // by initiative
};

// The allocation key of `model` over `data`. FAILED_PRECONDITION naming
// `field` when the population figures named are not registered, or equal
// shares of every member when no member is known.
absl::StatusOr<AllocationKey> AllocationKeyOf(const v1::AllocationModel& model,
                                              const AllocationData& data, absl::string_view field);

// The model in words, e.g. "by population (population-figures/2023-12-31)"
// or "30 % equal shares (every member) + 70 % by population (...)".
std::string DescribeModel(const v1::AllocationModel& model);

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_BUDGETS_H_
