#include "services/platform/database.h"

#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/platform/metrics.h"
#include "tests/support/process.h"

namespace enamnd::platform {
namespace {

// A thread joined at the latest when it goes out of scope, so that a failed
// ASSERT in the test body does not leave it joinable (std::terminate).
class JoinedThread {
 public:
  template <typename F>
  explicit JoinedThread(F body) : thread_(std::move(body)) {}
  ~JoinedThread() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

MigrationSet TestMigrations(int steps) {
  MigrationSet set{"test", {}};
  set.steps.push_back("CREATE TABLE items (id INTEGER PRIMARY KEY, value TEXT UNIQUE);");
  if (steps > 1) set.steps.push_back("ALTER TABLE items ADD COLUMN extra TEXT;");
  return set;
}

TEST(DatabaseTest, AppliesEachMigrationOnce) {
  testing::TempDir dir;
  std::string path = dir.path() + "/t.db";
  {
    auto db = Database::Open(path, {TestMigrations(1)});
    ASSERT_TRUE(db.ok()) << db.status();
  }
  auto db = Database::Open(path, {TestMigrations(2)});
  ASSERT_TRUE(db.ok()) << db.status();
  auto tx = (*db)->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto rows =
      tx->Query("SELECT version FROM schema_migrations WHERE component = 'test' ORDER BY 1");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].Int(0), 2);
  auto mode = tx->QueryOne("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ((*mode)->Text(0), "wal");
}

TEST(DatabaseTest, RollsBackUncommittedAndRunsCommitCallbacks) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  ASSERT_TRUE(db.ok());
  bool called = false;
  {
    auto tx = (*db)->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES (?1)", {std::string("lost")}).ok());
    tx->OnCommit([&] { called = true; });
  }  // destroyed without Commit
  EXPECT_FALSE(called);
  {
    auto tx = (*db)->Begin();
    ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES (?1)", {std::string("kept")}).ok());
    tx->OnCommit([&] { called = true; });
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_TRUE(called);
  auto tx = (*db)->BeginRead();
  auto rows = tx->Query("SELECT value FROM items");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "kept");
}

TEST(DatabaseTest, MapsUniqueViolationToAlreadyExists) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  auto tx = (*db)->Begin();
  ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES ('a')").ok());
  absl::Status status = tx->Exec("INSERT INTO items (value) VALUES ('a')");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
}

TEST(DatabaseTest, BindsParametersRatherThanInterpolating) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  auto tx = (*db)->Begin();
  std::string hostile = "x'); DROP TABLE items; --";
  ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES (?1)", {hostile}).ok());
  auto row = tx->QueryOne("SELECT value FROM items WHERE value = ?1", {hostile});
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->Text(0), hostile);
}

int64_t CountItems(Database& db) {
  auto tx = db.BeginRead();
  EXPECT_TRUE(tx.ok()) << tx.status();
  auto row = tx->QueryOne("SELECT COUNT(*) FROM items");
  EXPECT_TRUE(row.ok()) << row.status();
  return (*row)->Int(0);
}

absl::Status InsertItem(Database& db, const std::string& value, Durability durability) {
  absl::StatusOr<Transaction> tx = db.Begin();
  if (!tx.ok()) return tx.status();
  absl::Status status = tx->Exec("INSERT INTO items (value) VALUES (?1)", {value});
  if (!status.ok()) return status;
  return tx->Commit(durability);
}

// Runs `per_thread` durable single-row commits on each of `threads` threads.
void CommitConcurrently(Database& db, int threads, int per_thread) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&db, t, per_thread] {
      for (int i = 0; i < per_thread; ++i) {
        absl::Status status = InsertItem(db, absl::StrCat(t, "-", i), Durability::kDurable);
        EXPECT_TRUE(status.ok()) << status;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
}

double CounterValue(absl::string_view name, const MetricLabels& labels = {}) {
  return MetricsRegistry::Global().GetCounter(name, "", labels)->value();
}

TEST(DatabaseTest, SetsPragmasOnEveryConnection) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  ASSERT_TRUE(db.ok()) << db.status();
  struct Case {
    std::string pragma;
    int64_t expected;
  };
  for (const Case& c : std::vector<Case>{{"synchronous", 1 /* NORMAL */},
                                         {"foreign_keys", 1},
                                         {"mmap_size", int64_t{256} << 20},
                                         {"cache_size", -2048}}) {
    auto tx = (*db)->BeginRead();
    ASSERT_TRUE(tx.ok());
    auto row = tx->QueryOne(absl::StrCat("PRAGMA ", c.pragma));
    ASSERT_TRUE(row.ok()) << row.status();
    EXPECT_EQ((*row)->Int(0), c.expected) << c.pragma;
  }
  auto tx = (*db)->Begin();
  ASSERT_TRUE(tx.ok());
  auto row = tx->QueryOne("PRAGMA cache_size");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ((*row)->Int(0), -8192);
}

// Every durable commit is flushed; concurrent ones share flushes. One
// thread cannot share: each of its commits costs exactly one flush.
TEST(DatabaseTest, DurableCommitsShareFlushes) {
  struct Case {
    int threads;
    int per_thread;
  };
  for (const Case& c : std::vector<Case>{{1, 40}, {32, 10}}) {
    SCOPED_TRACE(absl::StrCat(c.threads, " threads"));
    testing::TempDir dir;
    auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
    ASSERT_TRUE(db.ok()) << db.status();
    int64_t syncs_before = (*db)->syncs();
    double commits_before =
        CounterValue("enamnd_sqlite_commits_total", {{"durability", "durable"}});
    double metric_syncs_before = CounterValue("enamnd_sqlite_wal_syncs_total");
    absl::Time start = absl::Now();
    CommitConcurrently(**db, c.threads, c.per_thread);
    absl::Duration elapsed = absl::Now() - start;
    int commits = c.threads * c.per_thread;
    int64_t syncs = (*db)->syncs() - syncs_before;
    EXPECT_EQ(CountItems(**db), commits);
    EXPECT_EQ(
        CounterValue("enamnd_sqlite_commits_total", {{"durability", "durable"}}) - commits_before,
        commits);
    EXPECT_EQ(CounterValue("enamnd_sqlite_wal_syncs_total") - metric_syncs_before, syncs);
    if (c.threads == 1) {
      EXPECT_EQ(syncs, commits);
    } else {
      EXPECT_GE(syncs, 1);
      EXPECT_LT(syncs, commits);
    }
    std::printf(
        "[ figures  ] %d threads: %d durable commits in %.3f s (%.0f/s), %.3f syncs per "
        "commit\n",
        c.threads, commits, absl::ToDoubleSeconds(elapsed),
        commits / absl::ToDoubleSeconds(elapsed), static_cast<double>(syncs) / commits);
  }
}

// Records the group commit's steps (and markers of the test's own) in the
// order they happened.
class TraceLog {
 public:
  void Add(CommitTrace::Kind kind, int64_t ticket) {
    absl::MutexLock lock(&mutex_);
    events_.push_back({kind, ticket, ""});
  }
  void Mark(std::string marker) {
    absl::MutexLock lock(&mutex_);
    events_.push_back({CommitTrace::Kind::kReturned, -1, std::move(marker)});
  }
  struct Event {
    CommitTrace::Kind kind;
    int64_t ticket;
    std::string marker;  // set for Mark's events only
  };
  std::vector<Event> events() {
    absl::MutexLock lock(&mutex_);
    return events_;
  }
  std::function<void(const CommitTrace&)> Recorder() {
    return [this](const CommitTrace& step) { Add(step.kind, step.ticket); };
  }

 private:
  absl::Mutex mutex_;
  std::vector<Event> events_ ABSL_GUARDED_BY(mutex_);
};

// Index of the first event of `kind` for `ticket`, or -1.
int Find(const std::vector<TraceLog::Event>& events, CommitTrace::Kind kind, int64_t ticket) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].marker.empty() && events[i].kind == kind && events[i].ticket == ticket) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Whether a whole flush covering `ticket` lies between events `after` and
// `before`: it started after `after` (so after that COMMIT had written its
// frames) and its fdatasync returned before `before`.
bool FlushBetween(const std::vector<TraceLog::Event>& events, int after, int before,
                  int64_t ticket) {
  for (int i = after + 1; i < before; ++i) {
    if (!events[i].marker.empty() || events[i].kind != CommitTrace::Kind::kFlushStarted ||
        events[i].ticket < ticket) {
      continue;
    }
    for (int j = i + 1; j < before; ++j) {
      if (events[j].marker.empty() && events[j].kind == CommitTrace::Kind::kFlushed &&
          events[j].ticket == events[i].ticket) {
        return true;
      }
    }
  }
  return false;
}

absl::StatusOr<std::unique_ptr<Database>> OpenTraced(const testing::TempDir& dir, TraceLog& trace) {
  DatabaseOptions options;
  options.trace = trace.Recorder();
  return Database::Open(dir.path() + "/t.db", {TestMigrations(1)}, std::move(options));
}

TEST(DatabaseTest, DurableCommitReturnsOnlyAfterAFlushThatStartedAfterItsCommit) {
  testing::TempDir dir;
  TraceLog trace;
  auto db = OpenTraced(dir, trace);
  ASSERT_TRUE(db.ok()) << db.status();
  CommitConcurrently(**db, 16, 10);
  std::vector<TraceLog::Event> events = trace.events();
  int returned = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind != CommitTrace::Kind::kReturned) continue;
    ++returned;
    int64_t ticket = events[i].ticket;
    int committed = Find(events, CommitTrace::Kind::kCommitted, ticket);
    ASSERT_GE(committed, 0) << "ticket " << ticket;
    EXPECT_TRUE(FlushBetween(events, committed, static_cast<int>(i), ticket))
        << "ticket " << ticket << " returned without a flush started after its COMMIT";
  }
  EXPECT_GE(returned, 160);  // the test's commits, and the migrations'
  // One flush at a time: each start is followed by its end before the next.
  bool flushing = false;
  for (const TraceLog::Event& event : events) {
    if (event.kind == CommitTrace::Kind::kFlushStarted) {
      EXPECT_FALSE(flushing);
      flushing = true;
    } else if (event.kind == CommitTrace::Kind::kFlushed) {
      EXPECT_TRUE(flushing);
      flushing = false;
    }
  }
}

TEST(DatabaseTest, DeferredCommitsWaitForTheNextSync) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  ASSERT_TRUE(db.ok()) << db.status();
  int64_t syncs = (*db)->syncs();
  double deferred_before =
      CounterValue("enamnd_sqlite_commits_total", {{"durability", "deferred"}});
  bool called = false;
  for (int i = 0; i < 10; ++i) {
    auto tx = (*db)->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES (?1)", {absl::StrCat(i)}).ok());
    if (i == 9) tx->OnCommit([&] { called = true; });
    ASSERT_TRUE(tx->Commit(Durability::kDeferred).ok());
  }
  EXPECT_TRUE(called);
  EXPECT_EQ(CountItems(**db), 10);  // visible before any flush
  EXPECT_EQ((*db)->syncs(), syncs);
  EXPECT_EQ(
      CounterValue("enamnd_sqlite_commits_total", {{"durability", "deferred"}}) - deferred_before,
      10);
  ASSERT_TRUE((*db)->Sync().ok());
  EXPECT_EQ((*db)->syncs(), syncs + 1);
  ASSERT_TRUE((*db)->Sync().ok());  // nothing new: no flush
  EXPECT_EQ((*db)->syncs(), syncs + 1);
  // A durable commit covers the deferred ones before it with its one flush.
  ASSERT_TRUE(InsertItem(**db, "deferred", Durability::kDeferred).ok());
  ASSERT_TRUE(InsertItem(**db, "durable", Durability::kDurable).ok());
  EXPECT_EQ((*db)->syncs(), syncs + 2);
  ASSERT_TRUE((*db)->Sync().ok());
  EXPECT_EQ((*db)->syncs(), syncs + 2);
}

TEST(DatabaseTest, CommitCallbacksOfDurableCommitsRunAfterTheFlush) {
  testing::TempDir dir;
  TraceLog trace;
  auto db = OpenTraced(dir, trace);
  ASSERT_TRUE(db.ok()) << db.status();
  auto tx = (*db)->Begin();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES ('a')").ok());
  tx->OnCommit([&] { trace.Mark("callback"); });
  ASSERT_TRUE(tx->Commit(Durability::kDurable).ok());
  std::vector<TraceLog::Event> events = trace.events();
  ASSERT_FALSE(events.empty());
  ASSERT_EQ(events.back().marker, "callback");
  // The last commit's ticket: the one of the last kCommitted step.
  int64_t ticket = -1;
  for (const TraceLog::Event& event : events) {
    if (event.marker.empty() && event.kind == CommitTrace::Kind::kCommitted) ticket = event.ticket;
  }
  int committed = Find(events, CommitTrace::Kind::kCommitted, ticket);
  EXPECT_TRUE(FlushBetween(events, committed, static_cast<int>(events.size()) - 1, ticket));
}

TEST(DatabaseTest, ReaderPoolServesFourReadsAtOnceAndEachSeesASnapshot) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(InsertItem(**db, "before", Durability::kDurable).ok());
  std::vector<Transaction> reads;
  for (int i = 0; i < 4; ++i) {
    auto tx = (*db)->BeginRead();
    ASSERT_TRUE(tx.ok()) << tx.status();
    auto row = tx->QueryOne("SELECT COUNT(*) FROM items");  // takes the snapshot
    ASSERT_TRUE(row.ok());
    EXPECT_EQ((*row)->Int(0), 1);
    reads.push_back(std::move(*tx));
  }
  // A write while the four are open is not visible in their snapshots.
  ASSERT_TRUE(InsertItem(**db, "after", Durability::kDurable).ok());
  auto row = reads[0].QueryOne("SELECT COUNT(*) FROM items");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ((*row)->Int(0), 1);

  std::atomic<bool> fifth_began{false};
  int64_t fifth_count = -1;
  JoinedThread fifth([&] {
    auto tx = (*db)->BeginRead();
    ASSERT_TRUE(tx.ok());
    fifth_began = true;
    auto count = tx->QueryOne("SELECT COUNT(*) FROM items");
    ASSERT_TRUE(count.ok());
    fifth_count = (*count)->Int(0);
  });
  // All four connections are in use: the fifth read waits.
  EXPECT_FALSE(testing::PollUntil([&] { return fifth_began.load(); }, absl::Milliseconds(300)));
  // Hands its connection back (even if the ASSERT fails, so `fifth` ends).
  absl::Status committed = reads[2].Commit();
  ASSERT_TRUE(committed.ok()) << committed;
  EXPECT_TRUE(testing::PollUntil([&] { return fifth_began.load(); }, absl::Seconds(10)));
  fifth.Join();
  EXPECT_EQ(fifth_count, 2);  // a new snapshot sees the later write
}

// A durable commit is visible before its flush; a transaction that saw it
// must not end (and so its reply must not leave) before that flush.
TEST(DatabaseTest, TransactionsEndOnlyOnceTheDurableCommitsTheyCouldSeeAreOnDisk) {
  testing::TempDir dir;
  TraceLog trace;
  std::atomic<bool> armed{false};
  std::atomic<bool> flush_held{false};
  std::atomic<int64_t> held_ticket{-1};
  absl::Notification release_flush;
  DatabaseOptions options;
  options.trace = [&](const CommitTrace& step) {
    trace.Add(step.kind, step.ticket);
    // Holds the first flush after arming at its start, as a slow disk would.
    if (step.kind == CommitTrace::Kind::kFlushStarted && armed.exchange(false)) {
      held_ticket = step.ticket;
      flush_held = true;
      release_flush.WaitForNotification();
    }
  };
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)}, std::move(options));
  ASSERT_TRUE(db.ok()) << db.status();

  armed = true;
  JoinedThread writer([&] { EXPECT_TRUE(InsertItem(**db, "a", Durability::kDurable).ok()); });
  // Its COMMIT has returned (the flush started after it): the row is visible.
  bool held = testing::PollUntil([&] { return flush_held.load(); }, absl::Seconds(10));
  std::atomic<bool> read_ended{false};
  JoinedThread reader([&] {
    auto read = (*db)->BeginRead();
    ASSERT_TRUE(read.ok());
    auto count = read->QueryOne("SELECT COUNT(*) FROM items");
    ASSERT_TRUE(count.ok());
    EXPECT_EQ((*count)->Int(0), 1);  // sees the unflushed commit ...
    EXPECT_TRUE(read->Commit().ok());
    trace.Mark("read ended");
    read_ended = true;
  });
  // ... and so does not end while the flush is held.
  EXPECT_FALSE(testing::PollUntil([&] { return read_ended.load(); }, absl::Milliseconds(300)));
  release_flush.Notify();
  ASSERT_TRUE(held);
  reader.Join();
  writer.Join();
  std::vector<TraceLog::Event> events = trace.events();
  // The held flush (it covers the writer's commit) ended before the read.
  int ended = -1, flushed = -1;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].marker == "read ended") ended = static_cast<int>(i);
    if (events[i].marker.empty() && events[i].kind == CommitTrace::Kind::kFlushed &&
        events[i].ticket >= held_ticket.load() && flushed < 0) {
      flushed = static_cast<int>(i);
    }
  }
  ASSERT_GE(ended, 0);
  EXPECT_GE(flushed, 0);
  EXPECT_LT(flushed, ended);

  // Deferred commits are not waited for: no one vouches for them.
  int64_t syncs = (*db)->syncs();
  ASSERT_TRUE(InsertItem(**db, "deferred", Durability::kDeferred).ok());
  {
    auto read = (*db)->BeginRead();
    ASSERT_TRUE(read.ok());
    auto count = read->QueryOne("SELECT COUNT(*) FROM items");
    ASSERT_TRUE(count.ok());
    EXPECT_EQ((*count)->Int(0), 2);
  }
  EXPECT_EQ((*db)->syncs(), syncs);
  ASSERT_TRUE((*db)->Sync().ok());  // the explicit Sync takes them too
  EXPECT_EQ((*db)->syncs(), syncs + 1);
}

// A transaction that must be durable (an outbox append) commits durably even
// when asked for a deferred commit.
TEST(DatabaseTest, MustBeDurableOverridesADeferredCommit) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  ASSERT_TRUE(db.ok()) << db.status();
  int64_t syncs = (*db)->syncs();
  auto tx = (*db)->Begin();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES ('event')").ok());
  tx->MustBeDurable();
  ASSERT_TRUE(tx->Commit(Durability::kDeferred).ok());
  EXPECT_EQ((*db)->syncs(), syncs + 1);
}

// The leader of a flush waits for writes under way, but never for long: a
// write transaction that stays open does not hold up a durable commit.
TEST(DatabaseTest, AFlushDoesNotWaitForAWriteThatStaysOpen) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(InsertItem(**db, "warm", Durability::kDurable).ok());  // a flush time to go by
  absl::Notification release;
  std::atomic<bool> open_began{false};
  auto first = (*db)->Begin();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->Exec("INSERT INTO items (value) VALUES ('first')").ok());
  JoinedThread open_write([&] {
    open_began = true;
    auto tx = (*db)->Begin();  // queued behind `first`, then under way
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES ('open')").ok());
    release.WaitForNotification();
    EXPECT_TRUE(tx->Commit().ok());
  });
  EXPECT_TRUE(testing::PollUntil([&] { return open_began.load(); }, absl::Seconds(10)));
  absl::Status status = first->Commit(Durability::kDurable);
  release.Notify();
  EXPECT_TRUE(status.ok()) << status;
  open_write.Join();
  EXPECT_EQ(CountItems(**db), 3);
}

// A WAL file removed behind SQLite's back is no longer the file SQLite
// writes: flushing the path would vouch for nothing, so durable commits fail
// from then on, and so do Sync and new write transactions.
TEST(DatabaseTest, FailsDurabilityForGoodWhenTheWalFileIsRemoved) {
  testing::TempDir dir;
  std::string path = dir.path() + "/t.db";
  std::atomic<int> failures{0};
  DatabaseOptions options;
  options.on_failure = [&](const absl::Status&) { failures.fetch_add(1); };
  auto db = Database::Open(path, {TestMigrations(1)}, std::move(options));
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(InsertItem(**db, "flushed", Durability::kDurable).ok());
  EXPECT_EQ(failures.load(), 0);
  auto read = (*db)->BeginRead();  // begun before the failure
  ASSERT_TRUE(read.ok());
  auto handed_on = (*db)->BeginRead();  // ends under a mark, as a deferred call's
  ASSERT_TRUE(handed_on.ok());
  ASSERT_EQ(unlink((path + "-wal").c_str()), 0);
  absl::Status status = InsertItem(**db, "unflushable", Durability::kDurable);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ((*db)->Sync().code(), absl::StatusCode::kInternal);
  EXPECT_EQ((*db)->Begin().status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ((*db)->BeginRead().status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(failures.load(), 1);  // told once, by the flush that failed
  // A read that saw the unflushed commit cannot vouch for it: its thread is
  // marked as it ends (Gate then answers UNAVAILABLE), once.
  EXPECT_FALSE(TakeUnvouchedRead());
  auto count = read->QueryOne("SELECT COUNT(*) FROM items");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ((*count)->Int(0), 2);
  { Transaction ended = *std::move(read); }
  EXPECT_TRUE(TakeUnvouchedRead());
  EXPECT_FALSE(TakeUnvouchedRead());
  // Under a mark, the call that may finish on another thread is told too.
  std::atomic<bool> mark{false};
  {
    ScopedUnvouchedReadMark scope(&mark);
    Transaction ended = *std::move(handed_on);
  }
  EXPECT_TRUE(mark.load());
  EXPECT_TRUE(TakeUnvouchedRead());
}

}  // namespace
}  // namespace enamnd::platform
