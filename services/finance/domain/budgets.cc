#include "services/finance/domain/budgets.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/finance/domain/names.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::finance {
namespace {

using platform::InvalidField;
using platform::ToCivil;

constexpr int64_t kWhole = 10000;  // basis points of 100 %

// Not negative and at most kMaxAmountOre (so that no sum overflows).
absl::Status NotNegative(const common::v1::Money& money, absl::string_view field) {
  if (money.ore() < 0)
    return InvalidField(field, absl::StrCat("is negative (", money.ore(), " öre)"));
  if (money.ore() > kMaxAmountOre) {
    return InvalidField(field, absl::StrCat("is ", money.ore(), " öre; at most ", kMaxAmountOre));
  }
  return absl::OkStatus();
}

// A municipality name, well-formed and not named before in `seen`.
absl::Status CheckNamedOnce(const std::string& name, const std::string& field,
                            std::set<std::string>* seen) {
  ENAMND_RETURN_IF_ERROR(platform::ParseMunicipalityName(name, field).status());
  if (!seen->insert(name).second) return InvalidField(field, name + " is named twice");
  return absl::OkStatus();
}

absl::Status CheckMunicipalities(const google::protobuf::RepeatedPtrField<std::string>& names,
                                 absl::string_view field) {
  std::set<std::string> seen;
  for (int i = 0; i < names.size(); ++i) {
    ENAMND_RETURN_IF_ERROR(CheckNamedOnce(names[i], absl::StrCat(field, "[", i, "]"), &seen));
  }
  return absl::OkStatus();
}

absl::Status CheckTable(const v1::PercentageTable& table, absl::string_view field) {
  if (table.entries().empty()) return InvalidField(field, "has no entries");
  std::set<std::string> seen;
  int64_t sum = 0;
  for (int i = 0; i < table.entries_size(); ++i) {
    const v1::TableEntry& e = table.entries(i);
    const std::string path = absl::StrCat(field, ".entries[", i, "]");
    ENAMND_RETURN_IF_ERROR(CheckNamedOnce(e.municipality(), path + ".municipality", &seen));
    if (e.basis_points() < 0 || e.basis_points() > kWhole) {
      return InvalidField(path + ".basis_points", "must be 0-10000");
    }
    sum += e.basis_points();
  }
  if (sum != kWhole) {
    return InvalidField(field, absl::StrCat("sums to ", sum, " basis points, not 10000"));
  }
  return absl::OkStatus();
}

absl::Status CheckParticipation(const v1::ByParticipation& p, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(
      InitiativeName::Parse(p.initiative(), absl::StrCat(field, ".initiative")).status());
  const bool first = platform::IsSet(p.first_day());
  const bool last = platform::IsSet(p.last_day());
  if (first != last) {
    return InvalidField(absl::StrCat(field, first ? ".last_day" : ".first_day"),
                        "is required with the other day of the period");
  }
  if (!first) return absl::OkStatus();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateDate(p.first_day(), absl::StrCat(field, ".first_day"), true));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateDate(p.last_day(), absl::StrCat(field, ".last_day"), true));
  if (ToCivil(p.last_day()) < ToCivil(p.first_day())) {
    return InvalidField(absl::StrCat(field, ".last_day"), "is before first_day");
  }
  return absl::OkStatus();
}

absl::Status CheckModel(const v1::AllocationModel& model, absl::string_view field, bool in_mix);

absl::Status CheckMix(const v1::WeightedMix& mix, absl::string_view field) {
  if (mix.parts().empty()) return InvalidField(field, "has no parts");
  int64_t sum = 0;
  for (int i = 0; i < mix.parts_size(); ++i) {
    const v1::MixPart& part = mix.parts(i);
    const std::string path = absl::StrCat(field, ".parts[", i, "]");
    if (part.basis_points() < 1 || part.basis_points() > kWhole) {
      return InvalidField(path + ".basis_points", "must be 1-10000");
    }
    sum += part.basis_points();
    ENAMND_RETURN_IF_ERROR(CheckModel(part.model(), path + ".model", true));
  }
  if (sum != kWhole) {
    return InvalidField(field, absl::StrCat("parts sum to ", sum, " basis points, not 10000"));
  }
  return absl::OkStatus();
}

absl::Status CheckModel(const v1::AllocationModel& model, absl::string_view field, bool in_mix) {
  const std::string f(field);
  switch (model.model_case()) {
    case v1::AllocationModel::kEqual:
      return CheckMunicipalities(model.equal().municipalities(), f + ".equal.municipalities");
    case v1::AllocationModel::kPopulation:
      return PopulationFiguresName::Parse(model.population().population_figures(),
                                          f + ".population.population_figures")
          .status();
    case v1::AllocationModel::kTable:
      return CheckTable(model.table(), f + ".table");
    case v1::AllocationModel::kUsage: {
      const v1::ByUsage& u = model.usage();
      if (u.year() != 0) ENAMND_RETURN_IF_ERROR(ValidateYear(u.year(), f + ".usage.year"));
      for (int i = 0; i < u.kinds_size(); ++i) {
        ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
            u.kinds(i), v1::UsageKind_descriptor(), absl::StrCat(f, ".usage.kinds[", i, "]")));
      }
      return absl::OkStatus();
    }
    case v1::AllocationModel::kParticipation:
      return CheckParticipation(model.participation(), f + ".participation");
    case v1::AllocationModel::kMix:
      if (in_mix) return InvalidField(f + ".mix", "a part of a mix is not itself a mix");
      return CheckMix(model.mix(), f + ".mix");
    case v1::AllocationModel::MODEL_NOT_SET:
      break;
  }
  return InvalidField(field, "required: equal, population, table, usage, participation or mix");
}

std::string Percent(int64_t basis_points) {
  if (basis_points % 100 == 0) return absl::StrCat(basis_points / 100, " %");
  const int64_t cents = basis_points % 100;
  return absl::StrCat(basis_points / 100, ".", cents < 10 ? "0" : "", cents, " %");
}

}  // namespace

// ------------------------------------------------------------ content

absl::Status ValidateAllocationModel(const v1::AllocationModel& model, absl::string_view field) {
  return CheckModel(model, field, false);
}

absl::Status ValidateBudgetLine(const v1::BudgetLine& line, absl::string_view field) {
  const std::string f(field);
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(line.id(), f + ".id"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(line.title(), f + ".title", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(NotNegative(line.income(), f + ".income"));
  ENAMND_RETURN_IF_ERROR(NotNegative(line.cost(), f + ".cost"));
  if (!line.has_allocation()) return InvalidField(f + ".allocation", "required");
  ENAMND_RETURN_IF_ERROR(ValidateAllocationModel(line.allocation(), f + ".allocation"));
  if (!line.initiative().empty()) {
    ENAMND_RETURN_IF_ERROR(InitiativeName::Parse(line.initiative(), f + ".initiative").status());
  }
  return platform::ValidateText(line.comment(), f + ".comment", platform::kMaxTextLength, false);
}

absl::Status ValidateBudgetContent(const v1::Budget& budget, absl::string_view field) {
  const std::string f(field);
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(budget.title(), f + ".title", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(budget.lines_size(), f + ".lines"));
  std::set<std::string> ids;
  for (int i = 0; i < budget.lines_size(); ++i) {
    const std::string path = absl::StrCat(f, ".lines[", i, "]");
    ENAMND_RETURN_IF_ERROR(ValidateBudgetLine(budget.lines(i), path));
    if (!ids.insert(budget.lines(i).id()).second) {
      return InvalidField(path + ".id",
                          absl::StrCat("\"", budget.lines(i).id(), "\" is used twice"));
    }
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(budget.comments_size(), f + ".comments"));
  for (int i = 0; i < budget.comments_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(
        budget.comments(i), absl::StrCat(f, ".comments[", i, "]"), platform::kMaxTextLength, true));
  }
  return absl::OkStatus();
}

void FillTotals(v1::Budget* budget) {
  Ore income = 0;
  Ore cost = 0;
  for (const v1::BudgetLine& line : budget->lines()) {
    income += line.income().ore();
    cost += line.cost().ore();
  }
  budget->mutable_total_income()->set_ore(income);
  budget->mutable_total_cost()->set_ore(cost);
}

// ------------------------------------------------------------ states

BudgetState StateAfterUpdate(BudgetState state) {
  if (state == v1::Budget::STATE_ADOPTED) return v1::Budget::STATE_REVISED;
  return state == v1::Budget::STATE_REVISED ? v1::Budget::STATE_REVISED : v1::Budget::STATE_DRAFT;
}

bool IsAdoptingDecision(absl::string_view decision_kind) {
  return decision_kind == "DECISION_KIND_APPROVE" || decision_kind == "DECISION_KIND_ADOPT";
}

bool AdoptionApplies(BudgetState state) {
  return state == v1::Budget::STATE_DRAFT || state == v1::Budget::STATE_REVISED;
}

// ------------------------------------------------------------ uprating

IndexSeries IndexSeriesOf(const v1::IndexSeries& series) {
  IndexSeries out;
  out.name = series.name();
  for (const v1::IndexFigure& f : series.figures()) {
    out.figures.push_back({f.year(), f.value_thousandths(), f.source(), f.reference_period()});
  }
  return out;
}

absl::Status ValidateIndexSeries(const v1::IndexSeries& series, absl::string_view field) {
  const std::string f(field);
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(series.display_name(), f + ".display_name",
                                                platform::kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(series.figures_size(), f + ".figures"));
  std::set<int> years;
  for (int i = 0; i < series.figures_size(); ++i) {
    const v1::IndexFigure& figure = series.figures(i);
    const std::string path = absl::StrCat(f, ".figures[", i, "]");
    ENAMND_RETURN_IF_ERROR(ValidateYear(figure.year(), path + ".year"));
    if (!years.insert(figure.year()).second) {
      return InvalidField(path + ".year", absl::StrCat(figure.year(), " has another figure"));
    }
    if (figure.value_thousandths() <= 0) {
      return InvalidField(path + ".value_thousandths", "must be positive");
    }
    ENAMND_RETURN_IF_ERROR(
        platform::ValidateText(figure.source(), path + ".source", platform::kMaxNameLength, true));
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(
        figure.reference_period(), path + ".reference_period", platform::kMaxNameLength, true));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::BudgetLine>> UprateLines(const v1::Budget& source,
                                                        const v1::IndexSeries& series, int to_year,
                                                        const std::vector<std::string>& omit) {
  std::set<std::string> ids;
  for (const v1::BudgetLine& line : source.lines()) ids.insert(line.id());
  for (size_t i = 0; i < omit.size(); ++i) {
    if (ids.count(omit[i]) == 0) {
      return InvalidField(absl::StrCat("omit_lines[", i, "]"),
                          absl::StrCat("\"", omit[i], "\" is not a line of ", source.name()));
    }
  }
  const IndexSeries index = IndexSeriesOf(series);
  for (int year : {source.year(), to_year}) {
    if (!FigureFor(index, year).ok()) {
      return InvalidField("index_series",
                          absl::StrCat(series.name(), " has no figure for ", year, " (uprating ",
                                       source.year(), " to ", to_year, ")"));
    }
  }
  std::vector<v1::BudgetLine> lines;
  for (const v1::BudgetLine& line : source.lines()) {
    if (std::find(omit.begin(), omit.end(), line.id()) != omit.end()) continue;
    v1::BudgetLine up = line;
    ENAMND_ASSIGN_OR_RETURN(Ore income, Uprate(line.income().ore(), index, source.year(), to_year));
    ENAMND_ASSIGN_OR_RETURN(Ore cost, Uprate(line.cost().ore(), index, source.year(), to_year));
    if (income > kMaxAmountOre || cost > kMaxAmountOre) {
      return InvalidField("index_series",
                          absl::StrCat(series.name(), " would lift line \"", line.id(), "\" above ",
                                       kMaxAmountOre, " öre"));
    }
    up.mutable_income()->set_ore(income);
    up.mutable_cost()->set_ore(cost);
    lines.push_back(std::move(up));
  }
  return lines;
}

// ------------------------------------------------------------ population

absl::Status ValidatePopulationFigures(const v1::PopulationFigures& figures,
                                       absl::string_view field) {
  const std::string f(field);
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateDate(figures.reference_date(), f + ".reference_date", true));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(figures.source(), f + ".source", platform::kMaxNameLength, true));
  if (figures.entries().empty()) return InvalidField(f + ".entries", "required");
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(figures.entries_size(), f + ".entries"));
  std::set<std::string> seen;
  for (int i = 0; i < figures.entries_size(); ++i) {
    const v1::MunicipalityPopulation& e = figures.entries(i);
    const std::string path = absl::StrCat(f, ".entries[", i, "]");
    ENAMND_RETURN_IF_ERROR(CheckNamedOnce(e.municipality(), path + ".municipality", &seen));
    if (e.inhabitants() < 0) return InvalidField(path + ".inhabitants", "is negative");
    if (e.inhabitants() > kMaxInhabitants) {
      return InvalidField(path + ".inhabitants", absl::StrCat("is more than ", kMaxInhabitants));
    }
  }
  return absl::OkStatus();
}

void FillPopulationTotal(v1::PopulationFigures* figures) {
  int64_t total = 0;
  for (const v1::MunicipalityPopulation& e : figures->entries()) total += e.inhabitants();
  figures->set_total(total);
}

// ------------------------------------------------------------ outcome, forecast

absl::Status ValidateMonthBegun(int month, int budget_year, absl::CivilDay today,
                                absl::string_view field) {
  if (month < 1 || month > 12) return InvalidField(field, "must be 1-12");
  const absl::CivilMonth begun(budget_year, month);
  if (begun > absl::CivilMonth(today)) {
    return InvalidField(field,
                        absl::StrCat(absl::FormatCivilTime(begun), " has not begun (today is ",
                                     absl::FormatCivilTime(today), ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLineAmounts(const LineAmountsList& lines, const v1::Budget& budget,
                                 absl::string_view field) {
  std::set<std::string> ids;
  for (const v1::BudgetLine& line : budget.lines()) ids.insert(line.id());
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(lines.size(), field));
  std::set<std::string> seen;
  for (int i = 0; i < lines.size(); ++i) {
    const std::string path = absl::StrCat(field, "[", i, "]");
    if (ids.count(lines[i].line()) == 0) {
      return InvalidField(path + ".line", absl::StrCat("\"", lines[i].line(),
                                                       "\" is not a line of ", budget.name()));
    }
    if (!seen.insert(lines[i].line()).second) {
      return InvalidField(path + ".line", absl::StrCat("\"", lines[i].line(), "\" is given twice"));
    }
    ENAMND_RETURN_IF_ERROR(NotNegative(lines[i].income(), path + ".income"));
    ENAMND_RETURN_IF_ERROR(NotNegative(lines[i].cost(), path + ".cost"));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ report

v1::Figures FiguresOf(Ore income, Ore cost) {
  v1::Figures f;
  f.mutable_income()->set_ore(income);
  f.mutable_cost()->set_ore(cost);
  f.mutable_deviation()->set_ore(income - cost);
  f.set_income_tkr(ToTkr(income));
  f.set_cost_tkr(ToTkr(cost));
  f.set_deviation_tkr(ToTkr(income - cost));
  return f;
}

namespace {

struct Amounts {
  Ore income = 0;
  Ore cost = 0;
};

// The exact columns of one report row.
struct RowSums {
  std::string title;
  Amounts budget, outcome, forecast;
  bool forecast_named = false;
};

v1::FinancialReport::Row RowOf(const std::string& line, const RowSums& s) {
  v1::FinancialReport::Row row;
  row.set_line(line);
  row.set_title(s.title);
  *row.mutable_budget() = FiguresOf(s.budget.income, s.budget.cost);
  *row.mutable_outcome() = FiguresOf(s.outcome.income, s.outcome.cost);
  *row.mutable_forecast() = FiguresOf(s.forecast.income, s.forecast.cost);
  *row.mutable_forecast_deviation() =
      FiguresOf(s.forecast.income - s.budget.income, s.forecast.cost - s.budget.cost);
  return row;
}

}  // namespace

v1::FinancialReport BuildReport(const v1::Budget& budget,
                                const std::vector<v1::MonthlyOutcome>& outcomes, int through_month,
                                const std::optional<v1::Forecast>& forecast) {
  std::vector<std::string> order;
  std::map<std::string, RowSums> rows;
  auto row = [&](const std::string& id) -> RowSums& {
    if (rows.count(id) == 0) order.push_back(id);
    return rows[id];
  };
  for (const v1::BudgetLine& line : budget.lines()) {
    RowSums& r = row(line.id());
    r.title = line.title();
    r.budget = {line.income().ore(), line.cost().ore()};
  }
  for (const v1::MonthlyOutcome& o : outcomes) {
    if (o.month() < 1 || o.month() > through_month) continue;
    for (const v1::LineAmounts& a : o.lines()) {
      RowSums& r = row(a.line());
      r.outcome.income += a.income().ore();
      r.outcome.cost += a.cost().ore();
    }
  }
  if (forecast.has_value()) {
    for (const v1::LineAmounts& a : forecast->lines()) {
      RowSums& r = row(a.line());
      r.forecast = {a.income().ore(), a.cost().ore()};
      r.forecast_named = true;
    }
  }
  v1::FinancialReport report;
  report.set_budget(budget.name());
  report.set_through_month(through_month);
  if (forecast.has_value()) {
    report.set_forecast(forecast->name());
    *report.mutable_forecast_notes() = forecast->notes();
  }
  RowSums total;
  total.title = "Total";
  for (const std::string& id : order) {
    RowSums& r = rows[id];
    if (!r.forecast_named) r.forecast = r.budget;  // as budgeted
    *report.add_rows() = RowOf(id, r);
    const std::pair<Amounts*, const Amounts*> columns[] = {
        {&total.budget, &r.budget}, {&total.outcome, &r.outcome}, {&total.forecast, &r.forecast}};
    for (const auto& [sum, part] : columns) {
      sum->income += part->income;
      sum->cost += part->cost;
    }
  }
  *report.mutable_total() = RowOf("", total);
  return report;
}

// ------------------------------------------------------------ allocation

void CollectNeeds(const v1::AllocationModel& model, int budget_year, AllocationNeeds* needs) {
  switch (model.model_case()) {
    case v1::AllocationModel::kPopulation:
      needs->population_figures.insert(model.population().population_figures());
      break;
    case v1::AllocationModel::kUsage:
      needs->usage_years.insert(model.usage().year() == 0 ? budget_year : model.usage().year());
      break;
    case v1::AllocationModel::kParticipation:
      needs->initiatives.insert(model.participation().initiative());
      break;
    case v1::AllocationModel::kMix:
      for (const v1::MixPart& part : model.mix().parts()) {
        CollectNeeds(part.model(), budget_year, needs);
      }
      break;
    default:
      break;
  }
}

namespace {

absl::StatusOr<std::string> CodeOf(absl::string_view name, absl::string_view field) {
  return platform::ParseMunicipalityName(name, field);
}

absl::StatusOr<EqualShares> EqualKey(const v1::EqualShares& m, const AllocationData& data,
                                     absl::string_view field) {
  EqualShares key;
  for (const std::string& name : m.municipalities()) {
    ENAMND_ASSIGN_OR_RETURN(std::string code, CodeOf(name, field));
    key.municipalities.push_back(code);
  }
  if (!key.municipalities.empty()) return key;
  if (data.members.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": equal shares of every member, and no member is known yet"));
  }
  key.municipalities = data.members;
  return key;
}

absl::StatusOr<ByPopulation> PopulationKey(const v1::ByPopulation& m, const AllocationData& data,
                                           absl::string_view field) {
  auto found = data.population.find(m.population_figures());
  if (found == data.population.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": ", m.population_figures(), " are not registered"));
  }
  ByPopulation key;
  for (const v1::MunicipalityPopulation& e : found->second.entries()) {
    ENAMND_ASSIGN_OR_RETURN(std::string code, CodeOf(e.municipality(), field));
    key.inhabitants.push_back({code, e.inhabitants()});
  }
  return key;
}

absl::StatusOr<ByPercentageTable> TableKey(const v1::PercentageTable& m, absl::string_view field) {
  ByPercentageTable key;
  for (const v1::TableEntry& e : m.entries()) {
    ENAMND_ASSIGN_OR_RETURN(std::string code, CodeOf(e.municipality(), field));
    key.basis_points.push_back({code, e.basis_points()});
  }
  return key;
}

ByUsage UsageKey(const v1::ByUsage& m, const AllocationData& data) {
  const int year = m.year() == 0 ? data.budget_year : m.year();
  std::map<std::string, int64_t> counts;
  for (const std::string& code : data.members) counts[code] = 0;
  auto found = data.usage.find(year);
  if (found != data.usage.end()) {
    for (const auto& [code, kinds] : found->second) {
      int64_t& sum = counts[code];
      for (const auto& [kind, count] : kinds) {
        const bool asked = m.kinds().empty() ||
                           std::find(m.kinds().begin(), m.kinds().end(), kind) != m.kinds().end();
        if (asked) sum += count;
      }
    }
  }
  ByUsage key;
  for (const auto& [code, count] : counts) key.counts.push_back({code, count});
  return key;
}

ByParticipation ParticipationKey(const v1::ByParticipation& m, const AllocationData& data) {
  ByParticipation key;
  if (platform::IsSet(m.first_day())) {
    key.first_day = ToCivil(m.first_day());
    key.last_day = ToCivil(m.last_day());
  } else {
    key.first_day = absl::CivilDay(data.budget_year, 1, 1);
    key.last_day = absl::CivilDay(data.budget_year, 12, 31);
  }
  auto found = data.participations.find(m.initiative());
  if (found == data.participations.end()) return key;
  for (const ParticipationRow& row : found->second) {
    absl::CivilDay last = row.left_day.value_or(std::max(key.last_day, row.joined_day));
    if (last < row.joined_day) last = row.joined_day;
    key.periods.push_back({row.municipality, row.joined_day, last});
  }
  return key;
}

absl::StatusOr<SimpleKey> SimpleKeyOf(const v1::AllocationModel& model, const AllocationData& data,
                                      absl::string_view field) {
  switch (model.model_case()) {
    case v1::AllocationModel::kEqual:
      return EqualKey(model.equal(), data, field);
    case v1::AllocationModel::kPopulation:
      return PopulationKey(model.population(), data, field);
    case v1::AllocationModel::kTable:
      return TableKey(model.table(), field);
    case v1::AllocationModel::kUsage:
      return UsageKey(model.usage(), data);
    case v1::AllocationModel::kParticipation:
      return ParticipationKey(model.participation(), data);
    default:
      break;
  }
  return InvalidField(field, "is not a simple allocation model");
}

}  // namespace

absl::StatusOr<AllocationKey> AllocationKeyOf(const v1::AllocationModel& model,
                                              const AllocationData& data, absl::string_view field) {
  if (model.model_case() != v1::AllocationModel::kMix) {
    ENAMND_ASSIGN_OR_RETURN(SimpleKey simple, SimpleKeyOf(model, data, field));
    return std::visit([](auto&& k) -> AllocationKey { return k; }, std::move(simple));
  }
  WeightedMix mix;
  for (int i = 0; i < model.mix().parts_size(); ++i) {
    const v1::MixPart& part = model.mix().parts(i);
    ENAMND_ASSIGN_OR_RETURN(
        SimpleKey simple,
        SimpleKeyOf(part.model(), data, absl::StrCat(field, ".mix.parts[", i, "].model")));
    mix.parts.push_back({part.basis_points(), std::move(simple)});
  }
  return mix;
}

std::string DescribeModel(const v1::AllocationModel& model) {
  switch (model.model_case()) {
    case v1::AllocationModel::kEqual:
      if (model.equal().municipalities().empty()) return "equal shares (every member)";
      return absl::StrCat("equal shares (", absl::StrJoin(model.equal().municipalities(), ", "),
                          ")");
    case v1::AllocationModel::kPopulation:
      return absl::StrCat("by population (", model.population().population_figures(), ")");
    case v1::AllocationModel::kTable:
      return absl::StrCat("by a percentage table (", model.table().entries_size(),
                          " municipalities)");
    case v1::AllocationModel::kUsage: {
      std::vector<std::string> kinds;
      for (int kind : model.usage().kinds()) kinds.push_back(v1::UsageKind_Name(kind));
      const std::string year =
          model.usage().year() == 0 ? "the budget's year" : absl::StrCat(model.usage().year());
      return absl::StrCat("by usage (", year, ", ",
                          kinds.empty() ? "every kind" : absl::StrJoin(kinds, ", "), ")");
    }
    case v1::AllocationModel::kParticipation: {
      const v1::ByParticipation& p = model.participation();
      if (!platform::IsSet(p.first_day())) {
        return absl::StrCat("by participation (", p.initiative(), ", the budget's year)");
      }
      return absl::StrCat("by participation (", p.initiative(), ", ",
                          platform::DayText(ToCivil(p.first_day())), " to ",
                          platform::DayText(ToCivil(p.last_day())), ")");
    }
    case v1::AllocationModel::kMix: {
      std::vector<std::string> parts;
      for (const v1::MixPart& part : model.mix().parts()) {
        parts.push_back(
            absl::StrCat(Percent(part.basis_points()), " ", DescribeModel(part.model())));
      }
      return absl::StrJoin(parts, " + ");
    }
    case v1::AllocationModel::MODEL_NOT_SET:
      break;
  }
  return "no model";
}

}  // namespace enamnd::finance
