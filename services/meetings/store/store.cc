#include "services/meetings/store/store.h"

#include "absl/strings/str_cat.h"
#include "services/meetings/domain/rules.h"
#include "services/platform/status.h"

namespace enamnd::meetings {
namespace {

using platform::Blob;
using platform::Row;
using platform::SqlValue;

template <typename Proto>
absl::StatusOr<Proto> Decode(const Row& row, int data_column, int revision_column) {
  Proto proto;
  if (!proto.ParseFromString(row.Text(data_column))) {
    return absl::DataLossError(
        absl::StrCat("stored ", Proto::descriptor()->name(), " does not parse"));
  }
  if (revision_column >= 0) proto.set_etag(absl::StrCat(row.Int(revision_column)));
  return proto;
}

template <typename Proto>
Blob Encode(const Proto& proto) {
  Proto copy = proto;
  copy.clear_etag();
  return Blob{copy.SerializeAsString()};
}

SqlValue Opt(const std::optional<std::string>& v) {
  return v.has_value() ? SqlValue(*v) : SqlValue(std::monostate{});
}
SqlValue Opt(const std::optional<int64_t>& v) {
  return v.has_value() ? SqlValue(*v) : SqlValue(std::monostate{});
}

template <typename Proto>
absl::StatusOr<std::optional<Proto>> GetOne(Transaction& tx, absl::string_view sql,
                                            const std::vector<SqlValue>& params,
                                            bool has_revision) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row, tx.QueryOne(sql, params));
  if (!row.has_value()) return std::optional<Proto>();
  ENAMND_ASSIGN_OR_RETURN(Proto proto, Decode<Proto>(*row, 0, has_revision ? 1 : -1));
  return std::optional<Proto>(std::move(proto));
}

template <typename Proto>
absl::StatusOr<std::vector<Proto>> GetMany(Transaction& tx, absl::string_view sql,
                                           const std::vector<SqlValue>& params, bool has_revision) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
  std::vector<Proto> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    ENAMND_ASSIGN_OR_RETURN(Proto proto, Decode<Proto>(row, 0, has_revision ? 1 : -1));
    out.push_back(std::move(proto));
  }
  return out;
}

}  // namespace

platform::MigrationSet MeetingsMigrations() {
  return platform::MigrationSet{
      "meetings",
      {
          // 1: the initial schema.
          "CREATE TABLE municipalities ("
          "  code TEXT PRIMARY KEY, data BLOB NOT NULL);"
          "CREATE TABLE bodies ("
          "  body_id TEXT PRIMARY KEY, data BLOB NOT NULL, revision INTEGER NOT NULL);"
          "CREATE TABLE paragraph_series ("
          "  body_id TEXT NOT NULL REFERENCES bodies(body_id), year INTEGER NOT NULL,"
          "  next_number INTEGER NOT NULL CHECK (next_number >= 1),"
          "  PRIMARY KEY (body_id, year));"
          "CREATE TABLE meetings ("
          "  name TEXT PRIMARY KEY,"
          "  body_id TEXT NOT NULL REFERENCES bodies(body_id),"
          "  meeting_id TEXT NOT NULL, day TEXT NOT NULL, year INTEGER NOT NULL,"
          "  state INTEGER NOT NULL, data BLOB NOT NULL, revision INTEGER NOT NULL);"
          "CREATE INDEX meetings_by_body ON meetings(body_id, day, meeting_id);"
          "CREATE TABLE cases ("
          "  name TEXT PRIMARY KEY, year INTEGER NOT NULL, sequence INTEGER NOT NULL,"
          "  subject TEXT NOT NULL, data BLOB NOT NULL, revision INTEGER NOT NULL,"
          "  UNIQUE (year, sequence));"
          "CREATE INDEX cases_by_subject ON cases(subject);"
          "CREATE TABLE paragraphs ("
          "  name TEXT PRIMARY KEY,"
          "  body_id TEXT NOT NULL REFERENCES bodies(body_id),"
          "  year INTEGER NOT NULL, number INTEGER NOT NULL CHECK (number >= 1),"
          "  meeting TEXT NOT NULL REFERENCES meetings(name),"
          "  case_name TEXT NOT NULL REFERENCES cases(name),"
          "  kind INTEGER NOT NULL, data BLOB NOT NULL, revision INTEGER NOT NULL,"
          "  UNIQUE (body_id, year, number));"
          "CREATE INDEX paragraphs_by_meeting ON paragraphs(meeting, number);"
          "CREATE INDEX paragraphs_by_case ON paragraphs(case_name);"
          "CREATE TABLE paragraph_recipients ("
          "  paragraph TEXT NOT NULL REFERENCES paragraphs(name), municipality TEXT NOT NULL,"
          "  PRIMARY KEY (paragraph, municipality));"
          "CREATE INDEX recipients_by_municipality ON paragraph_recipients(municipality);",
          // 2: the protocol's legal life.
          "CREATE TABLE adjustments ("
          "  name TEXT PRIMARY KEY,"
          "  body_id TEXT NOT NULL REFERENCES bodies(body_id),"
          "  meeting TEXT NOT NULL REFERENCES meetings(name),"
          "  chain_position INTEGER NOT NULL,"
          "  sha256 TEXT NOT NULL, text BLOB NOT NULL, html BLOB NOT NULL,"
          "  data BLOB NOT NULL, finalized INTEGER NOT NULL DEFAULT 0,"
          "  UNIQUE (body_id, chain_position));"
          "CREATE INDEX adjustments_by_meeting ON adjustments(meeting);"
          "CREATE INDEX adjustments_by_sha ON adjustments(sha256);"
          "CREATE TABLE notice_overdue ("
          "  adjustment TEXT NOT NULL REFERENCES adjustments(name),"
          "  municipality TEXT NOT NULL, PRIMARY KEY (adjustment, municipality));"
          "CREATE TABLE extracts ("
          "  name TEXT PRIMARY KEY, paragraph TEXT NOT NULL REFERENCES paragraphs(name),"
          "  sha256 TEXT NOT NULL, data BLOB NOT NULL);"
          "CREATE INDEX extracts_by_paragraph ON extracts(paragraph);"
          "CREATE INDEX extracts_by_sha ON extracts(sha256);",
      }};
}

// ------------------------------------------------------------ municipalities

absl::Status MeetingsStore::InsertMunicipality(Transaction& tx, const std::string& code,
                                               const v1::Municipality& m) {
  return tx.Exec("INSERT INTO municipalities (code, data) VALUES (?1, ?2)",
                 {code, Blob{m.SerializeAsString()}});
}

absl::StatusOr<std::optional<v1::Municipality>> MeetingsStore::GetMunicipality(
    Transaction& tx, const std::string& code) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT data FROM municipalities WHERE code = ?1", {code}));
  if (!row.has_value()) return std::optional<v1::Municipality>();
  v1::Municipality m;
  if (!m.ParseFromString(row->Text(0))) return absl::DataLossError("stored municipality");
  return std::optional<v1::Municipality>(std::move(m));
}

absl::StatusOr<std::vector<v1::Municipality>> MeetingsStore::ListMunicipalities(
    Transaction& tx, const std::string& after_code, int limit) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT data FROM municipalities WHERE code > ?1 ORDER BY code LIMIT ?2",
               {after_code, static_cast<int64_t>(limit)}));
  std::vector<v1::Municipality> out;
  for (const Row& row : rows) {
    v1::Municipality m;
    if (!m.ParseFromString(row.Text(0))) return absl::DataLossError("stored municipality");
    out.push_back(std::move(m));
  }
  return out;
}

// ------------------------------------------------------------ bodies

absl::Status MeetingsStore::InsertBody(Transaction& tx, const std::string& body_id,
                                       const v1::Body& b) {
  return tx.Exec("INSERT INTO bodies (body_id, data, revision) VALUES (?1, ?2, 1)",
                 {body_id, Encode(b)});
}

absl::Status MeetingsStore::UpdateBody(Transaction& tx, const std::string& body_id,
                                       const v1::Body& b) {
  return tx.Exec("UPDATE bodies SET data = ?2, revision = revision + 1 WHERE body_id = ?1",
                 {body_id, Encode(b)});
}

absl::StatusOr<std::optional<v1::Body>> MeetingsStore::GetBody(Transaction& tx,
                                                               const std::string& body_id) {
  return GetOne<v1::Body>(tx, "SELECT data, revision FROM bodies WHERE body_id = ?1", {body_id},
                          true);
}

absl::StatusOr<std::vector<v1::Body>> MeetingsStore::ListBodies(Transaction& tx,
                                                                const std::string& after_id,
                                                                int limit) {
  return GetMany<v1::Body>(
      tx, "SELECT data, revision FROM bodies WHERE body_id > ?1 ORDER BY body_id LIMIT ?2",
      {after_id, static_cast<int64_t>(limit)}, true);
}

absl::StatusOr<std::optional<int64_t>> MeetingsStore::SeriesStart(Transaction& tx,
                                                                  const std::string& body_id,
                                                                  int64_t year) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT next_number FROM paragraph_series WHERE body_id = ?1 AND year = ?2",
                  {body_id, year}));
  if (!row.has_value()) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

absl::Status MeetingsStore::SetSeriesStart(Transaction& tx, const std::string& body_id,
                                           int64_t year, int64_t next_number) {
  return tx.Exec(
      "INSERT INTO paragraph_series (body_id, year, next_number) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (body_id, year) DO UPDATE SET next_number = excluded.next_number",
      {body_id, year, next_number});
}

absl::StatusOr<int64_t> MeetingsStore::MaxParagraphNumber(Transaction& tx,
                                                          const std::string& body_id,
                                                          int64_t year) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(
          "SELECT COALESCE(MAX(number), 0) FROM paragraphs WHERE body_id = ?1 AND year = ?2",
          {body_id, year}));
  return (*row).Int(0);
}

// ------------------------------------------------------------ meetings

absl::Status MeetingsStore::InsertMeeting(Transaction& tx, const std::string& body_id,
                                          const std::string& meeting_id, const v1::Meeting& m) {
  const auto& d = m.date();
  return tx.Exec(
      "INSERT INTO meetings (name, body_id, meeting_id, day, year, state, data, revision)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
      {m.name(), body_id, meeting_id, FormatDay(d.year(), d.month(), d.day()),
       static_cast<int64_t>(d.year()), static_cast<int64_t>(m.state()), Encode(m)});
}

absl::Status MeetingsStore::UpdateMeeting(Transaction& tx, const v1::Meeting& m) {
  return tx.Exec(
      "UPDATE meetings SET state = ?2, data = ?3, revision = revision + 1 WHERE name = ?1",
      {m.name(), static_cast<int64_t>(m.state()), Encode(m)});
}

absl::StatusOr<std::optional<v1::Meeting>> MeetingsStore::GetMeeting(Transaction& tx,
                                                                     const std::string& name) {
  return GetOne<v1::Meeting>(tx, "SELECT data, revision FROM meetings WHERE name = ?1", {name},
                             true);
}

absl::StatusOr<std::vector<v1::Meeting>> MeetingsStore::ListMeetings(Transaction& tx,
                                                                     const MeetingQuery& q) {
  return GetMany<v1::Meeting>(tx,
                              "SELECT data, revision FROM meetings"
                              " WHERE (?1 IS NULL OR body_id = ?1) AND (?2 IS NULL OR year = ?2)"
                              "   AND (?3 IS NULL OR state = ?3)"
                              "   AND (body_id, day, meeting_id) > (?4, ?5, ?6)"
                              " ORDER BY body_id, day, meeting_id LIMIT ?7",
                              {Opt(q.body_id), Opt(q.year), Opt(q.state), q.after_body,
                               q.after_date, q.after_id, static_cast<int64_t>(q.limit)},
                              true);
}

absl::StatusOr<int64_t> MeetingsStore::CountParagraphsOfMeeting(Transaction& tx,
                                                                const std::string& meeting) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT COUNT(*) FROM paragraphs WHERE meeting = ?1", {meeting}));
  return row->Int(0);
}

// ------------------------------------------------------------ cases

absl::Status MeetingsStore::InsertCase(Transaction& tx, int64_t year, int64_t sequence,
                                       const v1::Case& c) {
  return tx.Exec(
      "INSERT INTO cases (name, year, sequence, subject, data, revision)"
      " VALUES (?1, ?2, ?3, ?4, ?5, 1)",
      {c.name(), year, sequence, c.subject(), Encode(c)});
}

absl::Status MeetingsStore::UpdateCase(Transaction& tx, const v1::Case& c) {
  return tx.Exec(
      "UPDATE cases SET subject = ?2, data = ?3, revision = revision + 1 WHERE name = ?1",
      {c.name(), c.subject(), Encode(c)});
}

absl::StatusOr<std::optional<v1::Case>> MeetingsStore::GetCase(Transaction& tx,
                                                               const std::string& name) {
  return GetOne<v1::Case>(tx, "SELECT data, revision FROM cases WHERE name = ?1", {name}, true);
}

absl::StatusOr<std::vector<v1::Case>> MeetingsStore::ListCases(Transaction& tx,
                                                               const CaseQuery& q) {
  return GetMany<v1::Case>(
      tx,
      "SELECT data, revision FROM cases"
      " WHERE (?1 IS NULL OR year = ?1) AND (?2 IS NULL OR subject = ?2)"
      "   AND (year, sequence) > (?3, ?4)"
      " ORDER BY year, sequence LIMIT ?5",
      {Opt(q.year), Opt(q.subject), q.after_year, q.after_sequence, static_cast<int64_t>(q.limit)},
      true);
}

// ------------------------------------------------------------ paragraphs

absl::Status MeetingsStore::InsertParagraph(Transaction& tx, const std::string& body_id,
                                            int64_t year, const std::string& meeting,
                                            const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO paragraphs (name, body_id, year, number, meeting, case_name, kind, data,"
              " revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
              {p.name(), body_id, year, static_cast<int64_t>(p.number()), meeting, p.case_(),
               static_cast<int64_t>(p.decision().kind()), Encode(p)}));
  for (const v1::Recipient& r : p.recipients()) {
    if (r.target_case() != v1::Recipient::kMunicipality) continue;
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO paragraph_recipients (paragraph, municipality) VALUES (?1, ?2)",
                {p.name(), r.municipality().substr(std::string("municipalities/").size())}));
  }
  return absl::OkStatus();
}

absl::Status MeetingsStore::UpdateParagraph(Transaction& tx, const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE paragraphs SET kind = ?2, data = ?3, revision = revision + 1 WHERE name = ?1",
              {p.name(), static_cast<int64_t>(p.decision().kind()), Encode(p)}));
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("DELETE FROM paragraph_recipients WHERE paragraph = ?1", {p.name()}));
  for (const v1::Recipient& r : p.recipients()) {
    if (r.target_case() != v1::Recipient::kMunicipality) continue;
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO paragraph_recipients (paragraph, municipality) VALUES (?1, ?2)",
                {p.name(), r.municipality().substr(std::string("municipalities/").size())}));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Paragraph>> MeetingsStore::GetParagraph(Transaction& tx,
                                                                         const std::string& name) {
  return GetOne<v1::Paragraph>(tx, "SELECT data, revision FROM paragraphs WHERE name = ?1", {name},
                               true);
}

absl::StatusOr<std::vector<MeetingsStore::ParagraphRow>> MeetingsStore::ListParagraphs(
    Transaction& tx, const ParagraphQuery& q) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT p.data, p.revision, p.body_id, p.year FROM paragraphs p"
               " WHERE (?1 IS NULL OR p.meeting = ?1) AND (?2 IS NULL OR p.body_id = ?2)"
               "   AND (?3 IS NULL OR p.year = ?3) AND (?4 IS NULL OR p.case_name = ?4)"
               "   AND (?5 IS NULL OR p.kind = ?5)"
               "   AND (?6 IS NULL OR EXISTS (SELECT 1 FROM paragraph_recipients r"
               "        WHERE r.paragraph = p.name AND r.municipality = ?6))"
               "   AND (p.body_id, p.year, p.number) > (?7, ?8, ?9)"
               " ORDER BY p.body_id, p.year, p.number LIMIT ?10",
               {Opt(q.meeting), Opt(q.body_id), Opt(q.year), Opt(q.case_name), Opt(q.kind),
                Opt(q.recipient_code), q.after_body, q.after_year, q.after_number,
                static_cast<int64_t>(q.limit)}));
  std::vector<ParagraphRow> out;
  for (const Row& row : rows) {
    ENAMND_ASSIGN_OR_RETURN(v1::Paragraph p, Decode<v1::Paragraph>(row, 0, 1));
    out.push_back(ParagraphRow{std::move(p), row.Text(2), row.Int(3)});
  }
  return out;
}

// ------------------------------------------------------------ adjustments

namespace {

absl::StatusOr<v1::Adjustment> DecodeAdjustment(const Row& row, int data_column, int text_column) {
  v1::Adjustment a;
  if (!a.ParseFromString(row.Text(data_column))) {
    return absl::DataLossError("stored adjustment does not parse");
  }
  a.set_text(row.Text(text_column));
  return a;
}

absl::StatusOr<std::vector<v1::Adjustment>> AdjustmentRows(Transaction& tx, absl::string_view sql,
                                                           const std::vector<SqlValue>& params) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
  std::vector<v1::Adjustment> out;
  for (const Row& row : rows) {
    ENAMND_ASSIGN_OR_RETURN(v1::Adjustment a, DecodeAdjustment(row, 0, 1));
    out.push_back(std::move(a));
  }
  return out;
}

Blob AdjustmentData(const v1::Adjustment& a) {
  v1::Adjustment copy = a;
  copy.clear_text();
  return Blob{copy.SerializeAsString()};
}

}  // namespace

absl::Status MeetingsStore::InsertAdjustment(Transaction& tx, const std::string& body_id,
                                             const std::string& meeting, const v1::Adjustment& a,
                                             const std::string& html) {
  return tx.Exec(
      "INSERT INTO adjustments (name, body_id, meeting, chain_position, sha256, text, html, data)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      {a.name(), body_id, meeting, a.chain_position(), a.sha256(), Blob{a.text()}, Blob{html},
       AdjustmentData(a)});
}

absl::Status MeetingsStore::UpdateAdjustment(Transaction& tx, const v1::Adjustment& a) {
  return tx.Exec("UPDATE adjustments SET data = ?2, finalized = ?3 WHERE name = ?1",
                 {a.name(), AdjustmentData(a), static_cast<int64_t>(a.finalized() ? 1 : 0)});
}

absl::StatusOr<std::optional<v1::Adjustment>> MeetingsStore::GetAdjustment(
    Transaction& tx, const std::string& name) {
  ENAMND_ASSIGN_OR_RETURN(
      auto list, AdjustmentRows(tx, "SELECT data, text FROM adjustments WHERE name = ?1", {name}));
  if (list.empty()) return std::optional<v1::Adjustment>();
  return std::optional<v1::Adjustment>(std::move(list.front()));
}

absl::StatusOr<std::string> MeetingsStore::AdjustmentHtml(Transaction& tx,
                                                          const std::string& name) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT html FROM adjustments WHERE name = ?1", {name}));
  if (!row.has_value()) return absl::NotFoundError(name);
  return row->Text(0);
}

absl::StatusOr<std::vector<v1::Adjustment>> MeetingsStore::ListAdjustmentsOfMeeting(
    Transaction& tx, const std::string& meeting) {
  return AdjustmentRows(
      tx, "SELECT data, text FROM adjustments WHERE meeting = ?1 ORDER BY chain_position",
      {meeting});
}

absl::StatusOr<std::vector<v1::Adjustment>> MeetingsStore::ListAdjustmentsOfBody(
    Transaction& tx, const std::string& body_id, int64_t after_position, int limit) {
  return AdjustmentRows(tx,
                        "SELECT data, text FROM adjustments WHERE body_id = ?1"
                        " AND chain_position > ?2 ORDER BY chain_position LIMIT ?3",
                        {body_id, after_position, static_cast<int64_t>(limit)});
}

absl::StatusOr<std::vector<v1::Adjustment>> MeetingsStore::UnfinalizedAdjustments(Transaction& tx) {
  return AdjustmentRows(
      tx, "SELECT data, text FROM adjustments WHERE finalized = 0 ORDER BY body_id, chain_position",
      {});
}

absl::StatusOr<std::optional<std::string>> MeetingsStore::FindAdjustmentBySha(
    Transaction& tx, const std::string& sha) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT name FROM adjustments WHERE sha256 = ?1 ORDER BY chain_position LIMIT 1",
                  {sha}));
  if (!row.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

absl::StatusOr<std::vector<MeetingsStore::ChainLink>> MeetingsStore::ChainOfBody(
    Transaction& tx, const std::string& body_id) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT name, chain_position, sha256, text, data FROM adjustments"
               " WHERE body_id = ?1 ORDER BY chain_position",
               {body_id}));
  std::vector<ChainLink> out;
  for (const Row& row : rows) {
    ChainLink link;
    link.name = row.Text(0);
    link.position = row.Int(1);
    link.sha256 = row.Text(2);
    link.text = row.Text(3);
    link.data.ParseFromString(row.Text(4));
    out.push_back(std::move(link));
  }
  return out;
}

absl::StatusOr<bool> MeetingsStore::MarkNoticeOverdue(Transaction& tx,
                                                      const std::string& adjustment,
                                                      const std::string& municipality) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT OR IGNORE INTO notice_overdue (adjustment, municipality) VALUES (?1, ?2)",
              {adjustment, municipality}));
  return tx.Changes() > 0;
}

absl::Status MeetingsStore::InsertExtract(Transaction& tx, const v1::Extract& e) {
  return tx.Exec("INSERT INTO extracts (name, paragraph, sha256, data) VALUES (?1, ?2, ?3, ?4)",
                 {e.name(), e.paragraph(), e.sha256(), Blob{e.SerializeAsString()}});
}

absl::StatusOr<std::vector<v1::Extract>> MeetingsStore::ExtractsOfParagraph(
    Transaction& tx, const std::string& paragraph) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT data FROM extracts WHERE paragraph = ?1 ORDER BY rowid", {paragraph}));
  std::vector<v1::Extract> out;
  for (const Row& row : rows) {
    v1::Extract e;
    if (!e.ParseFromString(row.Text(0))) return absl::DataLossError("stored extract");
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::optional<v1::Extract>> MeetingsStore::FindExtractBySha(Transaction& tx,
                                                                           const std::string& sha) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT data FROM extracts WHERE sha256 = ?1 ORDER BY rowid LIMIT 1", {sha}));
  if (!row.has_value()) return std::optional<v1::Extract>();
  v1::Extract e;
  if (!e.ParseFromString(row->Text(0))) return absl::DataLossError("stored extract");
  return std::optional<v1::Extract>(std::move(e));
}

}  // namespace enamnd::meetings
