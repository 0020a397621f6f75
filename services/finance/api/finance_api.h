// The finance service's budget side over plain request/response protos:
// budgets and their revisions, index series and uprating, population
// figures, outcome, forecast, the financial report and the cost shares per
// municipality; and the events it follows (meetings: budget decisions and
// members; projects: participations). Each call validates, runs one
// transaction and appends its events to the outbox in it.
#ifndef ENAMND_FINANCE_API_FINANCE_API_H_
#define ENAMND_FINANCE_API_FINANCE_API_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "enamnd/common/v1/decision.pb.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/platform/audit_trail.h"
#include "services/platform/calendar.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/meetings_feed.h"
#include "services/platform/outbox.h"
#include "services/platform/unreadable_events.h"

namespace enamnd::finance {

class FinanceApi {
 public:
  FinanceApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  // The service's audit trail (operator role).
  absl::Status ListAuditRecords(const platform::Caller& /*caller*/,
                                const auth::v1::ListAuditRecordsRequest& request,
                                auth::v1::ListAuditRecordsResponse* response) {
    return platform::ListAuditRecords(db_, request, response);
  }

  absl::Status CreateBudget(const platform::Caller& caller, const v1::CreateBudgetRequest& request,
                            v1::Budget* response);
  absl::Status UprateBudget(const platform::Caller& caller, const v1::UprateBudgetRequest& request,
                            v1::Budget* response);
  absl::Status GetBudget(const platform::Caller& caller, const v1::GetBudgetRequest& request,
                         v1::Budget* response);
  absl::Status ListBudgets(const platform::Caller& caller, const v1::ListBudgetsRequest& request,
                           v1::ListBudgetsResponse* response);
  absl::Status UpdateBudget(const platform::Caller& caller, const v1::UpdateBudgetRequest& request,
                            v1::Budget* response);
  absl::Status ListBudgetRevisions(const platform::Caller& caller,
                                   const v1::ListBudgetRevisionsRequest& request,
                                   v1::ListBudgetRevisionsResponse* response);

  absl::Status CreateIndexSeries(const platform::Caller& caller,
                                 const v1::CreateIndexSeriesRequest& request,
                                 v1::IndexSeries* response);
  absl::Status GetIndexSeries(const platform::Caller& caller,
                              const v1::GetIndexSeriesRequest& request, v1::IndexSeries* response);
  absl::Status UpdateIndexSeries(const platform::Caller& caller,
                                 const v1::UpdateIndexSeriesRequest& request,
                                 v1::IndexSeries* response);
  absl::Status CreatePopulationFigures(const platform::Caller& caller,
                                       const v1::CreatePopulationFiguresRequest& request,
                                       v1::PopulationFigures* response);
  absl::Status GetPopulationFigures(const platform::Caller& caller,
                                    const v1::GetPopulationFiguresRequest& request,
                                    v1::PopulationFigures* response);

  absl::Status RecordOutcome(const platform::Caller& caller,
                             const v1::RecordOutcomeRequest& request, v1::MonthlyOutcome* response);
  absl::Status MakeForecast(const platform::Caller& caller, const v1::MakeForecastRequest& request,
                            v1::Forecast* response);
  absl::Status GetFinancialReport(const platform::Caller& caller,
                                  const v1::GetFinancialReportRequest& request,
                                  v1::FinancialReport* response);
  absl::Status GetCostShares(const platform::Caller& caller,
                             const v1::GetCostSharesRequest& request, v1::CostShares* response);

  // The consumer group "finance" on enamnd:events:meetings: members, and
  // decisions about //finance/budgets/{year} (an approving or adopting one
  // marks the budget adopted).
  absl::Status HandleMeetingsEvent(platform::Transaction& tx,
                                   const io::cloudevents::v1::CloudEvent& event);
  // The consumer group "finance" on enamnd:events:projects: who takes part
  // in which initiative, and since when (ParticipationChanged).
  absl::Status HandleProjectsEvent(platform::Transaction& tx,
                                   const io::cloudevents::v1::CloudEvent& event);

  // Events skipped because their payload never parses.
  int64_t skipped_events() const { return unreadable_.count(); }

 private:
  // Stores a new budget (CreateBudget, UprateBudget), adopted at once by
  // `adopted_by` or by an adopting decision linked before it existed, and
  // emits BudgetCreated (and BudgetAdopted).
  absl::Status InsertAndCommit(platform::Transaction& tx, const platform::Caller& caller,
                               const common::v1::CommitteeDecision* adopted_by, v1::Budget* budget);
  // A budget to change: parsed, loaded (NOT_FOUND) and its etag checked.
  absl::StatusOr<v1::Budget> WritableBudget(platform::Transaction& tx, absl::string_view name,
                                            absl::string_view etag, absl::string_view field);
  // A budget as `caller` may see it: the role public sees an adopted budget
  // and a revised one as its adopted revision; PERMISSION_DENIED for a draft.
  absl::StatusOr<v1::Budget> AsSeenBy(platform::Transaction& tx, const platform::Caller& caller,
                                      v1::Budget budget);
  // Municipalities an allocation model names must be members, and the
  // population figures it names registered.
  absl::Status CheckReferences(platform::Transaction& tx, const v1::Budget& budget);
  // The shares of each line (or of `line` alone) for GetCostShares.
  absl::Status FillCostShares(platform::Transaction& tx, const v1::Budget& budget,
                              const v1::GetCostSharesRequest& request, v1::CostShares* response);
  absl::Status LinkBudgetDecision(platform::Transaction& tx,
                                  const platform::SubjectDecision& decision);

  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
  // Events that will never parse, skipped (logged with this count).
  platform::UnreadableEvents unreadable_{"finance"};
};

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_API_FINANCE_API_H_
