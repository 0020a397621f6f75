#include "services/audits/store/store.h"

#include "absl/strings/str_cat.h"
#include "services/platform/status.h"

namespace enamnd::audits {
namespace {

using platform::Blob;
using platform::Row;

void SetEtag(google::protobuf::Message* m, int64_t revision) {
  const auto* field = m->GetDescriptor()->FindFieldByName("etag");
  if (field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
    m->GetReflection()->SetString(m, field, absl::StrCat(revision));
  }
}

Blob Encode(const google::protobuf::Message& m) {
  std::unique_ptr<google::protobuf::Message> copy(m.New());
  copy->CopyFrom(m);
  SetEtag(copy.get(), 0);
  const auto* field = copy->GetDescriptor()->FindFieldByName("etag");
  if (field != nullptr) copy->GetReflection()->ClearField(copy.get(), field);
  return Blob{copy->SerializeAsString()};
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
      }};
}

absl::Status AuditsStore::Insert(Transaction& tx, const std::string& collection,
                                 const std::string& parent, const google::protobuf::Message& m,
                                 const std::string& name) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> existing,
                          tx.QueryOne("SELECT 1 FROM documents WHERE name = ?1", {name}));
  if (existing.has_value()) return absl::AlreadyExistsError(absl::StrCat(name, " exists"));
  return tx.Exec(
      "INSERT INTO documents (name, collection, parent, data, revision) VALUES (?1, ?2, ?3, ?4, 1)",
      {name, collection, parent, Encode(m)});
}

absl::Status AuditsStore::Replace(Transaction& tx, const google::protobuf::Message& m,
                                  const std::string& name) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE documents SET data = ?2, revision = revision + 1 WHERE name = ?1",
              {name, Encode(m)}));
  if (tx.Changes() != 1) return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  return absl::OkStatus();
}

absl::StatusOr<bool> AuditsStore::Get(Transaction& tx, const std::string& name,
                                      google::protobuf::Message* out) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT data, revision FROM documents WHERE name = ?1", {name}));
  if (!row.has_value()) return false;
  if (!out->ParseFromString(row->Text(0))) {
    return absl::DataLossError(absl::StrCat("stored ", name, " does not parse"));
  }
  SetEtag(out, row->Int(1));
  return true;
}

absl::StatusOr<std::vector<std::string>> AuditsStore::Names(
    Transaction& tx, const std::string& collection, const std::optional<std::string>& parent) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT name FROM documents WHERE collection = ?1 AND (?2 IS NULL OR parent = ?2)"
               " ORDER BY name",
               {collection, parent.has_value() ? platform::SqlValue(*parent)
                                               : platform::SqlValue(std::monostate{})}));
  std::vector<std::string> names;
  for (const Row& row : rows) names.push_back(row.Text(0));
  return names;
}

absl::StatusOr<bool> AuditsStore::UpsertHandling(Transaction& tx, const std::string& review,
                                                 const v1::CommitteeHandling& h) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> existing,
      tx.QueryOne("SELECT 1 FROM handlings WHERE review = ?1 AND paragraph = ?2",
                  {review, h.paragraph()}));
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO handlings (review, paragraph, data) VALUES (?1, ?2, ?3)"
              " ON CONFLICT (review, paragraph) DO UPDATE SET data = excluded.data",
              {review, h.paragraph(), Blob{h.SerializeAsString()}}));
  return !existing.has_value();
}

absl::StatusOr<std::vector<v1::CommitteeHandling>> AuditsStore::Handlings(
    Transaction& tx, const std::string& review) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          tx.Query("SELECT data FROM handlings WHERE review = ?1", {review}));
  std::vector<v1::CommitteeHandling> out;
  for (const Row& row : rows) {
    v1::CommitteeHandling h;
    if (!h.ParseFromString(row.Text(0))) return absl::DataLossError("stored handling");
    out.push_back(std::move(h));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.meeting_date().year(), a.meeting_date().month(),
                           a.meeting_date().day(), a.paragraph_number()) <
           std::make_tuple(b.meeting_date().year(), b.meeting_date().month(),
                           b.meeting_date().day(), b.paragraph_number());
  });
  return out;
}

absl::StatusOr<std::optional<v1::CommitteeHandling>> AuditsStore::Handling(
    Transaction& tx, const std::string& review, const std::string& paragraph) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT data FROM handlings WHERE review = ?1 AND paragraph = ?2",
                  {review, paragraph}));
  if (!row.has_value()) return std::optional<v1::CommitteeHandling>();
  v1::CommitteeHandling h;
  if (!h.ParseFromString(row->Text(0))) return absl::DataLossError("stored handling");
  return std::optional<v1::CommitteeHandling>(std::move(h));
}

absl::StatusOr<std::vector<std::string>> AuditsStore::ReviewsOfParagraph(
    Transaction& tx, const std::string& paragraph) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT review FROM handlings WHERE paragraph = ?1 ORDER BY review", {paragraph}));
  std::vector<std::string> out;
  for (const Row& row : rows) out.push_back(row.Text(0));
  return out;
}

absl::StatusOr<bool> AuditsStore::IsRaised(Transaction& tx, const std::string& kind,
                                           const std::string& name, const std::string& detail) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT 1 FROM raised WHERE kind = ?1 AND name = ?2 AND detail = ?3",
                  {kind, name, detail}));
  return row.has_value();
}

absl::StatusOr<bool> AuditsStore::MarkRaised(Transaction& tx, const std::string& kind,
                                             const std::string& name, const std::string& detail) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT OR IGNORE INTO raised (kind, name, detail, raised_at)"
              " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
              {kind, name, detail}));
  return tx.Changes() > 0;
}

}  // namespace enamnd::audits
