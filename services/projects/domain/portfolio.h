// The portfolio overview: which initiatives the committee's status list
// holds on a day, what each entry says, and the list rendered for the
// meeting papers (Markdown, HTML or PDF), the way § 14 of 22 June 2022 reads:
// the initiative's title, "STATUS:", and its status lines.
#ifndef ENAMND_PROJECTS_DOMAIN_PORTFOLIO_H_
#define ENAMND_PROJECTS_DOMAIN_PORTFOLIO_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/projects/v1/projects.pb.h"
#include "services/platform/document.h"
#include "services/platform/pdf.h"

namespace enamnd::projects {

struct PortfolioFilter {
  absl::CivilDay day;
  std::optional<std::string> municipality;  // municipalities/{code}
  std::optional<v1::Kind> kind;
};

// The latest report dated on or before `day` (reports in any order).
std::optional<v1::StatusReport> LatestReportOn(const std::vector<v1::StatusReport>& reports,
                                               absl::CivilDay day);

// The letter of the latest revision decided on or before `day` ("" if none).
std::string RevisionOn(const std::vector<v1::Revision>& revisions, absl::CivilDay day);

// The entry of `initiative` in the portfolio of `filter.day`, or nullopt
// when it does not belong there: registered later, not active on the day
// (closed or stopped by then), of another kind, or the municipality does
// not take part on the day. `member_names` maps municipalities/{code} to
// display names (a code without a name shows as its code).
std::optional<v1::PortfolioEntry> PortfolioEntryOf(
    const v1::Initiative& initiative, const std::optional<v1::StatusReport>& latest_status,
    const std::string& revision, const PortfolioFilter& filter,
    const std::map<std::string, std::string>& member_names);

// The heading used when the caller gives none.
constexpr char kDefaultPortfolioTitle[] = "Aktuella och pågående aktiviteter";

std::string RenderPortfolioMarkdown(const v1::Portfolio& portfolio, absl::string_view title);
// A whole HTML document (UTF-8), every text escaped.
std::string RenderPortfolioHtml(const v1::Portfolio& portfolio, absl::string_view title);

// The same sections as blocks (platform/document.h), for the PDF: the
// title, the count line, and per entry a heading (its title), its facts
// line, "STATUS:" with one item per status line verbatim, and "DELMÅL:"
// with its milestones.
std::vector<platform::Block> PortfolioBlocks(const v1::Portfolio& portfolio,
                                             absl::string_view title);

// Who the overview's pages name at the top left.
constexpr char kPortfolioCommittee[] = "NORRBOTTENS E-NÄMND";

// PortfolioBlocks with its page frame ("PORTFÖLJÖVERSIKT" and the day) and
// metadata dated the portfolio's day, never the clock: the same portfolio
// gives the same PDF.
platform::PdfDocument PortfolioPdf(const v1::Portfolio& portfolio, absl::string_view title);

// "portfoljoversikt-2022-06-22.pdf".
std::string PortfolioPdfFileName(const v1::Portfolio& portfolio);

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_DOMAIN_PORTFOLIO_H_
