#include "services/platform/metrics.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "services/platform/log.h"

namespace enamnd::platform {
namespace {

bool ValidName(absl::string_view name, bool colons) {
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [colons](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || (colons && c == ':');
  });
}

// Prometheus numbers: shortest round-trip form, +Inf, -Inf, NaN.
void AppendNumber(std::string* out, double value) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
  } else {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out->append(buffer, result.ptr);
  }
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string EscapeHelp(absl::string_view help) {
  std::string escaped;
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// `a="x",b="y"`, sorted by label name: the series' key, and its text.
absl::StatusOr<std::string> LabelText(const MetricLabels& labels) {
  MetricLabels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::string text;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto& [name, value] = sorted[i];
    if (!ValidName(name, false) || absl::StartsWith(name, "__")) {
      return absl::InvalidArgumentError(absl::StrCat("invalid label name \"", name, "\""));
    }
    if (i > 0 && sorted[i - 1].first == name) {
      return absl::InvalidArgumentError(absl::StrCat("label \"", name, "\" given twice"));
    }
    absl::StrAppend(&text, i > 0 ? "," : "", name, "=\"", EscapeLabelValue(value), "\"");
  }
  return text;
}

// One sample line: name{labels,extra} value.
void AppendSample(std::string* out, absl::string_view name, absl::string_view labels,
                  absl::string_view extra, double value) {
  out->append(name.data(), name.size());
  if (!labels.empty() || !extra.empty()) {
    absl::StrAppend(out, "{", labels, !labels.empty() && !extra.empty() ? "," : "", extra, "}");
  }
  out->push_back(' ');
  AppendNumber(out, value);
  out->push_back('\n');
}

void AtomicAdd(std::atomic<double>* target, double amount) {
  target->fetch_add(amount, std::memory_order_relaxed);
}

}  // namespace

void Counter::Increment(double amount) {
  if (amount < 0) return;  // a counter never goes down
  AtomicAdd(&value_, amount);
}

void Gauge::Add(double amount) { AtomicAdd(&value_, amount); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_([&bounds] {
        std::vector<double> kept;
        for (double b : bounds) {
          if (std::isfinite(b)) kept.push_back(b);
        }
        std::sort(kept.begin(), kept.end());
        kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
        return kept;
      }()) {
  counts_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  // First bucket whose bound is >= value ("le"); past the end is +Inf.
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(&sum_, value);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> cumulative(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    cumulative[i] = total;
  }
  return cumulative;
}

const std::vector<double>& DefaultLatencyBuckets() {
  static const auto* buckets = new std::vector<double>{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

// ------------------------------------------------------------------ registry

struct MetricHandle::Entry {
  std::string family;
  std::string labels;
  std::function<double()> compute;
  // Held while `compute` runs, so removal waits for a running scrape.
  absl::Mutex mutex;
  bool removed ABSL_GUARDED_BY(mutex) = false;
};

struct MetricsRegistry::Family {
  Type type;
  std::string help;
  // By label text; only the maps of `type` are used.
  std::map<std::string, std::unique_ptr<Counter>> counters;
  std::map<std::string, std::unique_ptr<Gauge>> gauges;
  std::map<std::string, std::unique_ptr<Histogram>> histograms;
  // Oldest first.
  std::vector<std::shared_ptr<MetricHandle::Entry>> callbacks;
};

MetricHandle::MetricHandle(MetricHandle&& other) noexcept
    : registry_(other.registry_), entry_(std::move(other.entry_)) {
  other.registry_ = nullptr;
}

MetricHandle& MetricHandle::operator=(MetricHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = other.registry_;
    entry_ = std::move(other.entry_);
    other.registry_ = nullptr;
  }
  return *this;
}

void MetricHandle::Reset() {
  if (registry_ != nullptr && entry_ != nullptr) registry_->Remove(entry_);
  registry_ = nullptr;
  entry_.reset();
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry& MetricsRegistry::Global() {
  static auto* registry = new MetricsRegistry();
  return *registry;
}

MetricsRegistry::Family* MetricsRegistry::FamilyOf(absl::string_view name, absl::string_view help,
                                                   Type type) {
  if (!ValidName(name, true)) {
    LogError("metrics", "invalid metric name \"", name, "\"; not recorded");
    return nullptr;
  }
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->type = type;
    family->help = std::string(help);
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  if (it->second->type != type) {
    LogError("metrics", "metric ", name, " is already registered with another type; not recorded");
    return nullptr;
  }
  return it->second.get();
}

template <typename Metric, typename Make>
Metric* MetricsRegistry::GetSeries(absl::string_view name, absl::string_view help, Type type,
                                   const MetricLabels& labels, Make make) {
  absl::StatusOr<std::string> key = LabelText(labels);
  auto series_of = [&](Family* family) -> std::map<std::string, std::unique_ptr<Metric>>& {
    if constexpr (std::is_same_v<Metric, Counter>) return family->counters;
    if constexpr (std::is_same_v<Metric, Gauge>) return family->gauges;
    if constexpr (std::is_same_v<Metric, Histogram>) return family->histograms;
  };
  if (key.ok()) {
    absl::ReaderMutexLock lock(&mutex_);
    auto family = families_.find(name);
    if (family != families_.end() && family->second->type == type) {
      auto& series = series_of(family->second.get());
      auto it = series.find(*key);
      if (it != series.end()) return it->second.get();
    }
  }
  absl::MutexLock lock(&mutex_);
  Family* family = nullptr;
  if (!key.ok()) {
    LogError("metrics", "metric ", name, ": ", key.status().message(), "; not recorded");
  } else {
    family = FamilyOf(name, help, type);
  }
  if (family == nullptr) {
    std::shared_ptr<Metric> orphan = make();
    orphans_.push_back(orphan);
    return orphan.get();
  }
  auto& series = series_of(family);
  auto& slot = series[*key];
  if (slot == nullptr) slot = make();
  return slot.get();
}

Counter* MetricsRegistry::GetCounter(absl::string_view name, absl::string_view help,
                                     const MetricLabels& labels) {
  return GetSeries<Counter>(name, help, Type::kCounter, labels,
                            [] { return std::make_unique<Counter>(); });
}

Gauge* MetricsRegistry::GetGauge(absl::string_view name, absl::string_view help,
                                 const MetricLabels& labels) {
  return GetSeries<Gauge>(name, help, Type::kGauge, labels,
                          [] { return std::make_unique<Gauge>(); });
}

Histogram* MetricsRegistry::GetHistogram(absl::string_view name, absl::string_view help,
                                         const MetricLabels& labels,
                                         const std::vector<double>& bounds) {
  return GetSeries<Histogram>(name, help, Type::kHistogram, labels,
                              [&bounds] { return std::make_unique<Histogram>(bounds); });
}

MetricHandle MetricsRegistry::AddCallbackGauge(absl::string_view name, absl::string_view help,
                                               const MetricLabels& labels,
                                               std::function<double()> compute) {
  return AddCallback(name, help, Type::kGauge, labels, std::move(compute));
}

MetricHandle MetricsRegistry::AddCallbackCounter(absl::string_view name, absl::string_view help,
                                                 const MetricLabels& labels,
                                                 std::function<double()> compute) {
  return AddCallback(name, help, Type::kCounter, labels, std::move(compute));
}

MetricHandle MetricsRegistry::AddCallback(absl::string_view name, absl::string_view help, Type type,
                                          const MetricLabels& labels,
                                          std::function<double()> compute) {
  absl::StatusOr<std::string> key = LabelText(labels);
  if (!key.ok()) {
    LogError("metrics", "metric ", name, ": ", key.status().message(), "; not recorded");
    return MetricHandle();
  }
  auto entry = std::make_shared<MetricHandle::Entry>();
  entry->family = std::string(name);
  entry->labels = *key;
  entry->compute = std::move(compute);
  absl::MutexLock lock(&mutex_);
  Family* family = FamilyOf(name, help, type);
  if (family == nullptr) return MetricHandle();
  family->callbacks.push_back(entry);
  return MetricHandle(this, std::move(entry));
}

void MetricsRegistry::Remove(const std::shared_ptr<MetricHandle::Entry>& entry) {
  {
    absl::MutexLock lock(&mutex_);
    auto family = families_.find(entry->family);
    if (family != families_.end()) {
      auto& callbacks = family->second->callbacks;
      callbacks.erase(std::remove(callbacks.begin(), callbacks.end(), entry), callbacks.end());
    }
  }
  // Waits for a scrape that copied the entry before it was erased.
  absl::MutexLock lock(&entry->mutex);
  entry->removed = true;
}

std::string MetricsRegistry::Render() {
  struct Snapshot {
    std::string name;
    Type type;
    std::string help;
    // Sample lines by label text; callback series fill theirs in below.
    std::map<std::string, std::string> lines;
    std::map<std::string, std::shared_ptr<MetricHandle::Entry>> callbacks;
  };
  std::vector<Snapshot> snapshots;
  {
    absl::ReaderMutexLock lock(&mutex_);
    snapshots.reserve(families_.size());
    for (const auto& [name, family] : families_) {
      Snapshot& s = snapshots.emplace_back();
      s.name = name;
      s.type = family->type;
      s.help = family->help;
      for (const auto& [labels, counter] : family->counters) {
        AppendSample(&s.lines[labels], name, labels, "", counter->value());
      }
      for (const auto& [labels, gauge] : family->gauges) {
        AppendSample(&s.lines[labels], name, labels, "", gauge->value());
      }
      for (const auto& [labels, histogram] : family->histograms) {
        std::string& text = s.lines[labels];
        std::vector<uint64_t> counts = histogram->CumulativeCounts();
        const std::vector<double>& bounds = histogram->bounds();
        std::string bucket_name = absl::StrCat(name, "_bucket");
        for (size_t i = 0; i < counts.size(); ++i) {
          std::string le = "le=\"";
          if (i < bounds.size()) {
            AppendNumber(&le, bounds[i]);
          } else {
            le += "+Inf";
          }
          le += '"';
          AppendSample(&text, bucket_name, labels, le, static_cast<double>(counts[i]));
        }
        AppendSample(&text, absl::StrCat(name, "_sum"), labels, "", histogram->sum());
        AppendSample(&text, absl::StrCat(name, "_count"), labels, "",
                     static_cast<double>(counts.back()));
      }
      // Newer callbacks replace older ones with the same labels.
      for (const auto& entry : family->callbacks) s.callbacks[entry->labels] = entry;
    }
  }
  // Callbacks run outside the registry's lock: they may take their own.
  for (Snapshot& s : snapshots) {
    for (const auto& [labels, entry] : s.callbacks) {
      absl::MutexLock lock(&entry->mutex);
      if (entry->removed) continue;
      std::string& text = s.lines[labels];
      text.clear();  // a callback wins over a plain series with the same labels
      AppendSample(&text, s.name, labels, "", entry->compute());
    }
  }
  std::string out;
  for (const Snapshot& s : snapshots) {
    if (s.lines.empty()) continue;
    absl::StrAppend(&out, "# HELP ", s.name, " ", EscapeHelp(s.help), "\n# TYPE ", s.name, " ",
                    s.type == Type::kCounter ? "counter"
                    : s.type == Type::kGauge ? "gauge"
                                             : "histogram",
                    "\n");
    for (const auto& [labels, text] : s.lines) out += text;
  }
  return out;
}

// ------------------------------------------------------------------ platform metrics

namespace {

// Whether a registered service declares `method` ("/pkg.Service/Method").
bool KnownMethod(absl::string_view method) {
  if (method == "/grpc.health.v1.Health/Check" || method == "/grpc.health.v1.Health/Watch") {
    return true;  // gRPC's own health service is not in the generated pool
  }
  if (!absl::ConsumePrefix(&method, "/")) return false;
  size_t slash = method.rfind('/');
  if (slash == absl::string_view::npos) return false;
  std::string dotted(method);
  dotted[slash] = '.';
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted) != nullptr;
}

// The series of one method's calls. Looking a series up by its label text
// costs more than counting, so each method's are found once.
struct RpcSeries {
  std::string method_label;  // the method, or "unknown"
  Histogram* duration = nullptr;
  // By status code (0..16), each found on its first use.
  std::array<std::atomic<Counter*>, 17> requests{};
};

class RpcSeriesCache {
 public:
  // The series of `method`, a "/pkg.Service/Method" path; all methods no
  // registered service declares share the one of "unknown", so that a
  // client naming methods at random adds no series and no entry here.
  RpcSeries* Of(absl::string_view method) {
    {
      absl::ReaderMutexLock lock(&mutex_);
      auto it = known_.find(method);
      if (it != known_.end()) return it->second.get();
    }
    if (!KnownMethod(method)) return &unknown_;
    auto series = std::make_unique<RpcSeries>();
    series->method_label = std::string(method);
    series->duration = DurationOf(method);
    absl::MutexLock lock(&mutex_);
    return known_.try_emplace(method, std::move(series)).first->second.get();
  }

  static Counter* RequestsOf(absl::string_view method_label, int code) {
    std::string code_name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    if (code_name.empty()) code_name = "UNKNOWN";
    return MetricsRegistry::Global().GetCounter(
        "enamnd_rpc_requests_total",
        "RPCs finished, by gRPC method and status code (streams count at their end).",
        {{"method", std::string(method_label)}, {"code", code_name}});
  }

  static Histogram* DurationOf(absl::string_view method_label) {
    return MetricsRegistry::Global().GetHistogram(
        "enamnd_rpc_duration_seconds",
        "RPC latency in seconds, from the call's start to its status (for streams: their whole "
        "life).",
        {{"method", std::string(method_label)}});
  }

 private:
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, std::unique_ptr<RpcSeries>> known_ ABSL_GUARDED_BY(mutex_);
  RpcSeries unknown_{"unknown", DurationOf("unknown"), {}};
};

}  // namespace

void RecordRpc(absl::string_view method, int code, absl::Duration latency) {
  static RpcSeriesCache* cache = new RpcSeriesCache();
  RpcSeries* series = cache->Of(method);
  Counter* requests = nullptr;
  if (code >= 0 && code < static_cast<int>(series->requests.size())) {
    requests = series->requests[code].load(std::memory_order_acquire);
    if (requests == nullptr) {
      requests = RpcSeriesCache::RequestsOf(series->method_label, code);
      series->requests[code].store(requests, std::memory_order_release);
    }
  } else {
    requests = RpcSeriesCache::RequestsOf(series->method_label, code);
  }
  requests->Increment();
  series->duration->ObserveDuration(latency);
}

void RecordSqliteCommit(absl::Duration latency) {
  static Histogram* histogram = MetricsRegistry::Global().GetHistogram(
      "enamnd_sqlite_commit_duration_seconds",
      "Duration of the COMMIT of SQLite write transactions, in seconds; for durable commits "
      "the wait for the WAL flush (fdatasync) is included.");
  histogram->ObserveDuration(latency);
}

void CountSqliteCommit(bool durable) {
  static constexpr absl::string_view kName = "enamnd_sqlite_commits_total";
  static constexpr absl::string_view kHelp =
      "SQLite write transactions committed, by durability (durable: flushed before the call "
      "returned; deferred: flushed by the next flush).";
  static Counter* durable_commits =
      MetricsRegistry::Global().GetCounter(kName, kHelp, {{"durability", "durable"}});
  static Counter* deferred_commits =
      MetricsRegistry::Global().GetCounter(kName, kHelp, {{"durability", "deferred"}});
  (durable ? durable_commits : deferred_commits)->Increment();
}

void CountSqliteWalSync() {
  static Counter* counter = MetricsRegistry::Global().GetCounter(
      "enamnd_sqlite_wal_syncs_total",
      "fdatasync calls on the SQLite WAL made by the group commit (one flush covers every "
      "commit before it); SQLite's own syncs at checkpoints are not counted.");
  counter->Increment();
}

void RecordJobRun(absl::string_view job, bool ok, absl::Time now) {
  MetricsRegistry& registry = MetricsRegistry::Global();
  MetricLabels labels = {{"task", std::string(job)}};
  // Created at the first run, failed or not, so that the first failure is
  // an increase from 0 that rate() and increase() see.
  Counter* failures = registry.GetCounter("enamnd_deadline_job_failures_total",
                                          "Runs of the periodic job that failed.", labels);
  if (!ok) {
    failures->Increment();
    return;
  }
  registry
      .GetGauge("enamnd_deadline_job_last_success_timestamp_seconds",
                "Unix time of the periodic job's last successful run.", labels)
      ->Set(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
}

// ------------------------------------------------------------------ HTTP

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
};

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen) {
  size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("ENAMND_METRICS_LISTEN: want host:port, got \"", listen, "\""));
  }
  absl::string_view host = absl::string_view(listen).substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ENAMND_METRICS_LISTEN: want host:port, got \"", listen, "\""));
  }
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  server->impl_ = std::make_unique<Impl>();
  httplib::Server& http = server->impl_->server;
  // Scrapes are rare and small: two threads, not httplib's default pool.
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // httplib's default sets SO_REUSEPORT, which would let a second process
  // share the port silently.
  http.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  http.set_payload_max_length(4096);
  http.Get("/metrics", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(MetricsRegistry::Global().Render(), "text/plain; version=0.0.4");
  });
  std::string bind_host(host);
  if (port == 0) {
    port = http.bind_to_any_port(bind_host);
  } else if (!http.bind_to_port(bind_host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", listen));
  }
  server->port_ = port;
  server->impl_->thread = std::thread([&http] { http.listen_after_bind(); });
  // stop() is a no-op until the loop runs: wait for it, so that the
  // destructor cannot miss it.
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!http.is_running() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
  if (!http.is_running()) {
    // It cannot be stopped: leave the thread and what it uses rather than hang.
    server->impl_->thread.detach();
    (void)server->impl_.release();
    return absl::InternalError(absl::StrCat("metrics: the server on ", listen, " did not start"));
  }
  LogInfo("metrics", "serving /metrics on ", bind_host, ":", port);
  return server;
}

MetricsServer::~MetricsServer() {
  if (impl_ == nullptr) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace enamnd::platform
