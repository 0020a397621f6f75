// Not written yet (issue 12 in progress): every method is UNIMPLEMENTED.
#include "services/finance/api/finance_api.h"

#include <variant>

#include "services/platform/meetings_feed.h"
#include "services/platform/members.h"

namespace enamnd::finance {

absl::Status FinanceApi::CreateBudget(const platform::Caller& /*caller*/,
                                      const v1::CreateBudgetRequest& /*request*/,
                                      v1::Budget* /*response*/) {
  return absl::UnimplementedError("CreateBudget");
}

absl::Status FinanceApi::UprateBudget(const platform::Caller& /*caller*/,
                                      const v1::UprateBudgetRequest& /*request*/,
                                      v1::Budget* /*response*/) {
  return absl::UnimplementedError("UprateBudget");
}

absl::Status FinanceApi::GetBudget(const platform::Caller& /*caller*/,
                                   const v1::GetBudgetRequest& /*request*/,
                                   v1::Budget* /*response*/) {
  return absl::UnimplementedError("GetBudget");
}

absl::Status FinanceApi::ListBudgets(const platform::Caller& /*caller*/,
                                     const v1::ListBudgetsRequest& /*request*/,
                                     v1::ListBudgetsResponse* /*response*/) {
  return absl::UnimplementedError("ListBudgets");
}

absl::Status FinanceApi::UpdateBudget(const platform::Caller& /*caller*/,
                                      const v1::UpdateBudgetRequest& /*request*/,
                                      v1::Budget* /*response*/) {
  return absl::UnimplementedError("UpdateBudget");
}

absl::Status FinanceApi::ListBudgetRevisions(const platform::Caller& /*caller*/,
                                             const v1::ListBudgetRevisionsRequest& /*request*/,
                                             v1::ListBudgetRevisionsResponse* /*response*/) {
  return absl::UnimplementedError("ListBudgetRevisions");
}

absl::Status FinanceApi::CreateIndexSeries(const platform::Caller& /*caller*/,
                                           const v1::CreateIndexSeriesRequest& /*request*/,
                                           v1::IndexSeries* /*response*/) {
  return absl::UnimplementedError("CreateIndexSeries");
}

absl::Status FinanceApi::GetIndexSeries(const platform::Caller& /*caller*/,
                                        const v1::GetIndexSeriesRequest& /*request*/,
                                        v1::IndexSeries* /*response*/) {
  return absl::UnimplementedError("GetIndexSeries");
}

absl::Status FinanceApi::UpdateIndexSeries(const platform::Caller& /*caller*/,
                                           const v1::UpdateIndexSeriesRequest& /*request*/,
                                           v1::IndexSeries* /*response*/) {
  return absl::UnimplementedError("UpdateIndexSeries");
}

absl::Status FinanceApi::CreatePopulationFigures(
    const platform::Caller& /*caller*/, const v1::CreatePopulationFiguresRequest& /*request*/,
    v1::PopulationFigures* /*response*/) {
  return absl::UnimplementedError("CreatePopulationFigures");
}

absl::Status FinanceApi::GetPopulationFigures(const platform::Caller& /*caller*/,
                                              const v1::GetPopulationFiguresRequest& /*request*/,
                                              v1::PopulationFigures* /*response*/) {
  return absl::UnimplementedError("GetPopulationFigures");
}

absl::Status FinanceApi::RecordOutcome(const platform::Caller& /*caller*/,
                                       const v1::RecordOutcomeRequest& /*request*/,
                                       v1::MonthlyOutcome* /*response*/) {
  return absl::UnimplementedError("RecordOutcome");
}

absl::Status FinanceApi::MakeForecast(const platform::Caller& /*caller*/,
                                      const v1::MakeForecastRequest& /*request*/,
                                      v1::Forecast* /*response*/) {
  return absl::UnimplementedError("MakeForecast");
}

absl::Status FinanceApi::GetFinancialReport(const platform::Caller& /*caller*/,
                                            const v1::GetFinancialReportRequest& /*request*/,
                                            v1::FinancialReport* /*response*/) {
  return absl::UnimplementedError("GetFinancialReport");
}

absl::Status FinanceApi::GetCostShares(const platform::Caller& /*caller*/,
                                       const v1::GetCostSharesRequest& /*request*/,
                                       v1::CostShares* /*response*/) {
  return absl::UnimplementedError("GetCostShares");
}

absl::Status FinanceApi::HandleMeetingsEvent(platform::Transaction& tx,
                                             const io::cloudevents::v1::CloudEvent& event) {
  // Interim (the budget side replaces this): the member register only.
  absl::StatusOr<platform::MeetingsFeedItem> item = platform::ReadMeetingsFeed(event, "//finance/");
  if (!item.ok()) return absl::OkStatus();
  if (const auto* member = std::get_if<platform::MemberRegistered>(&*item)) {
    return platform::RememberMember(tx, *member);
  }
  return absl::OkStatus();
}

absl::Status FinanceApi::HandleProjectsEvent(platform::Transaction& /*tx*/,
                                             const io::cloudevents::v1::CloudEvent& /*event*/) {
  return absl::OkStatus();  // Interim: the budget side replaces this.
}

}  // namespace enamnd::finance
