#include "services/projects/domain/portfolio.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/platform/api_util.h"
#include "services/platform/html.h"
#include "services/projects/domain/initiatives.h"

namespace enamnd::projects {
namespace {

using platform::DayText;
using platform::HtmlEscape;
using platform::IsSet;
using platform::ToCivil;

// The committee's own words for kinds and states in its papers.
std::string KindLabel(v1::Kind kind) {
  switch (kind) {
    case v1::KIND_NEEDS_ANALYSIS:
      return "Behovsanalys";
    case v1::KIND_PRE_STUDY:
      return "Förstudie";
    case v1::KIND_DEVELOPMENT_PROJECT:
      return "Utvecklingsprojekt";
    case v1::KIND_IMPLEMENTATION_PROJECT:
      return "Införandeprojekt";
    case v1::KIND_PROCUREMENT:
      return "Upphandling";
    case v1::KIND_SYSTEM_IN_OPERATION:
      return "Drift och förvaltning";
    default:
      return "";
  }
}

std::string StateLabel(v1::State state) {
  switch (state) {
    case v1::STATE_PROPOSED:
      return "föreslagen";
    case v1::STATE_DECIDED:
      return "beslutad";
    case v1::STATE_RUNNING:
      return "pågår";
    case v1::STATE_FINAL_REPORT:
      return "slutrapporterad";
    case v1::STATE_IN_OPERATION:
      return "i drift";
    case v1::STATE_CLOSED:
      return "avslutad";
    case v1::STATE_STOPPED:
      return "avbruten";
    default:
      return "";
  }
}

// "Förstudie · pågår sedan 2022-03-16 · direktiv Rev B · Boden, Luleå"
std::string FactsLine(const v1::PortfolioEntry& e) {
  std::vector<std::string> facts = {KindLabel(e.kind())};
  std::string state = StateLabel(e.state());
  if (IsSet(e.state_date())) absl::StrAppend(&state, " sedan ", DayText(ToCivil(e.state_date())));
  facts.push_back(state);
  if (!e.current_revision().empty())
    facts.push_back(absl::StrCat("direktiv Rev ", e.current_revision()));
  switch (e.latest_status().traffic_light()) {
    case v1::TRAFFIC_LIGHT_GREEN:
      facts.push_back("grönt läge");
      break;
    case v1::TRAFFIC_LIGHT_YELLOW:
      facts.push_back("gult läge");
      break;
    case v1::TRAFFIC_LIGHT_RED:
      facts.push_back("rött läge");
      break;
    default:
      break;
  }
  if (!e.participant_display_names().empty()) {
    facts.push_back(absl::StrJoin(e.participant_display_names(), ", "));
  }
  return absl::StrJoin(facts, " · ");
}

// "1 aktivitet", "10 aktiviteter".
std::string CountLine(const v1::Portfolio& p) {
  return absl::StrCat("Läge ", DayText(ToCivil(p.date())), ", ", p.entries_size(),
                      p.entries_size() == 1 ? " aktivitet." : " aktiviteter.");
}

// "Upphandling: planerat 2022-09-01, klart 2022-08-30"
std::string MilestoneLine(const v1::Milestone& m) {
  std::string line = absl::StrCat(m.title(), ": planerat ", DayText(ToCivil(m.planned_date())));
  if (IsSet(m.actual_date())) absl::StrAppend(&line, ", klart ", DayText(ToCivil(m.actual_date())));
  return line;
}

// The words the list uses between an initiative's entries.
constexpr char kStatusLabel[] = "STATUS:";
constexpr char kMilestonesLabel[] = "DELMÅL:";
constexpr char kNoStatusReport[] = "(ingen lägesrapport)";

// Markdown that would otherwise start a heading, list or emphasis.
std::string MarkdownEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || c == '*' || c == '_' || c == '`' || c == '#' || c == '[' || c == ']' ||
        c == '<' || c == '>') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace

std::optional<v1::StatusReport> LatestReportOn(const std::vector<v1::StatusReport>& reports,
                                               absl::CivilDay day) {
  std::optional<v1::StatusReport> latest;
  for (const v1::StatusReport& r : reports) {
    absl::CivilDay d = ToCivil(r.report_date());
    if (d > day) continue;
    if (!latest.has_value() || d >= ToCivil(latest->report_date())) latest = r;
  }
  return latest;
}

std::string RevisionOn(const std::vector<v1::Revision>& revisions, absl::CivilDay day) {
  std::string letter;
  for (const v1::Revision& r : revisions) {  // in letter order
    if (ToCivil(r.decided_date()) <= day) letter = r.letter();
  }
  return letter;
}

std::optional<v1::PortfolioEntry> PortfolioEntryOf(
    const v1::Initiative& initiative, const std::optional<v1::StatusReport>& latest_status,
    const std::string& revision, const PortfolioFilter& filter,
    const std::map<std::string, std::string>& member_names) {
  std::optional<v1::State> state = StateOn(initiative, filter.day);
  if (!state.has_value() || !IsActive(*state)) return std::nullopt;
  if (filter.kind.has_value() && initiative.kind() != *filter.kind) return std::nullopt;
  std::vector<std::string> participants = ParticipantsOn(initiative, filter.day);
  if (filter.municipality.has_value() && std::find(participants.begin(), participants.end(),
                                                   *filter.municipality) == participants.end()) {
    return std::nullopt;
  }
  v1::PortfolioEntry e;
  e.set_initiative(initiative.name());
  e.set_title(initiative.title());
  e.set_kind(initiative.kind());
  e.set_state(*state);
  for (const v1::Transition& t : initiative.transitions()) {
    if (ToCivil(t.date()) <= filter.day) *e.mutable_state_date() = t.date();
  }
  for (const std::string& p : participants) {
    e.add_participants(p);
    auto name = member_names.find(p);
    e.add_participant_display_names(name == member_names.end() ? p : name->second);
  }
  if (latest_status.has_value()) *e.mutable_latest_status() = *latest_status;
  e.set_current_revision(revision);
  return e;
}

std::string RenderPortfolioMarkdown(const v1::Portfolio& portfolio, absl::string_view title) {
  std::string out = absl::StrCat("# ", MarkdownEscape(title), "\n\n");
  absl::StrAppend(&out, CountLine(portfolio), "\n");
  for (const v1::PortfolioEntry& e : portfolio.entries()) {
    absl::StrAppend(&out, "\n## ", MarkdownEscape(e.title()), "\n\n*", MarkdownEscape(FactsLine(e)),
                    "*\n\n", kStatusLabel, "\n\n");
    if (e.latest_status().status_lines().empty())
      absl::StrAppend(&out, "- ", kNoStatusReport, "\n");
    for (const std::string& line : e.latest_status().status_lines()) {
      absl::StrAppend(&out, "- ", MarkdownEscape(line), "\n");
    }
    if (e.latest_status().milestones().empty()) continue;
    absl::StrAppend(&out, "\n", kMilestonesLabel, "\n\n");
    for (const v1::Milestone& m : e.latest_status().milestones()) {
      absl::StrAppend(&out, "- ", MarkdownEscape(MilestoneLine(m)), "\n");
    }
  }
  return out;
}

std::string RenderPortfolioHtml(const v1::Portfolio& portfolio, absl::string_view title) {
  std::string out =
      absl::StrCat("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                   HtmlEscape(title), "</title>\n</head>\n<body>\n<h1>", HtmlEscape(title),
                   "</h1>\n<p>", HtmlEscape(CountLine(portfolio)), "</p>\n");
  for (const v1::PortfolioEntry& e : portfolio.entries()) {
    absl::StrAppend(&out, "<section>\n<h2>", HtmlEscape(e.title()), "</h2>\n<p><em>",
                    HtmlEscape(FactsLine(e)), "</em></p>\n<p>", kStatusLabel, "</p>\n<ul>\n");
    if (e.latest_status().status_lines().empty()) {
      absl::StrAppend(&out, "<li>", kNoStatusReport, "</li>\n");
    }
    for (const std::string& line : e.latest_status().status_lines()) {
      absl::StrAppend(&out, "<li>", HtmlEscape(line), "</li>\n");
    }
    absl::StrAppend(&out, "</ul>\n");
    if (!e.latest_status().milestones().empty()) {
      absl::StrAppend(&out, "<p>", kMilestonesLabel, "</p>\n<ul>\n");
      for (const v1::Milestone& m : e.latest_status().milestones()) {
        absl::StrAppend(&out, "<li>", HtmlEscape(MilestoneLine(m)), "</li>\n");
      }
      absl::StrAppend(&out, "</ul>\n");
    }
    absl::StrAppend(&out, "</section>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

std::vector<platform::Block> PortfolioBlocks(const v1::Portfolio& portfolio,
                                             absl::string_view title) {
  using platform::Block;
  std::vector<Block> out = {{Block::kTitle, std::string(title)},
                            {Block::kLine, CountLine(portfolio)}};
  for (const v1::PortfolioEntry& e : portfolio.entries()) {
    out.push_back({Block::kHeading, e.title()});
    out.push_back({Block::kLine, FactsLine(e)});
    out.push_back({Block::kSubheading, kStatusLabel});
    if (e.latest_status().status_lines().empty()) out.push_back({Block::kItem, kNoStatusReport});
    for (const std::string& line : e.latest_status().status_lines()) {
      out.push_back({Block::kItem, line});
    }
    if (e.latest_status().milestones().empty()) continue;
    out.push_back({Block::kSubheading, kMilestonesLabel});
    for (const v1::Milestone& m : e.latest_status().milestones()) {
      out.push_back({Block::kItem, MilestoneLine(m)});
    }
  }
  return out;
}

platform::PdfDocument PortfolioPdf(const v1::Portfolio& portfolio, absl::string_view title) {
  platform::PdfDocument pdf;
  pdf.blocks = PortfolioBlocks(portfolio, title);
  const absl::CivilDay day = ToCivil(portfolio.date());
  pdf.frame.header_left = {kPortfolioCommittee};
  pdf.frame.header_right = {"PORTFÖLJÖVERSIKT", DayText(day)};
  pdf.frame.footer_left = absl::StrCat(title, " ", DayText(day));
  pdf.info.title = std::string(title);
  pdf.info.author = kPortfolioCommittee;
  pdf.info.subject = "Portföljöversikt";
  pdf.info.created = absl::CivilSecond(day);
  return pdf;
}

std::string PortfolioPdfFileName(const v1::Portfolio& portfolio) {
  return absl::StrCat("portfoljoversikt-", DayText(ToCivil(portfolio.date())), ".pdf");
}

}  // namespace enamnd::projects
