// The interim and annual report as people read it (issue 13), like § 16 of
// 22 June 2022: the follow-up's summary, every goal and indicator with its
// figures, the computed outlook beside the committee's comment and
// forecast, and the financial statement (outcome, budget, forecast and
// deviation in tkr) with its notes. Figures that could not be got are
// marked, never left out. Pure: renders what it is given.
#ifndef ENAMND_FINANCE_DOMAIN_PLAN_REPORT_H_
#define ENAMND_FINANCE_DOMAIN_PLAN_REPORT_H_

#include <string>

#include "enamnd/finance/v1/finance.pb.h"

namespace enamnd::finance {

// `report` has everything but markdown and html filled in; `plan` and
// `follow_up` are what it reports on.
std::string RenderPlanReportMarkdown(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                     const v1::PlanFollowUp& follow_up);
// A whole HTML document (UTF-8, no scripts, inline style), every text
// escaped (platform::HtmlEscape).
std::string RenderPlanReportHtml(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                 const v1::PlanFollowUp& follow_up);

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_PLAN_REPORT_H_
