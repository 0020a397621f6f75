#include "services/contracts/store/store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/platform/api_util.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/status.h"

namespace enamnd::contracts {
namespace {

using platform::KeyType;
using platform::ListQuery;
using platform::Row;
using platform::SqlInt;
using platform::SqlText;
using platform::SqlValue;
using platform::Transaction;

SqlValue Day(absl::CivilDay d) { return SqlText(platform::DayText(d)); }

// What is stored: the resource without what is derived at read time.
platform::Blob Encode(v1::Procurement p) {
  p.clear_decisions();
  return platform::EncodeProto(p);
}
platform::Blob Encode(v1::Agreement a) {
  a.clear_decisions();
  a.clear_final_end();
  a.clear_last_notice_day();
  a.clear_next_follow_up();
  return platform::EncodeProto(a);
}

absl::StatusOr<int64_t> NextSeq(Transaction& tx, const char* table) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> last,
                          tx.QueryOne(absl::StrCat("SELECT COALESCE(MAX(seq), 0) FROM ", table)));
  return last->Int(0) + 1;
}

absl::StatusOr<int64_t> Revision(Transaction& tx, const char* table, const std::string& name) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(absl::StrCat("SELECT revision FROM ", table, " WHERE name = ?1"), {name}));
  if (!row.has_value()) return platform::NotFound(table, name);
  return row->Int(0);
}

absl::Status SaveEntitled(Transaction& tx, const v1::Agreement& a) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("DELETE FROM agreement_entitled WHERE agreement = ?1", {a.name()}));
  for (const std::string& m : a.entitled()) {
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO agreement_entitled (municipality, seq, agreement)"
                " SELECT ?1, seq, name FROM agreements WHERE name = ?2",
                {m, a.name()}));
  }
  return absl::OkStatus();
}

// The derived dates, computed from the stored terms.
void Complete(v1::Agreement* a) {
  Expiry expiry = ExpiryOf(a->terms());
  *a->mutable_final_end() = platform::ToDate(expiry.final_end);
  *a->mutable_last_notice_day() = platform::ToDate(expiry.last_notice_day);
  std::optional<absl::CivilDay> next = NextFollowUp(*a);
  if (next.has_value()) {
    *a->mutable_next_follow_up() = platform::ToDate(*next);
  } else {
    a->clear_next_follow_up();
  }
}

}  // namespace

platform::MigrationSet ContractsMigrations() {
  return platform::MigrationSet{
      "contracts",
      {
          // 1: the initial schema. `seq` is the order of registration; an
          // agreement's days are its start, the end of its current term
          // and the last day to give notice before its longest end.
          "CREATE TABLE procurements ("
          "  name TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, state INTEGER NOT NULL,"
          "  data BLOB NOT NULL, revision INTEGER NOT NULL);"
          "CREATE INDEX procurements_by_state ON procurements(state, seq);"
          "CREATE TABLE agreements ("
          "  name TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, start_day TEXT NOT NULL,"
          "  end_day TEXT NOT NULL, last_notice_day TEXT NOT NULL, data BLOB NOT NULL,"
          "  revision INTEGER NOT NULL);"
          "CREATE INDEX agreements_by_end ON agreements(end_day, seq);"
          "CREATE INDEX agreements_by_notice ON agreements(last_notice_day, seq);"
          "CREATE TABLE agreement_entitled ("
          "  municipality TEXT NOT NULL, seq INTEGER NOT NULL, agreement TEXT NOT NULL,"
          "  PRIMARY KEY (municipality, seq)) WITHOUT ROWID;"
          "CREATE INDEX agreement_entitled_by_agreement ON agreement_entitled(agreement);",
      }};
}

namespace store {

// ------------------------------------------------------------ procurements

absl::StatusOr<std::optional<v1::Procurement>> GetProcurement(Transaction& tx,
                                                              const ProcurementName& name) {
  ENAMND_ASSIGN_OR_RETURN(auto p, platform::QueryProto<v1::Procurement>(
                                      tx, "SELECT data, revision FROM procurements WHERE name = ?1",
                                      {name.ToString()}));
  if (!p.has_value()) return p;
  ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, p->name()));
  for (auto& d : decisions) *p->add_decisions() = std::move(d);
  return p;
}

absl::Status InsertProcurement(Transaction& tx, v1::Procurement* p) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> existing,
                          tx.QueryOne("SELECT 1 FROM procurements WHERE name = ?1", {p->name()}));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(p->name(), " exists"));
  ENAMND_ASSIGN_OR_RETURN(int64_t seq, NextSeq(tx, "procurements"));
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO procurements (name, seq, state, data, revision) VALUES (?1, ?2, ?3, ?4, 1)",
      {p->name(), SqlInt(seq), SqlInt(p->state()), Encode(*p)}));
  p->set_etag("1");
  return absl::OkStatus();
}

absl::Status ReplaceProcurement(Transaction& tx, v1::Procurement* p) {
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "UPDATE procurements SET data = ?2, state = ?3, revision = revision + 1 WHERE name = ?1",
      {p->name(), Encode(*p), SqlInt(p->state())}));
  ENAMND_ASSIGN_OR_RETURN(int64_t revision, Revision(tx, "procurements", p->name()));
  p->set_etag(absl::StrCat(revision));
  return absl::OkStatus();
}

ListQuery ProcurementsQuery(std::optional<ProcurementState> state, absl::string_view filter_text) {
  ListQuery q(absl::StrCat("ListProcurements|", filter_text),
              "SELECT p.data, p.revision FROM procurements p", {{"p.seq", KeyType::kInt}});
  if (state.has_value()) q.Where("p.state = ?", {SqlInt(*state)});
  return q;
}

absl::StatusOr<platform::Page<v1::Procurement>> ListProcurements(
    Transaction& tx, std::optional<ProcurementState> state, absl::string_view filter_text,
    int page_size, absl::string_view page_token) {
  ENAMND_ASSIGN_OR_RETURN(
      auto page, platform::ListProtos<v1::Procurement>(tx, ProcurementsQuery(state, filter_text),
                                                       page_size, page_token));
  for (v1::Procurement& p : page.items) {
    ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, p.name()));
    for (auto& d : decisions) *p.add_decisions() = std::move(d);
  }
  return page;
}

// ------------------------------------------------------------ agreements

absl::StatusOr<std::optional<v1::Agreement>> GetAgreement(Transaction& tx,
                                                          const AgreementName& name) {
  ENAMND_ASSIGN_OR_RETURN(
      auto a, platform::QueryProto<v1::Agreement>(
                  tx, "SELECT data, revision FROM agreements WHERE name = ?1", {name.ToString()}));
  if (!a.has_value()) return a;
  Complete(&*a);
  ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, a->name()));
  for (auto& d : decisions) *a->add_decisions() = std::move(d);
  return a;
}

absl::Status InsertAgreement(Transaction& tx, v1::Agreement* a) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> existing,
                          tx.QueryOne("SELECT 1 FROM agreements WHERE name = ?1", {a->name()}));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(a->name(), " exists"));
  ENAMND_ASSIGN_OR_RETURN(int64_t seq, NextSeq(tx, "agreements"));
  const Expiry expiry = ExpiryOf(a->terms());
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO agreements (name, seq, start_day, end_day, last_notice_day, data, revision)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
      {a->name(), SqlInt(seq), Day(platform::ToCivil(a->terms().start())),
       Day(platform::ToCivil(a->terms().end())), Day(expiry.last_notice_day), Encode(*a)}));
  ENAMND_RETURN_IF_ERROR(SaveEntitled(tx, *a));
  a->set_etag("1");
  Complete(a);
  return absl::OkStatus();
}

absl::Status ReplaceAgreement(Transaction& tx, v1::Agreement* a) {
  const Expiry expiry = ExpiryOf(a->terms());
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE agreements SET data = ?2, start_day = ?3, end_day = ?4, last_notice_day = ?5,"
              " revision = revision + 1 WHERE name = ?1",
              {a->name(), Encode(*a), Day(platform::ToCivil(a->terms().start())),
               Day(platform::ToCivil(a->terms().end())), Day(expiry.last_notice_day)}));
  ENAMND_RETURN_IF_ERROR(SaveEntitled(tx, *a));
  ENAMND_ASSIGN_OR_RETURN(int64_t revision, Revision(tx, "agreements", a->name()));
  a->set_etag(absl::StrCat(revision));
  Complete(a);
  return absl::OkStatus();
}

ListQuery AgreementsQuery(const AgreementFilter& f, absl::CivilDay today,
                          absl::string_view filter_text) {
  const std::string scope = absl::StrCat("ListAgreements|", filter_text);
  constexpr char kSelect[] = "SELECT a.data, a.revision FROM agreements a";
  // One filter drives the query through its index and gives the order; the
  // others only filter its rows (the unary + keeps SQLite from driving by
  // their indexes and then sorting).
  if (f.municipality.has_value()) {
    ListQuery q(scope,
                "SELECT a.data, a.revision FROM agreement_entitled e"
                " JOIN agreements a ON a.seq = e.seq",
                {{"e.seq", KeyType::kInt}});
    q.WhereKeyIs("e.municipality", SqlText(*f.municipality));
    if (f.date.has_value()) {
      q.Where("+a.start_day <= ? AND +a.end_day >= ?", {Day(*f.date), Day(*f.date)});
    }
    if (f.in_force.has_value()) {
      q.Where("+a.start_day <= ? AND +a.end_day >= ?", {Day(*f.in_force), Day(*f.in_force)});
    }
    if (f.expiring_within_months.has_value()) {
      q.Where("+a.last_notice_day >= ? AND +a.last_notice_day <= ?",
              {Day(today), Day(AddMonths(today, *f.expiring_within_months))});
    }
    return q;
  }
  if (f.expiring_within_months.has_value()) {
    // Soonest last day to give notice first.
    ListQuery q(scope, kSelect, {{"a.last_notice_day", KeyType::kText}, {"a.seq", KeyType::kInt}});
    q.Where("a.last_notice_day >= ? AND a.last_notice_day <= ?",
            {Day(today), Day(AddMonths(today, *f.expiring_within_months))});
    if (f.in_force.has_value()) {
      q.Where("+a.start_day <= ? AND +a.end_day >= ?", {Day(*f.in_force), Day(*f.in_force)});
    }
    return q;
  }
  if (f.in_force.has_value()) {
    // Soonest end first.
    ListQuery q(scope, kSelect, {{"a.end_day", KeyType::kText}, {"a.seq", KeyType::kInt}});
    q.Where("a.end_day >= ? AND +a.start_day <= ?", {Day(*f.in_force), Day(*f.in_force)});
    return q;
  }
  return ListQuery(scope, kSelect, {{"a.seq", KeyType::kInt}});
}

absl::StatusOr<platform::Page<v1::Agreement>> ListAgreements(
    Transaction& tx, const AgreementFilter& filter, absl::CivilDay today,
    absl::string_view filter_text, int page_size, absl::string_view page_token,
    int64_t* total_size) {
  ListQuery q = AgreementsQuery(filter, today, filter_text);
  ENAMND_ASSIGN_OR_RETURN(auto page,
                          platform::ListProtos<v1::Agreement>(tx, q, page_size, page_token));
  ENAMND_ASSIGN_OR_RETURN(*total_size, q.Count(tx));
  for (v1::Agreement& a : page.items) {
    Complete(&a);
    ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, a.name()));
    for (auto& d : decisions) *a.add_decisions() = std::move(d);
  }
  return page;
}

absl::StatusOr<std::vector<v1::Agreement>> AllAgreements(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(auto all,
                          platform::QueryProtos<v1::Agreement>(
                              tx, "SELECT data, revision FROM agreements ORDER BY seq", {}));
  for (v1::Agreement& a : all) Complete(&a);
  return all;
}

}  // namespace store
}  // namespace enamnd::contracts
