#include "services/finance/store/budgets.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/platform/api_util.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/members.h"
#include "services/platform/status.h"

namespace enamnd::finance::store {
namespace {

using platform::KeyType;
using platform::ListQuery;
using platform::Row;
using platform::SqlInt;
using platform::SqlText;
using platform::SqlValue;
using platform::Transaction;

// What is stored: the budget without what is derived at read time.
platform::Blob Encode(v1::Budget b) {
  b.clear_decisions();
  return platform::EncodeProto(b);
}

absl::Status FillDecisions(Transaction& tx, v1::Budget* b) {
  b->clear_decisions();
  ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, b->name()));
  for (auto& d : decisions) *b->add_decisions() = std::move(d);
  return absl::OkStatus();
}

absl::Status SaveRevision(Transaction& tx, const v1::Budget& b) {
  return tx.Exec(
      "INSERT OR REPLACE INTO budget_revisions (budget, revision, data) VALUES (?1, ?2, ?3)",
      {b.name(), SqlInt(b.revision()), Encode(b)});
}

absl::StatusOr<int64_t> RowRevision(Transaction& tx, const std::string& sql,
                                    const std::vector<SqlValue>& params) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row, tx.QueryOne(sql, params));
  if (!row.has_value()) return absl::InternalError(absl::StrCat("no row for ", sql));
  return row->Int(0);
}

// ALREADY_EXISTS when `table` has a row named `name`.
absl::Status RequireAbsent(Transaction& tx, const std::string& table, const std::string& name) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> existing,
      tx.QueryOne(absl::StrCat("SELECT 1 FROM ", table, " WHERE name = ?1"), {name}));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(name, " exists"));
  return absl::OkStatus();
}

SqlValue Day(absl::CivilDay d) { return SqlText(platform::DayText(d)); }

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return absl::DataLossError(absl::StrCat("stored day \"", text, "\" does not parse"));
  }
  return day;
}

}  // namespace

// ------------------------------------------------------------ budgets

absl::StatusOr<std::optional<v1::Budget>> GetBudget(Transaction& tx, const BudgetName& name) {
  ENAMND_ASSIGN_OR_RETURN(
      auto b, platform::QueryProto<v1::Budget>(
                  tx, "SELECT data, revision FROM budgets WHERE name = ?1", {name.ToString()}));
  if (b.has_value()) ENAMND_RETURN_IF_ERROR(FillDecisions(tx, &*b));
  return b;
}

absl::Status InsertBudget(Transaction& tx, v1::Budget* b) {
  ENAMND_RETURN_IF_ERROR(RequireAbsent(tx, "budgets", b->name()));
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO budgets (name, year, state, data, revision) VALUES (?1, ?2, ?3, ?4, 1)",
              {b->name(), SqlInt(b->year()), SqlInt(b->state()), Encode(*b)}));
  ENAMND_RETURN_IF_ERROR(SaveRevision(tx, *b));
  b->set_etag("1");
  return absl::OkStatus();
}

absl::Status ReplaceBudget(Transaction& tx, v1::Budget* b) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE budgets SET data = ?2, state = ?3, revision = revision + 1 WHERE name = ?1",
              {b->name(), Encode(*b), SqlInt(b->state())}));
  ENAMND_RETURN_IF_ERROR(SaveRevision(tx, *b));
  ENAMND_ASSIGN_OR_RETURN(
      int64_t revision,
      RowRevision(tx, "SELECT revision FROM budgets WHERE name = ?1", {b->name()}));
  b->set_etag(absl::StrCat(revision));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Budget>> GetBudgetRevision(Transaction& tx, const BudgetName& name,
                                                            int revision) {
  ENAMND_ASSIGN_OR_RETURN(
      auto b, platform::QueryProto<v1::Budget>(
                  tx, "SELECT data FROM budget_revisions WHERE budget = ?1 AND revision = ?2",
                  {name.ToString(), SqlInt(revision)}, platform::kDataOnly));
  if (b.has_value()) ENAMND_RETURN_IF_ERROR(FillDecisions(tx, &*b));
  return b;
}

ListQuery BudgetsQuery(std::optional<BudgetState> state, bool adopted_only,
                       absl::string_view filter_text) {
  ListQuery q(absl::StrCat("ListBudgets|", adopted_only ? "adopted|" : "", filter_text),
              "SELECT b.data, b.revision FROM budgets b", {{"b.year", KeyType::kInt}});
  // The unary + keeps SQLite on the year index (in order) instead of the
  // state index and a sort.
  if (adopted_only) {
    q.Where("+b.state <> ?", {SqlInt(v1::Budget::STATE_DRAFT)});
    // The public sees a revised budget as adopted (its adopted revision):
    // STATE_ADOPTED is its whole list, another state finds nothing.
    if (state.has_value() && *state != v1::Budget::STATE_ADOPTED) q.Where("0");
  } else if (state.has_value()) {
    q.Where("b.state = ?", {SqlInt(*state)});
  }
  return q;
}

absl::StatusOr<platform::Page<v1::Budget>> ListBudgets(Transaction& tx, const ListQuery& query,
                                                       int page_size,
                                                       absl::string_view page_token) {
  ENAMND_ASSIGN_OR_RETURN(auto page,
                          platform::ListProtos<v1::Budget>(tx, query, page_size, page_token));
  for (v1::Budget& b : page.items) ENAMND_RETURN_IF_ERROR(FillDecisions(tx, &b));
  return page;
}

ListQuery BudgetRevisionsQuery(const BudgetName& name) {
  ListQuery q(absl::StrCat("ListBudgetRevisions|", name.ToString()),
              "SELECT r.data FROM budget_revisions r",
              {{"r.budget", KeyType::kText}, {"r.revision", KeyType::kInt}});
  q.WhereKeyIs("r.budget", SqlText(name.ToString()));
  return q;
}

absl::StatusOr<platform::Page<v1::Budget>> ListBudgetRevisions(Transaction& tx,
                                                               const BudgetName& name,
                                                               int page_size,
                                                               absl::string_view page_token) {
  return platform::ListProtos<v1::Budget>(tx, BudgetRevisionsQuery(name), page_size, page_token,
                                          platform::kDataOnly);
}

// ------------------------------------------------------------ index series

absl::StatusOr<std::optional<v1::IndexSeries>> GetIndexSeries(Transaction& tx,
                                                              const IndexSeriesName& name) {
  return platform::QueryProto<v1::IndexSeries>(
      tx, "SELECT data, revision FROM index_series WHERE name = ?1", {name.ToString()});
}

absl::Status InsertIndexSeries(Transaction& tx, v1::IndexSeries* s) {
  ENAMND_RETURN_IF_ERROR(RequireAbsent(tx, "index_series", s->name()));
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO index_series (name, data, revision) VALUES (?1, ?2, 1)",
              {s->name(), platform::EncodeProto(*s)}));
  s->set_etag("1");
  return absl::OkStatus();
}

absl::Status ReplaceIndexSeries(Transaction& tx, v1::IndexSeries* s) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE index_series SET data = ?2, revision = revision + 1 WHERE name = ?1",
              {s->name(), platform::EncodeProto(*s)}));
  ENAMND_ASSIGN_OR_RETURN(
      int64_t revision,
      RowRevision(tx, "SELECT revision FROM index_series WHERE name = ?1", {s->name()}));
  s->set_etag(absl::StrCat(revision));
  return absl::OkStatus();
}

// ------------------------------------------------------------ population figures

absl::StatusOr<std::optional<v1::PopulationFigures>> GetPopulationFigures(
    Transaction& tx, const PopulationFiguresName& name) {
  return platform::QueryProto<v1::PopulationFigures>(
      tx, "SELECT data FROM population_figures WHERE name = ?1", {name.ToString()},
      platform::kDataOnly);
}

absl::Status InsertPopulationFigures(Transaction& tx, const v1::PopulationFigures& f) {
  ENAMND_RETURN_IF_ERROR(RequireAbsent(tx, "population_figures", f.name()));
  return tx.Exec("INSERT INTO population_figures (name, data) VALUES (?1, ?2)",
                 {f.name(), platform::EncodeProto(f)});
}

// ------------------------------------------------------------ outcomes, forecasts

absl::StatusOr<std::optional<v1::MonthlyOutcome>> GetOutcome(Transaction& tx,
                                                             const OutcomeName& name) {
  return platform::QueryProto<v1::MonthlyOutcome>(
      tx, "SELECT data, revision FROM outcomes WHERE budget = ?1 AND month = ?2",
      {name.budget.ToString(), SqlInt(name.month)});
}

absl::Status SaveOutcome(Transaction& tx, const BudgetName& budget, v1::MonthlyOutcome* o) {
  const std::vector<SqlValue> key = {budget.ToString(), SqlInt(o->month())};
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO outcomes (budget, month, data, revision) VALUES (?1, ?2, ?3, 1)"
      " ON CONFLICT (budget, month) DO UPDATE SET data = excluded.data, revision = revision + 1",
      {key[0], key[1], platform::EncodeProto(*o)}));
  ENAMND_ASSIGN_OR_RETURN(
      int64_t revision,
      RowRevision(tx, "SELECT revision FROM outcomes WHERE budget = ?1 AND month = ?2", key));
  o->set_etag(absl::StrCat(revision));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::MonthlyOutcome>> Outcomes(Transaction& tx,
                                                         const BudgetName& budget) {
  return platform::QueryProtos<v1::MonthlyOutcome>(
      tx, "SELECT data, revision FROM outcomes WHERE budget = ?1 ORDER BY month",
      {budget.ToString()});
}

absl::Status SaveForecast(Transaction& tx, const BudgetName& budget, const v1::Forecast& f) {
  return tx.Exec("INSERT OR REPLACE INTO forecasts (budget, month, data) VALUES (?1, ?2, ?3)",
                 {budget.ToString(), SqlInt(f.as_of_month()), platform::EncodeProto(f)});
}

absl::StatusOr<std::optional<v1::Forecast>> LatestForecast(Transaction& tx,
                                                           const BudgetName& budget,
                                                           int through_month) {
  return platform::QueryProto<v1::Forecast>(
      tx,
      "SELECT data FROM forecasts WHERE budget = ?1 AND month <= ?2 ORDER BY month DESC LIMIT 1",
      {budget.ToString(), SqlInt(through_month)}, platform::kDataOnly);
}

// ------------------------------------------------------------ allocation data

absl::Status SaveParticipation(Transaction& tx, const std::string& initiative,
                               const ParticipationRow& row) {
  SqlValue left;
  if (row.left_day.has_value()) left = Day(*row.left_day);
  return tx.Exec(
      "INSERT OR REPLACE INTO participations (initiative, municipality, joined_day, left_day)"
      " VALUES (?1, ?2, ?3, ?4)",
      {initiative, row.municipality, Day(row.joined_day), left});
}

absl::StatusOr<std::map<std::string, std::string>> Members(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<platform::Member> listed, platform::ListMembers(tx));
  std::map<std::string, std::string> members;
  for (platform::Member& m : listed) members[m.code] = std::move(m.display_name);
  return members;
}

namespace {

absl::Status LoadUsage(Transaction& tx, int year, AllocationData* data) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT municipality, kind, count FROM usage_counts WHERE year = ?1",
               {SqlInt(year)}));
  auto& by_code = data->usage[year];
  for (const Row& r : rows) {
    // usage_counts keeps the SCB code or the resource name; take either.
    std::string code = r.Text(0);
    absl::StatusOr<std::string> parsed = platform::ParseMunicipalityName(code, "municipality");
    if (parsed.ok()) code = *parsed;
    by_code[code][static_cast<int>(r.Int(1))] += r.Int(2);
  }
  return absl::OkStatus();
}

absl::Status LoadParticipations(Transaction& tx, const std::string& initiative,
                                AllocationData* data) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          tx.Query("SELECT municipality, joined_day, left_day FROM participations"
                                   " WHERE initiative = ?1 ORDER BY municipality, joined_day",
                                   {initiative}));
  std::vector<ParticipationRow>& out = data->participations[initiative];
  for (const Row& r : rows) {
    ParticipationRow row;
    row.municipality = r.Text(0);
    ENAMND_ASSIGN_OR_RETURN(row.joined_day, ParseDay(r.Text(1)));
    if (!r.IsNull(2)) {
      ENAMND_ASSIGN_OR_RETURN(row.left_day, ParseDay(r.Text(2)));
    }
    out.push_back(std::move(row));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AllocationData> LoadAllocationData(Transaction& tx, int budget_year,
                                                  const AllocationNeeds& needs) {
  AllocationData data;
  data.budget_year = budget_year;
  ENAMND_ASSIGN_OR_RETURN(auto members, Members(tx));
  for (const auto& [code, display_name] : members) data.members.push_back(code);
  for (const std::string& name : needs.population_figures) {
    absl::StatusOr<PopulationFiguresName> parsed = PopulationFiguresName::Parse(name, "name");
    if (!parsed.ok()) continue;
    ENAMND_ASSIGN_OR_RETURN(auto figures, GetPopulationFigures(tx, *parsed));
    if (figures.has_value()) data.population[name] = *std::move(figures);
  }
  for (int year : needs.usage_years) ENAMND_RETURN_IF_ERROR(LoadUsage(tx, year, &data));
  for (const std::string& initiative : needs.initiatives) {
    ENAMND_RETURN_IF_ERROR(LoadParticipations(tx, initiative, &data));
  }
  return data;
}

}  // namespace enamnd::finance::store
