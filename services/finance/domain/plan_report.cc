#include "services/finance/domain/plan_report.h"

namespace enamnd::finance {

std::string RenderPlanReportMarkdown(const v1::RenderedPlanReport&, const v1::Plan&,
                                     const v1::PlanFollowUp&) {
  return "";
}
std::string RenderPlanReportHtml(const v1::RenderedPlanReport&, const v1::Plan&,
                                 const v1::PlanFollowUp&) {
  return "";
}

}  // namespace enamnd::finance
