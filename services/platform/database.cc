#include "services/platform/database.h"

#include <sqlite3.h>

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/platform/metrics.h"

namespace enamnd::platform {
namespace {

const std::string kEmpty;

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  std::string text = absl::StrCat(context, ": ", message);
  if (primary == SQLITE_CONSTRAINT) {
    text = absl::StrCat("conflicts with a stored record (", message, ")");
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return absl::AlreadyExistsError(text);
    }
    return absl::FailedPreconditionError(text);
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return absl::UnavailableError(text);
  return absl::InternalError(text);
}

}  // namespace

bool Row::IsNull(int column) const {
  return std::holds_alternative<std::monostate>(values_.at(column));
}
int64_t Row::Int(int column) const {
  const SqlValue& v = values_.at(column);
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  return 0;
}
double Row::Real(int column) const {
  const SqlValue& v = values_.at(column);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return 0;
}
const std::string& Row::Text(int column) const {
  const SqlValue& v = values_.at(column);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return kEmpty;
}

// One SQLite connection with a statement cache; used by one transaction at a
// time (the mutex is held from BEGIN to COMMIT/ROLLBACK).
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto connection = std::unique_ptr<Connection>(new Connection(db));
    if (rc != SQLITE_OK) return SqliteError(db, rc, absl::StrCat("open ", path));
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL"}) {
      absl::Status status = connection->ExecRaw(pragma);
      if (!status.ok()) return status;
    }
    return connection;
  }

  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  absl::Mutex& mutex() { return mutex_; }

  absl::Status ExecRaw(const char* sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      sqlite3_free(error);
      return SqliteError(db_, rc, sql);
    }
    return absl::OkStatus();
  }

  // Runs a statement; collects rows when `rows` is not null.
  absl::Status Run(absl::string_view sql, const std::vector<SqlValue>& params,
                   std::vector<Row>* rows) {
    sqlite3_stmt* stmt = nullptr;
    std::string key(sql);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v2(db_, key.c_str(), static_cast<int>(key.size()), &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, absl::StrCat("prepare ", sql));
      cache_.emplace(key, stmt);
    }
    // Reset and unbind whatever happens below.
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt};
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return absl::InternalError(absl::StrCat("parameter count mismatch for ", sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()),
                               SQLITE_TRANSIENT);
      } else if (const auto* b = std::get_if<Blob>(&v)) {
        rc = sqlite3_bind_blob(stmt, index, b->bytes.data(), static_cast<int>(b->bytes.size()),
                               SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return SqliteError(db_, rc, sql);
      if (rows == nullptr) continue;
      int columns = sqlite3_column_count(stmt);
      std::vector<SqlValue> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_TEXT:
            values.emplace_back(
                std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                            sqlite3_column_bytes(stmt, c)));
            break;
          case SQLITE_BLOB: {
            const char* data = static_cast<const char*>(sqlite3_column_blob(stmt, c));
            values.emplace_back(
                Blob{std::string(data == nullptr ? "" : data, sqlite3_column_bytes(stmt, c))});
            break;
          }
          default:
            values.emplace_back(std::monostate{});
        }
      }
      rows->emplace_back(std::move(values));
    }
    return absl::OkStatus();
  }

  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const { return sqlite3_changes(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  absl::Mutex mutex_;
  std::map<std::string, sqlite3_stmt*> cache_;
};

Transaction::Transaction(Connection* connection, MovableLock lock, bool writes)
    : connection_(connection), lock_(std::move(lock)), writes_(writes) {}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(other.connection_),
      lock_(std::move(other.lock_)),
      writes_(other.writes_),
      done_(other.done_),
      on_commit_(std::move(other.on_commit_)) {
  other.done_ = true;
  other.connection_ = nullptr;
}

Transaction::~Transaction() {
  if (connection_ == nullptr) return;
  if (!done_) connection_->ExecRaw("ROLLBACK").IgnoreError();
  // lock_ unlocks the connection as it is destroyed.
}

absl::Status Transaction::Exec(absl::string_view sql, const std::vector<SqlValue>& params) {
  return connection_->Run(sql, params, nullptr);
}

absl::StatusOr<std::vector<Row>> Transaction::Query(absl::string_view sql,
                                                    const std::vector<SqlValue>& params) {
  std::vector<Row> rows;
  absl::Status status = connection_->Run(sql, params, &rows);
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::optional<Row>> Transaction::QueryOne(absl::string_view sql,
                                                         const std::vector<SqlValue>& params) {
  absl::StatusOr<std::vector<Row>> rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

int64_t Transaction::LastInsertId() const { return connection_->LastInsertId(); }
int64_t Transaction::Changes() const { return connection_->Changes(); }

void Transaction::OnCommit(std::function<void()> callback) {
  on_commit_.push_back(std::move(callback));
}

absl::Status Transaction::Commit(Durability durability) {
  (void)durability;  // synchronous=FULL: every commit is flushed
  if (done_) return absl::FailedPreconditionError("transaction already finished");
  absl::Time start = absl::Now();
  absl::Status status = connection_->ExecRaw("COMMIT");
  if (!status.ok()) return status;  // the destructor rolls back
  if (writes_) RecordSqliteCommit(absl::Now() - start);
  done_ = true;
  connection_ = nullptr;
  lock_.Unlock();  // callbacks run outside the connection lock
  for (auto& callback : on_commit_) callback();
  on_commit_.clear();
  return absl::OkStatus();
}

Database::Database(std::string path, std::unique_ptr<Connection> writer,
                   std::unique_ptr<Connection> reader)
    : path_(std::move(path)), writer_(std::move(writer)), reader_(std::move(reader)) {}

Database::~Database() = default;

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const std::string& path, const std::vector<MigrationSet>& migrations) {
  auto writer = Connection::Open(path);
  if (!writer.ok()) return writer.status();
  auto db = std::unique_ptr<Database>(new Database(path, std::move(*writer), nullptr));
  absl::Status status = db->Migrate(migrations);
  if (!status.ok()) return status;
  auto reader = Connection::Open(path);
  if (!reader.ok()) return reader.status();
  db->reader_ = std::move(*reader);
  return db;
}

absl::StatusOr<Transaction> Database::Begin() {
  MovableLock lock(&writer_->mutex());
  absl::Status status = writer_->ExecRaw("BEGIN IMMEDIATE");
  if (!status.ok()) return status;  // `lock` unlocks
  return Transaction(writer_.get(), std::move(lock), /*writes=*/true);
}

absl::Status Database::Sync() { return absl::OkStatus(); }

int64_t Database::syncs() const { return 0; }

absl::StatusOr<Transaction> Database::BeginRead() {
  MovableLock lock(&reader_->mutex());
  absl::Status status = reader_->ExecRaw("BEGIN");
  if (!status.ok()) return status;  // `lock` unlocks
  return Transaction(reader_.get(), std::move(lock), /*writes=*/false);
}

absl::Status Database::Migrate(const std::vector<MigrationSet>& migrations) {
  absl::Status status = writer_->ExecRaw(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,"
      " PRIMARY KEY (component, version))");
  if (!status.ok()) return status;
  for (const MigrationSet& set : migrations) {
    {
      absl::StatusOr<Transaction> tx = Begin();
      if (!tx.ok()) return tx.status();
      auto newest = tx->QueryOne(
          "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?1",
          {set.component});
      if (!newest.ok()) return newest.status();
      if ((*newest)->Int(0) > static_cast<int64_t>(set.steps.size())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "database schema of ", set.component, " is at version ", (*newest)->Int(0),
            " but this binary knows only ", set.steps.size(), "; refusing to run an older binary"));
      }
    }
    for (size_t i = 0; i < set.steps.size(); ++i) {
      int64_t version = static_cast<int64_t>(i) + 1;
      absl::StatusOr<Transaction> tx = Begin();
      if (!tx.ok()) return tx.status();
      auto applied =
          tx->QueryOne("SELECT 1 FROM schema_migrations WHERE component = ?1 AND version = ?2",
                       {set.component, version});
      if (!applied.ok()) return applied.status();
      if (applied->has_value()) continue;
      // Each step may hold several statements, so it runs unprepared; steps
      // are constants in the code, never built from input.
      status = writer_->ExecRaw(set.steps[i].c_str());
      if (!status.ok()) {
        return absl::Status(status.code(), absl::StrCat("migration ", set.component, " ", version,
                                                        ": ", status.message()));
      }
      status = tx->Exec(
          "INSERT INTO schema_migrations (component, version, applied_at)"
          " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
          {set.component, version});
      if (!status.ok()) return status;
      status = tx->Commit();
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace enamnd::platform
