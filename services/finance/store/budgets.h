// The budget side's tables (schema.cc): budgets and every revision of
// them, index series, population figures, outcomes, forecasts and the
// participations learnt from the projects service; and the reads of the
// member register and of usage_counts (kept by the usage side) that
// allocation models need. Free functions over platform::Transaction.
//
// Reads return nullopt for a missing resource; an etag is the stored
// revision column. A budget's committee decisions are linked in the
// platform's table (linked_decisions.h) under budgets/{year} and filled in
// by every read here; they are not stored with the budget.
#ifndef ENAMND_FINANCE_STORE_BUDGETS_H_
#define ENAMND_FINANCE_STORE_BUDGETS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/domain/budgets.h"
#include "services/finance/domain/names.h"
#include "services/platform/database.h"
#include "services/platform/list_query.h"
#include "services/platform/proto_rows.h"

namespace enamnd::finance::store {

// ------------------------------------------------------------ budgets
absl::StatusOr<std::optional<v1::Budget>> GetBudget(platform::Transaction& tx,
                                                    const BudgetName& name);
// ALREADY_EXISTS if the year has a budget. Stores revision budget.revision
// too and sets the etag.
absl::Status InsertBudget(platform::Transaction& tx, v1::Budget* budget);
// Stores the budget and (replacing one of the same number) its revision
// budget.revision, and sets the etag.
absl::Status ReplaceBudget(platform::Transaction& tx, v1::Budget* budget);
// The revision `revision` as it stood (decisions filled in), or nullopt.
absl::StatusOr<std::optional<v1::Budget>> GetBudgetRevision(platform::Transaction& tx,
                                                            const BudgetName& name, int revision);
// `state` filters by it; `adopted_only` (the role public) leaves drafts out
// and filters by the state the public sees (a revised budget as adopted).
platform::ListQuery BudgetsQuery(std::optional<BudgetState> state, bool adopted_only,
                                 absl::string_view filter_text);
absl::StatusOr<platform::Page<v1::Budget>> ListBudgets(platform::Transaction& tx,
                                                       const platform::ListQuery& query,
                                                       int page_size, absl::string_view page_token);
platform::ListQuery BudgetRevisionsQuery(const BudgetName& name);
absl::StatusOr<platform::Page<v1::Budget>> ListBudgetRevisions(platform::Transaction& tx,
                                                               const BudgetName& name,
                                                               int page_size,
                                                               absl::string_view page_token);

// ------------------------------------------------------------ index series
absl::StatusOr<std::optional<v1::IndexSeries>> GetIndexSeries(platform::Transaction& tx,
                                                              const IndexSeriesName& name);
// ALREADY_EXISTS if the name is taken. Sets the etag.
absl::Status InsertIndexSeries(platform::Transaction& tx, v1::IndexSeries* series);
absl::Status ReplaceIndexSeries(platform::Transaction& tx, v1::IndexSeries* series);

// ------------------------------------------------------------ population figures
absl::StatusOr<std::optional<v1::PopulationFigures>> GetPopulationFigures(
    platform::Transaction& tx, const PopulationFiguresName& name);
// ALREADY_EXISTS if the date has figures.
absl::Status InsertPopulationFigures(platform::Transaction& tx,
                                     const v1::PopulationFigures& figures);

// ------------------------------------------------------------ outcomes, forecasts
absl::StatusOr<std::optional<v1::MonthlyOutcome>> GetOutcome(platform::Transaction& tx,
                                                             const OutcomeName& name);
// Inserts or replaces the month; sets the etag.
absl::Status SaveOutcome(platform::Transaction& tx, const BudgetName& budget,
                         v1::MonthlyOutcome* outcome);
// Every recorded month of the budget, in month order.
absl::StatusOr<std::vector<v1::MonthlyOutcome>> Outcomes(platform::Transaction& tx,
                                                         const BudgetName& budget);
// Inserts or replaces the forecast made after its month.
absl::Status SaveForecast(platform::Transaction& tx, const BudgetName& budget,
                          const v1::Forecast& forecast);
// The latest forecast made after a month up to `through_month`.
absl::StatusOr<std::optional<v1::Forecast>> LatestForecast(platform::Transaction& tx,
                                                           const BudgetName& budget,
                                                           int through_month);

// ------------------------------------------------------------ allocation data
// A participation as the projects service reported it (its joined day is
// the key: a change of the same period replaces it).
absl::Status SaveParticipation(platform::Transaction& tx, const std::string& initiative,
                               const ParticipationRow& row);
// The member register: SCB code -> display name, ordered by code.
absl::StatusOr<std::map<std::string, std::string>> Members(platform::Transaction& tx);
// Everything the models of `needs` refer to, with the members.
absl::StatusOr<AllocationData> LoadAllocationData(platform::Transaction& tx, int budget_year,
                                                  const AllocationNeeds& needs);

}  // namespace enamnd::finance::store

#endif  // ENAMND_FINANCE_STORE_BUDGETS_H_
