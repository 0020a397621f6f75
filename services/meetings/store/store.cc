#include "services/meetings/store/store.h"

#include "absl/strings/str_cat.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::meetings {
namespace {

using platform::Blob;
using platform::KeyType;
using platform::ListQuery;
using platform::Row;
using platform::SqlValue;
using platform::Transaction;

std::string Day(const enamnd::common::v1::Date& d) {
  return platform::FormatDay(d.year(), d.month(), d.day());
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
          // 3: an index per List filter, ending in the list's sort key, so a
          // filtered page seeks the index and reads no more than it returns.
          // A recipient listing is driven from paragraph_recipients, which
          // gets a copy of its paragraph's sort key for that.
          "ALTER TABLE paragraph_recipients ADD COLUMN body_id TEXT NOT NULL DEFAULT '';"
          "ALTER TABLE paragraph_recipients ADD COLUMN year INTEGER NOT NULL DEFAULT 0;"
          "ALTER TABLE paragraph_recipients ADD COLUMN number INTEGER NOT NULL DEFAULT 0;"
          "UPDATE paragraph_recipients SET"
          "  body_id = (SELECT p.body_id FROM paragraphs p WHERE p.name = paragraph),"
          "  year = (SELECT p.year FROM paragraphs p WHERE p.name = paragraph),"
          "  number = (SELECT p.number FROM paragraphs p WHERE p.name = paragraph);"
          "DROP INDEX recipients_by_municipality;"
          "CREATE INDEX recipients_by_key ON paragraph_recipients(municipality, body_id, year,"
          "  number);"
          "DROP INDEX paragraphs_by_meeting;"
          "CREATE INDEX paragraphs_by_meeting_key ON paragraphs(meeting, body_id, year, number);"
          "DROP INDEX paragraphs_by_case;"
          "CREATE INDEX paragraphs_by_case_key ON paragraphs(case_name, body_id, year, number);"
          "CREATE INDEX paragraphs_by_year_key ON paragraphs(year, body_id, number);"
          "CREATE INDEX paragraphs_by_kind_key ON paragraphs(kind, body_id, year, number);"
          "CREATE INDEX meetings_by_year_key ON meetings(year, body_id, day, meeting_id);"
          "CREATE INDEX meetings_by_state_key ON meetings(state, body_id, day, meeting_id);"
          "DROP INDEX cases_by_subject;"
          "CREATE INDEX cases_by_subject_key ON cases(subject, year, sequence);"
          "DROP INDEX adjustments_by_meeting;"
          "CREATE INDEX adjustments_by_meeting_key ON adjustments(meeting, chain_position);",
          // Secrecy: the public (redacted) version of an adjusted document or
          // extract with a paragraph under secrecy, and the full payloads of
          // events whose outbox (Redis) copy is redacted.
          "CREATE TABLE public_versions ("
          "  name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, text BLOB NOT NULL,"
          "  html BLOB NOT NULL);"
          "CREATE INDEX public_versions_by_sha ON public_versions(sha256);"
          "CREATE TABLE sealed_events ("
          "  sequence INTEGER PRIMARY KEY, payload BLOB NOT NULL);",
          // 5: whether a municipality's MunicipalityRegistered event was
          // written; rows from before the event are announced at start.
          "ALTER TABLE municipalities ADD COLUMN announced INTEGER NOT NULL DEFAULT 0;",
          // 6: the blocks each adjusted document and extract was rendered
          // from (platform/document.h), full and public, for its PDF.
          "CREATE TABLE document_blocks ("
          "  name TEXT NOT NULL, version TEXT NOT NULL CHECK (version IN ('full', 'public')),"
          "  blocks BLOB NOT NULL, PRIMARY KEY (name, version));",
      }};
}

namespace store {

// ------------------------------------------------------------ list queries

ListQuery MunicipalitiesQuery() {
  return ListQuery("ListMunicipalities", "SELECT data FROM municipalities",
                   {{"code", KeyType::kText}});
}

ListQuery BodiesQuery() {
  return ListQuery("ListBodies", "SELECT data, revision FROM bodies",
                   {{"body_id", KeyType::kText}});
}

// One filter drives each query through its index; the others are written
// `+col = ?`, which SQLite then applies to the driven rows without seeking
// another index. (Left to choose, its planner may take the index of a
// second equality and then sort the page in a temporary B-tree.)
//
// A sort-key column that a filter fixes (the body of bodies/{body_id}, a
// case year) is given with ListQuery::WhereKeyIs, so a later page seeks to
// its first row instead of walking the rows before it.
std::string Term(absl::string_view column, bool drives) {
  return absl::StrCat(drives ? "" : "+", column, " = ?");
}

ListQuery MeetingsQuery(const std::string& scope, const MeetingFilter& f) {
  ListQuery q(
      scope, "SELECT data, revision FROM meetings",
      {{"body_id", KeyType::kText}, {"day", KeyType::kText}, {"meeting_id", KeyType::kText}});
  // Drives: the body, else the year, else the state.
  if (f.body_id) q.WhereKeyIs("body_id", *f.body_id);
  if (f.year) q.Where(Term("year", !f.body_id), {*f.year});
  if (f.state) q.Where(Term("state", !f.body_id && !f.year), {*f.state});
  return q;
}

ListQuery CasesQuery(const std::string& scope, const CaseFilter& f) {
  ListQuery q(scope, "SELECT data, revision FROM cases",
              {{"year", KeyType::kInt}, {"sequence", KeyType::kInt}});
  // Both are prefixes of an index that ends in the key.
  if (f.subject) q.Where("subject = ?", {*f.subject});
  if (f.year) q.WhereKeyIs("year", *f.year);
  return q;
}

ListQuery ParagraphsQuery(const std::string& scope, const ParagraphFilter& f) {
  // Drives, narrowest first: the meeting, the case, the recipient, the
  // body, the kind, the year. A recipient drives from paragraph_recipients,
  // walking that municipality's entries in key order (CROSS JOIN keeps
  // SQLite from reordering the loops); under a meeting or case it is a
  // lookup per paragraph.
  bool by_recipient = f.recipient_code && !f.meeting && !f.case_name;
  bool in_body = f.body_id && !f.meeting && !f.case_name;
  bool in_year = in_body && f.year && !by_recipient;
  std::string t = by_recipient ? "r" : "p";
  ListQuery q(scope,
              by_recipient ? "SELECT p.data, p.revision FROM paragraph_recipients r"
                             " CROSS JOIN paragraphs p ON p.name = r.paragraph"
                           : "SELECT p.data, p.revision FROM paragraphs p",
              {{t + ".body_id", KeyType::kText},
               {t + ".year", KeyType::kInt},
               {t + ".number", KeyType::kInt}});
  bool driven = false;
  // A filter that fixes a key column (the body, or the year in a body)
  // constrains it for real; of the others, the first drives.
  auto add = [&](const std::string& column, SqlValue value, bool fixed_key = false) {
    if (fixed_key) {
      q.WhereKeyIs(column, std::move(value));
    } else {
      q.Where(Term(column, !driven), {std::move(value)});
    }
    driven = true;
  };
  if (f.meeting) add("p.meeting", *f.meeting);
  if (f.case_name) add("p.case_name", *f.case_name);
  if (by_recipient) {
    add("r.municipality", *f.recipient_code);
  } else if (f.recipient_code) {
    q.Where(
        "EXISTS (SELECT 1 FROM paragraph_recipients r WHERE r.paragraph = p.name"
        " AND r.municipality = ?)",
        {*f.recipient_code});
  }
  if (f.body_id) add(t + ".body_id", *f.body_id, in_body);
  if (f.kind) add("p.kind", *f.kind);
  if (f.year) add(t + ".year", *f.year, in_year);
  return q;
}

ListQuery AdjustmentsQuery(const std::string& scope, const AdjustmentFilter& f) {
  ListQuery q(scope, "SELECT data, text FROM adjustments", {{"chain_position", KeyType::kInt}});
  if (f.meeting) q.Where("meeting = ?", {*f.meeting});
  if (f.body_id) q.Where("body_id = ?", {*f.body_id});
  return q;
}

// ------------------------------------------------------------ municipalities

absl::Status InsertMunicipality(Transaction& tx, const MunicipalityName& name,
                                const v1::Municipality& m) {
  return tx.Exec("INSERT INTO municipalities (code, data, announced) VALUES (?1, ?2, 1)",
                 {name.code, Blob{m.SerializeAsString()}});
}

absl::StatusOr<std::vector<v1::Municipality>> UnannouncedMunicipalities(Transaction& tx) {
  return platform::QueryProtos<v1::Municipality>(
      tx, "SELECT data FROM municipalities WHERE announced = 0 ORDER BY code", {},
      platform::kDataOnly);
}

absl::Status MarkAnnounced(Transaction& tx, const MunicipalityName& name) {
  return tx.Exec("UPDATE municipalities SET announced = 1 WHERE code = ?1", {name.code});
}

absl::StatusOr<std::optional<v1::Municipality>> GetMunicipality(Transaction& tx,
                                                                const MunicipalityName& name) {
  return platform::QueryProto<v1::Municipality>(
      tx, "SELECT data FROM municipalities WHERE code = ?1", {name.code}, platform::kDataOnly);
}

absl::StatusOr<platform::Page<v1::Municipality>> ListMunicipalities(Transaction& tx, int page_size,
                                                                    const std::string& page_token) {
  return platform::ListProtos<v1::Municipality>(tx, MunicipalitiesQuery(), page_size, page_token,
                                                platform::kDataOnly);
}

absl::StatusOr<std::map<std::string, std::string>> MunicipalityDisplayNames(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(
      auto all, platform::QueryProtos<v1::Municipality>(tx, "SELECT data FROM municipalities", {},
                                                        platform::kDataOnly));
  std::map<std::string, std::string> names;
  for (const v1::Municipality& m : all) names[m.name()] = m.display_name();
  return names;
}

absl::Status RequireMunicipalities(Transaction& tx, const std::vector<MunicipalityRef>& refs) {
  for (const MunicipalityRef& ref : refs) {
    ENAMND_ASSIGN_OR_RETURN(MunicipalityName name, MunicipalityName::Parse(ref.name, ref.field));
    ENAMND_ASSIGN_OR_RETURN(auto found, GetMunicipality(tx, name));
    if (!found.has_value()) {
      return platform::InvalidField(ref.field,
                                    absl::StrCat("unknown municipality ", ref.name,
                                                 " (not registered with CreateMunicipality)"));
    }
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ bodies

absl::Status InsertBody(Transaction& tx, const BodyName& name, const v1::Body& b) {
  return tx.Exec("INSERT INTO bodies (body_id, data, revision) VALUES (?1, ?2, 1)",
                 {name.body_id, platform::EncodeProto(b)});
}

absl::Status UpdateBody(Transaction& tx, const BodyName& name, const v1::Body& b) {
  return tx.Exec("UPDATE bodies SET data = ?2, revision = revision + 1 WHERE body_id = ?1",
                 {name.body_id, platform::EncodeProto(b)});
}

absl::StatusOr<std::optional<v1::Body>> GetBody(Transaction& tx, const BodyName& name) {
  return platform::QueryProto<v1::Body>(tx, "SELECT data, revision FROM bodies WHERE body_id = ?1",
                                        {name.body_id});
}

absl::StatusOr<platform::Page<v1::Body>> ListBodies(Transaction& tx, int page_size,
                                                    const std::string& page_token) {
  return platform::ListProtos<v1::Body>(tx, BodiesQuery(), page_size, page_token);
}

absl::StatusOr<std::optional<int64_t>> SeriesStart(Transaction& tx, const BodyName& body,
                                                   int64_t year) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT next_number FROM paragraph_series WHERE body_id = ?1 AND year = ?2",
                  {body.body_id, year}));
  if (!row.has_value()) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

absl::Status SetSeriesStart(Transaction& tx, const BodyName& body, int64_t year,
                            int64_t next_number) {
  return tx.Exec(
      "INSERT INTO paragraph_series (body_id, year, next_number) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (body_id, year) DO UPDATE SET next_number = excluded.next_number",
      {body.body_id, year, next_number});
}

absl::StatusOr<int64_t> MaxParagraphNumber(Transaction& tx, const BodyName& body, int64_t year) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne(
          "SELECT COALESCE(MAX(number), 0) FROM paragraphs WHERE body_id = ?1 AND year = ?2",
          {body.body_id, year}));
  return (*row).Int(0);
}

// ------------------------------------------------------------ meetings

absl::Status InsertMeeting(Transaction& tx, const MeetingName& name, const v1::Meeting& m) {
  return tx.Exec(
      "INSERT INTO meetings (name, body_id, meeting_id, day, year, state, data, revision)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
      {name.ToString(), name.body.body_id, name.meeting_id, Day(m.date()),
       static_cast<int64_t>(m.date().year()), static_cast<int64_t>(m.state()),
       platform::EncodeProto(m)});
}

absl::Status UpdateMeeting(Transaction& tx, const v1::Meeting& m) {
  return tx.Exec(
      "UPDATE meetings SET state = ?2, data = ?3, revision = revision + 1 WHERE name = ?1",
      {m.name(), static_cast<int64_t>(m.state()), platform::EncodeProto(m)});
}

absl::StatusOr<std::optional<v1::Meeting>> GetMeeting(Transaction& tx, const MeetingName& name) {
  return platform::QueryProto<v1::Meeting>(
      tx, "SELECT data, revision FROM meetings WHERE name = ?1", {name.ToString()});
}

absl::StatusOr<platform::Page<v1::Meeting>> ListMeetings(Transaction& tx, const std::string& scope,
                                                         const MeetingFilter& f, int page_size,
                                                         const std::string& page_token) {
  return platform::ListProtos<v1::Meeting>(tx, MeetingsQuery(scope, f), page_size, page_token);
}

absl::StatusOr<int64_t> CountParagraphsOfMeeting(Transaction& tx, const MeetingName& meeting) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT COUNT(*) FROM paragraphs WHERE meeting = ?1", {meeting.ToString()}));
  return row->Int(0);
}

// ------------------------------------------------------------ cases

absl::Status InsertCase(Transaction& tx, const CaseName& name, const v1::Case& c) {
  return tx.Exec(
      "INSERT INTO cases (name, year, sequence, subject, data, revision)"
      " VALUES (?1, ?2, ?3, ?4, ?5, 1)",
      {name.ToString(), static_cast<int64_t>(name.year), name.sequence, c.subject(),
       platform::EncodeProto(c)});
}

absl::Status UpdateCase(Transaction& tx, const v1::Case& c) {
  return tx.Exec(
      "UPDATE cases SET subject = ?2, data = ?3, revision = revision + 1 WHERE name = ?1",
      {c.name(), c.subject(), platform::EncodeProto(c)});
}

absl::StatusOr<std::optional<v1::Case>> GetCase(Transaction& tx, const CaseName& name) {
  return platform::QueryProto<v1::Case>(tx, "SELECT data, revision FROM cases WHERE name = ?1",
                                        {name.ToString()});
}

absl::StatusOr<v1::Case> RequireCase(Transaction& tx, const CaseName& name,
                                     absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(auto found, GetCase(tx, name));
  if (!found.has_value()) {
    return platform::InvalidField(
        field, absl::StrCat(name.ToString(), " does not exist; CreateCase first"));
  }
  return *std::move(found);
}

absl::StatusOr<platform::Page<v1::Case>> ListCases(Transaction& tx, const std::string& scope,
                                                   const CaseFilter& f, int page_size,
                                                   const std::string& page_token) {
  return platform::ListProtos<v1::Case>(tx, CasesQuery(scope, f), page_size, page_token);
}

// ------------------------------------------------------------ paragraphs

namespace {

// The municipality recipients, with the paragraph's sort key.
absl::Status WriteRecipients(Transaction& tx, const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("DELETE FROM paragraph_recipients WHERE paragraph = ?1", {p.name()}));
  for (const v1::Recipient& r : p.recipients()) {
    if (r.target_case() != v1::Recipient::kMunicipality) continue;
    ENAMND_ASSIGN_OR_RETURN(MunicipalityName m,
                            MunicipalityName::Parse(r.municipality(), "recipient"));
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO paragraph_recipients (paragraph, municipality, body_id, year, number)"
                " SELECT name, ?2, body_id, year, number FROM paragraphs WHERE name = ?1",
                {p.name(), m.code}));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status InsertParagraph(Transaction& tx, const ParagraphName& name, int64_t year,
                             const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO paragraphs (name, body_id, year, number, meeting, case_name, kind, data,"
              " revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
              {name.ToString(), name.meeting.body.body_id, year, static_cast<int64_t>(name.number),
               name.meeting.ToString(), p.case_(), static_cast<int64_t>(p.decision().kind()),
               platform::EncodeProto(p)}));
  return WriteRecipients(tx, p);
}

absl::Status UpdateParagraph(Transaction& tx, const v1::Paragraph& p) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE paragraphs SET kind = ?2, data = ?3, revision = revision + 1 WHERE name = ?1",
              {p.name(), static_cast<int64_t>(p.decision().kind()), platform::EncodeProto(p)}));
  return WriteRecipients(tx, p);
}

namespace {
constexpr char kParagraphByName[] = "SELECT data, revision FROM paragraphs WHERE name = ?1";
}  // namespace

absl::StatusOr<std::optional<v1::Paragraph>> GetParagraph(Transaction& tx,
                                                          const ParagraphName& name) {
  return platform::QueryProto<v1::Paragraph>(tx, kParagraphByName, {name.ToString()});
}

absl::StatusOr<std::optional<platform::Row>> ParagraphRow(Transaction& tx,
                                                          const ParagraphName& name) {
  return tx.QueryOne(kParagraphByName, {name.ToString()});
}

absl::StatusOr<std::vector<v1::Paragraph>> ParagraphsOfMeeting(Transaction& tx,
                                                               const MeetingName& meeting) {
  return platform::QueryProtos<v1::Paragraph>(
      tx,
      "SELECT data, revision FROM paragraphs WHERE meeting = ?1"
      " ORDER BY body_id, year, number",
      {meeting.ToString()});
}

// ------------------------------------------------------------ adjustments

namespace {

// Rows of (data, text): the text is kept apart from the data blob.
absl::StatusOr<std::vector<v1::Adjustment>> DecodeAdjustments(const std::vector<Row>& rows) {
  std::vector<v1::Adjustment> out;
  for (const Row& row : rows) {
    ENAMND_ASSIGN_OR_RETURN(v1::Adjustment a,
                            platform::DecodeProto<v1::Adjustment>(row, platform::kDataOnly));
    a.set_text(row.Text(1));
    out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Adjustment>> AdjustmentRows(Transaction& tx, absl::string_view sql,
                                                           const std::vector<SqlValue>& params) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
  return DecodeAdjustments(rows);
}

absl::StatusOr<std::optional<v1::Adjustment>> FirstOf(
    absl::StatusOr<std::vector<v1::Adjustment>> list) {
  if (!list.ok()) return list.status();
  if (list->empty()) return std::optional<v1::Adjustment>();
  return std::optional<v1::Adjustment>(std::move(list->front()));
}

Blob AdjustmentData(const v1::Adjustment& a) {
  v1::Adjustment copy = a;
  copy.clear_text();
  return Blob{copy.SerializeAsString()};
}

}  // namespace

absl::Status InsertAdjustment(Transaction& tx, const AdjustmentName& name, const v1::Adjustment& a,
                              const std::string& html) {
  return tx.Exec(
      "INSERT INTO adjustments (name, body_id, meeting, chain_position, sha256, text, html, data)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      {name.ToString(), name.meeting.body.body_id, name.meeting.ToString(), a.chain_position(),
       a.sha256(), Blob{a.text()}, Blob{html}, AdjustmentData(a)});
}

absl::Status UpdateAdjustment(Transaction& tx, const v1::Adjustment& a) {
  return tx.Exec("UPDATE adjustments SET data = ?2, finalized = ?3 WHERE name = ?1",
                 {a.name(), AdjustmentData(a), static_cast<int64_t>(a.finalized() ? 1 : 0)});
}

absl::StatusOr<std::optional<v1::Adjustment>> GetAdjustment(Transaction& tx,
                                                            const AdjustmentName& name) {
  return FirstOf(
      AdjustmentRows(tx, "SELECT data, text FROM adjustments WHERE name = ?1", {name.ToString()}));
}

absl::StatusOr<std::optional<std::string>> GetAdjustmentHtml(Transaction& tx,
                                                             const AdjustmentName& name) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT html FROM adjustments WHERE name = ?1", {name.ToString()}));
  if (!row.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

absl::StatusOr<platform::Page<v1::Adjustment>> ListAdjustments(Transaction& tx,
                                                               const std::string& scope,
                                                               const AdjustmentFilter& f,
                                                               int page_size,
                                                               const std::string& page_token) {
  ENAMND_ASSIGN_OR_RETURN(platform::ListPage page,
                          AdjustmentsQuery(scope, f).Run(tx, page_size, page_token));
  platform::Page<v1::Adjustment> out;
  ENAMND_ASSIGN_OR_RETURN(out.items, DecodeAdjustments(page.rows));
  out.next_page_token = std::move(page.next_page_token);
  return out;
}

absl::StatusOr<std::vector<v1::Adjustment>> AdjustmentsOfMeeting(Transaction& tx,
                                                                 const MeetingName& meeting) {
  return AdjustmentRows(
      tx, "SELECT data, text FROM adjustments WHERE meeting = ?1 ORDER BY chain_position",
      {meeting.ToString()});
}

absl::StatusOr<std::optional<v1::Adjustment>> LastAdjustmentOfBody(Transaction& tx,
                                                                   const BodyName& body) {
  return FirstOf(AdjustmentRows(tx,
                                "SELECT data, text FROM adjustments WHERE body_id = ?1"
                                " ORDER BY chain_position DESC LIMIT 1",
                                {body.body_id}));
}

absl::StatusOr<std::vector<v1::Adjustment>> UnfinalizedAdjustments(Transaction& tx) {
  return AdjustmentRows(
      tx, "SELECT data, text FROM adjustments WHERE finalized = 0 ORDER BY body_id, chain_position",
      {});
}

absl::StatusOr<std::optional<v1::Adjustment>> FindAdjustmentBySha(Transaction& tx,
                                                                  const std::string& sha) {
  return FirstOf(AdjustmentRows(
      tx, "SELECT data, text FROM adjustments WHERE sha256 = ?1 ORDER BY chain_position LIMIT 1",
      {sha}));
}

absl::StatusOr<std::vector<ChainLink>> ChainOfBody(Transaction& tx, const BodyName& body) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT name, chain_position, sha256, text, data FROM adjustments"
               " WHERE body_id = ?1 ORDER BY chain_position",
               {body.body_id}));
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

absl::StatusOr<bool> MarkNoticeOverdue(Transaction& tx, const AdjustmentName& adjustment,
                                       const std::string& municipality) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT OR IGNORE INTO notice_overdue (adjustment, municipality) VALUES (?1, ?2)",
              {adjustment.ToString(), municipality}));
  return tx.Changes() > 0;
}

// ------------------------------------------------------------ extracts

absl::Status InsertExtract(Transaction& tx, const v1::Extract& e) {
  return tx.Exec("INSERT INTO extracts (name, paragraph, sha256, data) VALUES (?1, ?2, ?3, ?4)",
                 {e.name(), e.paragraph(), e.sha256(), Blob{e.SerializeAsString()}});
}

absl::StatusOr<std::optional<v1::Extract>> GetExtract(Transaction& tx, const ExtractName& name) {
  return platform::QueryProto<v1::Extract>(tx, "SELECT data FROM extracts WHERE name = ?1",
                                           {name.ToString()}, platform::kDataOnly);
}

absl::StatusOr<std::vector<v1::Extract>> ExtractsOfParagraph(Transaction& tx,
                                                             const ParagraphName& paragraph) {
  return platform::QueryProtos<v1::Extract>(
      tx, "SELECT data FROM extracts WHERE paragraph = ?1 ORDER BY rowid", {paragraph.ToString()},
      platform::kDataOnly);
}

absl::StatusOr<std::optional<v1::Extract>> FindExtractBySha(Transaction& tx,
                                                            const std::string& sha) {
  return platform::QueryProto<v1::Extract>(
      tx, "SELECT data FROM extracts WHERE sha256 = ?1 ORDER BY rowid LIMIT 1", {sha},
      platform::kDataOnly);
}

// ------------------------------------------------------------ secrecy

absl::Status InsertPublicVersion(Transaction& tx, const std::string& name, const PublicVersion& v) {
  return tx.Exec("INSERT INTO public_versions (name, sha256, text, html) VALUES (?1, ?2, ?3, ?4)",
                 {name, v.sha256, Blob{v.text}, Blob{v.html}});
}

namespace {

absl::StatusOr<std::optional<PublicVersion>> PublicVersionRow(Transaction& tx,
                                                              absl::string_view sql,
                                                              const std::string& key) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row, tx.QueryOne(sql, {key}));
  if (!row.has_value()) return std::optional<PublicVersion>();
  return std::optional<PublicVersion>(
      PublicVersion{row->Text(0), row->Text(1), row->Text(2), row->Text(3)});
}

}  // namespace

absl::StatusOr<std::optional<PublicVersion>> GetPublicVersion(Transaction& tx,
                                                              const std::string& name) {
  return PublicVersionRow(
      tx, "SELECT name, sha256, text, html FROM public_versions WHERE name = ?1", name);
}

absl::StatusOr<std::optional<PublicVersion>> FindPublicVersionBySha(Transaction& tx,
                                                                    const std::string& sha) {
  return PublicVersionRow(tx,
                          "SELECT name, sha256, text, html FROM public_versions WHERE sha256 = ?1"
                          " ORDER BY rowid LIMIT 1",
                          sha);
}

namespace {
const char* VersionWord(DocumentVersion v) {
  return v == DocumentVersion::kFull ? "full" : "public";
}
}  // namespace

absl::Status InsertDocumentBlocks(Transaction& tx, const std::string& name, DocumentVersion version,
                                  const std::string& encoded) {
  return tx.Exec("INSERT INTO document_blocks (name, version, blocks) VALUES (?1, ?2, ?3)",
                 {name, std::string(VersionWord(version)), Blob{encoded}});
}

absl::StatusOr<std::optional<std::string>> GetDocumentBlocks(Transaction& tx,
                                                             const std::string& name,
                                                             DocumentVersion version) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT blocks FROM document_blocks WHERE name = ?1 AND version = ?2",
                  {name, std::string(VersionWord(version))}));
  if (!row.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

absl::Status InsertSealedEvent(Transaction& tx, int64_t sequence, const std::string& payload) {
  return tx.Exec("INSERT INTO sealed_events (sequence, payload) VALUES (?1, ?2)",
                 {sequence, Blob{payload}});
}

absl::StatusOr<std::map<int64_t, std::string>> SealedEvents(Transaction& tx, int64_t after,
                                                            int64_t last) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT sequence, payload FROM sealed_events WHERE sequence > ?1 AND sequence <= ?2",
               {after, last}));
  std::map<int64_t, std::string> out;
  for (const Row& row : rows) out[row.Int(0)] = row.Text(1);
  return out;
}

}  // namespace store
}  // namespace enamnd::meetings
