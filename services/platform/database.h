// SQLite-backed storage with a small interface free of SQLite types, so a
// PostgreSQL backend can follow. One writer connection (serialised write
// transactions: BEGIN IMMEDIATE) whose durable commits share WAL flushes
// (group commit), and a small pool of reader connections (WAL lets reads
// proceed while a write commits, and a long scan holds only its own
// connection).
#ifndef ENAMND_PLATFORM_DATABASE_H_
#define ENAMND_PLATFORM_DATABASE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace enamnd::platform {

// A binary value (as opposed to text) for a bound parameter.
struct Blob {
  std::string bytes;
};

using SqlValue = std::variant<std::monostate, int64_t, double, std::string, Blob>;

// Bound values whose type the variant cannot pick from a literal or an enum.
inline SqlValue SqlInt(int64_t v) { return SqlValue(std::in_place_type<int64_t>, v); }
inline SqlValue SqlText(std::string v) {
  return SqlValue(std::in_place_type<std::string>, std::move(v));
}

// One result row; columns by index in the SELECT's order.
class Row {
 public:
  explicit Row(std::vector<SqlValue> values) : values_(std::move(values)) {}
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  // Text or blob bytes; empty for NULL.
  const std::string& Text(int column) const;
  size_t size() const { return values_.size(); }

 private:
  std::vector<SqlValue> values_;
};

// A named group of numbered migrations; version N is steps[N-1].
struct MigrationSet {
  std::string component;
  std::vector<std::string> steps;
};

class Connection;

// How far Transaction::Commit goes before it returns.
enum class Durability {
  // On disk: the commit's WAL frames are flushed (fdatasync) before Commit
  // returns. Concurrent commits share one flush (group commit). Use it for
  // everything a reply or an acknowledgement vouches for.
  kDurable,
  // Committed and visible, on disk with the next flush (anyone's durable
  // commit, or Database::Sync). A crash may lose it: only for writes that
  // are redone if lost (a relay's published-up-to cursor, the inbox row of
  // an event that changed nothing), since readers do not wait for it
  // either. A transaction that called MustBeDurable commits durably anyway.
  kDeferred,
};

class ConnectionPool;
class WalFlusher;

// Exclusive use of one connection of a pool, from Database::Begin or
// BeginRead until Release() or destruction, which hand it back. Exclusivity
// comes from the connection being out of the pool's free list, not from a
// lock held across functions, so clang's thread-safety analysis sees every
// lock taken and released in one scope.
class ConnectionLease {
 public:
  ConnectionLease(ConnectionPool* pool, Connection* connection)
      : pool_(pool), connection_(connection) {}
  ConnectionLease(ConnectionLease&& other) noexcept;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ConnectionLease(const ConnectionLease&) = delete;
  ~ConnectionLease() { Release(); }

  Connection* connection() const { return connection_; }
  void Release();

 private:
  ConnectionPool* pool_;
  Connection* connection_;
};

// A transaction; rolls back on destruction unless Commit() succeeded.
// Holds its connection exclusively (a ConnectionLease) until Commit or
// destruction: keep it short. A durable commit hands the writer connection
// back before it waits for its flush, so the next write transaction can run
// while this one waits.
//
// Nothing a transaction read outlives it unflushed: a durable commit is
// visible to others as soon as its COMMIT returns, before its flush, so a
// read transaction, and a write transaction that rolls back, wait at their
// end (commit or destruction) until every durable commit they could have
// seen is on disk. A reply built from what they read never vouches for a
// commit a crash could take back. The wait is free when nothing is
// pending, and otherwise shares the flush in progress. Deferred commits are
// not waited for: they hold only what is redone if lost.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  absl::Status Exec(absl::string_view sql, const std::vector<SqlValue>& params = {});
  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                         const std::vector<SqlValue>& params = {});
  // The first row, or nullopt when there is none.
  absl::StatusOr<std::optional<Row>> QueryOne(absl::string_view sql,
                                              const std::vector<SqlValue>& params = {});
  int64_t LastInsertId() const;
  // Rows changed by the last Exec.
  int64_t Changes() const;
  // Rows inserted, updated or deleted since the connection opened, by any
  // statement (triggers included): the difference across a step says
  // whether that step changed anything.
  int64_t TotalChanges() const;
  // Makes Commit durable whatever it is asked for: for writes that others
  // will vouch for, e.g. an event appended to the outbox (which leaves the
  // process as soon as a reader sees it).
  void MustBeDurable();
  // Runs after a successful commit (after its flush when durable), with
  // no connection held and no lock of the database layer.
  void OnCommit(std::function<void()> callback);
  // A durable commit that returns OK is on disk. An error after COMMIT
  // (Internal: the WAL flush failed) means the transaction is visible but
  // nothing vouches that it survives a power loss.
  absl::Status Commit(Durability durability = Durability::kDurable);

 private:
  friend class Database;
  Transaction(ConnectionLease lease, WalFlusher* flusher, bool read_only);
  Connection* connection() const { return lease_.connection(); }
  // Hands the connection back, then waits for the flush of what this
  // transaction could see.
  void EndSeen();
  ConnectionLease lease_;
  WalFlusher* flusher_;
  bool read_only_;
  bool must_be_durable_ = false;
  bool done_ = false;
  std::vector<std::function<void()>> on_commit_;
};

// One step of the group commit, as seen by DatabaseOptions::trace.
struct CommitTrace {
  enum class Kind {
    kCommitted,     // COMMIT of the write transaction `ticket` succeeded
    kFlushStarted,  // a WAL flush covering tickets up to `ticket` begins
    kFlushed,       // that flush's fdatasync returned OK
    kReturned,      // Commit(kDurable) of `ticket` is about to return OK
  };
  Kind kind;
  int64_t ticket;
};

struct DatabaseOptions {
  // Reader connections, opened by Open; BeginRead waits while all are in use.
  int readers = 4;
  // For tests: called at each CommitTrace step. kCommitted, kFlushStarted
  // and kFlushed are reported with the flush state's lock held, so their
  // order is the order in which they happened; the callback must not call
  // back into the database.
  std::function<void(const CommitTrace&)> trace;
  // Called once, from the thread whose WAL flush failed and with no lock of
  // the database layer held, when commits can no longer be made durable
  // (every later Begin and durable Commit fails): the service reports
  // NOT_SERVING so that it is restarted.
  std::function<void(const absl::Status&)> on_failure;
};

class Database {
 public:
  // Opens (creating) the file, sets WAL, foreign keys, synchronous=NORMAL
  // (flushes are the database layer's own: see Commit), cache and mmap
  // sizes and a busy timeout, applies every pending migration of each set
  // (durably), and opens the reader pool.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        const std::vector<MigrationSet>& migrations,
                                                        DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A write transaction (takes the write lock at once).
  absl::StatusOr<Transaction> Begin();
  // A read-only snapshot transaction on a connection of the reader pool;
  // waits while every reader connection is in use.
  absl::StatusOr<Transaction> BeginRead();

  // Returns once every transaction committed before the call is on disk.
  // Readers that pass committed rows on to others (the outbox relay, event
  // watchers, a subscriber before XACK) call it first, so that nothing
  // leaves the process that a crash could still take back. It covers this
  // process's commits: one process per database file, which the deployment
  // keeps (a StatefulSet of one; docs/operations.md).
  absl::Status Sync();

  // WAL flushes (fdatasync) since Open: the group commit's measure.
  int64_t syncs() const;

  const std::string& path() const { return path_; }

 private:
  Database(std::string path, DatabaseOptions options);
  absl::Status Migrate(const std::vector<MigrationSet>& migrations);

  std::string path_;
  // Declared before the pools: destroyed after them, so the last connection
  // closes (and checkpoints) before the flusher's own WAL descriptor does.
  std::unique_ptr<WalFlusher> flusher_;
  std::unique_ptr<ConnectionPool> writer_;  // one connection
  std::unique_ptr<ConnectionPool> readers_;
};

// Whether a transaction that ended on this thread since the last call
// could not be vouched for: it may have seen a durable commit whose flush
// then failed. Clears the mark. A transaction ends in its destructor, which
// has no one to tell; Gate asks after each unary call's work and answers
// UNAVAILABLE instead of a reply built from such data.
bool TakeUnvouchedRead();

// While alive, a transaction ending unvouched on this thread (as above) also
// sets `*mark`: for work that answers its call from another thread (Gate's
// deferred calls), whose reads end before it hands the call on.
class ScopedUnvouchedReadMark {
 public:
  explicit ScopedUnvouchedReadMark(std::atomic<bool>* mark);
  ~ScopedUnvouchedReadMark();
  ScopedUnvouchedReadMark(const ScopedUnvouchedReadMark&) = delete;
  ScopedUnvouchedReadMark& operator=(const ScopedUnvouchedReadMark&) = delete;

 private:
  std::atomic<bool>* previous_;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_DATABASE_H_
