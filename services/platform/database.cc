#include "services/platform/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/platform/log.h"
#include "services/platform/metrics.h"

namespace enamnd::platform {
namespace {

const std::string kEmpty;

// Page cache per connection, in KiB (cache_size=-N). Reads of the database
// file go through mmap and take no cache pages; what the cache holds is
// pages read from the WAL and, on the writer, the pages a transaction
// changes. The cache fills only as pages are used, so an idle service holds
// little of it.
constexpr int kWriterCacheKib = 8192;
constexpr int kReaderCacheKib = 2048;
// Database file mapped for reads (virtual; resident only as pages are
// touched, and then shared with the kernel's page cache).
constexpr int64_t kMmapBytes = int64_t{256} << 20;

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

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
// time (the one whose ConnectionLease holds it).
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, int cache_kib) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto connection = std::unique_ptr<Connection>(new Connection(db));
    if (rc != SQLITE_OK) return SqliteError(db, rc, absl::StrCat("open ", path));
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    // synchronous=NORMAL: COMMIT appends to the WAL without flushing it;
    // WalFlusher flushes it for durable commits. SQLite still syncs the WAL
    // before a checkpoint copies it into the database, and the database
    // after, so a crash never leaves a half-checkpointed file.
    for (const std::string& pragma :
         {std::string("PRAGMA journal_mode=WAL"), std::string("PRAGMA foreign_keys=ON"),
          std::string("PRAGMA synchronous=NORMAL"), absl::StrCat("PRAGMA cache_size=-", cache_kib),
          absl::StrCat("PRAGMA mmap_size=", kMmapBytes)}) {
      absl::Status status = connection->ExecRaw(pragma.c_str());
      if (!status.ok()) return status;
    }
    return connection;
  }

  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  absl::Status ExecRaw(const char* sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      sqlite3_free(error);
      return SqliteError(db_, rc, sql);
    }
    return absl::OkStatus();
  }

  // A statement without parameters or rows (BEGIN, COMMIT, ROLLBACK),
  // prepared once per connection: sqlite3_exec would parse it every time.
  absl::Status ExecCached(absl::string_view sql) { return Run(sql, {}, nullptr); }

  // Runs a statement; collects rows when `rows` is not null.
  absl::Status Run(absl::string_view sql, const std::vector<SqlValue>& params,
                   std::vector<Row>* rows) {
    sqlite3_stmt* stmt = nullptr;
    auto it = cache_.find(sql);  // no copy of the text to look it up
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, absl::StrCat("prepare ", sql));
      cache_.emplace(std::string(sql), stmt);
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
  int64_t TotalChanges() const { return sqlite3_total_changes64(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  absl::flat_hash_map<std::string, sqlite3_stmt*> cache_;
};

// Hands out the connections it owns, one transaction at a time each.
class ConnectionPool {
 public:
  explicit ConnectionPool(std::vector<std::unique_ptr<Connection>> connections)
      : connections_(std::move(connections)) {
    for (const auto& connection : connections_) free_.push_back(connection.get());
  }

  // Waits until a connection is free.
  ConnectionLease Acquire() {
    absl::MutexLock lock(&mutex_);
    while (free_.empty()) freed_.Wait(&mutex_);
    Connection* connection = free_.back();
    free_.pop_back();
    return ConnectionLease(this, connection);
  }

  void Return(Connection* connection) {
    absl::MutexLock lock(&mutex_);
    free_.push_back(connection);
    freed_.Signal();
  }

 private:
  const std::vector<std::unique_ptr<Connection>> connections_;
  absl::Mutex mutex_;
  absl::CondVar freed_;
  std::vector<Connection*> free_ ABSL_GUARDED_BY(mutex_);
};

ConnectionLease::ConnectionLease(ConnectionLease&& other) noexcept
    : pool_(other.pool_), connection_(other.connection_) {
  other.connection_ = nullptr;
}

void ConnectionLease::Release() {
  if (connection_ != nullptr) pool_->Return(connection_);
  connection_ = nullptr;
}

// Group commit. Each write transaction takes a ticket (in commit order: the
// writer connection serialises them) just before its COMMIT; the ticket
// counts as committed once COMMIT has returned, i.e. once its frames are
// written to the WAL file. A durable commit then waits until a flush
// (fdatasync of the WAL) that started after its COMMIT has finished. The
// first waiter that finds no flush running leads one, covering every ticket
// committed when it starts; the others wait for it and, if it did not cover
// them, one of them leads the next.
//
// The flush uses a descriptor of its own on the WAL file, opened at the
// first flush: fdatasync acts on the file, whichever descriptor names it.
// SQLite deletes the WAL only when the last connection to the database
// closes, which cannot happen while this Database holds its connections, so
// the file flushed is the one SQLite writes. Before each flush that is
// still checked (the path must name the inode first opened); if someone
// removed or replaced the file, SQLite writes to a file the flush no longer
// reaches, and the flush fails rather than flush the wrong file. The
// descriptor holds no lock: SQLite locks the database and -shm files, never
// the WAL, so opening and closing it cannot drop one of SQLite's POSIX
// locks.
class WalFlusher {
 public:
  WalFlusher(std::string wal_path, std::function<void(const CommitTrace&)> trace,
             std::function<void(const absl::Status&)> on_failure)
      : wal_path_(std::move(wal_path)),
        trace_(std::move(trace)),
        on_failure_(std::move(on_failure)) {}

  ~WalFlusher() {
    absl::MutexLock lock(&file_mutex_);
    if (wal_fd_ >= 0) close(wal_fd_);
  }

  // Once a flush failed, nothing written after it can be vouched for.
  absl::Status failure() {
    absl::MutexLock lock(&mutex_);
    return failure_;
  }

  // A write transaction is about to wait for the writer connection. Every
  // WriteBegun is matched by EndCommit or WriteEnded.
  void WriteBegun() {
    absl::MutexLock lock(&mutex_);
    ++writes_begun_;
  }

  // A write transaction ended without COMMIT (rolled back, or BEGIN failed).
  void WriteEnded() {
    absl::MutexLock lock(&mutex_);
    ++writes_ended_;
    if (gathering_) gathered_.Signal();
  }

  // Called with the writer connection held, just before COMMIT. `vouched`:
  // a durable commit, which readers must not report before its flush.
  int64_t BeginCommit(bool vouched) {
    absl::MutexLock lock(&mutex_);
    ++issued_;
    if (vouched) vouched_ = issued_;
    return issued_;
  }

  // Called with the writer connection held, once COMMIT returned. A failed
  // COMMIT's ticket counts as committed too (flushing past it is harmless),
  // so that a Sync that counted on it does not wait for ever. Either way the
  // write transaction has ended.
  void EndCommit(int64_t ticket, bool ok, Durability durability) {
    {
      absl::MutexLock lock(&mutex_);
      committed_ = ticket;
      ++writes_ended_;
      if (ok) Trace(CommitTrace::Kind::kCommitted, ticket);
      if (commit_waiters_ > 0) changed_.SignalAll();
      if (gathering_) gathered_.Signal();
    }
    if (ok) CountSqliteCommit(durability == Durability::kDurable);
  }

  // What a Sync waits for.
  enum class Covering {
    // Every ticket issued so far, deferred commits included (Database::Sync).
    // A COMMIT that is running as it is called counts: a reader may already
    // see its rows.
    kEverything,
    // Every durable commit issued so far: what a transaction that ends waits
    // for (it may have seen any of them). Deferred commits are left to the
    // next flush: no one vouches for them, readers included.
    kDurableCommits,
  };

  // Free when what it covers is flushed already.
  absl::Status Sync(Covering covering) {
    int64_t ticket;
    {
      absl::MutexLock lock(&mutex_);
      ticket = covering == Covering::kEverything ? issued_ : vouched_;
      if (durable_ >= ticket) return absl::OkStatus();
    }
    return WaitDurable(ticket);
  }

  absl::Status WaitDurable(int64_t ticket) {
    while (true) {
      int64_t target;
      {
        absl::MutexLock lock(&mutex_);
        while (true) {
          if (durable_ >= ticket) return absl::OkStatus();
          if (!failure_.ok()) return failure_;
          if (!flushing_ && committed_ >= ticket) break;
          // Only a Sync waits for a ticket whose COMMIT is still running.
          bool for_commit = committed_ < ticket;
          if (for_commit) ++commit_waiters_;
          changed_.Wait(&mutex_);
          if (for_commit) --commit_waiters_;
        }
        flushing_ = true;
        GatherWritesUnderWay();
        target = committed_;
        Trace(CommitTrace::Kind::kFlushStarted, target);
      }
      absl::Time flush_start = absl::Now();
      absl::Status status = FlushWalFile();
      absl::Duration flush_time = absl::Now() - flush_start;
      bool failed_now = false;
      {
        absl::MutexLock lock(&mutex_);
        flushing_ = false;
        if (status.ok()) {
          durable_ = std::max(durable_, target);
          last_flush_time_ = flush_time;
          ++syncs_;
          Trace(CommitTrace::Kind::kFlushed, target);
        } else if (failure_.ok()) {
          failure_ = absl::InternalError(
              absl::StrCat("flushing the SQLite WAL failed, so commits cannot be made durable any "
                           "more (restart the service): ",
                           status.message()));
          LogError("database", failure_.message());
          failed_now = true;
        }
        changed_.SignalAll();
      }
      if (status.ok()) CountSqliteWalSync();
      if (failed_now && on_failure_) on_failure_(status);
    }
  }

  void TraceReturned(int64_t ticket) {
    if (trace_) trace_(CommitTrace{CommitTrace::Kind::kReturned, ticket});
  }

  int64_t syncs() const {
    absl::MutexLock lock(&mutex_);
    return syncs_;
  }

 private:
  void Trace(CommitTrace::Kind kind, int64_t ticket) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (trace_) trace_(CommitTrace{kind, ticket});
  }

  // The leader of a flush first lets the write transactions already under
  // way (holding or queued for the writer connection) commit, so that one
  // flush covers them too instead of each needing the next. It waits at
  // most four times as long as the last flush took, and never more than
  // kMaxGather: a flush costs more than its disk time (the syscall, waking
  // every waiter), and with a fast disk the CPU is the limit, so sharing
  // flushes wider raised throughput in tools/bench (32 clients: 0.25 -> 0.14
  // flushes per decision, 2220 -> 2490 decisions/s). It does not wait at
  // all when no other write is under way (one client), and those already
  // waiting for a flush are not under way, so a disk that is the limit
  // (everyone waiting for it) adds no delay.
  void GatherWritesUnderWay() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    const int64_t under_way = writes_begun_;
    if (writes_ended_ >= under_way) return;
    const absl::Time until = absl::Now() + std::min(4 * last_flush_time_, kMaxGather);
    gathering_ = true;
    while (writes_ended_ < under_way) {
      if (gathered_.WaitWithDeadline(&mutex_, until)) break;  // timed out
    }
    gathering_ = false;
  }

  // Only the flush's leader calls it (flushing_ is set), so file_mutex_ is
  // never contended; it makes the descriptor's owner explicit.
  absl::Status FlushWalFile() {
    absl::MutexLock lock(&file_mutex_);
    if (wal_fd_ < 0) {
      absl::Status status = OpenWalFile();
      if (!status.ok()) return status;
    } else {
      struct stat on_path;
      if (stat(wal_path_.c_str(), &on_path) != 0) return ErrnoError("stat", wal_path_);
      if (on_path.st_ino != wal_inode_ || on_path.st_dev != wal_device_) {
        return absl::InternalError(
            absl::StrCat(wal_path_, " was replaced while the database was open"));
      }
    }
    if (fdatasync(wal_fd_) != 0) return ErrnoError("fdatasync", wal_path_);
    return absl::OkStatus();
  }

  // Opens the WAL and syncs its directory: SQLite syncs the directory entry
  // of a new WAL only at its own first sync, which synchronous=NORMAL leaves
  // to the first checkpoint.
  absl::Status OpenWalFile() ABSL_EXCLUSIVE_LOCKS_REQUIRED(file_mutex_) {
    wal_fd_ = open(wal_path_.c_str(), O_RDWR | O_CLOEXEC);
    if (wal_fd_ < 0) return ErrnoError("open", wal_path_);
    struct stat opened;
    if (fstat(wal_fd_, &opened) != 0) return ErrnoError("fstat", wal_path_);
    wal_inode_ = opened.st_ino;
    wal_device_ = opened.st_dev;
    size_t slash = wal_path_.rfind('/');
    std::string directory = slash == std::string::npos ? "." : wal_path_.substr(0, slash + 1);
    int directory_fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd < 0) return ErrnoError("open", directory);
    int rc = fsync(directory_fd);
    close(directory_fd);
    if (rc != 0) return ErrnoError("fsync", directory);
    return absl::OkStatus();
  }

  // The longest a leader waits for writes under way before it flushes.
  static constexpr absl::Duration kMaxGather = absl::Milliseconds(2);

  const std::string wal_path_;
  const std::function<void(const CommitTrace&)> trace_;
  const std::function<void(const absl::Status&)> on_failure_;

  mutable absl::Mutex mutex_;
  absl::CondVar changed_;   // a flush ended, or a COMMIT a Sync waits for did
  absl::CondVar gathered_;  // a write ended while a leader gathers
  int64_t writes_begun_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t writes_ended_ ABSL_GUARDED_BY(mutex_) = 0;
  bool gathering_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Duration last_flush_time_ ABSL_GUARDED_BY(mutex_) = absl::ZeroDuration();
  int64_t issued_ ABSL_GUARDED_BY(mutex_) = 0;     // last ticket handed out
  int64_t vouched_ ABSL_GUARDED_BY(mutex_) = 0;    // last ticket of a durable commit
  int64_t committed_ ABSL_GUARDED_BY(mutex_) = 0;  // last ticket whose COMMIT returned
  int64_t durable_ ABSL_GUARDED_BY(mutex_) = 0;    // last ticket flushed
  bool flushing_ ABSL_GUARDED_BY(mutex_) = false;
  int commit_waiters_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t syncs_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mutex_);

  absl::Mutex file_mutex_;
  int wal_fd_ ABSL_GUARDED_BY(file_mutex_) = -1;
  ino_t wal_inode_ ABSL_GUARDED_BY(file_mutex_) = 0;
  dev_t wal_device_ ABSL_GUARDED_BY(file_mutex_) = 0;
};

Transaction::Transaction(ConnectionLease lease, WalFlusher* flusher, bool read_only)
    : lease_(std::move(lease)), flusher_(flusher), read_only_(read_only) {}

Transaction::Transaction(Transaction&& other) noexcept
    : lease_(std::move(other.lease_)),
      flusher_(other.flusher_),
      read_only_(other.read_only_),
      must_be_durable_(other.must_be_durable_),
      done_(other.done_),
      on_commit_(std::move(other.on_commit_)) {
  other.done_ = true;
}

Transaction::~Transaction() {
  if (connection() == nullptr || done_) return;
  connection()->ExecCached("ROLLBACK").IgnoreError();
  if (!read_only_) flusher_->WriteEnded();
  EndSeen();
}

namespace {
thread_local bool unvouched_read = false;
thread_local std::atomic<bool>* unvouched_read_mark = nullptr;
}  // namespace

bool TakeUnvouchedRead() { return std::exchange(unvouched_read, false); }

ScopedUnvouchedReadMark::ScopedUnvouchedReadMark(std::atomic<bool>* mark)
    : previous_(std::exchange(unvouched_read_mark, mark)) {}

ScopedUnvouchedReadMark::~ScopedUnvouchedReadMark() { unvouched_read_mark = previous_; }

void Transaction::EndSeen() {
  lease_.Release();
  // A failed flush is logged, and reported through on_failure, by the
  // flusher; the call this transaction served learns it from
  // TakeUnvouchedRead.
  if (!flusher_->Sync(WalFlusher::Covering::kDurableCommits).ok()) {
    unvouched_read = true;
    if (unvouched_read_mark != nullptr) unvouched_read_mark->store(true);
  }
}

absl::Status Transaction::Exec(absl::string_view sql, const std::vector<SqlValue>& params) {
  return connection()->Run(sql, params, nullptr);
}

absl::StatusOr<std::vector<Row>> Transaction::Query(absl::string_view sql,
                                                    const std::vector<SqlValue>& params) {
  std::vector<Row> rows;
  absl::Status status = connection()->Run(sql, params, &rows);
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

int64_t Transaction::LastInsertId() const { return connection()->LastInsertId(); }
int64_t Transaction::Changes() const { return connection()->Changes(); }
int64_t Transaction::TotalChanges() const { return connection()->TotalChanges(); }
void Transaction::MustBeDurable() { must_be_durable_ = true; }

void Transaction::OnCommit(std::function<void()> callback) {
  on_commit_.push_back(std::move(callback));
}

absl::Status Transaction::Commit(Durability durability) {
  if (done_) return absl::FailedPreconditionError("transaction already finished");
  if (read_only_) {
    absl::Status status = connection()->ExecCached("COMMIT");
    if (!status.ok()) return status;  // the destructor rolls back
    done_ = true;
    lease_.Release();
    status = flusher_->Sync(WalFlusher::Covering::kDurableCommits);
    if (!status.ok()) return status;
    for (auto& callback : on_commit_) callback();
    on_commit_.clear();
    return absl::OkStatus();
  }
  if (must_be_durable_) durability = Durability::kDurable;
  absl::Time start = absl::Now();
  int64_t ticket = flusher_->BeginCommit(durability == Durability::kDurable);
  absl::Status status = connection()->ExecCached("COMMIT");
  flusher_->EndCommit(ticket, status.ok(), durability);
  if (!status.ok()) {
    // The write has ended (EndCommit); the destructor still rolls back.
    done_ = true;
    connection()->ExecCached("ROLLBACK").IgnoreError();
    EndSeen();
    return status;
  }
  done_ = true;
  lease_.Release();  // the next transaction may begin while this one waits
  if (durability == Durability::kDurable) {
    status = flusher_->WaitDurable(ticket);
    if (!status.ok()) return status;
    flusher_->TraceReturned(ticket);
  }
  RecordSqliteCommit(absl::Now() - start);
  for (auto& callback : on_commit_) callback();
  on_commit_.clear();
  return absl::OkStatus();
}

Database::Database(std::string path, DatabaseOptions options)
    : path_(std::move(path)),
      flusher_(std::make_unique<WalFlusher>(path_ + "-wal", std::move(options.trace),
                                            std::move(options.on_failure))) {}

Database::~Database() = default;

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const std::string& path, const std::vector<MigrationSet>& migrations, DatabaseOptions options) {
  int reader_count = std::max(1, options.readers);
  auto db = std::unique_ptr<Database>(new Database(path, std::move(options)));
  std::vector<std::unique_ptr<Connection>> writer;
  auto connection = Connection::Open(path, kWriterCacheKib);
  if (!connection.ok()) return connection.status();
  writer.push_back(std::move(*connection));
  db->writer_ = std::make_unique<ConnectionPool>(std::move(writer));
  absl::Status status = db->Migrate(migrations);
  if (!status.ok()) return status;
  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < reader_count; ++i) {
    connection = Connection::Open(path, kReaderCacheKib);
    if (!connection.ok()) return connection.status();
    readers.push_back(std::move(*connection));
  }
  db->readers_ = std::make_unique<ConnectionPool>(std::move(readers));
  return db;
}

absl::StatusOr<Transaction> Database::Begin() {
  absl::Status status = flusher_->failure();
  if (!status.ok()) return status;
  flusher_->WriteBegun();
  ConnectionLease lease = writer_->Acquire();
  status = lease.connection()->ExecCached("BEGIN IMMEDIATE");
  if (!status.ok()) {
    flusher_->WriteEnded();
    return status;  // `lease` hands the connection back
  }
  return Transaction(std::move(lease), flusher_.get(), /*read_only=*/false);
}

absl::StatusOr<Transaction> Database::BeginRead() {
  // After a failed flush, what a read sees may not be on disk.
  absl::Status failed = flusher_->failure();
  if (!failed.ok()) return failed;
  ConnectionLease lease = readers_->Acquire();
  absl::Status status = lease.connection()->ExecCached("BEGIN");
  if (!status.ok()) return status;  // `lease` hands the connection back
  return Transaction(std::move(lease), flusher_.get(), /*read_only=*/true);
}

absl::Status Database::Sync() { return flusher_->Sync(WalFlusher::Covering::kEverything); }

int64_t Database::syncs() const { return flusher_->syncs(); }

absl::Status Database::Migrate(const std::vector<MigrationSet>& migrations) {
  absl::Status status;
  {
    absl::StatusOr<Transaction> tx = Begin();
    if (!tx.ok()) return tx.status();
    status = tx->Exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,"
        " PRIMARY KEY (component, version))");
    if (!status.ok()) return status;
    status = tx->Commit();
    if (!status.ok()) return status;
  }
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
      status = tx->connection()->ExecRaw(set.steps[i].c_str());
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
