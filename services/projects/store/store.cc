#include "services/projects/store/store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/platform/api_util.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/status.h"

namespace enamnd::projects {
namespace {

using platform::Blob;
using platform::KeyType;
using platform::ListQuery;
using platform::Row;
using platform::SqlInt;
using platform::SqlText;
using platform::SqlValue;
using platform::Transaction;

SqlValue DayOrNull(const common::v1::Date& d) {
  if (!platform::IsSet(d)) return SqlValue();
  return SqlText(platform::DayText(platform::ToCivil(d)));
}

// What is stored: the initiative without what CompleteInitiative derives.
Blob Encode(v1::Initiative in) {
  in.clear_current_revision();
  in.clear_latest_status();
  in.clear_decisions();
  return platform::EncodeProto(in);
}

// The participations as rows: one `participants` row per municipality that
// ever took part, one `participations` row per period.
absl::Status SaveParticipations(Transaction& tx, const v1::Initiative& in, int64_t seq) {
  ENAMND_RETURN_IF_ERROR(tx.Exec("DELETE FROM participations WHERE seq = ?1", {SqlInt(seq)}));
  ENAMND_RETURN_IF_ERROR(tx.Exec("DELETE FROM participants WHERE seq = ?1", {SqlInt(seq)}));
  for (const v1::Participation& p : in.participations()) {
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT OR IGNORE INTO participants (municipality, seq) VALUES (?1, ?2)",
                {p.municipality(), SqlInt(seq)}));
    ENAMND_RETURN_IF_ERROR(tx.Exec(
        "INSERT INTO participations (municipality, seq, joined_day, left_day)"
        " VALUES (?1, ?2, ?3, ?4)",
        {p.municipality(), SqlInt(seq), DayOrNull(p.joined_date()), DayOrNull(p.left_date())}));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SeqOf(Transaction& tx, const std::string& name) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT seq FROM initiatives WHERE name = ?1", {name}));
  if (!row.has_value()) return platform::NotFound("initiative", name);
  return row->Int(0);
}

}  // namespace

platform::MigrationSet ProjectsMigrations() {
  return platform::MigrationSet{
      "projects",
      {
          // 1: the initial schema. `seq` is the order of registration (the
          // status list's order) and every list's sort key.
          "CREATE TABLE initiatives ("
          "  name TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, kind INTEGER NOT NULL,"
          "  state INTEGER NOT NULL, active INTEGER NOT NULL, data BLOB NOT NULL,"
          "  revision INTEGER NOT NULL);"
          "CREATE INDEX initiatives_by_kind ON initiatives(kind, seq);"
          "CREATE INDEX initiatives_by_state ON initiatives(state, seq);"
          "CREATE INDEX initiatives_by_active ON initiatives(active, seq);"
          "CREATE TABLE participants ("
          "  municipality TEXT NOT NULL, seq INTEGER NOT NULL,"
          "  PRIMARY KEY (municipality, seq)) WITHOUT ROWID;"
          "CREATE TABLE participations ("
          "  municipality TEXT NOT NULL, seq INTEGER NOT NULL, joined_day TEXT NOT NULL,"
          "  left_day TEXT, PRIMARY KEY (municipality, seq, joined_day)) WITHOUT ROWID;"
          "CREATE INDEX participations_by_initiative ON participations(seq);"
          "CREATE TABLE revisions ("
          "  initiative TEXT NOT NULL, position INTEGER NOT NULL, letter TEXT NOT NULL,"
          "  data BLOB NOT NULL, PRIMARY KEY (initiative, position),"
          "  UNIQUE (initiative, letter));"
          "CREATE TABLE status_reports ("
          "  initiative TEXT NOT NULL, number INTEGER NOT NULL, data BLOB NOT NULL,"
          "  PRIMARY KEY (initiative, number)) WITHOUT ROWID;",
      }};
}

namespace store {

// ------------------------------------------------------------ initiatives

absl::StatusOr<std::optional<v1::Initiative>> GetInitiative(Transaction& tx,
                                                            const InitiativeName& name) {
  return platform::QueryProto<v1::Initiative>(
      tx, "SELECT data, revision FROM initiatives WHERE name = ?1", {name.ToString()});
}

absl::Status InsertInitiative(Transaction& tx, v1::Initiative* in) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> existing,
                          tx.QueryOne("SELECT 1 FROM initiatives WHERE name = ?1", {in->name()}));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(in->name(), " exists"));
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> last,
                          tx.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM initiatives"));
  const int64_t seq = last->Int(0) + 1;
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO initiatives (name, seq, kind, state, active, data, revision)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
              {in->name(), SqlInt(seq), SqlInt(in->kind()), SqlInt(in->state()),
               SqlInt(IsActive(in->state()) ? 1 : 0), Encode(*in)}));
  ENAMND_RETURN_IF_ERROR(SaveParticipations(tx, *in, seq));
  in->set_etag("1");
  return absl::OkStatus();
}

absl::Status ReplaceInitiative(Transaction& tx, v1::Initiative* in) {
  ENAMND_ASSIGN_OR_RETURN(int64_t seq, SeqOf(tx, in->name()));
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "UPDATE initiatives SET data = ?2, state = ?3, active = ?4, revision = revision + 1"
      " WHERE name = ?1",
      {in->name(), Encode(*in), SqlInt(in->state()), SqlInt(IsActive(in->state()) ? 1 : 0)}));
  ENAMND_RETURN_IF_ERROR(SaveParticipations(tx, *in, seq));
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT revision FROM initiatives WHERE name = ?1", {in->name()}));
  in->set_etag(absl::StrCat(row->Int(0)));
  return absl::OkStatus();
}

absl::Status CompleteInitiative(Transaction& tx, v1::Initiative* in) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> letter,
      tx.QueryOne("SELECT letter FROM revisions WHERE initiative = ?1 ORDER BY position DESC"
                  " LIMIT 1",
                  {in->name()}));
  in->set_current_revision(letter.has_value() ? letter->Text(0) : "");
  ENAMND_ASSIGN_OR_RETURN(InitiativeName name, InitiativeName::Parse(in->name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::StatusReport> latest, LatestStatusReport(tx, name));
  if (latest.has_value()) {
    *in->mutable_latest_status() = *std::move(latest);
  } else {
    in->clear_latest_status();
  }
  ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, in->name()));
  in->clear_decisions();
  for (common::v1::CommitteeDecision& d : decisions) *in->add_decisions() = std::move(d);
  return absl::OkStatus();
}

ListQuery InitiativesQuery(const InitiativeFilter& f, bool active_only,
                           absl::string_view filter_text) {
  const std::string scope =
      absl::StrCat("ListInitiatives|", active_only ? "active|" : "", filter_text);
  if (f.municipality.has_value()) {
    // Driven from the municipality's participants rows, in registration
    // order; the day, if given, must fall in one of its periods there.
    ListQuery q(scope,
                "SELECT i.data, i.revision FROM participants pt"
                " JOIN initiatives i ON i.seq = pt.seq",
                {{"pt.seq", KeyType::kInt}});
    q.WhereKeyIs("pt.municipality", SqlText(*f.municipality));
    if (f.date.has_value()) {
      const std::string day = platform::DayText(*f.date);
      q.Where(
          "EXISTS (SELECT 1 FROM participations pp WHERE pp.municipality = pt.municipality"
          " AND pp.seq = pt.seq AND pp.joined_day <= ? AND (pp.left_day IS NULL"
          " OR pp.left_day >= ?))",
          {day, day});
    }
    // The unary + keeps SQLite from driving the query by an initiatives
    // index (and then sorting): the participants key is the order.
    if (f.kind.has_value()) q.Where("+i.kind = ?", {SqlInt(*f.kind)});
    if (f.state.has_value()) q.Where("+i.state = ?", {SqlInt(*f.state)});
    if (active_only || f.active.has_value()) {
      q.Where("+i.active = ?", {SqlInt(active_only || *f.active ? 1 : 0)});
    }
    return q;
  }
  ListQuery q(scope, "SELECT i.data, i.revision FROM initiatives i", {{"i.seq", KeyType::kInt}});
  // One indexed column drives the query; the others only filter its rows.
  if (f.kind.has_value()) q.Where("i.kind = ?", {SqlInt(*f.kind)});
  if (f.state.has_value()) q.Where("i.state = ?", {SqlInt(*f.state)});
  if (active_only || f.active.has_value()) {
    q.Where("i.active = ?", {SqlInt(active_only || *f.active ? 1 : 0)});
  }
  return q;
}

absl::StatusOr<platform::Page<v1::Initiative>> ListInitiatives(
    Transaction& tx, const InitiativeFilter& filter, bool active_only,
    absl::string_view filter_text, int page_size, absl::string_view page_token) {
  ENAMND_ASSIGN_OR_RETURN(auto page, platform::ListProtos<v1::Initiative>(
                                         tx, InitiativesQuery(filter, active_only, filter_text),
                                         page_size, page_token));
  for (v1::Initiative& in : page.items) ENAMND_RETURN_IF_ERROR(CompleteInitiative(tx, &in));
  return page;
}

absl::StatusOr<std::vector<v1::Initiative>> AllInitiatives(Transaction& tx) {
  return platform::QueryProtos<v1::Initiative>(
      tx, "SELECT data, revision FROM initiatives ORDER BY seq", {});
}

// ------------------------------------------------------------ revisions

absl::StatusOr<std::vector<v1::Revision>> Revisions(Transaction& tx,
                                                    const InitiativeName& initiative) {
  return platform::QueryProtos<v1::Revision>(
      tx, "SELECT data FROM revisions WHERE initiative = ?1 ORDER BY position",
      {initiative.ToString()}, platform::kDataOnly);
}

absl::StatusOr<std::optional<v1::Revision>> GetRevision(Transaction& tx, const RevisionName& name) {
  return platform::QueryProto<v1::Revision>(
      tx, "SELECT data FROM revisions WHERE initiative = ?1 AND letter = ?2",
      {name.initiative.ToString(), name.letter}, platform::kDataOnly);
}

absl::Status InsertRevision(Transaction& tx, const RevisionName& name,
                            const v1::Revision& revision) {
  // Revisions are never overwritten: the primary key and the unique letter
  // refuse a second Rev B even if a caller raced past the domain check.
  return tx.Exec(
      "INSERT INTO revisions (initiative, position, letter, data) VALUES (?1,"
      " (SELECT COALESCE(MAX(position), 0) + 1 FROM revisions WHERE initiative = ?1), ?2, ?3)",
      {name.initiative.ToString(), name.letter, platform::EncodeProto(revision)});
}

// ------------------------------------------------------------ status reports

absl::StatusOr<int> CountStatusReports(Transaction& tx, const InitiativeName& initiative) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT COUNT(*) FROM status_reports WHERE initiative = ?1",
                                      {initiative.ToString()}));
  return static_cast<int>(row->Int(0));
}

absl::StatusOr<std::optional<v1::StatusReport>> GetStatusReport(Transaction& tx,
                                                                const StatusReportName& name) {
  return platform::QueryProto<v1::StatusReport>(
      tx, "SELECT data FROM status_reports WHERE initiative = ?1 AND number = ?2",
      {name.initiative.ToString(), SqlInt(name.number)}, platform::kDataOnly);
}

absl::StatusOr<std::optional<v1::StatusReport>> LatestStatusReport(
    Transaction& tx, const InitiativeName& initiative) {
  return platform::QueryProto<v1::StatusReport>(
      tx, "SELECT data FROM status_reports WHERE initiative = ?1 ORDER BY number DESC LIMIT 1",
      {initiative.ToString()}, platform::kDataOnly);
}

absl::Status InsertStatusReport(Transaction& tx, const StatusReportName& name,
                                const v1::StatusReport& report) {
  return tx.Exec("INSERT INTO status_reports (initiative, number, data) VALUES (?1, ?2, ?3)",
                 {name.initiative.ToString(), SqlInt(name.number), platform::EncodeProto(report)});
}

ListQuery StatusReportsQuery(const InitiativeName& initiative) {
  ListQuery q(absl::StrCat("ListStatusReports|", initiative.ToString()),
              "SELECT r.data FROM status_reports r", {{"r.number", KeyType::kInt}});
  q.WhereKeyIs("r.initiative", SqlText(initiative.ToString()));
  return q;
}

absl::StatusOr<platform::Page<v1::StatusReport>> ListStatusReports(Transaction& tx,
                                                                   const InitiativeName& initiative,
                                                                   int page_size,
                                                                   absl::string_view page_token) {
  return platform::ListProtos<v1::StatusReport>(tx, StatusReportsQuery(initiative), page_size,
                                                page_token, platform::kDataOnly);
}

absl::StatusOr<std::vector<v1::StatusReport>> AllStatusReports(Transaction& tx,
                                                               const InitiativeName& initiative) {
  return platform::QueryProtos<v1::StatusReport>(
      tx, "SELECT data FROM status_reports WHERE initiative = ?1 ORDER BY number",
      {initiative.ToString()}, platform::kDataOnly);
}

// ------------------------------------------------------------ members

absl::StatusOr<std::map<std::string, std::string>> MemberNames(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          tx.Query("SELECT code, display_name FROM members"));
  std::map<std::string, std::string> out;
  for (const Row& row : rows) out[absl::StrCat("municipalities/", row.Text(0))] = row.Text(1);
  return out;
}

}  // namespace store
}  // namespace enamnd::projects
