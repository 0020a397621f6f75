#include "services/finance/api/plan_api.h"

namespace enamnd::finance {

absl::Status PlanApi::CreatePlan(const platform::Caller&, const v1::CreatePlanRequest&, v1::Plan*) {
  return absl::UnimplementedError("CreatePlan");
}
absl::Status PlanApi::GetPlan(const platform::Caller&, const v1::GetPlanRequest&, v1::Plan*) {
  return absl::UnimplementedError("GetPlan");
}
absl::Status PlanApi::UpdatePlan(const platform::Caller&, const v1::UpdatePlanRequest&, v1::Plan*) {
  return absl::UnimplementedError("UpdatePlan");
}
absl::Status PlanApi::AdoptPlan(const platform::Caller&, const v1::AdoptPlanRequest&, v1::Plan*) {
  return absl::UnimplementedError("AdoptPlan");
}
absl::Status PlanApi::RecordPlanFollowUp(const platform::Caller&,
                                         const v1::RecordPlanFollowUpRequest&, v1::PlanFollowUp*) {
  return absl::UnimplementedError("RecordPlanFollowUp");
}
absl::Status PlanApi::GetPlanFollowUp(const platform::Caller&, const v1::GetPlanFollowUpRequest&,
                                      v1::PlanFollowUp*) {
  return absl::UnimplementedError("GetPlanFollowUp");
}
void PlanApi::RenderPlanReport(const platform::Caller&, const v1::RenderPlanReportRequest&,
                               v1::RenderedPlanReport*,
                               std::function<void(const absl::Status&)> finish) {
  finish(absl::UnimplementedError("RenderPlanReport"));
}

}  // namespace enamnd::finance
