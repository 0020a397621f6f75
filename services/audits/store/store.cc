#include "services/audits/store/store.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/audits/domain/rules.h"
#include "services/platform/api_util.h"
#include "services/platform/status.h"

namespace enamnd::audits {
namespace {

using platform::Blob;
using platform::KeyType;
using platform::ListQuery;
using platform::Row;
using platform::SqlInt;
using platform::SqlText;
using platform::SqlValue;
using platform::Transaction;

constexpr char kReviews[] = "reviews";
constexpr char kRecommendations[] = "recommendations";
constexpr char kControlPlans[] = "control-plans";
constexpr char kControlPoints[] = "control-points";
constexpr char kReportingYears[] = "reporting-years";

// The overdue filter names the condition of the partial index
// recommendations_due, so that SQLite may use it.
constexpr char kTracksDue[] = "d.open_due_day IS NOT NULL";

// The list columns of a document (NULL where they do not apply).
struct Columns {
  SqlValue year, number, status, open_due_day, sort_key;
};

Columns RecommendationColumns(const RecommendationName& name, const v1::Recommendation& r) {
  Columns c;
  c.year = SqlInt(name.review.year);
  c.number = SqlInt(name.number);
  c.status = SqlInt(r.status());
  if (RecommendationTracksDue(r)) {
    c.open_due_day = SqlText(platform::DayText(platform::ToCivil(r.due_date())));
  }
  return c;
}

// What is stored: the resource without its etag and output-only parts.
Blob Encode(v1::Review r) {
  r.clear_handlings();
  r.clear_recommendations();
  return platform::EncodeProto(r);
}
Blob Encode(v1::Recommendation r) {
  r.clear_overdue();
  return platform::EncodeProto(r);
}
template <typename Proto>
Blob Encode(const Proto& proto) {
  return platform::EncodeProto(proto);
}

void SetEtag(v1::Review* r, int64_t revision) { r->set_etag(absl::StrCat(revision)); }
void SetEtag(v1::Recommendation* r, int64_t revision) { r->set_etag(absl::StrCat(revision)); }
void SetEtag(v1::ReportingYear* y, int64_t revision) { y->set_etag(absl::StrCat(revision)); }

template <typename Proto>
absl::StatusOr<std::optional<Proto>> GetDocument(Transaction& tx, const std::string& name) {
  return platform::QueryProto<Proto>(tx, "SELECT data, revision FROM documents WHERE name = ?1",
                                     {name});
}

absl::Status InsertDocument(Transaction& tx, const char* collection, const std::string& parent,
                            const std::string& name, Blob data, const Columns& c = {}) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> existing,
                          tx.QueryOne("SELECT 1 FROM documents WHERE name = ?1", {name}));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(name, " exists"));
  return tx.Exec(
      "INSERT INTO documents (name, collection, parent, data, revision,"
      " year, number, status, open_due_day, sort_key)"
      " VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9)",
      {name, std::string(collection), parent, std::move(data), c.year, c.number, c.status,
       c.open_due_day, c.sort_key});
}

// Stores a new revision; returns it.
absl::StatusOr<int64_t> ReplaceDocument(Transaction& tx, const std::string& name, Blob data,
                                        const Columns& c = {}) {
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "UPDATE documents SET data = ?2, revision = revision + 1, status = ?3, open_due_day = ?4"
      " WHERE name = ?1",
      {name, std::move(data), c.status, c.open_due_day}));
  if (tx.Changes() != 1) return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT revision FROM documents WHERE name = ?1", {name}));
  return row->Int(0);
}

// The SELECT of every list: the document and its revision (the etag).
constexpr char kSelectDocuments[] = "SELECT d.data, d.revision FROM documents d";

absl::Status SaveAuditors(Transaction& tx, const v1::Review& r) {
  for (const std::string& m : r.auditing_municipalities()) {
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT OR IGNORE INTO review_auditors (municipality, review) VALUES (?1, ?2)",
                {m, r.name()}));
  }
  return absl::OkStatus();
}

}  // namespace

platform::MigrationSet AuditsMigrations() {
  return platform::MigrationSet{
      "audits",
      {
          // 1: the initial schema.
          "CREATE TABLE documents ("
          "  name TEXT PRIMARY KEY, collection TEXT NOT NULL, parent TEXT NOT NULL,"
          "  data BLOB NOT NULL, revision INTEGER NOT NULL);"
          "CREATE INDEX documents_by_collection ON documents(collection, parent, name);"
          "CREATE TABLE handlings ("
          "  review TEXT NOT NULL, paragraph TEXT NOT NULL, data BLOB NOT NULL,"
          "  PRIMARY KEY (review, paragraph));"
          "CREATE TABLE raised ("
          "  kind TEXT NOT NULL, name TEXT NOT NULL, detail TEXT NOT NULL,"
          "  raised_at TEXT NOT NULL, PRIMARY KEY (kind, name, detail));",
          // 2: the columns the lists filter and sort on, one index per
          // filter. Their values of existing rows come from the names and
          // the protos, which SQL cannot read: store::FillListColumns fills
          // them at start, asked by `list_columns_pending`.
          "ALTER TABLE documents ADD COLUMN year INTEGER;"
          "ALTER TABLE documents ADD COLUMN number INTEGER;"
          "ALTER TABLE documents ADD COLUMN status INTEGER;"
          // A recommendation's due day while it is open or in progress.
          "ALTER TABLE documents ADD COLUMN open_due_day TEXT;"
          "ALTER TABLE documents ADD COLUMN sort_key TEXT;"
          "CREATE TABLE review_auditors ("
          "  municipality TEXT NOT NULL, review TEXT NOT NULL,"
          "  PRIMARY KEY (municipality, review)) WITHOUT ROWID;"
          "CREATE INDEX reviews_by_year ON documents(collection, year, parent, name);"
          "CREATE INDEX recommendations_by_number ON documents(collection, parent, number);"
          "CREATE INDEX recommendations_by_status ON documents(collection, status, parent, number);"
          "CREATE INDEX recommendations_by_year ON documents(collection, year, parent, number);"
          "CREATE INDEX recommendations_due ON documents(collection, parent, number)"
          "  WHERE open_due_day IS NOT NULL;"
          "CREATE INDEX control_points_in_order ON documents(collection, parent, sort_key, name);"
          "CREATE TABLE list_columns_pending (id INTEGER PRIMARY KEY);"
          "INSERT INTO list_columns_pending (id) VALUES (1);",
      }};
}

namespace store {
namespace {

absl::Status FillRows(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(auto recs,
                          platform::QueryProtos<v1::Recommendation>(
                              tx, "SELECT data, revision FROM documents WHERE collection = ?1",
                              {std::string(kRecommendations)}));
  for (const v1::Recommendation& r : recs) {
    ENAMND_ASSIGN_OR_RETURN(RecommendationName name, RecommendationName::Parse(r.name(), "name"));
    Columns c = RecommendationColumns(name, r);
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("UPDATE documents SET year = ?2, number = ?3, status = ?4, open_due_day = ?5"
                " WHERE name = ?1",
                {r.name(), c.year, c.number, c.status, c.open_due_day}));
  }
  ENAMND_ASSIGN_OR_RETURN(auto reviews,
                          platform::QueryProtos<v1::Review>(tx,
                                                            "SELECT data, revision FROM documents"
                                                            " WHERE collection = ?1",
                                                            {std::string(kReviews)}));
  for (const v1::Review& r : reviews) {
    ENAMND_ASSIGN_OR_RETURN(ReviewName name, ReviewName::Parse(r.name(), "name"));
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("UPDATE documents SET year = ?2 WHERE name = ?1", {r.name(), SqlInt(name.year)}));
    ENAMND_RETURN_IF_ERROR(SaveAuditors(tx, r));
  }
  ENAMND_ASSIGN_OR_RETURN(
      auto points, platform::QueryProtos<v1::ControlPoint>(tx,
                                                           "SELECT data, revision FROM documents"
                                                           " WHERE collection = ?1",
                                                           {std::string(kControlPoints)}));
  for (const v1::ControlPoint& p : points) {
    ENAMND_ASSIGN_OR_RETURN(ControlPointName name, ControlPointName::Parse(p.name(), "name"));
    ENAMND_RETURN_IF_ERROR(tx.Exec("UPDATE documents SET sort_key = ?2 WHERE name = ?1",
                                   {p.name(), NaturalSortKey(name.id)}));
  }
  return tx.Exec("DELETE FROM list_columns_pending");
}

}  // namespace

absl::Status FillListColumns(platform::Database* db) {
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(std::optional<Row> pending,
                            tx.QueryOne("SELECT 1 FROM list_columns_pending LIMIT 1"));
    if (!pending.has_value()) return absl::OkStatus();
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db->Begin());
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> pending,
                          tx.QueryOne("SELECT 1 FROM list_columns_pending LIMIT 1"));
  if (!pending.has_value()) return absl::OkStatus();  // another call filled them
  ENAMND_RETURN_IF_ERROR(FillRows(tx));
  return tx.Commit();
}

// ------------------------------------------------------------ reviews

absl::StatusOr<std::optional<v1::Review>> GetReview(Transaction& tx, const ReviewName& name) {
  return GetDocument<v1::Review>(tx, name.ToString());
}

absl::Status InsertReview(Transaction& tx, const ReviewName& name, v1::Review* review) {
  Columns c;
  c.year = SqlInt(name.year);
  ENAMND_RETURN_IF_ERROR(InsertDocument(tx, kReviews, "", name.ToString(), Encode(*review), c));
  ENAMND_RETURN_IF_ERROR(SaveAuditors(tx, *review));
  SetEtag(review, 1);
  return absl::OkStatus();
}

absl::Status ReplaceReview(Transaction& tx, v1::Review* review) {
  ENAMND_ASSIGN_OR_RETURN(int64_t revision, ReplaceDocument(tx, review->name(), Encode(*review)));
  SetEtag(review, revision);
  return absl::OkStatus();
}

absl::Status CompleteReview(Transaction& tx, v1::Review* r) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          tx.Query("SELECT data FROM handlings WHERE review = ?1", {r->name()}));
  std::vector<v1::CommitteeHandling> handlings;
  for (const Row& row : rows) {
    ENAMND_ASSIGN_OR_RETURN(auto h,
                            platform::DecodeProto<v1::CommitteeHandling>(row, platform::kDataOnly));
    handlings.push_back(std::move(h));
  }
  auto order = [](const v1::CommitteeHandling& h) {
    return std::make_tuple(h.meeting_date().year(), h.meeting_date().month(),
                           h.meeting_date().day(), h.paragraph_number());
  };
  std::sort(handlings.begin(), handlings.end(),
            [&](const auto& a, const auto& b) { return order(a) < order(b); });
  r->clear_handlings();
  for (auto& h : handlings) *r->add_handlings() = std::move(h);
  ENAMND_ASSIGN_OR_RETURN(
      rows, tx.Query("SELECT name FROM documents WHERE collection = ?1 AND parent = ?2"
                     " ORDER BY number",
                     {std::string(kRecommendations), r->name()}));
  r->clear_recommendations();
  for (const Row& row : rows) r->add_recommendations(row.Text(0));
  return absl::OkStatus();
}

ListQuery ReviewsQuery(const ReviewFilter& filter, absl::string_view filter_text) {
  std::string scope = absl::StrCat("ListReviews|", filter_text);
  if (filter.municipality.has_value()) {
    // Driven from the auditors table: one seek per municipality.
    ListQuery q(scope,
                "SELECT d.data, d.revision FROM review_auditors a"
                " JOIN documents d ON d.name = a.review",
                {{"a.review", KeyType::kText}});
    q.Where("a.municipality = ?", {*filter.municipality});
    if (filter.year.has_value()) q.Where("d.year = ?", {SqlInt(*filter.year)});
    return q;
  }
  ListQuery q(scope, kSelectDocuments, {{"d.name", KeyType::kText}});
  q.Where("d.collection = ?", {std::string(kReviews)});
  if (filter.year.has_value()) q.Where("d.year = ?", {SqlInt(*filter.year)});
  q.Where("d.parent = ''");
  return q;
}

absl::StatusOr<platform::Page<v1::Review>> ListReviews(Transaction& tx, const ReviewFilter& filter,
                                                       absl::string_view filter_text, int page_size,
                                                       absl::string_view page_token) {
  ENAMND_ASSIGN_OR_RETURN(platform::Page<v1::Review> page,
                          platform::ListProtos<v1::Review>(tx, ReviewsQuery(filter, filter_text),
                                                           page_size, page_token));
  for (v1::Review& r : page.items) ENAMND_RETURN_IF_ERROR(CompleteReview(tx, &r));
  return page;
}

// ------------------------------------------------------------ recommendations

absl::StatusOr<std::optional<v1::Recommendation>> GetRecommendation(
    Transaction& tx, const RecommendationName& name) {
  return GetDocument<v1::Recommendation>(tx, name.ToString());
}

absl::StatusOr<int> CountRecommendations(Transaction& tx, const ReviewName& review) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT COUNT(*) FROM documents WHERE collection = ?1 AND parent = ?2",
                  {std::string(kRecommendations), review.ToString()}));
  return static_cast<int>(row->Int(0));
}

absl::Status InsertRecommendation(Transaction& tx, const RecommendationName& name,
                                  v1::Recommendation* rec) {
  ENAMND_RETURN_IF_ERROR(InsertDocument(tx, kRecommendations, name.review.ToString(),
                                        name.ToString(), Encode(*rec),
                                        RecommendationColumns(name, *rec)));
  SetEtag(rec, 1);
  return absl::OkStatus();
}

absl::Status ReplaceRecommendation(Transaction& tx, const RecommendationName& name,
                                   v1::Recommendation* rec) {
  ENAMND_ASSIGN_OR_RETURN(int64_t revision, ReplaceDocument(tx, name.ToString(), Encode(*rec),
                                                            RecommendationColumns(name, *rec)));
  SetEtag(rec, revision);
  return absl::OkStatus();
}

ListQuery RecommendationsQuery(const std::optional<ReviewName>& parent,
                               const RecommendationFilter& filter, absl::string_view scope_text,
                               absl::CivilDay today) {
  // Within one review the number alone is the key (a row-value key on a
  // column fixed by the WHERE clause would defeat the index).
  std::vector<platform::KeyColumn> key = {{"d.number", KeyType::kInt}};
  if (!parent.has_value()) key.insert(key.begin(), {"d.parent", KeyType::kText});
  ListQuery q(absl::StrCat("ListRecommendations|", scope_text), kSelectDocuments, key);
  q.Where("d.collection = ?", {std::string(kRecommendations)});
  if (parent.has_value()) q.Where("d.parent = ?", {parent->ToString()});
  if (filter.status.has_value()) q.Where("d.status = ?", {SqlInt(*filter.status)});
  if (filter.year.has_value()) q.Where("d.year = ?", {SqlInt(*filter.year)});
  if (filter.overdue.has_value()) {
    q.Where(*filter.overdue ? absl::StrCat(kTracksDue, " AND d.open_due_day < ?")
                            : "(d.open_due_day IS NULL OR d.open_due_day >= ?)",
            {platform::DayText(today)});
  }
  return q;
}

absl::StatusOr<platform::Page<v1::Recommendation>> ListRecommendations(
    Transaction& tx, const std::optional<ReviewName>& parent, const RecommendationFilter& filter,
    absl::string_view scope_text, absl::CivilDay today, int page_size,
    absl::string_view page_token) {
  return platform::ListProtos<v1::Recommendation>(
      tx, RecommendationsQuery(parent, filter, scope_text, today), page_size, page_token);
}

absl::StatusOr<std::vector<v1::Recommendation>> OverdueRecommendations(Transaction& tx,
                                                                       absl::CivilDay today) {
  return platform::QueryProtos<v1::Recommendation>(
      tx,
      absl::StrCat(kSelectDocuments, " WHERE d.collection = ?1 AND ", kTracksDue,
                   " AND d.open_due_day < ?2 ORDER BY d.name"),
      {std::string(kRecommendations), platform::DayText(today)});
}

// ------------------------------------------------------------ internal control

absl::StatusOr<std::optional<v1::ControlPlan>> GetControlPlan(Transaction& tx,
                                                              const ControlPlanName& name) {
  return GetDocument<v1::ControlPlan>(tx, name.ToString());
}

absl::Status InsertControlPlan(Transaction& tx, const ControlPlanName& name,
                               const v1::ControlPlan& plan) {
  return InsertDocument(tx, kControlPlans, "", name.ToString(), Encode(plan));
}

absl::StatusOr<std::optional<v1::ControlPoint>> GetControlPoint(Transaction& tx,
                                                                const ControlPointName& name) {
  return GetDocument<v1::ControlPoint>(tx, name.ToString());
}

absl::Status InsertControlPoint(Transaction& tx, const ControlPointName& name,
                                const v1::ControlPoint& point) {
  Columns c;
  c.sort_key = SqlText(NaturalSortKey(name.id));
  return InsertDocument(tx, kControlPoints, name.plan.ToString(), name.ToString(), Encode(point),
                        c);
}

absl::Status ReplaceControlPoint(Transaction& tx, const ControlPointName& name,
                                 const v1::ControlPoint& point) {
  return ReplaceDocument(tx, name.ToString(), Encode(point)).status();
}

ListQuery ControlPointsQuery(const ControlPlanName& plan) {
  ListQuery q(absl::StrCat("ListControlPoints|", plan.ToString()), kSelectDocuments,
              {{"d.sort_key", KeyType::kText}, {"d.name", KeyType::kText}});
  q.Where("d.collection = ?", {std::string(kControlPoints)});
  q.Where("d.parent = ?", {plan.ToString()});
  return q;
}

absl::StatusOr<platform::Page<v1::ControlPoint>> ListControlPoints(Transaction& tx,
                                                                   const ControlPlanName& plan,
                                                                   int page_size,
                                                                   absl::string_view page_token) {
  return platform::ListProtos<v1::ControlPoint>(tx, ControlPointsQuery(plan), page_size,
                                                page_token);
}

absl::StatusOr<std::vector<v1::ControlPoint>> AllControlPoints(
    Transaction& tx, const std::optional<ControlPlanName>& plan) {
  if (plan.has_value()) {
    return platform::QueryProtos<v1::ControlPoint>(
        tx,
        absl::StrCat(kSelectDocuments, " WHERE d.collection = ?1 AND d.parent = ?2",
                     " ORDER BY d.name"),
        {std::string(kControlPoints), plan->ToString()});
  }
  return platform::QueryProtos<v1::ControlPoint>(
      tx, absl::StrCat(kSelectDocuments, " WHERE d.collection = ?1 ORDER BY d.name"),
      {std::string(kControlPoints)});
}

// ------------------------------------------------------------ reporting wheel

absl::StatusOr<std::optional<v1::ReportingYear>> GetReportingYear(Transaction& tx,
                                                                  const ReportingYearName& name) {
  return GetDocument<v1::ReportingYear>(tx, name.ToString());
}

absl::Status InsertReportingYear(Transaction& tx, const ReportingYearName& name,
                                 v1::ReportingYear* year) {
  ENAMND_RETURN_IF_ERROR(InsertDocument(tx, kReportingYears, "", name.ToString(), Encode(*year)));
  SetEtag(year, 1);
  return absl::OkStatus();
}

absl::Status ReplaceReportingYear(Transaction& tx, const ReportingYearName& name,
                                  v1::ReportingYear* year) {
  ENAMND_ASSIGN_OR_RETURN(int64_t revision, ReplaceDocument(tx, name.ToString(), Encode(*year)));
  SetEtag(year, revision);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::ReportingYear>> AllReportingYears(Transaction& tx) {
  return platform::QueryProtos<v1::ReportingYear>(
      tx, absl::StrCat(kSelectDocuments, " WHERE d.collection = ?1 ORDER BY d.name"),
      {std::string(kReportingYears)});
}

// ------------------------------------------------------------ committee handlings

absl::StatusOr<std::optional<v1::CommitteeHandling>> GetHandling(Transaction& tx,
                                                                 const ReviewName& review,
                                                                 const std::string& paragraph) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT data FROM handlings WHERE review = ?1 AND paragraph = ?2",
                  {review.ToString(), paragraph}));
  if (!row.has_value()) return std::optional<v1::CommitteeHandling>();
  ENAMND_ASSIGN_OR_RETURN(auto h,
                          platform::DecodeProto<v1::CommitteeHandling>(*row, platform::kDataOnly));
  return std::optional<v1::CommitteeHandling>(std::move(h));
}

absl::Status PutHandling(Transaction& tx, const ReviewName& review,
                         const v1::CommitteeHandling& h) {
  return tx.Exec(
      "INSERT INTO handlings (review, paragraph, data) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (review, paragraph) DO UPDATE SET data = excluded.data",
      {review.ToString(), h.paragraph(), Blob{h.SerializeAsString()}});
}

absl::StatusOr<std::vector<ReviewName>> ReviewsOfParagraph(Transaction& tx,
                                                           const std::string& paragraph) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT review FROM handlings WHERE paragraph = ?1 ORDER BY review", {paragraph}));
  std::vector<ReviewName> out;
  for (const Row& row : rows) {
    ENAMND_ASSIGN_OR_RETURN(ReviewName name, ReviewName::Parse(row.Text(0), "handlings.review"));
    out.push_back(std::move(name));
  }
  return out;
}

// ------------------------------------------------------------ time-driven events

}  // namespace store
}  // namespace enamnd::audits
