// The interim and annual report as people read it (issue 13), like § 16 of
// 22 June 2022: the follow-up's summary, every goal and indicator with its
// figures, the computed outlook beside the committee's comment and
// forecast, and the financial statement (outcome, budget, forecast and
// deviation in tkr) with its notes. Figures that could not be got are
// marked, never left out. Pure: renders what it is given.
#ifndef ENAMND_FINANCE_DOMAIN_PLAN_REPORT_H_
#define ENAMND_FINANCE_DOMAIN_PLAN_REPORT_H_

#include <string>
#include <vector>

#include "enamnd/finance/v1/finance.pb.h"
#include "services/platform/document.h"
#include "services/platform/pdf.h"

namespace enamnd::finance {

// `report` has everything but markdown and html filled in; `plan` and
// `follow_up` are what it reports on.
std::string RenderPlanReportMarkdown(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                     const v1::PlanFollowUp& follow_up);
// A whole HTML document (UTF-8, no scripts, inline style), every text
// escaped (platform::HtmlEscape).
std::string RenderPlanReportHtml(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                 const v1::PlanFollowUp& follow_up);

// The same sections as blocks (platform/document.h), for the PDF: the
// follow-up's texts and the goals' names verbatim, each goal's figures as a
// table (without the "Läst" column: the read times differ from call to
// call), the statement's tables in tkr with their notes, and the sources
// (without the render time). Pure, so the same records give the same blocks.
std::vector<platform::Block> PlanReportBlocks(const v1::RenderedPlanReport& report,
                                              const v1::Plan& plan,
                                              const v1::PlanFollowUp& follow_up);

// Who the report's pages name at the top left.
constexpr char kPlanReportCommittee[] = "NORRBOTTENS E-NÄMND";

// PlanReportBlocks with its page frame: "DELÅRSRAPPORT", or
// "ÅRSREDOVISNING" for a follow-up through December, and the month's last
// day, which also dates the metadata (never the clock).
platform::PdfDocument PlanReportPdf(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                    const v1::PlanFollowUp& follow_up);

// "delarsrapport-2022-05-31.pdf", "arsredovisning-2022-12-31.pdf".
std::string PlanReportPdfFileName(const v1::Plan& plan, const v1::PlanFollowUp& follow_up);

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_PLAN_REPORT_H_
