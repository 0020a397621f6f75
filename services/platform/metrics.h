// Process-wide metrics in the Prometheus text exposition format (0.0.4):
// counters, gauges and histograms by name and labels, and gauges/counters
// computed when scraped. Recording is one line:
//
//   MetricsRegistry::Global()
//       .GetCounter("enamnd_relay_publish_errors_total", "help", {{"stream", s}})
//       ->Increment();
//
// Metrics live as long as the registry (the global one: the process), so
// the pointers returned may be kept. A callback metric reads state owned by
// something that comes and goes (a relay, a subscriber), so it is held by
// the MetricHandle returned, and it disappears when that handle does:
//
//   handle_ = MetricsRegistry::Global().AddCallbackGauge(
//       "enamnd_subscriber_lag", "help", {{"stream", s}, {"group", g}},
//       [this] { return static_cast<double>(lag_.load()); });
//
// Label values must come from a small set (method names, codes, stream
// names): every distinct value is a series kept for the process lifetime.
// Metrics are served to anyone who reaches ENAMND_METRICS_LISTEN: never put
// secrets or personal data in names or labels (docs/security.md).
#ifndef ENAMND_PLATFORM_METRICS_H_
#define ENAMND_PLATFORM_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace enamnd::platform {

// Label name -> value pairs; the order does not matter.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Only goes up (restarts at 0 with the process).
class Counter {
 public:
  void Increment(double amount = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations (seconds, for latencies) counted into buckets by upper bound.
class Histogram {
 public:
  // `bounds`: ascending finite upper bounds; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  void ObserveDuration(absl::Duration duration) { Observe(absl::ToDoubleSeconds(duration)); }

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations <= bounds()[i], for each bound, then the total (+Inf).
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  // Per bucket, not cumulative; the last one is above every bound.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// 0.5 ms to 10 s: RPCs, SQLite commits.
const std::vector<double>& DefaultLatencyBuckets();

class MetricsRegistry;

// Owns one callback metric: destroying (or resetting) it removes the series
// and waits for a scrape that is running the callback, so after that the
// callback is never called again. Destroy it before what the callback reads,
// and not while holding a lock that the callback takes.
class MetricHandle {
 public:
  MetricHandle() = default;
  MetricHandle(MetricHandle&& other) noexcept;
  MetricHandle& operator=(MetricHandle&& other) noexcept;
  MetricHandle(const MetricHandle&) = delete;
  MetricHandle& operator=(const MetricHandle&) = delete;
  ~MetricHandle() { Reset(); }
  void Reset();

 private:
  friend class MetricsRegistry;
  struct Entry;
  MetricHandle(MetricsRegistry* registry, std::shared_ptr<Entry> entry)
      : registry_(registry), entry_(std::move(entry)) {}
  MetricsRegistry* registry_ = nullptr;
  std::shared_ptr<Entry> entry_;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The process's registry, what /metrics serves. Never destroyed.
  static MetricsRegistry& Global();

  // The series of family `name` with `labels`, created on first use; the
  // same pointer on every later call. `help` is kept from the first call. A
  // name already used for another type, or an invalid name, is a
  // programming error: it is logged and a metric that is never rendered is
  // returned, so callers need no checks.
  Counter* GetCounter(absl::string_view name, absl::string_view help,
                      const MetricLabels& labels = {});
  Gauge* GetGauge(absl::string_view name, absl::string_view help, const MetricLabels& labels = {});
  // `bounds` are fixed by the series' first call.
  Histogram* GetHistogram(absl::string_view name, absl::string_view help,
                          const MetricLabels& labels = {},
                          const std::vector<double>& bounds = DefaultLatencyBuckets());

  // A series whose value `compute` returns at each scrape (NaN for
  // "unknown"). `compute` runs on the scraping thread, without the
  // registry's lock: it may block briefly (a read transaction) but must not
  // call back into the handle. Two live callbacks with the same name and
  // labels: the newer one is rendered.
  [[nodiscard]] MetricHandle AddCallbackGauge(absl::string_view name, absl::string_view help,
                                              const MetricLabels& labels,
                                              std::function<double()> compute);
  [[nodiscard]] MetricHandle AddCallbackCounter(absl::string_view name, absl::string_view help,
                                                const MetricLabels& labels,
                                                std::function<double()> compute);

  // Every family in the text exposition format 0.0.4, sorted by name.
  std::string Render();

 private:
  friend class MetricHandle;
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family;

  // The family `name` of `type`, created with `help` if new; nullptr (and
  // logged) if the name is invalid or taken by another type.
  Family* FamilyOf(absl::string_view name, absl::string_view help, Type type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  MetricHandle AddCallback(absl::string_view name, absl::string_view help, Type type,
                           const MetricLabels& labels, std::function<double()> compute);
  void Remove(const std::shared_ptr<MetricHandle::Entry>& entry);
  template <typename Metric, typename Make>
  Metric* GetSeries(absl::string_view name, absl::string_view help, Type type,
                    const MetricLabels& labels, Make make);

  absl::Mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_ ABSL_GUARDED_BY(mutex_);
  // Returned for misuse (see GetCounter); kept so the pointers stay valid.
  std::vector<std::shared_ptr<void>> orphans_ ABSL_GUARDED_BY(mutex_);
};

// The platform's own metrics, one line at each place they are recorded.

// enamnd_rpc_requests_total{method,code} and enamnd_rpc_duration_seconds
// {method}; `method` is the gRPC path ("/enamnd.meetings.v1.MeetingsService/
// GetMeeting"), `code` the numeric gRPC status code (recorded by name,
// "INVALID_ARGUMENT"). Methods no registered service knows are recorded as
// "unknown", so callers cannot grow the label set.
void RecordRpc(absl::string_view method, int code, absl::Duration latency);
// enamnd_sqlite_commit_duration_seconds.
void RecordSqliteCommit(absl::Duration latency);
// enamnd_sqlite_commits_total{durability="durable"|"deferred"}.
void CountSqliteCommit(bool durable);
// enamnd_sqlite_wal_syncs_total.
void CountSqliteWalSync();
// enamnd_deadline_job_last_success_timestamp_seconds{job} and
// enamnd_deadline_job_failures_total{job}.
void RecordJobRun(absl::string_view job, bool ok, absl::Time now = absl::Now());

// Serves GET /metrics (the global registry) over plain HTTP on its own
// threads until destroyed.
class MetricsServer {
 public:
  // `listen` is host:port (IPv6 in brackets); port 0 picks a free one.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& listen);
  ~MetricsServer();  // stops and joins
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }

 private:
  struct Impl;
  MetricsServer() = default;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_METRICS_H_
