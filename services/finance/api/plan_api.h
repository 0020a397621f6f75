// The finance service's plan side (issue 13): the operational plan of a
// year with its goals and indicators, its follow-ups, and the rendered
// interim or annual report. Writes validate, run one transaction and append
// their events to the outbox in it. RenderPlanReport reads the plan, the
// follow-up and the financial statement from its own database, the facts
// from the other services (PlanSources, without holding an executor thread
// while they answer), and renders (domain/plan_report.h).
#ifndef ENAMND_FINANCE_API_PLAN_API_H_
#define ENAMND_FINANCE_API_PLAN_API_H_

#include <atomic>
#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/api/plan_sources.h"
#include "services/platform/calendar.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/executor.h"
#include "services/platform/outbox.h"

namespace enamnd::finance {

class PlanApi {
 public:
  // `sources` reads the facts; the financial statement comes from the
  // budget tables of `db`.
  PlanApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock,
          platform::Executor* executor, std::unique_ptr<PlanSources> sources)
      : db_(db),
        outbox_(outbox),
        clock_(clock),
        executor_(executor),
        sources_(std::move(sources)) {}

  absl::Status CreatePlan(const platform::Caller& caller, const v1::CreatePlanRequest& request,
                          v1::Plan* response);
  absl::Status GetPlan(const platform::Caller& caller, const v1::GetPlanRequest& request,
                       v1::Plan* response);
  absl::Status UpdatePlan(const platform::Caller& caller, const v1::UpdatePlanRequest& request,
                          v1::Plan* response);
  absl::Status AdoptPlan(const platform::Caller& caller, const v1::AdoptPlanRequest& request,
                         v1::Plan* response);
  absl::Status RecordPlanFollowUp(const platform::Caller& caller,
                                  const v1::RecordPlanFollowUpRequest& request,
                                  v1::PlanFollowUp* response);
  absl::Status GetPlanFollowUp(const platform::Caller& caller,
                               const v1::GetPlanFollowUpRequest& request,
                               v1::PlanFollowUp* response);
  // Deferred (platform::Gate::UnaryDeferred): calls `finish` once the
  // report is rendered, or with the error that stopped it (NOT_FOUND,
  // INVALID_ARGUMENT, PERMISSION_DENIED; RESOURCE_EXHAUSTED while
  // kMaxRenders reports are being rendered); a service that does not answer
  // does not stop it. The other services' reads end before the client's
  // `deadline` (less kRenderMargin for the rendering itself).
  void RenderPlanReport(const platform::Caller& caller, const v1::RenderPlanReportRequest& request,
                        v1::RenderedPlanReport* response, absl::Time deadline,
                        std::function<void(const absl::Status&)> finish);

  // Reports rendered at once, at most: each holds reads of three services,
  // and the method is open to the public.
  static constexpr int kMaxRenders = 8;
  static constexpr absl::Duration kRenderMargin = absl::Milliseconds(250);

 private:
  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
  platform::Executor* executor_;
  std::unique_ptr<PlanSources> sources_;
  // Reports being rendered (kMaxRenders).
  std::shared_ptr<std::atomic<int>> renders_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_API_PLAN_API_H_
