// enamnd-bench-ingest: the IngestUsage ingest rate of the finance service
// against a raw SQLite batch insert on the same machine in the same run
// (issue 12: "aim for at least half of that baseline").
//
//   tools/benchmarks/ingest                                  (starts its own services)
//   build/tools/benchmarks/enamnd-bench-ingest --address=HOST:PORT --records=200000
//
// Each round:
//  1. baseline: a temporary SQLite database in --baseline_dir with the
//     pragmas of services/platform/database.cc (WAL, synchronous=FULL,
//     foreign keys) and the usage_records and usage_counts tables of
//     services/finance/store/schema.cc. The --records rows are inserted in
//     transactions of IngestStream::kBatchRecords, each row by one reused
//     prepared INSERT ... ON CONFLICT DO NOTHING, and each batch adds its
//     rows to usage_counts by the same upsert the service makes, then
//     commits. The rows are built before the clock starts.
//  2. service: the same number of records (same generator, distinct
//     transaction ids), built before the clock starts, streamed through
//     IngestUsage over --streams concurrent streams in messages of
//     --message_records. Timed from the first write to the last reply,
//     which comes once every record is durable; the replies' new_count must
//     sum to --records.
//  3. retry: the same streams sent again (all duplicates), and the
//     baseline's rows inserted again, timed likewise.
// It prints both rates, their ratio and PASS or BELOW against the aim of
// 0.5. The records are of --year (the service's today must be after it:
// tools/benchmarks/ingest pins ENAMND_TODAY) and bill the 14 members, which
// must be registered with the meetings service and known to finance.
//
// It calls as --principal over plaintext (the service with
// ENAMND_INSECURE=true and a policy granting it e-service-platform), or
// with --tls_dir over mTLS (bench_channel.h). Exit status: 0 when every
// count was as expected (PASS or BELOW alike), 1 otherwise, 2 for bad
// flags.
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "enamnd/finance/v1/finance.grpc.pb.h"
#include "services/finance/api/ingest_stream.h"
#include "tools/benchmarks/bench_channel.h"
#include "tools/benchmarks/raw_sqlite.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50055", "finance service address");
ABSL_FLAG(int64_t, records, 200000, "records per run (baseline and service alike)");
ABSL_FLAG(int, message_records, 1000, "records per IngestUsage message (at most 10000)");
ABSL_FLAG(int, streams, 1, "concurrent IngestUsage streams the records are split over");
ABSL_FLAG(int, rounds, 1, "baseline + service + retry rounds; each with new transaction ids");
ABSL_FLAG(int, year, 2021, "the records' year (it must have begun on the service's today)");
ABSL_FLAG(std::string, baseline_dir, "",
          "where the baseline's temporary database goes (default $TMPDIR or /tmp); put it on "
          "the service's file system");
ABSL_FLAG(std::string, tag, "", "part of every transaction id (default: unix time)");
ABSL_FLAG(absl::Duration, call_timeout, absl::Minutes(30), "deadline of each stream");

namespace {

namespace v1 = ::enamnd::finance::v1;

constexpr double kAim = 0.5;
// The members (DOMAIN.md), in SCB order.
const char* const kCodes[] = {"2505", "2506", "2510", "2513", "2514", "2518", "2521",
                              "2523", "2560", "2580", "2581", "2582", "2583", "2584"};
constexpr int kMembers = sizeof(kCodes) / sizeof(kCodes[0]);

// One generated record, as the service stores it.
struct Generated {
  std::string transaction_id;
  std::string code;
  int kind = 0;
  int64_t time_micros = 0;
  int year = 0;
  std::string e_service;
};

// Record `n` of a run: ids "<prefix>-<n>", the members in turn, every kind,
// noon UTC on a day of --year (within the year in Stockholm too).
Generated RecordOf(const std::string& prefix, int64_t n) {
  const int year = absl::GetFlag(FLAGS_year);
  Generated g;
  g.transaction_id = absl::StrCat(prefix, "-", n);
  g.code = kCodes[n % kMembers];
  g.kind = 1 + static_cast<int>(n % 4);
  g.time_micros = absl::ToUnixMicros(absl::FromCivil(
      absl::CivilSecond(year, 1 + n % 12, 1 + n % 28, 12, n % 60, 0), absl::UTCTimeZone()));
  g.year = year;
  g.e_service = absl::StrCat("e-service-", n % 1000);
  return g;
}

// ------------------------------------------------------------ baseline

// A raw SQLite database (raw_sqlite.h) with the service's tables.
class RawDb {
 public:
  ~RawDb() {
    for (sqlite3_stmt* s : {insert_, stored_, count_}) sqlite3_finalize(s);
  }

  absl::Status Open(const std::string& parent) {
    absl::StatusOr<std::unique_ptr<enamnd::bench::RawSqlite>> raw =
        enamnd::bench::RawSqlite::Create(parent);
    if (!raw.ok()) return raw.status();
    raw_ = *std::move(raw);
    db_ = raw_->db();
    for (const char* sql : {
             // services/finance/store/schema.cc
             "CREATE TABLE usage_records ("
             "  transaction_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, kind INTEGER NOT "
             "NULL, time_micros INTEGER NOT NULL, year INTEGER NOT NULL, e_service TEXT NOT "
             "NULL) WITHOUT ROWID",
             "CREATE TABLE usage_counts ("
             "  year INTEGER NOT NULL, municipality TEXT NOT NULL, kind INTEGER NOT NULL,"
             "  count INTEGER NOT NULL, PRIMARY KEY (year, municipality, kind)) WITHOUT ROWID",
         }) {
      if (absl::Status s = raw_->Exec(sql); !s.ok()) return s;
    }
    // The statements of services/finance/store/usage.cc.
    if (!Prepare("INSERT INTO usage_records (transaction_id, municipality, kind, time_micros,"
                 " year, e_service) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                 " ON CONFLICT(transaction_id) DO NOTHING",
                 &insert_) ||
        !Prepare("SELECT municipality, kind, time_micros, year, e_service FROM usage_records"
                 " WHERE transaction_id = ?1",
                 &stored_) ||
        !Prepare("INSERT INTO usage_counts (year, municipality, kind, count) VALUES (?1, ?2, "
                 "?3, ?4) ON CONFLICT(year, municipality, kind) DO UPDATE SET count = count + ?4",
                 &count_)) {
      return Error("prepare");
    }
    return absl::OkStatus();
  }

  // Inserts `rows` in transactions of `batch`, as the service stores a
  // batch; counts the new rows and the duplicates (the stored row read back
  // and compared, as the service does).
  absl::Status Insert(const std::vector<Generated>& rows, int64_t batch, int64_t* added,
                      int64_t* duplicates) {
    for (size_t first = 0; first < rows.size(); first += batch) {
      const size_t end = std::min(rows.size(), first + static_cast<size_t>(batch));
      if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
        return Error("BEGIN");
      }
      std::map<std::tuple<int, std::string, int>, int64_t> counts;
      for (size_t i = first; i < end; ++i) {
        const Generated& r = rows[i];
        sqlite3_bind_text(insert_, 1, r.transaction_id.data(),
                          static_cast<int>(r.transaction_id.size()), SQLITE_STATIC);
        sqlite3_bind_text(insert_, 2, r.code.data(), static_cast<int>(r.code.size()),
                          SQLITE_STATIC);
        sqlite3_bind_int64(insert_, 3, r.kind);
        sqlite3_bind_int64(insert_, 4, r.time_micros);
        sqlite3_bind_int64(insert_, 5, r.year);
        sqlite3_bind_text(insert_, 6, r.e_service.data(), static_cast<int>(r.e_service.size()),
                          SQLITE_STATIC);
        if (sqlite3_step(insert_) != SQLITE_DONE) return Error("insert");
        sqlite3_reset(insert_);
        if (sqlite3_changes(db_) == 1) {
          ++*added;
          ++counts[{r.year, r.code, r.kind}];
          continue;
        }
        if (!SameAsStored(r)) return absl::InternalError(r.transaction_id + " conflicts");
        ++*duplicates;
      }
      for (const auto& [key, n] : counts) {
        const auto& [year, code, kind] = key;
        sqlite3_bind_int64(count_, 1, year);
        sqlite3_bind_text(count_, 2, code.data(), static_cast<int>(code.size()), SQLITE_STATIC);
        sqlite3_bind_int64(count_, 3, kind);
        sqlite3_bind_int64(count_, 4, n);
        if (sqlite3_step(count_) != SQLITE_DONE) return Error("count");
        sqlite3_reset(count_);
      }
      if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        return Error("COMMIT");
      }
    }
    return absl::OkStatus();
  }

 private:
  bool Prepare(const char* sql, sqlite3_stmt** stmt) {
    return sqlite3_prepare_v2(db_, sql, -1, stmt, nullptr) == SQLITE_OK;
  }
  absl::Status Error(absl::string_view what) { return raw_->Error(what); }
  bool SameAsStored(const Generated& r) {
    sqlite3_bind_text(stored_, 1, r.transaction_id.data(),
                      static_cast<int>(r.transaction_id.size()), SQLITE_STATIC);
    bool same = false;
    if (sqlite3_step(stored_) == SQLITE_ROW) {
      same = reinterpret_cast<const char*>(sqlite3_column_text(stored_, 0)) == r.code &&
             sqlite3_column_int64(stored_, 1) == r.kind &&
             sqlite3_column_int64(stored_, 2) == r.time_micros &&
             sqlite3_column_int64(stored_, 3) == r.year &&
             reinterpret_cast<const char*>(sqlite3_column_text(stored_, 4)) == r.e_service;
    }
    sqlite3_reset(stored_);
    return same;
  }

  std::unique_ptr<enamnd::bench::RawSqlite> raw_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* stored_ = nullptr;
  sqlite3_stmt* count_ = nullptr;
};

struct Timed {
  double seconds = 0;
  double Rate(int64_t records) const { return static_cast<double>(records) / seconds; }
};

// The baseline's first insert and its retry (all duplicates), in a
// database of its own that is removed afterwards.
absl::Status Baseline(const std::string& prefix, int64_t n, Timed* first, Timed* retry) {
  std::vector<Generated> rows;
  rows.reserve(n);
  for (int64_t i = 0; i < n; ++i) rows.push_back(RecordOf(prefix, i));
  RawDb db;
  if (absl::Status s = db.Open(absl::GetFlag(FLAGS_baseline_dir)); !s.ok()) return s;
  const int64_t batch = enamnd::finance::IngestStream::kBatchRecords;
  int64_t added = 0, duplicates = 0;
  absl::Time start = absl::Now();
  if (absl::Status s = db.Insert(rows, batch, &added, &duplicates); !s.ok()) return s;
  first->seconds = absl::ToDoubleSeconds(absl::Now() - start);
  start = absl::Now();
  if (absl::Status s = db.Insert(rows, batch, &added, &duplicates); !s.ok()) return s;
  retry->seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (added != n || duplicates != n) {
    return absl::InternalError(
        absl::StrCat("baseline stored ", added, " and found ", duplicates, " duplicates"));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ service

// The messages of each stream: the records split evenly, in order.
std::vector<std::vector<v1::IngestUsageRequest>> Streams(const std::string& prefix, int64_t n) {
  const int streams = std::max(1, absl::GetFlag(FLAGS_streams));
  const int per_message = std::max(1, absl::GetFlag(FLAGS_message_records));
  std::vector<std::vector<v1::IngestUsageRequest>> out(streams);
  for (int s = 0; s < streams; ++s) {
    const int64_t first = n * s / streams, end = n * (s + 1) / streams;
    for (int64_t i = first; i < end; ++i) {
      if ((i - first) % per_message == 0) out[s].emplace_back();
      const Generated g = RecordOf(prefix, i);
      v1::UsageRecord* r = out[s].back().add_records();
      r->set_transaction_id(g.transaction_id);
      r->set_municipality(absl::StrCat("municipalities/", g.code));
      r->set_kind(static_cast<v1::UsageKind>(g.kind));
      r->mutable_time()->set_seconds(g.time_micros / 1000000);
      r->set_e_service(g.e_service);
    }
  }
  return out;
}

// Sends every stream at once; sums the replies. Timed from the first write
// to the last reply.
absl::Status Send(v1::FinanceService::Stub* stub,
                  const std::vector<std::vector<v1::IngestUsageRequest>>& streams,
                  v1::IngestUsageResponse* total, Timed* timed) {
  std::vector<grpc::Status> statuses(streams.size());
  std::vector<v1::IngestUsageResponse> responses(streams.size());
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (size_t s = 0; s < streams.size(); ++s) {
    threads.emplace_back([&, s] {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_call_timeout)));
      auto writer = stub->IngestUsage(&context, &responses[s]);
      for (const v1::IngestUsageRequest& message : streams[s]) {
        if (!writer->Write(message)) break;  // Finish says why
      }
      writer->WritesDone();
      statuses[s] = writer->Finish();
    });
  }
  for (std::thread& t : threads) t.join();
  timed->seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (size_t s = 0; s < streams.size(); ++s) {
    if (!statuses[s].ok()) {
      return absl::Status(static_cast<absl::StatusCode>(statuses[s].error_code()),
                          absl::StrCat("stream ", s, ": ", statuses[s].error_message()));
    }
    total->set_new_count(total->new_count() + responses[s].new_count());
    total->set_duplicate_count(total->duplicate_count() + responses[s].duplicate_count());
    total->set_conflict_count(total->conflict_count() + responses[s].conflict_count());
  }
  return absl::OkStatus();
}

std::string Counts(const v1::IngestUsageResponse& r) {
  return absl::StrFormat("new %d, duplicate %d, conflict %d", r.new_count(), r.duplicate_count(),
                         r.conflict_count());
}

struct Round {
  double baseline = 0, service = 0, baseline_retry = 0, service_retry = 0;  // records/s
  double Ratio() const { return service / baseline; }
};

// One round; false if a count was wrong or a call failed.
bool RunRound(v1::FinanceService::Stub* stub, const std::string& prefix, Round* round) {
  const int64_t n = absl::GetFlag(FLAGS_records);
  Timed base, base_retry, service, service_retry;
  if (absl::Status s = Baseline(prefix, n, &base, &base_retry); !s.ok()) {
    absl::PrintF("  baseline failed: %s\n", s.ToString().c_str());
    return false;
  }
  round->baseline = base.Rate(n);
  round->baseline_retry = base_retry.Rate(n);
  absl::PrintF("  baseline  raw SQLite          %8.2f s %10.0f records/s\n", base.seconds,
               round->baseline);
  std::fflush(stdout);

  const auto streams = Streams(prefix, n);
  v1::IngestUsageResponse first, again;
  if (absl::Status s = Send(stub, streams, &first, &service); !s.ok()) {
    absl::PrintF("  service failed: %s\n", s.ToString().c_str());
    return false;
  }
  round->service = service.Rate(n);
  absl::PrintF("  service   IngestUsage         %8.2f s %10.0f records/s  (%s)\n", service.seconds,
               round->service, Counts(first).c_str());
  std::fflush(stdout);
  if (absl::Status s = Send(stub, streams, &again, &service_retry); !s.ok()) {
    absl::PrintF("  retry failed: %s\n", s.ToString().c_str());
    return false;
  }
  round->service_retry = service_retry.Rate(n);
  absl::PrintF("  retry     raw SQLite          %8.2f s %10.0f records/s  (all duplicates)\n",
               base_retry.seconds, round->baseline_retry);
  absl::PrintF("  retry     IngestUsage         %8.2f s %10.0f records/s  (%s)\n",
               service_retry.seconds, round->service_retry, Counts(again).c_str());
  absl::PrintF("  ratio service/baseline %.2f: %s (aim >= %.1f)\n", round->Ratio(),
               round->Ratio() >= kAim ? "PASS" : "BELOW", kAim);
  std::fflush(stdout);
  bool ok = true;
  if (first.new_count() != n || first.duplicate_count() != 0 || first.conflict_count() != 0) {
    absl::PrintF("  WRONG: the first sending should store all %d records as new\n", n);
    ok = false;
  }
  if (again.new_count() != 0 || again.duplicate_count() != n || again.conflict_count() != 0) {
    absl::PrintF("  WRONG: the retry should find all %d records duplicates\n", n);
    ok = false;
  }
  return ok;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t m = values.size() / 2;
  return values.size() % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int64_t n = absl::GetFlag(FLAGS_records);
  const int per_message = absl::GetFlag(FLAGS_message_records);
  if (n < 1 || per_message < 1 || per_message > 10000 || absl::GetFlag(FLAGS_streams) < 1 ||
      absl::GetFlag(FLAGS_rounds) < 1) {
    std::fprintf(stderr,
                 "--records, --streams and --rounds at least 1; --message_records 1-10000\n");
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      enamnd::bench::BenchChannel(absl::GetFlag(FLAGS_address));
  if (!channel.ok()) {
    std::fprintf(stderr, "%s\n", channel.status().ToString().c_str());
    return 2;
  }
  auto stub = v1::FinanceService::NewStub(*channel);
  std::string tag = absl::GetFlag(FLAGS_tag);
  if (tag.empty()) tag = absl::StrCat(absl::ToUnixSeconds(absl::Now()));

  absl::PrintF(
      "enamnd-bench-ingest: %s, %s; %d records (year %d) per round, batches of %d records "
      "(IngestStream::kBatchRecords), messages of %d, %d stream(s), %d round(s); %u cores\n",
      absl::GetFlag(FLAGS_address).c_str(), enamnd::bench::BenchIdentity().c_str(), n,
      absl::GetFlag(FLAGS_year), static_cast<int>(enamnd::finance::IngestStream::kBatchRecords),
      per_message, absl::GetFlag(FLAGS_streams), absl::GetFlag(FLAGS_rounds),
      std::thread::hardware_concurrency());
  std::vector<Round> rounds;
  bool ok = true;
  for (int r = 1; r <= absl::GetFlag(FLAGS_rounds); ++r) {
    absl::PrintF("\n== round %d\n", r);
    Round round;
    if (!RunRound(stub.get(), absl::StrCat("bench-", tag, "-", r), &round)) {
      ok = false;
      break;
    }
    rounds.push_back(round);
  }
  if (rounds.size() > 1) {
    auto median = [&](double Round::*field) {
      std::vector<double> v;
      for (const Round& r : rounds) v.push_back(r.*field);
      return Median(v);
    };
    std::vector<double> ratios;
    for (const Round& r : rounds) ratios.push_back(r.Ratio());
    const double ratio = Median(ratios);
    absl::PrintF(
        "\nmedian of %zu rounds: baseline %.0f records/s, service %.0f records/s, ratio %.2f: "
        "%s; retry: baseline %.0f, service %.0f records/s\n",
        rounds.size(), median(&Round::baseline), median(&Round::service), ratio,
        ratio >= kAim ? "PASS" : "BELOW", median(&Round::baseline_retry),
        median(&Round::service_retry));
  }
  return ok ? 0 : 1;
}
