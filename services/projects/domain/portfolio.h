// The portfolio overview: which initiatives the committee's status list
// holds on a day, what each entry says, and the list rendered for the
// meeting papers (Markdown or HTML), the way § 14 of 22 June 2022 reads:
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

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_DOMAIN_PORTFOLIO_H_
