// enamnd-bench-baselines: the storage baselines of tools/bench, measured
// without the project's code. Each run prints one JSON object on stdout.
//
//   --mode=sqlite --dir=DIR --rows_per_commit=1 --seconds=2
//       durable commits in a loop on a fresh database (raw_sqlite.h: WAL,
//       synchronous=FULL) in a new directory under DIR: each commit inserts
//       --rows_per_commit rows of about a decision's size.
//       {"commits_per_s": ..., "rows_per_s": ..., "commit_ms": ...}
//   --mode=redis --redis_socket=PATH --samples=200
//       XADD on one connection, read by a blocking XREAD on a second one:
//       the time from sending XADD to the XREAD's reply, p50 and p95.
//       {"p50_ms": ..., "p95_ms": ...}
#include <hiredis/hiredis.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/benchmarks/raw_sqlite.h"

ABSL_FLAG(std::string, mode, "sqlite", "sqlite or redis");
ABSL_FLAG(std::string, dir, "", "sqlite: where the database's directory goes");
ABSL_FLAG(int, rows_per_commit, 1, "sqlite: rows inserted by each commit");
ABSL_FLAG(double, seconds, 2.0, "sqlite: how long the commit loop runs");
ABSL_FLAG(std::string, redis_socket, "", "redis: the server's unix socket");
ABSL_FLAG(int, samples, 200, "redis: round trips timed");

namespace {

// About the size of a recorded decision's row.
constexpr int kRowBytes = 400;

absl::Status SqliteLoop() {
  auto raw = enamnd::bench::RawSqlite::Create(absl::GetFlag(FLAGS_dir));
  if (!raw.ok()) return raw.status();
  enamnd::bench::RawSqlite& db = **raw;
  if (absl::Status s = db.Exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
      !s.ok()) {
    return s;
  }
  sqlite3_stmt* insert = nullptr;
  if (absl::Status s = db.Prepare("INSERT INTO rows (body) VALUES (?1)", &insert); !s.ok()) {
    return s;
  }
  const std::string body(kRowBytes, 'r');
  const int rows = std::max(1, absl::GetFlag(FLAGS_rows_per_commit));
  const absl::Duration length = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  int64_t commits = 0;
  absl::Status status;
  const absl::Time start = absl::Now();
  absl::Duration elapsed;
  while (status.ok() && (elapsed = absl::Now() - start) < length) {
    status = db.Exec("BEGIN");
    for (int i = 0; status.ok() && i < rows; ++i) {
      sqlite3_bind_blob(insert, 1, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      if (sqlite3_step(insert) != SQLITE_DONE) status = db.Error("insert");
      sqlite3_reset(insert);
    }
    if (status.ok()) status = db.Exec("COMMIT");
    if (status.ok()) ++commits;
  }
  sqlite3_finalize(insert);
  if (!status.ok()) return status;
  const double seconds = absl::ToDoubleSeconds(elapsed);
  absl::PrintF(
      "{\"commits\": %d, \"seconds\": %.3f, \"commits_per_s\": %.1f, \"rows_per_s\": %.1f, "
      "\"commit_ms\": %.4f}\n",
      commits, seconds, commits / seconds, commits * rows / seconds, 1000 * seconds / commits);
  return absl::OkStatus();
}

struct RedisDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Redis = std::unique_ptr<redisContext, RedisDeleter>;
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

absl::Status RedisRoundTrips() {
  const std::string socket = absl::GetFlag(FLAGS_redis_socket);
  Redis writer(redisConnectUnix(socket.c_str()));
  Redis reader(redisConnectUnix(socket.c_str()));
  for (redisContext* c : {writer.get(), reader.get()}) {
    if (c == nullptr || c->err) return absl::UnavailableError("cannot connect to " + socket);
  }
  const std::string stream = absl::StrCat("bench-baseline-", absl::ToUnixNanos(absl::Now()));
  const std::string field(200, 'e');  // about an event's size
  std::string last_id = "0-0";
  std::vector<double> ms;
  const int samples = std::max(1, absl::GetFlag(FLAGS_samples));
  for (int i = -1; i < samples; ++i) {  // the first round warms up
    redisAppendCommand(reader.get(), "XREAD BLOCK 5000 COUNT 1 STREAMS %s %s", stream.c_str(),
                       last_id.c_str());
    int done = 0;
    while (!done) {
      if (redisBufferWrite(reader.get(), &done) != REDIS_OK) {
        return absl::UnavailableError("XREAD not sent");
      }
    }
    // Long enough for the XREAD to be blocked in the server when XADD comes.
    absl::SleepFor(absl::Milliseconds(2));
    const absl::Time begin = absl::Now();
    Reply added(static_cast<redisReply*>(redisCommand(writer.get(), "XADD %s * event %b",
                                                      stream.c_str(), field.data(), field.size())));
    if (added == nullptr || added->type != REDIS_REPLY_STRING) {
      return absl::InternalError("XADD failed");
    }
    void* raw = nullptr;
    if (redisGetReply(reader.get(), &raw) != REDIS_OK || raw == nullptr) {
      return absl::InternalError("XREAD failed");
    }
    Reply read(static_cast<redisReply*>(raw));
    const absl::Duration took = absl::Now() - begin;
    if (read->type != REDIS_REPLY_ARRAY) return absl::InternalError("XREAD returned no entry");
    last_id.assign(added->str, added->len);
    if (i >= 0) ms.push_back(absl::ToDoubleMilliseconds(took));
  }
  Reply(static_cast<redisReply*>(redisCommand(writer.get(), "DEL %s", stream.c_str())));
  std::sort(ms.begin(), ms.end());
  absl::PrintF("{\"samples\": %d, \"p50_ms\": %.4f, \"p95_ms\": %.4f}\n", ms.size(),
               ms[ms.size() / 2], ms[ms.size() * 95 / 100]);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  absl::Status status;
  if (mode == "sqlite") {
    status = SqliteLoop();
  } else if (mode == "redis") {
    status = RedisRoundTrips();
  } else {
    std::fprintf(stderr, "--mode is sqlite or redis\n");
    return 2;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
