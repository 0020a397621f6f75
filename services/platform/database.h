// SQLite-backed storage with a small interface free of SQLite types, so a
// PostgreSQL backend can follow. One writer connection (serialised write
// transactions: BEGIN IMMEDIATE) and one reader connection (WAL lets reads
// proceed while a write commits).
#ifndef ENAMND_PLATFORM_DATABASE_H_
#define ENAMND_PLATFORM_DATABASE_H_

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
  // an event that changed nothing).
  kDeferred,
};

// Holds a mutex from construction until Unlock() or destruction, and can be
// moved (absl::MutexLock cannot). Clang's thread-safety analysis follows a
// lock within one scope only; a lock that moves from Database::Begin into
// the Transaction it returns is beyond it, so these four members are
// exempt, and this class is the only place that locks or unlocks by hand.
class MovableLock {
 public:
  explicit MovableLock(absl::Mutex* mutex) ABSL_NO_THREAD_SAFETY_ANALYSIS : mutex_(mutex) {
    mutex_->Lock();
  }
  MovableLock(MovableLock&& other) noexcept : mutex_(other.mutex_) { other.mutex_ = nullptr; }
  MovableLock& operator=(MovableLock&&) = delete;
  ~MovableLock() { Unlock(); }
  void Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (mutex_ != nullptr) mutex_->Unlock();
    mutex_ = nullptr;
  }

 private:
  absl::Mutex* mutex_;
};

// A transaction; rolls back on destruction unless Commit() succeeded.
// Holds its connection exclusively for its lifetime: keep it short. The
// transaction owns the connection's lock (taken by Database::Begin and
// BeginRead, released by Commit or the destructor): one RAII object rather
// than a Lock and an Unlock in different functions.
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
  // Runs after a successful commit (after its flush when durable),
  // outside the connection lock.
  void OnCommit(std::function<void()> callback);
  absl::Status Commit(Durability durability = Durability::kDurable);

 private:
  friend class Database;
  Transaction(Connection* connection, MovableLock lock, bool writes);
  Connection* connection_;
  MovableLock lock_;
  bool writes_;  // on the writer connection: its commit is timed
  bool done_ = false;
  std::vector<std::function<void()>> on_commit_;
};

class Database {
 public:
  // Opens (creating) the file, sets WAL, foreign keys, synchronous=FULL and a
  // busy timeout, then applies every pending migration of each set.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path, const std::vector<MigrationSet>& migrations);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A write transaction (takes the write lock at once).
  absl::StatusOr<Transaction> Begin();
  // A read-only snapshot transaction on the reader connection.
  absl::StatusOr<Transaction> BeginRead();

  // Returns once every transaction committed before the call is on disk.
  // Readers that pass committed rows on to others (the outbox relay, event
  // watchers) call it first, so that nothing leaves the process that a
  // crash could still take back.
  absl::Status Sync();

  // WAL flushes (fdatasync) since Open: the group commit's measure.
  int64_t syncs() const;

  const std::string& path() const { return path_; }

 private:
  Database(std::string path, std::unique_ptr<Connection> writer,
           std::unique_ptr<Connection> reader);
  absl::Status Migrate(const std::vector<MigrationSet>& migrations);

  std::string path_;
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<Connection> reader_;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_DATABASE_H_
