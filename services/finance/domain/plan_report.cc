#include "services/finance/domain/plan_report.h"

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/finance/domain/names.h"
#include "services/finance/domain/plans.h"
#include "services/platform/api_util.h"
#include "services/platform/calendar.h"
#include "services/platform/html.h"

namespace enamnd::finance {
namespace {

using platform::HtmlEscape;

// ------------------------------------------------------------ words and figures

// The report's section texts, shared by the Markdown, the HTML and the
// blocks of the PDF.
constexpr char kGoalsHeading[] = "Måluppföljning";
constexpr char kStatementHeading[] = "Ekonomisk redovisning";
constexpr char kNotesHeading[] = "Noteringar avvikelser";
constexpr char kSourcesHeading[] = "Källor";
constexpr char kCommentLabel[] = "Kommentar:";
constexpr char kCommitteeOutlook[] = "Nämndens bedömning: ";
constexpr char kStatementMissingLabel[] = "Ekonomisk redovisning saknas: ";

constexpr const char* kMonths[] = {"januari",   "februari", "mars",     "april",
                                   "maj",       "juni",     "juli",     "augusti",
                                   "september", "oktober",  "november", "december"};

std::string MonthName(int month) {
  return month >= 1 && month <= 12 ? kMonths[month - 1] : absl::StrCat("månad ", month);
}

// 1792 -> "1 792", -12345 -> "-12 345".
std::string Tkr(int64_t value) {
  const bool negative = value < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = absl::StrCat(magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

// "2022-06-21 10:15:03" in Europe/Stockholm.
std::string LocalTime(const google::protobuf::Timestamp& t) {
  const absl::Time time = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", time, platform::StockholmTimeZone());
}

// The value as the report prints it: "9 av 14 (64 %)", "6", "75 %", or
// "uppgift saknas (...)" for a figure that could not be got.
std::string ValueText(const v1::GoalFigure& f, const std::string& follow_up) {
  if (f.missing()) return absl::StrCat("uppgift saknas (", f.missing_reason(), ")");
  if (f.unit() != v1::UNIT_PERCENT) return absl::StrCat(f.value());
  if (f.source() == follow_up || f.denominator() == 0) {
    if (f.source() != follow_up) return "ingen mätning";
    return absl::StrCat(f.percent(), " %");
  }
  return absl::StrCat(f.value(), " av ", f.denominator(), " (", f.percent(), " %)");
}

std::string ReadText(const v1::GoalFigure& f, const std::string& follow_up) {
  if (f.missing()) return "ej läst";
  if (f.source() == follow_up) return "angivet i uppföljningen";
  return IsSet(f.read_time()) ? LocalTime(f.read_time()) : "–";
}

std::string TargetText(const v1::Goal& goal) {
  switch (goal.unit()) {
    case v1::UNIT_COUNT:
      return absl::StrCat("Målvärde: minst ", goal.target());
    case v1::UNIT_PERCENT:
      return absl::StrCat("Målvärde: minst ", goal.target(), " %");
    default:
      return "Målvärde: inget (följs upp i text)";
  }
}

std::string OutlookLine(const v1::GoalReport& g) {
  std::string line = absl::StrCat("Beräknad bedömning: ", OutlookText(g.computed_outlook()));
  if (!g.computed_reason().empty()) absl::StrAppend(&line, " — ", g.computed_reason());
  return line;
}

std::string OutlookClass(v1::Outlook outlook) {
  switch (outlook) {
    case v1::OUTLOOK_WILL_BE_MET:
      return "met";
    case v1::OUTLOOK_AT_RISK:
      return "at-risk";
    case v1::OUTLOOK_WILL_NOT_BE_MET:
      return "not-met";
    default:
      return "unknown";
  }
}

// The services that failed, "meetings (DEADLINE_EXCEEDED after 2000 ms)".
std::vector<std::string> FailedSources(const v1::RenderedPlanReport& report) {
  std::vector<std::string> out;
  for (const v1::SourceStatus& s : report.sources()) {
    if (s.ok()) continue;
    out.push_back(s.error().empty() ? s.service()
                                    : absl::StrCat(s.service(), " (", s.error(), ")"));
  }
  return out;
}

std::string NoticeText(const v1::RenderedPlanReport& report) {
  const std::vector<std::string> failed = FailedSources(report);
  std::string text = "Rapporten är ofullständig: ";
  if (failed.empty()) {
    absl::StrAppend(&text, "vissa uppgifter kunde inte hämtas.");
  } else {
    absl::StrAppend(&text, "uppgifter kunde inte hämtas från ", absl::StrJoin(failed, ", "), ".");
  }
  absl::StrAppend(&text, " Berörda uppgifter är markerade \"uppgift saknas\".");
  return text;
}

std::string SourceLine(const v1::SourceStatus& s) {
  return absl::StrCat(s.service(), ": ",
                      s.ok() ? "svarade" : absl::StrCat("svarade inte (", s.error(), ")"), ", ",
                      s.calls(), " anrop");
}

std::string Title(const v1::RenderedPlanReport& report, const v1::PlanFollowUp& follow_up) {
  if (!report.title().empty()) return report.title();
  if (!follow_up.title().empty()) return follow_up.title();
  return "Uppföljning av verksamhetsplan";
}

int YearOf(const v1::Plan& plan, const v1::FinancialReport& statement) {
  if (plan.year() != 0) return plan.year();
  absl::StatusOr<BudgetName> budget = BudgetName::Parse(statement.budget(), "budget");
  return budget.ok() ? budget->year : 0;
}

absl::CivilDay MonthEnd(int year, int month) {
  return absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
}

// "Verksamhetsplan 2022 · januari–maj 2022 · uppgifterna räknade till 2022-06-21".
std::string Subtitle(const v1::Plan& plan, const v1::PlanFollowUp& follow_up) {
  std::vector<std::string> parts;
  if (!plan.title().empty()) parts.push_back(plan.title());
  const int month = follow_up.through_month();
  if (month >= 1 && month <= 12 && plan.year() != 0) {
    parts.push_back(month == 1 ? absl::StrCat("januari ", plan.year())
                               : absl::StrCat("januari–", MonthName(month), " ", plan.year()));
    absl::CivilDay as_of = platform::IsSet(follow_up.as_of_date())
                               ? platform::ToCivil(follow_up.as_of_date())
                               : MonthEnd(plan.year(), month);
    parts.push_back(absl::StrCat("uppgifterna räknade till ", platform::DayText(as_of)));
  }
  return absl::StrJoin(parts, " · ");
}

// Whether a "Kommentar:" label goes before the comment: not when the
// comment, as written, starts with it already (the sample's do).
bool NeedsCommentLabel(const v1::GoalFollowUp& follow_up) {
  return !follow_up.comment().empty() &&
         !absl::StartsWith(follow_up.comment(0).text(), "Kommentar");
}

const v1::GoalFollowUp* FollowUpOf(const v1::GoalReport& g) {
  return g.has_follow_up() ? &g.follow_up() : nullptr;
}

// The goals of one kind, in the report's order; goals of no kind count as
// goals.
std::vector<const v1::GoalReport*> GoalsOfKind(const v1::RenderedPlanReport& report,
                                               v1::Goal::Kind kind) {
  std::vector<const v1::GoalReport*> out;
  for (const v1::GoalReport& g : report.goals()) {
    const v1::Goal::Kind k = g.goal().kind() == v1::Goal::KIND_INDICATOR ? v1::Goal::KIND_INDICATOR
                                                                         : v1::Goal::KIND_GOAL;
    if (k == kind) out.push_back(&g);
  }
  return out;
}

// One of the statement's tables: a caption and a row's figures.
struct StatementTable {
  std::string caption;
  const v1::Figures& (*figures)(const v1::FinancialReport::Row&);
};

std::vector<StatementTable> StatementTables(const v1::FinancialReport& s, int year,
                                            int through_month) {
  std::string forecast_made;
  absl::StatusOr<ForecastName> forecast = ForecastName::Parse(s.forecast(), "forecast");
  if (forecast.ok()) {
    forecast_made = absl::StrFormat(" (%04d-%02d)", forecast->budget.year, forecast->month);
  } else {
    forecast_made = " (ingen prognos: enligt budget)";
  }
  return {
      {absl::StrCat("Utfall per sista ", MonthName(through_month), " ", year, " (tkr)"),
       [](const v1::FinancialReport::Row& r) -> const v1::Figures& { return r.outcome(); }},
      {absl::StrCat("Budget ", year, " (tkr)"),
       [](const v1::FinancialReport::Row& r) -> const v1::Figures& { return r.budget(); }},
      {absl::StrCat("Prognos ", year, " (tkr)", forecast_made),
       [](const v1::FinancialReport::Row& r) -> const v1::Figures& { return r.forecast(); }},
      {absl::StrCat("Prognos jämfört med budget ", year, " (tkr)"),
       [](const v1::FinancialReport::Row& r) -> const v1::Figures& {
         return r.forecast_deviation();
       }},
  };
}

std::string RowTitle(const v1::FinancialReport::Row& row) {
  return row.title().empty() ? row.line() : row.title();
}

constexpr absl::string_view kTotal = "Totalt";

int ThroughMonth(const v1::FinancialReport& s, const v1::PlanFollowUp& follow_up) {
  return s.through_month() > 0 ? s.through_month() : follow_up.through_month();
}

// Text for a table cell: line ends (and a block's tab) made spaces.
std::string OneLine(absl::string_view text) {
  std::string flat(text);
  for (char& c : flat) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return flat;
}

// ------------------------------------------------------------ Markdown

bool IsWordChar(absl::string_view text, size_t i) {
  if (i >= text.size()) return false;
  const unsigned char c = static_cast<unsigned char>(text[i]);
  return c >= 0x80 || std::isalnum(c) != 0;
}

// Text that stays text in CommonMark: inline markup characters escaped
// (an underscore inside a word is left alone, it cannot emphasise).
std::string MdInline(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    bool escape = false;
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '#':
      case '[':
      case ']':
      case '<':
      case '|':
      case '~':
        escape = true;
        break;
      case '_':
        escape = !(i > 0 && IsWordChar(text, i - 1) && IsWordChar(text, i + 1));
        break;
      case '&':
        escape = i + 1 < text.size() && (IsWordChar(text, i + 1) || text[i + 1] == '#');
        break;
      default:
        break;
    }
    if (escape) out += '\\';
    out += c;
  }
  return out;
}

// One line of text that must not start a block (heading, list, quote,
// code): leading blanks dropped, a leading marker escaped.
std::string MdLine(absl::string_view line) {
  line = absl::StripLeadingAsciiWhitespace(line);
  std::string out = MdInline(line);
  if (out.empty()) return out;
  const char first = out[0];
  if (first == '#' || first == '>' || first == '-' || first == '+' || first == '=' ||
      first == '~') {
    return "\\" + out;
  }
  size_t digits = 0;
  while (digits < out.size() && std::isdigit(static_cast<unsigned char>(out[digits])) != 0) {
    ++digits;
  }
  if (digits > 0 && digits <= 9 && digits < out.size() &&
      (out[digits] == '.' || out[digits] == ')')) {
    out.insert(digits, "\\");
  }
  return out;
}

// A paragraph: each line of the text kept (soft breaks).
std::string MdParagraph(absl::string_view text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) lines.push_back(MdLine(line));
  return absl::StrCat(absl::StrJoin(lines, "\n"), "\n\n");
}

// A table cell: one line, '|' escaped.
std::string MdCell(absl::string_view text) { return MdInline(OneLine(text)); }

// The markers a Markdown list draws itself; another marker is kept in the
// item's text.
bool IsPlainBullet(absl::string_view marker) {
  return marker.empty() || marker == "•" || marker == "-" || marker == "*" || marker == "+" ||
         marker == "–";
}

std::string MdBlocks(const google::protobuf::RepeatedPtrField<v1::TextBlock>& blocks) {
  std::string out;
  for (const v1::TextBlock& b : blocks) {
    if (!b.text().empty()) absl::StrAppend(&out, MdParagraph(b.text()));
    if (!b.bullets().empty()) {
      for (const std::string& item : b.bullets()) {
        absl::StrAppend(&out, "- ", IsPlainBullet(b.marker()) ? "" : MdInline(b.marker()) + " ",
                        MdCell(item), "\n");
      }
      absl::StrAppend(&out, "\n");
    }
    if (!b.lines().empty()) {
      std::vector<std::string> lines;
      for (const std::string& line : b.lines()) lines.push_back(MdLine(line));
      absl::StrAppend(&out, absl::StrJoin(lines, "\\\n"), "\n\n");
    }
  }
  return out;
}

std::string MdGoal(const v1::GoalReport& g, const std::string& follow_up_name) {
  std::string out = absl::StrCat("#### ", MdCell(g.goal().text()), "\n\n");
  absl::StrAppend(&out, MdParagraph(TargetText(g.goal())));
  if (!g.figures().empty()) {
    absl::StrAppend(&out, "| Uppgift | Värde | Källa | Läst |\n| --- | --- | --- | --- |\n");
    for (const v1::GoalFigure& f : g.figures()) {
      std::string value = MdCell(ValueText(f, follow_up_name));
      if (f.missing()) value = absl::StrCat("**", value, "**");
      absl::StrAppend(&out, "| ", MdCell(f.label()), " | ", value, " | ", MdCell(f.source()), " | ",
                      MdCell(ReadText(f, follow_up_name)), " |\n");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "*", MdInline(OutlookLine(g)), "*\n\n");
  const v1::GoalFollowUp* follow_up = FollowUpOf(g);
  if (follow_up == nullptr) return out;
  if (NeedsCommentLabel(*follow_up)) absl::StrAppend(&out, kCommentLabel, "\n\n");
  absl::StrAppend(&out, MdBlocks(follow_up->comment()));
  if (!follow_up->forecast_text().empty()) {
    absl::StrAppend(&out, MdParagraph(follow_up->forecast_text()));
  }
  if (follow_up->forecast() != v1::OUTLOOK_UNSPECIFIED) {
    absl::StrAppend(
        &out, MdParagraph(absl::StrCat(kCommitteeOutlook, OutlookText(follow_up->forecast()))));
  }
  return out;
}

std::string MdStatementTable(const v1::FinancialReport& s, const StatementTable& table) {
  std::string out = absl::StrCat("**", MdInline(table.caption),
                                 "**\n\n|  | Intäkter | Kostnader | Avvikelse |\n"
                                 "| --- | ---: | ---: | ---: |\n");
  auto row = [&](absl::string_view title, const v1::Figures& f, bool bold) {
    const std::string b = bold ? "**" : "";
    absl::StrAppend(&out, "| ", b, MdCell(title), b, " | ", Tkr(f.income_tkr()), " | ",
                    Tkr(f.cost_tkr()), " | ", Tkr(f.deviation_tkr()), " |\n");
  };
  for (const v1::FinancialReport::Row& r : s.rows()) row(RowTitle(r), table.figures(r), false);
  row(kTotal, table.figures(s.total()), true);
  absl::StrAppend(&out, "\n");
  return out;
}

std::string MdNotes(const google::protobuf::RepeatedPtrField<std::string>& notes) {
  std::string out;
  for (const std::string& note : notes) absl::StrAppend(&out, "- ", MdCell(note), "\n");
  if (!notes.empty()) absl::StrAppend(&out, "\n");
  return out;
}

// ------------------------------------------------------------ HTML

constexpr absl::string_view kStyle =
    "body{font-family:sans-serif;max-width:52em;margin:2em auto;padding:0 1em;"
    "line-height:1.45;color:#222}"
    "table{border-collapse:collapse;margin:.4em 0 1em}"
    "caption{text-align:left;font-weight:bold;padding:.2em 0}"
    "th,td{border:1px solid #bbb;padding:.2em .6em;text-align:left;vertical-align:top}"
    "td.num,th.num{text-align:right;white-space:nowrap}"
    "tr.total td{font-weight:bold}"
    ".subtitle{color:#555}"
    ".notice{border:2px solid #a40000;background:#fdecea;padding:.6em 1em}"
    ".missing{color:#a40000;font-weight:bold}"
    "ul.marked{list-style:none;padding-left:1.6em}"
    "ul.marked .marker{display:inline-block;width:1.2em;margin-left:-1.2em}"
    ".outlook{font-style:italic}"
    ".outlook-at-risk,.outlook-not-met{color:#8a4b00}"
    ".goal{margin-bottom:1.8em}"
    ".sources{color:#555;font-size:.9em}";

std::string HtmlText(absl::string_view text) {
  // Line breaks inside a paragraph are kept.
  return absl::StrJoin(
      absl::StrSplit(text, '\n'), "<br>\n",
      [](std::string* out, absl::string_view line) { out->append(HtmlEscape(line)); });
}

std::string HtmlBlocks(const google::protobuf::RepeatedPtrField<v1::TextBlock>& blocks) {
  std::string out;
  for (const v1::TextBlock& b : blocks) {
    if (!b.text().empty()) absl::StrAppend(&out, "<p>", HtmlText(b.text()), "</p>\n");
    if (!b.bullets().empty()) {
      const std::string marker = b.marker().empty() ? "•" : b.marker();
      absl::StrAppend(&out, "<ul class=\"marked\">\n");
      for (const std::string& item : b.bullets()) {
        absl::StrAppend(&out, "<li><span class=\"marker\">", HtmlEscape(marker), "</span>",
                        HtmlEscape(item), "</li>\n");
      }
      absl::StrAppend(&out, "</ul>\n");
    }
    if (!b.lines().empty()) {
      absl::StrAppend(&out, "<p class=\"lines\">",
                      absl::StrJoin(b.lines(), "<br>\n",
                                    [](std::string* o, const std::string& line) {
                                      o->append(HtmlEscape(line));
                                    }),
                      "</p>\n");
    }
  }
  return out;
}

std::string HtmlGoal(const v1::GoalReport& g, const std::string& follow_up_name) {
  std::string out =
      absl::StrCat("<section class=\"goal\">\n<h4>", HtmlEscape(g.goal().text()),
                   "</h4>\n<p class=\"target\">", HtmlEscape(TargetText(g.goal())), "</p>\n");
  if (!g.figures().empty()) {
    absl::StrAppend(&out,
                    "<table class=\"figures\">\n<thead><tr><th>Uppgift</th><th>Värde</th>"
                    "<th>Källa</th><th>Läst</th></tr></thead>\n<tbody>\n");
    for (const v1::GoalFigure& f : g.figures()) {
      const std::string value = HtmlEscape(ValueText(f, follow_up_name));
      absl::StrAppend(
          &out, f.missing() ? "<tr class=\"missing\">" : "<tr>", "<td>", HtmlEscape(f.label()),
          "</td><td>",
          f.missing() ? absl::StrCat("<span class=\"missing\">", value, "</span>") : value,
          "</td><td>", HtmlEscape(f.source()), "</td><td>", HtmlEscape(ReadText(f, follow_up_name)),
          "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n");
  }
  absl::StrAppend(&out, "<p class=\"outlook outlook-", OutlookClass(g.computed_outlook()), "\">",
                  HtmlEscape(OutlookLine(g)), "</p>\n");
  const v1::GoalFollowUp* follow_up = FollowUpOf(g);
  if (follow_up != nullptr) {
    if (NeedsCommentLabel(*follow_up)) {
      absl::StrAppend(&out, "<p class=\"comment-label\">", kCommentLabel, "</p>\n");
    }
    absl::StrAppend(&out, HtmlBlocks(follow_up->comment()));
    if (!follow_up->forecast_text().empty()) {
      absl::StrAppend(&out, "<p class=\"forecast\">", HtmlText(follow_up->forecast_text()),
                      "</p>\n");
    }
    if (follow_up->forecast() != v1::OUTLOOK_UNSPECIFIED) {
      absl::StrAppend(&out, "<p class=\"committee-forecast\">", kCommitteeOutlook,
                      HtmlEscape(OutlookText(follow_up->forecast())), "</p>\n");
    }
  }
  absl::StrAppend(&out, "</section>\n");
  return out;
}

std::string HtmlStatementTable(const v1::FinancialReport& s, const StatementTable& table) {
  std::string out =
      absl::StrCat("<table class=\"statement\">\n<caption>", HtmlEscape(table.caption),
                   "</caption>\n<thead><tr><th></th><th class=\"num\">Intäkter</th>"
                   "<th class=\"num\">Kostnader</th><th class=\"num\">Avvikelse</th>"
                   "</tr></thead>\n<tbody>\n");
  auto row = [&](absl::string_view title, const v1::Figures& f, bool total) {
    absl::StrAppend(&out, total ? "<tr class=\"total\">" : "<tr>", "<td>", HtmlEscape(title),
                    "</td><td class=\"num\">", Tkr(f.income_tkr()), "</td><td class=\"num\">",
                    Tkr(f.cost_tkr()), "</td><td class=\"num\">", Tkr(f.deviation_tkr()),
                    "</td></tr>\n");
  };
  for (const v1::FinancialReport::Row& r : s.rows()) row(RowTitle(r), table.figures(r), false);
  row(kTotal, table.figures(s.total()), true);
  absl::StrAppend(&out, "</tbody>\n</table>\n");
  return out;
}

std::string HtmlNotes(const google::protobuf::RepeatedPtrField<std::string>& notes) {
  if (notes.empty()) return "";
  std::string out = "<ul class=\"marked\">\n";
  for (const std::string& note : notes) {
    absl::StrAppend(&out, "<li><span class=\"marker\">•</span>", HtmlEscape(note), "</li>\n");
  }
  absl::StrAppend(&out, "</ul>\n");
  return out;
}

// The report's two parts of goals, in order.
struct GoalSection {
  v1::Goal::Kind kind;
  const char* heading;
};
constexpr GoalSection kGoalSections[] = {{v1::Goal::KIND_GOAL, "Mål"},
                                         {v1::Goal::KIND_INDICATOR, "Indikatorer"}};

// Why the financial statement is missing.
std::string StatementMissing(const v1::RenderedPlanReport& report) {
  return report.financial_statement_missing().empty() ? "ingen uppgift"
                                                      : report.financial_statement_missing();
}

// ------------------------------------------------------------ blocks (PDF)

using platform::Block;

void AddTextBlocks(const google::protobuf::RepeatedPtrField<v1::TextBlock>& blocks,
                   std::vector<Block>* out) {
  for (const v1::TextBlock& b : blocks) {
    if (!b.text().empty()) out->push_back({Block::kText, b.text()});
    for (const std::string& item : b.bullets()) {
      out->push_back(
          {Block::kItem, IsPlainBullet(b.marker()) ? item : absl::StrCat(b.marker(), " ", item)});
    }
    if (!b.lines().empty()) out->push_back({Block::kText, absl::StrJoin(b.lines(), "\n")});
  }
}

// A goal without the figures' read times: they are when this call read the
// other services, and the PDF must come out the same for the same records.
void AddGoal(const v1::GoalReport& g, const std::string& follow_up_name, std::vector<Block>* out) {
  out->push_back({Block::kSubheading, g.goal().text()});
  out->push_back({Block::kLine, TargetText(g.goal())});
  if (!g.figures().empty()) {
    out->push_back({Block::kHeaderRow, "Uppgift\tVärde\tKälla"});
    for (const v1::GoalFigure& f : g.figures()) {
      out->push_back({Block::kRow,
                      absl::StrCat(OneLine(f.label()), "\t", OneLine(ValueText(f, follow_up_name)),
                                   "\t", OneLine(f.source()))});
    }
  }
  out->push_back({Block::kLine, OutlookLine(g)});
  const v1::GoalFollowUp* follow_up = FollowUpOf(g);
  if (follow_up == nullptr) return;
  if (NeedsCommentLabel(*follow_up)) out->push_back({Block::kLine, kCommentLabel});
  AddTextBlocks(follow_up->comment(), out);
  if (!follow_up->forecast_text().empty()) {
    out->push_back({Block::kText, follow_up->forecast_text()});
  }
  if (follow_up->forecast() != v1::OUTLOOK_UNSPECIFIED) {
    out->push_back(
        {Block::kLine, absl::StrCat(kCommitteeOutlook, OutlookText(follow_up->forecast()))});
  }
}

void AddStatementTable(const v1::FinancialReport& s, const StatementTable& table,
                       std::vector<Block>* out) {
  out->push_back({Block::kSubheading, table.caption});
  out->push_back({Block::kHeaderRow, "\tIntäkter\tKostnader\tAvvikelse"});
  auto row = [&](absl::string_view title, const v1::Figures& f) {
    out->push_back({Block::kRow, absl::StrCat(OneLine(title), "\t", Tkr(f.income_tkr()), "\t",
                                              Tkr(f.cost_tkr()), "\t", Tkr(f.deviation_tkr()))});
  };
  for (const v1::FinancialReport::Row& r : s.rows()) row(RowTitle(r), table.figures(r));
  row(kTotal, table.figures(s.total()));
}

void AddNotes(const google::protobuf::RepeatedPtrField<std::string>& notes,
              std::vector<Block>* out) {
  if (notes.empty()) return;
  out->push_back({Block::kSubheading, kNotesHeading});
  for (const std::string& note : notes) out->push_back({Block::kItem, note});
}

// What a follow-up is called: through December it closes the year.
struct ReportKind {
  const char* word;
  const char* page_header;
  const char* file_prefix;
};
constexpr ReportKind kInterimReport{"Delårsrapport", "DELÅRSRAPPORT", "delarsrapport-"};
constexpr ReportKind kAnnualReport{"Årsredovisning", "ÅRSREDOVISNING", "arsredovisning-"};

const ReportKind& KindOfReport(int through_month) {
  return through_month == 12 ? kAnnualReport : kInterimReport;
}

}  // namespace

std::string RenderPlanReportMarkdown(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                     const v1::PlanFollowUp& follow_up) {
  const std::string follow_up_name =
      report.follow_up().empty() ? follow_up.name() : report.follow_up();
  std::string out = absl::StrCat("# ", MdCell(Title(report, follow_up)), "\n\n");
  const std::string subtitle = Subtitle(plan, follow_up);
  if (!subtitle.empty()) absl::StrAppend(&out, "*", MdInline(subtitle), "*\n\n");
  if (!report.complete()) absl::StrAppend(&out, "> **", MdInline(NoticeText(report)), "**\n\n");
  absl::StrAppend(&out, MdBlocks(follow_up.summary()));

  absl::StrAppend(&out, "## ", kGoalsHeading, "\n\n");
  for (const GoalSection& section : kGoalSections) {
    const std::vector<const v1::GoalReport*> goals = GoalsOfKind(report, section.kind);
    if (goals.empty()) continue;
    absl::StrAppend(&out, "### ", section.heading, "\n\n");
    for (const v1::GoalReport* g : goals) absl::StrAppend(&out, MdGoal(*g, follow_up_name));
  }

  absl::StrAppend(&out, "## ", kStatementHeading, "\n\n");
  if (!report.has_financial_statement()) {
    absl::StrAppend(&out, "**",
                    MdInline(absl::StrCat(kStatementMissingLabel, StatementMissing(report))),
                    "**\n\n");
    if (!follow_up.outcome_notes().empty()) {
      absl::StrAppend(&out, "### ", kNotesHeading, "\n\n", MdNotes(follow_up.outcome_notes()));
    }
  } else {
    const v1::FinancialReport& s = report.financial_statement();
    const std::vector<StatementTable> tables =
        StatementTables(s, YearOf(plan, s), ThroughMonth(s, follow_up));
    absl::StrAppend(&out, MdStatementTable(s, tables[0]));
    if (!follow_up.outcome_notes().empty()) {
      absl::StrAppend(&out, "### ", kNotesHeading, "\n\n", MdNotes(follow_up.outcome_notes()));
    }
    for (size_t i = 1; i < tables.size(); ++i)
      absl::StrAppend(&out, MdStatementTable(s, tables[i]));
    if (!s.forecast_notes().empty()) {
      absl::StrAppend(&out, "### ", kNotesHeading, "\n\n");
      for (const std::string& note : s.forecast_notes()) absl::StrAppend(&out, MdParagraph(note));
    }
  }

  if (!report.sources().empty() || IsSet(report.render_time())) {
    absl::StrAppend(&out, "## ", kSourcesHeading, "\n\n");
    for (const v1::SourceStatus& s : report.sources()) {
      absl::StrAppend(&out, "- ", MdInline(SourceLine(s)), "\n");
    }
    if (IsSet(report.render_time())) {
      absl::StrAppend(&out, "- sammanställd ", LocalTime(report.render_time()), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string RenderPlanReportHtml(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                 const v1::PlanFollowUp& follow_up) {
  const std::string follow_up_name =
      report.follow_up().empty() ? follow_up.name() : report.follow_up();
  const std::string title = HtmlEscape(Title(report, follow_up));
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      title, "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n<h1>", title, "</h1>\n");
  const std::string subtitle = Subtitle(plan, follow_up);
  if (!subtitle.empty()) {
    absl::StrAppend(&out, "<p class=\"subtitle\">", HtmlEscape(subtitle), "</p>\n");
  }
  if (!report.complete()) {
    absl::StrAppend(&out, "<div class=\"notice\" role=\"alert\"><p>",
                    HtmlEscape(NoticeText(report)), "</p></div>\n");
  }
  absl::StrAppend(&out, HtmlBlocks(follow_up.summary()));

  absl::StrAppend(&out, "<h2>", kGoalsHeading, "</h2>\n");
  for (const GoalSection& section : kGoalSections) {
    const std::vector<const v1::GoalReport*> goals = GoalsOfKind(report, section.kind);
    if (goals.empty()) continue;
    absl::StrAppend(&out, "<h3>", section.heading, "</h3>\n");
    for (const v1::GoalReport* g : goals) absl::StrAppend(&out, HtmlGoal(*g, follow_up_name));
  }

  absl::StrAppend(&out, "<h2>", kStatementHeading, "</h2>\n");
  if (!report.has_financial_statement()) {
    absl::StrAppend(&out, "<p class=\"missing\">", kStatementMissingLabel,
                    HtmlEscape(StatementMissing(report)), "</p>\n");
    if (!follow_up.outcome_notes().empty()) {
      absl::StrAppend(&out, "<h3>", kNotesHeading, "</h3>\n", HtmlNotes(follow_up.outcome_notes()));
    }
  } else {
    const v1::FinancialReport& s = report.financial_statement();
    const std::vector<StatementTable> tables =
        StatementTables(s, YearOf(plan, s), ThroughMonth(s, follow_up));
    absl::StrAppend(&out, HtmlStatementTable(s, tables[0]));
    if (!follow_up.outcome_notes().empty()) {
      absl::StrAppend(&out, "<h3>", kNotesHeading, "</h3>\n", HtmlNotes(follow_up.outcome_notes()));
    }
    for (size_t i = 1; i < tables.size(); ++i) {
      absl::StrAppend(&out, HtmlStatementTable(s, tables[i]));
    }
    if (!s.forecast_notes().empty()) {
      absl::StrAppend(&out, "<h3>", kNotesHeading, "</h3>\n");
      for (const std::string& note : s.forecast_notes()) {
        absl::StrAppend(&out, "<p>", HtmlText(note), "</p>\n");
      }
    }
  }

  if (!report.sources().empty() || IsSet(report.render_time())) {
    absl::StrAppend(&out, "<h2>", kSourcesHeading, "</h2>\n<ul class=\"sources\">\n");
    for (const v1::SourceStatus& s : report.sources()) {
      absl::StrAppend(&out, s.ok() ? "<li>" : "<li class=\"missing\">", HtmlEscape(SourceLine(s)),
                      "</li>\n");
    }
    if (IsSet(report.render_time())) {
      absl::StrAppend(&out, "<li>sammanställd ", HtmlEscape(LocalTime(report.render_time())),
                      "</li>\n");
    }
    absl::StrAppend(&out, "</ul>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

std::vector<platform::Block> PlanReportBlocks(const v1::RenderedPlanReport& report,
                                              const v1::Plan& plan,
                                              const v1::PlanFollowUp& follow_up) {
  const std::string follow_up_name =
      report.follow_up().empty() ? follow_up.name() : report.follow_up();
  std::vector<Block> out = {{Block::kTitle, Title(report, follow_up)}};
  const std::string subtitle = Subtitle(plan, follow_up);
  if (!subtitle.empty()) out.push_back({Block::kLine, subtitle});
  if (!report.complete()) out.push_back({Block::kText, NoticeText(report)});
  AddTextBlocks(follow_up.summary(), &out);

  out.push_back({Block::kHeading, kGoalsHeading});
  for (const GoalSection& section : kGoalSections) {
    const std::vector<const v1::GoalReport*> goals = GoalsOfKind(report, section.kind);
    if (goals.empty()) continue;
    out.push_back({Block::kSubheading, section.heading});
    for (const v1::GoalReport* g : goals) AddGoal(*g, follow_up_name, &out);
  }

  out.push_back({Block::kHeading, kStatementHeading});
  if (!report.has_financial_statement()) {
    out.push_back({Block::kLine, absl::StrCat(kStatementMissingLabel, StatementMissing(report))});
    AddNotes(follow_up.outcome_notes(), &out);
  } else {
    const v1::FinancialReport& s = report.financial_statement();
    const std::vector<StatementTable> tables =
        StatementTables(s, YearOf(plan, s), ThroughMonth(s, follow_up));
    AddStatementTable(s, tables[0], &out);
    AddNotes(follow_up.outcome_notes(), &out);
    for (size_t i = 1; i < tables.size(); ++i) AddStatementTable(s, tables[i], &out);
    if (!s.forecast_notes().empty()) {
      out.push_back({Block::kSubheading, kNotesHeading});
      for (const std::string& note : s.forecast_notes()) out.push_back({Block::kText, note});
    }
  }

  if (!report.sources().empty()) {
    out.push_back({Block::kHeading, kSourcesHeading});
    for (const v1::SourceStatus& s : report.sources()) out.push_back({Block::kItem, SourceLine(s)});
  }
  return out;
}

platform::PdfDocument PlanReportPdf(const v1::RenderedPlanReport& report, const v1::Plan& plan,
                                    const v1::PlanFollowUp& follow_up) {
  platform::PdfDocument pdf;
  pdf.blocks = PlanReportBlocks(report, plan, follow_up);
  const ReportKind& kind = KindOfReport(follow_up.through_month());
  const absl::CivilDay month_end = MonthEnd(plan.year(), follow_up.through_month());
  const std::string title = Title(report, follow_up);
  pdf.frame.header_left = {kPlanReportCommittee};
  pdf.frame.header_right = {kind.page_header, platform::DayText(month_end)};
  pdf.frame.footer_left = title;
  pdf.info.title = title;
  pdf.info.author = kPlanReportCommittee;
  pdf.info.subject = kind.word;
  pdf.info.created = absl::CivilSecond(month_end);
  return pdf;
}

std::string PlanReportPdfFileName(const v1::Plan& plan, const v1::PlanFollowUp& follow_up) {
  const int month = follow_up.through_month();
  return absl::StrCat(KindOfReport(month).file_prefix,
                      platform::DayText(MonthEnd(plan.year(), month)), ".pdf");
}

}  // namespace enamnd::finance
