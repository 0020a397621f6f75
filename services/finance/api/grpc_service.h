// gRPC callback-API adapter of the finance service: every unary call runs
// on the platform executor once its policy admits the caller; IngestUsage
// is a client stream whose batches are written on the executor too;
// WatchEvents is the platform's.
#ifndef ENAMND_FINANCE_API_GRPC_SERVICE_H_
#define ENAMND_FINANCE_API_GRPC_SERVICE_H_

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "enamnd/finance/v1/finance.grpc.pb.h"
#include "services/finance/api/finance_api.h"
#include "services/finance/api/plan_api.h"
#include "services/finance/api/plan_sources.h"
#include "services/finance/api/usage_api.h"
#include "services/platform/event_watch.h"
#include "services/platform/members.h"
#include "services/platform/server.h"

namespace enamnd::finance {

class FinanceGrpcService final : public v1::FinanceService::CallbackService {
 public:
  explicit FinanceGrpcService(const platform::ServiceContext& context)
      : gate_(context.authorizer, context.executor, v1::FinanceService::service_full_name()),
        watch_(context.watch),
        api_(context.db, context.outbox, context.clock),
        usage_(context.db, context.outbox, context.clock, context.executor),
        plans_(context.db, context.outbox, context.clock, context.executor,
               PlanSources::FromConfig(*context.config, PlanSources::Options())) {
    // A watch filtered by municipality names a member the service knows.
    platform::WatchHooks hooks;
    hooks.check_municipality = [](platform::Transaction& tx, const std::string& code) {
      return platform::RequireMember(tx, absl::StrCat("municipalities/", code), "municipality")
          .status();
    };
    watch_->SetHooks(std::move(hooks));
  }

  FinanceApi* api() { return &api_; }

  ENAMND_UNARY(CreateBudget, v1::CreateBudgetRequest, v1::Budget)
  ENAMND_UNARY(UprateBudget, v1::UprateBudgetRequest, v1::Budget)
  ENAMND_UNARY(GetBudget, v1::GetBudgetRequest, v1::Budget)
  ENAMND_UNARY(ListBudgets, v1::ListBudgetsRequest, v1::ListBudgetsResponse)
  ENAMND_UNARY(UpdateBudget, v1::UpdateBudgetRequest, v1::Budget)
  ENAMND_UNARY(ListBudgetRevisions, v1::ListBudgetRevisionsRequest, v1::ListBudgetRevisionsResponse)
  ENAMND_UNARY(CreateIndexSeries, v1::CreateIndexSeriesRequest, v1::IndexSeries)
  ENAMND_UNARY(GetIndexSeries, v1::GetIndexSeriesRequest, v1::IndexSeries)
  ENAMND_UNARY(UpdateIndexSeries, v1::UpdateIndexSeriesRequest, v1::IndexSeries)
  ENAMND_UNARY(CreatePopulationFigures, v1::CreatePopulationFiguresRequest, v1::PopulationFigures)
  ENAMND_UNARY(GetPopulationFigures, v1::GetPopulationFiguresRequest, v1::PopulationFigures)
  ENAMND_UNARY(RecordOutcome, v1::RecordOutcomeRequest, v1::MonthlyOutcome)
  ENAMND_UNARY(MakeForecast, v1::MakeForecastRequest, v1::Forecast)
  ENAMND_UNARY(GetFinancialReport, v1::GetFinancialReportRequest, v1::FinancialReport)
  ENAMND_UNARY(GetCostShares, v1::GetCostSharesRequest, v1::CostShares)
  ENAMND_UNARY(ListAuditRecords, auth::v1::ListAuditRecordsRequest,
               auth::v1::ListAuditRecordsResponse)
  ENAMND_UNARY_ON(usage_, CreatePriceList, v1::CreatePriceListRequest, v1::PriceList)
  ENAMND_UNARY_ON(usage_, GetPriceList, v1::GetPriceListRequest, v1::PriceList)
  ENAMND_UNARY_ON(usage_, UpdatePriceList, v1::UpdatePriceListRequest, v1::PriceList)
  ENAMND_UNARY_ON(usage_, GetUsageSummary, v1::GetUsageSummaryRequest, v1::UsageSummary)
  ENAMND_UNARY_ON(usage_, IssueInvoiceBasis, v1::IssueInvoiceBasisRequest, v1::InvoiceBasis)
  ENAMND_UNARY_ON(usage_, GetInvoiceBasis, v1::GetInvoiceBasisRequest, v1::InvoiceBasis)
  ENAMND_UNARY_ON(plans_, CreatePlan, v1::CreatePlanRequest, v1::Plan)
  ENAMND_UNARY_ON(plans_, GetPlan, v1::GetPlanRequest, v1::Plan)
  ENAMND_UNARY_ON(plans_, UpdatePlan, v1::UpdatePlanRequest, v1::Plan)
  ENAMND_UNARY_ON(plans_, AdoptPlan, v1::AdoptPlanRequest, v1::Plan)
  ENAMND_UNARY_ON(plans_, RecordPlanFollowUp, v1::RecordPlanFollowUpRequest, v1::PlanFollowUp)
  ENAMND_UNARY_ON(plans_, GetPlanFollowUp, v1::GetPlanFollowUpRequest, v1::PlanFollowUp)
  ENAMND_UNARY_DEFERRED_ON(plans_, RenderPlanReport, v1::RenderPlanReportRequest,
                           v1::RenderedPlanReport)
  ENAMND_WATCH_EVENTS()

  grpc::ServerReadReactor<v1::IngestUsageRequest>* IngestUsage(
      grpc::CallbackServerContext* context, v1::IngestUsageResponse* response) override {
    return usage_.IngestUsage(gate_.Admit(context, "IngestUsage"), response);
  }

 private:
  platform::Gate gate_;
  platform::EventWatch* watch_;
  FinanceApi api_;
  UsageApi usage_;
  PlanApi plans_;
};

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_API_GRPC_SERVICE_H_
